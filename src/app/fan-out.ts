import type { DateTime } from 'luxon';
import type { FireStepPayload, JobQueue, DeliverPayload, TimedJob } from './job-queue.js';
import type { Channel, Clock, Logger } from './ports.js';
import type { FanOutStore, NewDelivery } from './stores.js';

export interface FanOutDeps {
  readonly store: FanOutStore;
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly channels: readonly Channel[];
  /**
   * Delivery jobs wait this long after the step's instant so that every step firing at that
   * instant has fanned out before a contact's morning digest is put together.
   */
  readonly digestSettleMs?: number;
  readonly logger?: Logger;
}

export interface FanOutResult {
  readonly status: 'fired' | 'stale';
  readonly deliveries: number;
  readonly created: number;
}

/** obligation · occurrence · unit · step · contact · channel (DESIGN §4). */
export const idempotencyKey = (d: Pick<NewDelivery, 'obligationId' | 'occurrenceKey' | 'unitId' | 'step' | 'contactId' | 'channel'>): string =>
  [d.obligationId, d.occurrenceKey, d.unitId, d.step, d.contactId, d.channel].join('|');

/** contact · channel · instant: what one message groups. */
export const messageKey = (contactId: string, channel: string, fireAt: DateTime): string => [contactId, channel, fireAt.toUTC().toISO()].join('|');

/**
 * A ladder step fired: read the assignments still pending now, their contacts, record one
 * delivery per (unit, contact, channel) and queue them. Safe to run twice: the unique key
 * drops duplicates and the queue ignores known job ids.
 */
export async function fanOutStep(deps: FanOutDeps, payload: FireStepPayload, options: { urgent?: boolean } = {}): Promise<FanOutResult> {
  const { store } = deps;
  const row = await store.step(payload.obligationId, payload.occurrenceKey, payload.step);
  if (!row || row.revision !== payload.revision || (row.status !== 'planned' && row.status !== 'fired')) {
    deps.logger?.info({ ...payload, found: row?.status ?? null }, 'stale reminder timer ignored');
    return { status: 'stale', deliveries: 0, created: 0 };
  }
  return fanOut(deps, { ...payload, fireAt: row.fireAt, urgent: options.urgent ?? false });
}

/** Fan-out for one (occurrence, step) at `fireAt`; also used by `hanchot remind --now`. */
export async function fanOut(
  deps: FanOutDeps,
  step: { obligationId: string; occurrenceKey: string; step: string; fireAt: DateTime; urgent: boolean },
): Promise<FanOutResult> {
  const { store } = deps;
  const now = deps.clock.now();
  const recipients = await store.pendingRecipients(step.obligationId, step.occurrenceKey);
  const rows: NewDelivery[] = [];
  for (const r of recipients) {
    const recipient = { contactId: r.contactId, name: r.name, email: r.email ?? undefined, phone: r.phone ?? undefined, zaloUserId: r.zaloUserId ?? undefined };
    const reachable = deps.channels.filter((c) => c.canReach(recipient));
    // A contact no channel can reach is recorded once, on the first channel, as skipped.
    const channels = reachable.length > 0 ? reachable : deps.channels.slice(0, 1);
    for (const channel of channels) {
      const base = { obligationId: step.obligationId, occurrenceKey: step.occurrenceKey, unitId: r.unitId, step: step.step, contactId: r.contactId, channel: channel.name };
      rows.push({
        ...base,
        idempotencyKey: idempotencyKey(base),
        messageKey: messageKey(r.contactId, channel.name, step.fireAt),
        recipient: channel.name === 'email' ? r.email : (r.zaloUserId ?? r.phone),
        fireAt: step.fireAt,
        urgent: step.urgent,
        skipReason: reachable.length > 0 ? undefined : 'người nhận không có địa chỉ cho kênh nào',
      });
    }
  }
  const created = await store.insertDeliveries(rows, now);
  // Queue every sendable row, not only the new ones: a fan-out that died after inserting is redone here.
  const sendAt = step.urgent ? now : DateTimeMax(step.fireAt, now).plus({ milliseconds: deps.digestSettleMs ?? 5_000 });
  const jobs: TimedJob<DeliverPayload>[] = rows
    .filter((r) => !r.skipReason)
    .map((r) => ({ jobId: r.idempotencyKey, payload: { messageKey: r.messageKey, idempotencyKey: r.idempotencyKey, urgent: step.urgent }, at: sendAt }));
  await deps.queue.enqueueDeliveries(jobs);
  await store.markStep(step.obligationId, step.occurrenceKey, step.step, 'fired', null, now);
  deps.logger?.info({ obligationId: step.obligationId, occurrenceKey: step.occurrenceKey, step: step.step, deliveries: rows.length, created: created.length }, 'reminder step fanned out');
  return { status: 'fired', deliveries: rows.length, created: created.length };
}

const DateTimeMax = (a: DateTime, b: DateTime): DateTime => (a > b ? a : b);
