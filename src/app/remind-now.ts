import type { DateTime } from 'luxon';
import { addDays, type IsoDate } from '../domain/civil-date.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { localDateOf } from '../domain/instant.js';
import { assignedUnits } from '../domain/obligation.js';
import { occurrencesBetween, type Occurrence } from '../domain/occurrences.js';
import { deliverMessage, type ComposeMessage, type DeliverResult } from './deliver.js';
import { fanOut } from './fan-out.js';
import type { DeliverPayload, JobQueue, TimedJob } from './job-queue.js';
import type { Channel, Clock, Logger } from './ports.js';
import type { DeliveryStore, FanOutStore, PlanStore } from './stores.js';

export class RemindError extends Error {}

export interface RemindNowDeps {
  readonly store: PlanStore & FanOutStore & DeliveryStore;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  readonly channels: readonly Channel[];
  readonly compose: ComposeMessage;
  readonly logger?: Logger;
}

export interface RemindNowResult {
  readonly occurrence: Occurrence;
  readonly step: string;
  readonly deliveries: number;
  readonly created: number;
  readonly messages: readonly { messageKey: string; result: DeliverResult }[];
}

/** The occurrence an admin means (the given key, else the next one not yet past), recorded with its assignments. */
async function prepare(deps: Pick<RemindNowDeps, 'store' | 'clock' | 'calendar'>, obligationId: string, occurrenceKey?: string): Promise<{ occurrence: Occurrence; step: string; now: DateTime }> {
  const [obligation] = await deps.store.obligations([obligationId]);
  if (!obligation) throw new RemindError(`không có nhiệm vụ "${obligationId}" trong cơ sở dữ liệu (chạy hanchot sync trước?)`);
  const now = deps.clock.now();
  const today = localDateOf(now, deps.calendar.zone);
  const occurrences = occurrencesBetween(obligation.rule, addDays(today, -3 * 366), addDays(today, 3 * 366), deps.calendar, {
    roll: obligation.roll,
    validFrom: obligation.validFrom ?? undefined,
    validUntil: obligation.validUntil ?? undefined,
  });
  const occurrence = occurrenceKey ? occurrences.find((o) => o.key === occurrenceKey) : (occurrences.find((o) => o.effectiveDue >= today) ?? occurrences.at(-1));
  if (!occurrence) {
    const keys = occurrences.map((o) => o.key).join(', ');
    throw new RemindError(occurrenceKey ? `nhiệm vụ không có kỳ "${occurrenceKey}" (có: ${keys || 'không kỳ nào'})` : 'nhiệm vụ không có kỳ nào có hạn (thường xuyên / khi phát sinh)');
  }
  const units = (await deps.store.unitTree()).map((u) => ({ ...u, name: u.id, kind: 'grassroots' as const, contacts: [] }));
  await deps.store.saveOccurrences(obligation.id, [occurrence], assignedUnits(obligation.assignees, units), now);

  return { occurrence, step: `now-${today.replaceAll('-', '')}`, now };
}

/**
 * An admin's "send this reminder now": the same fan-out, idempotency keys and delivery log as a
 * timer, with the step named after today (so running it twice in a day sends nothing twice),
 * quiet hours ignored, and every message sent in this process.
 */
export async function remindNow(deps: RemindNowDeps, obligationId: string, occurrenceKey?: string): Promise<RemindNowResult> {
  const { occurrence, step, now } = await prepare(deps, obligationId, occurrenceKey);
  const jobs: TimedJob<DeliverPayload>[] = [];
  const inProcess: JobQueue = {
    scheduleFires: async () => undefined,
    removeFires: async () => undefined,
    scheduleEscalations: async () => undefined,
    removeEscalations: async () => undefined,
    scheduleDigests: async () => undefined,
    requestPlan: async () => undefined,
    enqueueDeliveries: async (j) => void jobs.push(...j),
  };
  const fanned = await fanOut({ store: deps.store, queue: inProcess, clock: deps.clock, channels: deps.channels, logger: deps.logger }, {
    obligationId,
    occurrenceKey: occurrence.key,
    step,
    fireAt: now,
    urgent: true,
  });
  const messages: { messageKey: string; result: DeliverResult }[] = [];
  const seen = new Set<string>();
  // Fallback deliveries land in `jobs` too, and are sent in the same loop.
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i]!;
    if (seen.has(job.payload.messageKey)) continue;
    seen.add(job.payload.messageKey);
    const result = await deliverMessage({ ...deps, quietHours: undefined, queue: inProcess }, job.payload, { number: 1, last: true });
    messages.push({ messageKey: job.payload.messageKey, result });
  }
  return { occurrence, step, deliveries: fanned.deliveries, created: fanned.created, messages };
}

/**
 * The same "send now" from the API or the console: recorded and fanned out the same way, the
 * messages queued for the workers (quiet hours do not apply) instead of sent in this process.
 */
export type RemindQueuedDeps = Pick<RemindNowDeps, 'store' | 'clock' | 'calendar' | 'channels' | 'logger'> & { readonly queue: JobQueue };

export async function remindNowQueued(
  deps: RemindQueuedDeps,
  obligationId: string,
  occurrenceKey?: string,
): Promise<{ occurrence: Occurrence; step: string; deliveries: number; created: number }> {
  const { occurrence, step, now } = await prepare(deps, obligationId, occurrenceKey);
  const fanned = await fanOut({ store: deps.store, queue: deps.queue, clock: deps.clock, channels: deps.channels, logger: deps.logger }, { obligationId, occurrenceKey: occurrence.key, step, fireAt: now, urgent: true });
  return { occurrence, step, deliveries: fanned.deliveries, created: fanned.created };
}

export type { IsoDate };
