import type { DateTime } from 'luxon';
import { DeferredError, PermanentError, RetryableError } from '../../app/errors.js';
import type { Channel, ChannelName, Clock, Logger, OutgoingMessage, Recipient, SendResult, ZaloMessageKind } from '../../app/ports.js';
import type { TokenStore } from '../../app/stores.js';
import { normaliseVietnameseMobile } from '../../domain/phone.js';
import { fitOaText } from '../../domain/zalo-text.js';
import { ZaloNeedsConsent, type ZaloTokenManager } from './token-manager.js';
import { trackingIdFor } from './tracking-id.js';
import { ZaloApiError, ZaloTransportError, type createZaloClient } from './zalo-client.js';
import { decide, deferUntil } from './zalo-errors.js';

type ZaloClient = ReturnType<typeof createZaloClient>;

export interface ZaloChannelOptions {
  readonly appId: string;
  readonly client: ZaloClient;
  readonly tokens: ZaloTokenManager;
  readonly store: Pick<TokenStore, 'recordQuota'>;
  readonly clock: Clock;
  readonly zone: string;
  readonly logger?: Logger;
  /** ZNS template id per message kind (ZALO_ZNS_TEMPLATE_*). */
  readonly templates: Partial<Record<ZaloMessageKind, string>>;
  /** ZNS `mode: "development"`: only the OA's admins receive (for trying templates). */
  readonly development?: boolean;
  /** Log a warning when the remaining daily ZNS quota drops below this. */
  readonly quotaWarnBelow?: number;
  /**
   * The remaining quota Zalo reports with each send is written at most this often (default
   * 1,000 ms; the latest value wins, and close() writes the last one). It is shown to admins and
   * in metrics only: an exhausted quota is Zalo's -144 on the next send, which defers.
   */
  readonly quotaWriteEveryMs?: number;
  readonly random?: () => number;
}

interface Quota {
  readonly daily: number;
  readonly remaining: number;
}

/**
 * Writes the quota Zalo last reported at most once per `everyMs`: a burst of sends would
 * otherwise update the same row once per message. At most `everyMs` of observations are lost
 * if the process dies (the next send reports the quota again).
 */
export function quotaRecorder(write: (quota: Quota, at: DateTime) => Promise<void>, everyMs: number) {
  let pending: { quota: Quota; at: DateTime } | undefined;
  let lastWrite = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const next = pending;
    pending = undefined;
    if (!next) return writing;
    lastWrite = performance.now();
    writing = writing.then(() => write(next.quota, next.at)).catch(() => undefined);
    return writing;
  };
  return {
    /** Notes an observation; writes it now if the last write is old enough, else soon. */
    observe(quota: Quota, at: DateTime): Promise<void> {
      pending = { quota, at };
      const wait = lastWrite + everyMs - performance.now();
      if (wait <= 0) return flush();
      timer ??= setTimeout(() => void flush(), wait);
      timer.unref?.();
      return Promise.resolve();
    },
    /** Writes what is pending now (the channel's close). */
    flush,
  };
}

/**
 * Calls Zalo with the shared access token; a rejected token (-216/-220/-124) is refreshed once
 * (single flight across workers) and the call retried once. Every other answer becomes one of
 * our error kinds: retry, defer without an attempt, or permanent (the next channel takes over).
 */
async function callZalo<T>(o: ZaloChannelOptions, api: 'oa' | 'zns', call: (token: string) => Promise<T>): Promise<T> {
  try {
    let token = await o.tokens.accessToken();
    try {
      return await call(token);
    } catch (e) {
      if (!(e instanceof ZaloApiError) || decide(e.code, api).decision.kind !== 'refresh') throw e;
      token = await o.tokens.refresh(token, 'rejected');
      return await call(token);
    }
  } catch (e) {
    throw classify(o, api, e);
  }
}

