import type { DateTime } from 'luxon';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { nextSendingInstant, type QuietHours } from '../domain/quiet-hours.js';
import { DeferredError, PermanentError, RetryableError } from './errors.js';
import type { DeliverPayload } from './job-queue.js';
import type { Channel, Clock, Logger, OutgoingMessage, Recipient } from './ports.js';
import type { ClaimedDelivery, DeliveryStore } from './stores.js';

/** Turns the items of one message into the message (templates, Vietnamese wording, .ics). */
export type ComposeMessage = (input: { messageKey: string; recipient: Recipient; items: readonly ClaimedDelivery[]; now: DateTime }) => OutgoingMessage;

export interface DeliverDeps {
  readonly store: DeliveryStore;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  readonly channels: readonly Channel[];
  readonly compose: ComposeMessage;
  readonly quietHours?: QuietHours;
  readonly logger?: Logger;
}

export interface Attempt {
  /** 1 for the first try. */
  readonly number: number;
  /** No retry follows this one: a retryable failure is recorded as failed. */
  readonly last: boolean;
}

export type DeliverResult =
  | { readonly status: 'sent'; readonly items: number; readonly providerId: string }
  | { readonly status: 'nothing' }
  | { readonly status: 'failed' | 'skipped'; readonly items: number; readonly reason: string };

/**
 * Sends one message: every delivery queued under its message key, claimed for this job. Throws
 * DeferredError outside quiet hours (no attempt used) and RetryableError when a retry may work;
 * every other ending is written to the delivery rows.
 */
export async function deliverMessage(deps: DeliverDeps, payload: DeliverPayload, attempt: Attempt): Promise<DeliverResult> {
  const now = deps.clock.now();
  if (!payload.urgent) {
    const next = nextSendingInstant(now, deps.calendar, deps.quietHours);
    if (next) {
      const reason = 'ngoài giờ gửi (07:00–21:00 ngày làm việc)';
      await deps.store.noteDeferred(payload.messageKey, `${reason}: gửi lúc ${next.setZone(deps.calendar.zone).toFormat('HH:mm dd/LL/yyyy')}`, now);
      throw new DeferredError(next, reason);
    }
  }
  const claimed = await deps.store.claimMessage(payload.messageKey, payload.idempotencyKey, now, true);
  if (claimed.length === 0) return { status: 'nothing' };
  const log = deps.logger?.child({ messageKey: payload.messageKey, attempt: attempt.number });

  // A unit that completed between the fan-out and now is not reminded.
  const done = claimed.filter((d) => !d.stillPending);
  await deps.store.finish(done.map((d) => d.idempotencyKey), { status: 'skipped', error: 'đơn vị đã hoàn thành trước khi gửi' }, now);
  const items = claimed.filter((d) => d.stillPending);
  if (items.length === 0) return { status: 'skipped', items: done.length, reason: 'completed' };
  const keys = items.map((d) => d.idempotencyKey);

  const first = items[0]!;
  const channel = deps.channels.find((c) => c.name === first.channel);
  if (!channel) {
    await deps.store.finish(keys, { status: 'failed', code: 'channel_disabled', error: `kênh ${first.channel} chưa được cấu hình` }, now);
    return { status: 'failed', items: items.length, reason: 'channel_disabled' };
  }
  const recipient: Recipient = {
    contactId: first.contactId,
    name: first.contactName,
    email: first.email ?? undefined,
    phone: first.phone ?? undefined,
    zaloUserId: first.zaloUserId ?? undefined,
  };
  try {
    const message = deps.compose({ messageKey: payload.messageKey, recipient, items, now });
    const sent = await channel.send(message);
    await deps.store.finish(keys, { status: 'sent', providerId: sent.providerId }, deps.clock.now());
    log?.info({ items: items.length, providerId: sent.providerId, channel: channel.name }, 'message sent');
    return { status: 'sent', items: items.length, providerId: sent.providerId };
  } catch (e) {
    const later = deps.clock.now();
    if (e instanceof PermanentError) {
      await deps.store.finish(keys, { status: 'failed', code: e.code ?? 'permanent', error: e.message }, later);
      log?.warn({ code: e.code, err: e.message }, 'message refused for good');
      return { status: 'failed', items: items.length, reason: e.code ?? 'permanent' };
    }
    if (e instanceof DeferredError) {
      await deps.store.finish(keys, { status: 'queued', code: 'deferred', error: e.reason }, later);
      throw e;
    }
    const retryable = e instanceof RetryableError ? e : new RetryableError((e as Error).message ?? String(e), 'unexpected', { cause: e });
    if (attempt.last) {
      await deps.store.finish(keys, { status: 'failed', code: retryable.code ?? 'retryable', error: `hết số lần thử: ${retryable.message}` }, later);
      log?.error({ code: retryable.code, err: retryable.message }, 'message failed after the last attempt');
      return { status: 'failed', items: items.length, reason: retryable.code ?? 'retryable' };
    }
    await deps.store.finish(keys, { status: 'queued', code: retryable.code ?? 'retryable', error: retryable.message }, later);
    log?.warn({ code: retryable.code, err: retryable.message }, 'message will be retried');
    throw retryable;
  }
}
