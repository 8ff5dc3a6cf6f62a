import { Duration, type DateTime } from 'luxon';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { nextSendingInstant, type QuietHours } from '../domain/quiet-hours.js';
import { DeferredError, PermanentError, RetryableError } from './errors.js';
import type { DeliverPayload } from './job-queue.js';
import { addressOn, idempotencyKey, messageKey, nextChannel, preferenceFor } from './fan-out.js';
import type { JobQueue } from './job-queue.js';
import type { Channel, ChannelName, Clock, Logger, Metrics, OutgoingMessage, Recipient } from './ports.js';
import type { ClaimedDelivery, DeliveryStore, NewDelivery } from './stores.js';

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
  /** Where fallback deliveries go (absent: they are recorded and sent by whoever drains them). */
  readonly queue?: JobQueue;
  readonly metrics?: Metrics;
  /** How long a claim holds before another job may take it over (default CLAIM_LEASE). */
  readonly claimLease?: Duration;
  /** Waits before writing a sent message's outcome again (tests pass one that does not wait). */
  readonly pause?: (ms: number) => Promise<void>;
}

/**
 * A worker records `sending` on a message's deliveries before it calls the provider and the
 * outcome after. A worker killed in between leaves them `sending`; once the claim is older than
 * this lease another job takes them over and sends again. So delivery is at least once, and the
 * messages sent twice after a crash are at most those the dead worker had in flight (its
 * concurrency, DELIVER_CONCURRENCY in jobs/deliver.ts). The lease must outlast one provider call
 * (Zalo's timeout is at most 2 minutes; an SMTP server that stalls longer may see a message twice).
 */
export const CLAIM_LEASE = Duration.fromObject({ minutes: 5 });

/** A delivery row as far as claiming it goes. */
export interface ClaimState {
  readonly status: 'queued' | 'sending' | 'sent' | 'failed' | 'skipped';
  readonly claimedBy: string | null;
  readonly updatedAt: DateTime;
}

/**
 * Whether `claimer` may claim the row at `now` (the SQL of DeliveryStore.claimMessage is this
 * rule): a queued row; its own claim again (its job ran again after a crash: BullMQ's stall
 * recovery); anyone's claim older than the lease. A finished row never.
 */
export function claimable(row: ClaimState, claimer: string, now: DateTime, lease: Duration = CLAIM_LEASE): boolean {
  if (row.status === 'queued') return true;
  if (row.status !== 'sending') return false;
  return row.claimedBy === claimer || row.updatedAt < now.minus(lease);
}

/** The name a job claims under: a take-over job's own, else the delivery it was made for. */
export const claimerOf = (payload: DeliverPayload): string => payload.claimer ?? payload.idempotencyKey;

