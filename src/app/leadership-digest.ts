import { addDays } from '../domain/civil-date.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { localDateOf, zonedInstant } from '../domain/instant.js';
import { buildLeadershipDigest, DIGEST_AHEAD_DAYS, DIGEST_LATE_SINCE_DAYS, weekdaysFrom, type DigestFact } from '../domain/leadership-digest.js';
import { subtreeOf } from '../domain/obligation.js';
import type { TimerPlanDeps } from './escalate.js';
import { addressOn, nextChannel, preferenceFor, recipientOf } from './fan-out.js';
import { digestJobId, type DeliverPayload, type DigestPayload, type JobQueue, type TimedJob } from './job-queue.js';
import { missedReason } from './plan.js';
import type { Channel, Clock, Logger } from './ports.js';
import type { DigestRunRow, DigestStore, FanOutStore, NewDelivery } from './stores.js';

export type DigestPlanDeps = TimerPlanDeps<DigestStore>;

/** Deliveries of a digest are not about one obligation: these stand in for its columns. */
export const DIGEST_OBLIGATION = 'digest';

/**
 * Timers for the weekly leadership digest (default Monday 08:00), like reminders: a row per
 * date in PostgreSQL, then a deterministic job; one missed longer than the catch-up age is
 * recorded as skipped.
 */
export async function planDigests(deps: DigestPlanDeps): Promise<{ scheduled: number; skipped: number }> {
  const { calendar, settings, policy } = deps;
  const now = deps.clock.now();
  const today = localDateOf(now, calendar.zone);
  const from = addDays(today, -Math.ceil(policy.catchUpMaxAge.as('days')) - 1);
  const existing = new Map((await deps.store.digestRuns(from)).map((r) => [r.runOn, r]));
  const save: DigestRunRow[] = [];
  const jobs: TimedJob<DigestPayload>[] = [];
  let skipped = 0;
  for (const runOn of weekdaysFrom(from, settings.leadershipDigest.weekday, addDays(today, Math.min(policy.horizonDays, 14)))) {
    const before = existing.get(runOn);
    if (before && before.status !== 'planned') continue;
    const fireAt = zonedInstant(runOn, settings.leadershipDigest.time, calendar.zone);
    if (fireAt <= now && now.diff(fireAt) > policy.catchUpMaxAge) {
      save.push({ runOn, fireAt, status: 'skipped', reason: missedReason(policy.catchUpMaxAge) });
      skipped++;
      continue;
    }
    save.push({ runOn, fireAt, status: 'planned' });
    jobs.push({ jobId: digestJobId({ runOn }), payload: { runOn }, at: fireAt < now ? now : fireAt });
  }
  await deps.store.saveDigestRuns(save, now);
  await deps.queue.scheduleDigests(jobs);
  return { scheduled: jobs.length, skipped };
}

export interface DigestDeps {
  readonly store: DigestStore & Pick<FanOutStore, 'insertDeliveries'>;
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  readonly channels: readonly Channel[];
  readonly logger?: Logger;
}

/**
 * The digest's timer fired: each leader of a unit with units below it gets one message about
 * those units (overdue, completed late in the last week, due in the next two weeks).
 */
export async function sendLeadershipDigest(deps: DigestDeps, payload: DigestPayload): Promise<{ status: 'sent' | 'stale'; leaders: number }> {
  const { store, calendar } = deps;
  const now = deps.clock.now();
  const run = await store.digestRun(payload.runOn);
  if (!run || (run.status !== 'planned' && run.status !== 'fired')) return { status: 'stale', leaders: 0 };
  const today = payload.runOn;
  const [leaders, units, facts] = await Promise.all([
    store.leaders(),
    store.units(),
    store.digestFacts(addDays(today, DIGEST_AHEAD_DAYS + 1), run.fireAt.minus({ days: DIGEST_LATE_SINCE_DAYS + 1 })),
  ]);
  const tree = units.map((u) => ({ id: u.id, parent: u.parent, name: u.name, kind: 'grassroots' as const, contacts: [] }));
  const digestFacts: DigestFact[] = facts.map((f) => ({ ...f, completedOn: f.completedAt ? localDateOf(f.completedAt, calendar.zone) : null }));
  const rows: NewDelivery[] = [];
  for (const leader of leaders) {
    const below = subtreeOf(leader.unitId, tree);
    below.delete(leader.unitId);
    const content = buildLeadershipDigest({ runOn: today, scopeUnitName: leader.unitName, facts: digestFacts.filter((f) => below.has(f.unitId)), calendar });
    const recipient = recipientOf(leader.contact);
    const preference = preferenceFor(recipient, 'digest');
    const channel = nextChannel(preference, deps.channels, recipient);
    const name = channel?.name ?? preference[0] ?? 'email';
    rows.push({
      idempotencyKey: [DIGEST_OBLIGATION, today, leader.unitId, 'digest', leader.contact.contactId, name].join('|'),
      messageKey: ['digest', leader.contact.contactId, name, today, leader.unitId].join('|'),
      obligationId: DIGEST_OBLIGATION,
      occurrenceKey: today,
      unitId: leader.unitId,
      step: 'digest',
      contactId: leader.contact.contactId,
      channel: name,
      recipient: addressOn(name, recipient),
      fireAt: run.fireAt,
      urgent: false,
      purpose: 'digest',
      content,
      skipReason: channel ? undefined : `không kênh nào đã cấu hình tới được người nhận (thứ tự: ${preference.join(', ')})`,
    });
  }
  await store.insertDeliveries(rows, now);
  const jobs: TimedJob<DeliverPayload>[] = rows
    .filter((r) => !r.skipReason)
    .map((r) => ({ jobId: r.idempotencyKey, payload: { messageKey: r.messageKey, idempotencyKey: r.idempotencyKey, urgent: false }, at: now }));
  await deps.queue.enqueueDeliveries(jobs);
  await store.saveDigestRuns([{ ...run, status: 'fired', reason: null }], now);
  deps.logger?.info({ runOn: today, leaders: rows.length }, 'leadership digest fanned out');
  return { status: 'sent', leaders: rows.length };
}
