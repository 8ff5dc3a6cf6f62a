import type { DateTime } from 'luxon';
import { splitStep } from './plan.js';
import type { FireStepPayload, JobQueue, DeliverPayload, TimedJob } from './job-queue.js';
import { channelPreference, type Channel, type ChannelName, type Clock, type Logger, type Recipient } from './ports.js';
import type { DeliveryPurpose, FanOutStore, NewDelivery, PendingRecipient } from './stores.js';

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
  const ownUnit = splitStep(step.step).unitId;
  const sendAt = step.urgent ? now : DateTimeMax(step.fireAt, now).plus({ milliseconds: deps.digestSettleMs ?? 5_000 });
  let deliveries = 0;
  let created = 0;
  // In slices, read, recorded and queued: a national burst (130,000 units) starts sending after its
  // first slice, not after reading and inserting everything, and never holds every row at once.
  // Each slice is recorded before it is queued, so a fan-out that dies midway is redone from the
  // record (unique keys, known job ids).
  let after: { unitId: string; contactId: string } | undefined;
  for (;;) {
    const recipients = await store.pendingRecipients(step.obligationId, step.occurrenceKey, ownUnit, { after, limit: FAN_OUT_SLICE });
    const rows = recipients.map((r) => deliveryRow(deps.channels, step, r));
    created += (await store.insertDeliveries(rows, now)).length;
    // Queue every sendable row, not only the new ones: a fan-out that died after inserting is redone here.
    const jobs: TimedJob<DeliverPayload>[] = rows
      .filter((r) => !r.skipReason)
      .map((r) => ({ jobId: r.idempotencyKey, payload: { messageKey: r.messageKey, idempotencyKey: r.idempotencyKey, urgent: step.urgent }, at: sendAt }));
    await deps.queue.enqueueDeliveries(jobs);
    deliveries += rows.length;
    const last = recipients.at(-1);
    if (!last || recipients.length !== FAN_OUT_SLICE) break;
    after = { unitId: last.unitId, contactId: last.contactId };
  }
  await store.markStep(step.obligationId, step.occurrenceKey, step.step, 'fired', null, now);
  deps.logger?.info({ obligationId: step.obligationId, occurrenceKey: step.occurrenceKey, step: step.step, deliveries, created }, 'reminder step fanned out');
  return { status: 'fired', deliveries, created };
}

/** Rows recorded and queued per round trip of a fan-out. */
export const FAN_OUT_SLICE = 5_000;

/** One delivery for a recipient: the first of their channels that is configured and reaches them. */
function deliveryRow(
  channels: readonly Channel[],
  step: { obligationId: string; occurrenceKey: string; step: string; fireAt: DateTime; urgent: boolean },
  r: PendingRecipient,
): NewDelivery {
  const recipient = recipientOf(r);
  const preference = channelPreference(recipient);
  const channel = nextChannel(preference, channels, recipient);
  const name = channel?.name ?? preference[0] ?? 'email';
  const base = { obligationId: step.obligationId, occurrenceKey: step.occurrenceKey, unitId: r.unitId, step: step.step, contactId: r.contactId, channel: name };
  return {
    ...base,
    idempotencyKey: idempotencyKey(base),
    messageKey: messageKey(r.contactId, name, step.fireAt),
    recipient: addressOn(name, recipient),
    fireAt: step.fireAt,
    urgent: step.urgent,
    skipReason: channel ? undefined : `không kênh nào đã cấu hình tới được người nhận (thứ tự: ${preference.join(', ')})`,
  };
}

const DateTimeMax = (a: DateTime, b: DateTime): DateTime => (a > b ? a : b);

export function recipientOf(r: Pick<PendingRecipient, 'contactId' | 'name' | 'email' | 'phone' | 'zaloUserId' | 'channels'>): Recipient {
  return { contactId: r.contactId, name: r.name, email: r.email ?? undefined, phone: r.phone ?? undefined, zaloUserId: r.zaloUserId ?? undefined, channels: r.channels };
}

/**
 * The channels tried for a message, in order: the contact's preference, except that a digest never
 * goes by a ZNS template (a template cannot carry its lists; the OA text or email carries it).
 */
export function preferenceFor(recipient: Recipient, purpose: DeliveryPurpose): readonly ChannelName[] {
  const preference = channelPreference(recipient);
  if (purpose !== 'digest') return preference;
  const usable = preference.filter((c) => c !== 'zalo_zns');
  return usable.length > 0 ? usable : ['email'];
}

/** The first channel in `preference` (after `after`, if given) that is configured and reaches the recipient. */
export function nextChannel(preference: readonly ChannelName[], channels: readonly Channel[], recipient: Recipient, after?: ChannelName): Channel | undefined {
  const start = after === undefined ? 0 : preference.indexOf(after) + 1;
  for (const name of preference.slice(start)) {
    const channel = channels.find((c) => c.name === name);
    if (channel?.canReach(recipient)) return channel;
  }
  return undefined;
}

export function addressOn(channel: ChannelName, recipient: Recipient): string | null {
  return (channel === 'email' ? recipient.email : channel === 'zalo_zns' ? recipient.phone : recipient.zaloUserId) ?? null;
}