/** The job that takes over a stale claim: one per stale claim (same id however many planners see it). */
export function takeOverJobId(idempotencyKey: string, claimedAt: DateTime): string {
  return `reclaim|${idempotencyKey}|${claimedAt.toMillis()}`;
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
  | { readonly status: 'failed'; readonly items: number; readonly reason: string; readonly fellBackTo?: ChannelName }
  | { readonly status: 'skipped'; readonly items: number; readonly reason: string };

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
  const claimed = await deps.store.claimMessage(payload.messageKey, claimerOf(payload), now, true, now.minus(deps.claimLease ?? CLAIM_LEASE));
  if (claimed.length === 0) return { status: 'nothing' };
  const log = deps.logger?.child({ messageKey: payload.messageKey, attempt: attempt.number });

  // A unit that completed (or was waived) between the fan-out and now is not reminded; one that
  // said "Đã nhận" for this very step is not sent a repeat of it (a retry or a fallback).
  const done = claimed.filter((d) => !d.stillPending);
  await deps.store.finish(done.map((d) => d.idempotencyKey), { status: 'skipped', code: 'completed', error: 'đơn vị đã hoàn thành (hoặc được miễn) trước khi gửi' }, now);
  const acknowledged = claimed.filter((d) => d.stillPending && d.acknowledged);
  await deps.store.finish(acknowledged.map((d) => d.idempotencyKey), { status: 'skipped', code: 'acknowledged', error: 'đơn vị đã báo "Đã nhận" lời nhắc này' }, now);
  const items = claimed.filter((d) => d.stillPending && !d.acknowledged);
  if (items.length === 0) return { status: 'skipped', items: claimed.length, reason: done.length > 0 ? 'completed' : 'acknowledged' };
  const keys = items.map((d) => d.idempotencyKey);

  const first = items[0]!;
  const recipient: Recipient = {
    contactId: first.contactId,
    name: first.contactName,
    email: first.email ?? undefined,
    phone: first.phone ?? undefined,
    zaloUserId: first.zaloUserId ?? undefined,
    channels: first.channels,
  };
  const channel = deps.channels.find((c) => c.name === first.channel);
  if (!channel || !channel.canReach(recipient)) {
    // The channel was switched off (or the address removed) since the fan-out: the next one takes over.
    return failOver(deps, items, recipient, first.channel, 'channel_unavailable', `kênh ${first.channel} không dùng được cho người nhận này`, now);
  }
  let sent: { providerId: string };
  try {
    const message = deps.compose({ messageKey: payload.messageKey, recipient, items, now });
    sent = await channel.send(message);
  } catch (e) {
    const later = deps.clock.now();
    if (e instanceof DeferredError) {
      const at = e.until.setZone(deps.calendar.zone).toFormat('HH:mm dd/LL/yyyy');
      await deps.store.finish(keys, { status: 'queued', code: 'deferred', error: `${e.reason}; gửi lại lúc ${at}` }, later);
      throw e;
    }
    if (e instanceof PermanentError) {
      log?.warn({ code: e.code, err: e.message, channel: channel.name }, 'message refused for good on this channel');
      return failOver(deps, items, recipient, channel.name, e.code ?? 'permanent', e.message, later, e.meaning);
    }
    const retryable = e instanceof RetryableError ? e : new RetryableError((e as Error).message ?? String(e), 'unexpected', { cause: e });
    if (attempt.last || (retryable.maxAttempts !== undefined && attempt.number >= retryable.maxAttempts)) {
      log?.error({ code: retryable.code, err: retryable.message, channel: channel.name }, 'message failed after the last attempt on this channel');
      return failOver(deps, items, recipient, channel.name, retryable.code ?? 'retryable', `hết số lần thử: ${retryable.message}`, later, retryable.meaning);
    }
    await deps.store.finish(keys, { status: 'queued', code: retryable.code ?? 'retryable', error: retryable.message }, later);
    log?.warn({ code: retryable.code, err: retryable.message }, 'message will be retried');
    throw retryable;
  }
  const sentAt = deps.clock.now();
  // The provider has the message now: if its outcome is not written, a retry sends it again. So a
  // failed write (PostgreSQL restarting, a failover) is tried again for about half a minute first.
  await persistently(() => deps.store.finish(keys, { status: 'sent', providerId: sent.providerId }, sentAt), deps.pause ?? pause, (e, wait) =>
    log?.warn({ err: (e as Error).message, retryInMs: wait }, 'message sent but its outcome not recorded yet: trying again'),
  );
  // Urgent sends ("send now") have no intended instant to be late for.
  if (!payload.urgent) deps.metrics?.firingLag(Math.max(0, sentAt.diff(first.fireAt).as('seconds')), channel.name);
  log?.info({ items: items.length, providerId: sent.providerId, channel: channel.name }, 'message sent');
  return { status: 'sent', items: items.length, providerId: sent.providerId };
}

/** Waits between tries of writing a sent message's outcome (about 30 s in all). */
export const OUTCOME_WRITE_WAITS_MS: readonly number[] = [250, 500, 1_000, 2_000, 4_000, 8_000, 15_000];

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function persistently(write: () => Promise<void>, wait: (ms: number) => Promise<void>, onFailure: (e: unknown, waitMs: number) => void): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await write();
    } catch (e) {
      const ms = OUTCOME_WRITE_WAITS_MS[i];
      if (ms === undefined) throw e;
      onFailure(e, ms);
      await wait(ms);
    }
  }
}