function classify(o: ZaloChannelOptions, api: 'oa' | 'zns', e: unknown): Error {
  if (e instanceof ZaloNeedsConsent || e instanceof PermanentError || e instanceof RetryableError || e instanceof DeferredError) return e;
  if (e instanceof ZaloTransportError) {
    // Zalo does not deduplicate: a timed-out send may have gone out, so timeouts are retried only a little.
    return new RetryableError(`Zalo ${api}: ${e.message}`, `zalo_${e.kind}${e.status ? `_${e.status}` : ''}`, { cause: e, maxAttempts: e.kind === 'timeout' ? 3 : undefined });
  }
  if (!(e instanceof ZaloApiError)) return new RetryableError((e as Error).message ?? String(e), 'zalo_unexpected', { cause: e });
  const { decision, meaning } = decide(e.code, api);
  const code = `zalo_${e.code}`;
  const text = `Zalo ${api} ${e.code}: ${meaning} (${e.message})`;
  switch (decision.kind) {
    case 'refresh':
      return new RetryableError(`${text}; token vẫn bị từ chối sau khi làm mới`, code, { maxAttempts: 2, meaning });
    case 'retry':
      return new RetryableError(text, code, { maxAttempts: decision.maxAttempts, meaning });
    case 'defer': {
      if (decision.alert) o.logger?.error({ alert: true, code: e.code, api }, `ALERT: ${text}`);
      const until = deferUntil(decision.until, o.clock.now(), o.zone, o.random ?? Math.random);
      return new DeferredError(until, text);
    }
    case 'permanent':
      if (decision.alert) o.logger?.error({ alert: true, code: e.code, api }, `ALERT: ${text}`);
      return new PermanentError(text, code, { meaning });
  }
}

function content(message: OutgoingMessage) {
  if (!message.zalo) throw new PermanentError('tin nhắn không có nội dung cho Zalo', 'zalo_no_content');
  return message.zalo;
}

/** ZNS template messages by phone number (business.openapi.zalo.me /message/template). */
export function createZnsChannel(o: ZaloChannelOptions): Channel {
  const name: ChannelName = 'zalo_zns';
  const quota = quotaRecorder((q, at) => o.store.recordQuota(o.appId, q, at), o.quotaWriteEveryMs ?? 1_000);
  return {
    name,
    canReach: (r: Recipient) => Boolean(r.phone) && normaliseVietnameseMobile(r.phone!).ok,
    async send(message: OutgoingMessage): Promise<SendResult> {
      const phone = normaliseVietnameseMobile(message.recipient.phone ?? '');
      if (!phone.ok) throw new PermanentError(`số điện thoại không dùng được cho Zalo: ${phone.reason}`, 'invalid_phone');
      const zalo = content(message);
      const templateId = o.templates[zalo.kind];
      if (!templateId) throw new PermanentError(`chưa cấu hình mẫu ZNS cho loại tin "${zalo.kind}"`, 'zns_template_missing');
      const result = await callZalo(o, 'zns', (token) =>
        o.client.sendZns(token, { phone: phone.value, templateId, templateData: { ...zalo.params }, trackingId: trackingIdFor(message.messageKey), development: o.development }),
      );
      if (result.quota) {
        await quota.observe(result.quota, o.clock.now());
        if (result.quota.remaining < (o.quotaWarnBelow ?? 500)) {
          o.logger?.warn({ remaining: result.quota.remaining, daily: result.quota.daily }, 'ZNS daily quota is running low');
        }
      }
      return { providerId: result.msgId };
    },
    close: () => quota.flush(),
  };
}

/** OA consultation messages by Zalo user id (openapi.zalo.me /v3.0/oa/message/cs). */
export function createOaChannel(o: ZaloChannelOptions): Channel {
  const name: ChannelName = 'zalo_oa';
  return {
    name,
    canReach: (r: Recipient) => Boolean(r.zaloUserId),
    async send(message: OutgoingMessage): Promise<SendResult> {
      const userId = message.recipient.zaloUserId;
      if (!userId) throw new PermanentError('người nhận không có Zalo user id', 'no_zalo_user');
      const text = fitOaText(content(message).text);
      const result = await callZalo(o, 'oa', (token) => o.client.sendOaText(token, { userId, text }));
      return { providerId: result.messageId };
    },
    close: async () => undefined,
  };
}