/**
 * The channel failed for good: record it, and hand the same items to the contact's next channel
 * as new deliveries with their own keys (so a contact gets a reminder on one channel only).
 */
async function failOver(
  deps: DeliverDeps,
  items: readonly ClaimedDelivery[],
  recipient: Recipient,
  failed: ChannelName,
  code: string,
  error: string,
  now: DateTime,
  meaning?: string,
): Promise<DeliverResult> {
  const preference = preferenceFor(recipient, items[0]?.purpose ?? 'reminder');
  const next = preference.includes(failed) ? nextChannel(preference, deps.channels, recipient, failed) : nextChannel(preference, deps.channels, recipient);
  const keys = items.map((d) => d.idempotencyKey);
  await deps.store.finish(keys, { status: 'failed', code, error, fellBackTo: next?.name, meaning }, now);
  if (!next) return { status: 'failed', items: items.length, reason: code };
  const rows: NewDelivery[] = items.map((d) => {
    const base = { obligationId: d.obligationId, occurrenceKey: d.occurrenceKey, unitId: d.unitId, step: d.step, contactId: d.contactId, channel: next.name };
    return {
      ...base,
      idempotencyKey: idempotencyKey(base),
      // Escalations and digests keep their own grouping on the next channel too.
      messageKey: d.purpose === 'reminder' ? messageKey(d.contactId, next.name, d.fireAt) : `${d.purpose}|${messageKey(d.contactId, next.name, d.fireAt)}|${d.unitId}`,
      purpose: d.purpose,
      content: d.content,
      recipient: addressOn(next.name, recipient),
      fireAt: d.fireAt,
      urgent: d.urgent,
      fallbackFrom: d.idempotencyKey,
    };
  });
  await deps.store.insertDeliveries(rows, now);
  await deps.queue?.enqueueDeliveries(
    rows.map((r) => ({ jobId: r.idempotencyKey, payload: { messageKey: r.messageKey, idempotencyKey: r.idempotencyKey, urgent: r.urgent }, at: now })),
  );
  deps.logger?.info({ from: failed, to: next.name, items: rows.length, contactId: recipient.contactId }, 'falling back to the next channel');
  return { status: 'failed', items: items.length, reason: code, fellBackTo: next.name };
}

/**
 * Puts back the jobs of deliveries still queued and untouched for a while: after Redis lost its
 * data they would otherwise wait forever. A job that still exists is not added twice (same id).
 * Deliveries left `sending` longer than the claim lease (a worker died mid-send, and its job is
 * gone or gave up) get a take-over job with its own id and claimer.
 */
export async function requeueQueuedDeliveries(
  deps: { store: DeliveryStore; queue: JobQueue; clock: Clock; logger?: Logger; claimLease?: Duration },
  olderThanMinutes = 10,
  limit = 5_000,
): Promise<number> {
  const now = deps.clock.now();
  const rows = await deps.store.queuedDeliveries(now.minus({ minutes: olderThanMinutes }), limit);
  await deps.queue.enqueueDeliveries(rows.map((r) => ({ jobId: r.idempotencyKey, payload: { messageKey: r.messageKey, idempotencyKey: r.idempotencyKey, urgent: r.urgent }, at: now })));
  if (rows.length > 0) deps.logger?.info({ deliveries: rows.length }, 'queued deliveries put back on the queue');
  const stale = await deps.store.staleClaims(now.minus(deps.claimLease ?? CLAIM_LEASE), limit);
  await deps.queue.enqueueDeliveries(
    stale.map((r) => {
      const id = takeOverJobId(r.idempotencyKey, r.claimedAt);
      return { jobId: id, payload: { messageKey: r.messageKey, idempotencyKey: r.idempotencyKey, urgent: r.urgent, claimer: id }, at: now };
    }),
  );
  if (stale.length > 0) deps.logger?.warn({ deliveries: stale.length }, 'deliveries left sending by a worker that died are sent again (at least once)');
  return rows.length + stale.length;
}
