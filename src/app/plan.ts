import { Duration, type DateTime } from 'luxon';
import { addDays } from '../domain/civil-date.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { localDateOf, zonedInstant } from '../domain/instant.js';
import { ladderReachDays, parseLadder, remindersFor } from '../domain/ladder.js';
import { assignedUnits } from '../domain/obligation.js';
import { occurrencesBetween } from '../domain/occurrences.js';
import type { Settings } from './catalogue/catalogue.js';
import { fireJobId, type FireStepPayload, type JobQueue, type TimedJob } from './job-queue.js';
import type { Clock, Logger } from './ports.js';
import type { PlanStore, StepRow, StoredObligation } from './stores.js';

export interface PlanningPolicy {
  /** How far ahead timers are materialised in Redis (default 35 days). */
  readonly horizonDays: number;
  /** A step missed while the service was down is still sent if it is younger than this (default 24 h). */
  readonly catchUpMaxAge: Duration;
  /** How far back the planner looks for missed steps to send or record as skipped. */
  readonly lookbackDays: number;
}

/** Why a timer missed by more than the catch-up age was recorded as skipped, not sent late. */
export const missedReason = (catchUpMaxAge: Duration): string => `lỡ hơn ${catchUpMaxAge.as('hours')} giờ (dịch vụ không chạy)`;

export const DEFAULT_PLANNING: PlanningPolicy = { horizonDays: 35, catchUpMaxAge: Duration.fromObject({ hours: 24 }), lookbackDays: 35 };

export interface PlanDeps {
  readonly store: PlanStore;
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  readonly settings: Settings;
  readonly policy?: PlanningPolicy;
  readonly logger?: Logger;
}

export interface PlanReport {
  readonly obligations: number;
  /** Timers (re)added to the queue: adding one that exists changes nothing. */
  readonly scheduled: number;
  readonly catchUp: number;
  readonly skipped: number;
  readonly cancelled: number;
}

/**
 * Materialises the rolling horizon: one timer per (occurrence, ladder step) firing within
 * `horizonDays`, recorded first in the database and then added to the queue under a
 * deterministic id. Run it at start, every few minutes, and at once for a changed obligation;
 * after Redis is flushed the next run puts every pending timer back.
 */
export async function planReminders(deps: PlanDeps, obligationIds?: readonly string[]): Promise<PlanReport> {
  const policy = deps.policy ?? DEFAULT_PLANNING;
  const now = deps.clock.now();
  const report = { obligations: 0, scheduled: 0, catchUp: 0, skipped: 0, cancelled: 0 };

  // Deleted obligations: their timers go (deleted ones are no longer returned by obligations()).
  const live = await deps.store.obligations(obligationIds);
  const liveIds = new Set(live.map((o) => o.id));
  const deleted = (await deps.store.deletedWithPlannedSteps()).filter((id) => !obligationIds || obligationIds.includes(id));
  for (const id of deleted) {
    if (liveIds.has(id)) continue;
    const cancelled = await deps.store.cancelPlannedSteps(id, () => false, now);
    await deps.queue.removeFires(cancelled.map((r) => fireJobId(payloadOf(r))));
    report.cancelled += cancelled.length;
  }

  const tree = await deps.store.unitTree();
  const units = tree.map((u) => ({ ...u, name: u.id, kind: 'grassroots' as const, contacts: [] }));
  for (const obligation of live) {
    const r = await planOne(deps, policy, obligation, units, now);
    report.obligations++;
    report.scheduled += r.scheduled;
    report.catchUp += r.catchUp;
    report.skipped += r.skipped;
    report.cancelled += r.cancelled;
  }
  deps.logger?.info({ ...report, scope: obligationIds?.length ?? 'all' }, 'planner run');
  return report;
}

async function planOne(
  deps: PlanDeps,
  policy: PlanningPolicy,
  obligation: StoredObligation,
  units: Parameters<typeof assignedUnits>[1],
  now: DateTime,
): Promise<{ scheduled: number; catchUp: number; skipped: number; cancelled: number }> {
  const { calendar, settings } = deps;
  const ladder = obligation.ladder ? parseLadder(obligation.ladder) : settings.ladder;
  const today = localDateOf(now, calendar.zone);
  const horizonEnd = now.plus({ days: policy.horizonDays });
  const lookbackStart = now.minus({ days: policy.lookbackDays });
  // Occurrences whose ladder can reach into [now - lookback, now + horizon].
  const occurrences = occurrencesBetween(obligation.rule, addDays(today, -policy.lookbackDays - 1), addDays(today, policy.horizonDays + ladderReachDays(ladder) + 1), calendar, {
    roll: obligation.roll,
    validFrom: obligation.validFrom ?? undefined,
    validUntil: obligation.validUntil ?? undefined,
  });

  type Wanted = { occurrenceKey: string; step: string; fireAt: DateTime };
  const wanted: Wanted[] = [];
  for (const occurrence of occurrences) {
    for (const reminder of remindersFor(occurrence, ladder, calendar, settings.fireTime)) {
      const fireAt = zonedInstant(reminder.fireOn, settings.fireTime, calendar.zone);
      if (fireAt < lookbackStart || fireAt > horizonEnd) continue;
      wanted.push({ occurrenceKey: occurrence.key, step: reminder.step, fireAt });
    }
  }
  const relevantKeys = new Set(wanted.map((w) => w.occurrenceKey));
  const unitIds = assignedUnits(obligation.assignees, units);
  await deps.store.saveOccurrences(obligation.id, occurrences.filter((o) => relevantKeys.has(o.key) || o.nominalDue >= today), unitIds, now);
  // A unit taken off the assignees (or deleted) no longer owes it: no reminders, escalation or overdue count.
  // So does a unit whose occurrence the rule no longer produces (a shortened validity, a changed rule).
  const window = { from: addDays(today, -policy.lookbackDays - 1), to: addDays(today, policy.horizonDays + ladderReachDays(ladder) + 1) };
  await deps.store.withdrawAssignments(obligation.id, unitIds, 'không còn được giao (danh sách đơn vị, cây đơn vị hoặc thời hạn đã đổi)', now, {
    ...window,
    keys: occurrences.map((o) => o.key),
  });

  // A unit granted an extension is reminded on its own ladder, counted back from its new due;
  // its steps are named "<step>@<unit>@<due>" (a second extension is a new ladder with new
  // delivery keys). Steps of the new ladder already long past are not sent.
  for (const extended of await deps.store.extendedAssignments(obligation.id)) {
    const own = { key: extended.occurrenceKey, nominalDue: extended.due, effectiveDue: extended.due };
    for (const reminder of remindersFor(own, ladder, calendar, settings.fireTime)) {
      const fireAt = zonedInstant(reminder.fireOn, settings.fireTime, calendar.zone);
      if (fireAt > horizonEnd || (fireAt < now && now.diff(fireAt) > policy.catchUpMaxAge)) continue;
      wanted.push({ occurrenceKey: extended.occurrenceKey, step: unitStep(reminder.step, extended.unitId, extended.due), fireAt });
    }
  }

  const existing = new Map((await deps.store.steps(obligation.id)).map((r) => [`${r.occurrenceKey}|${r.step}`, r]));
  const wantedByKey = new Map(wanted.map((w) => [`${w.occurrenceKey}|${w.step}`, w]));
  // Timers of an older revision, or whose instant moved, or that the rule no longer produces.
  const cancelled = await deps.store.cancelPlannedSteps(
    obligation.id,
    (row) => {
      const w = wantedByKey.get(`${row.occurrenceKey}|${row.step}`);
      return row.revision === obligation.revision && w !== undefined && +w.fireAt === +row.fireAt;
    },
    now,
  );
  await deps.queue.removeFires(cancelled.map((r) => fireJobId(payloadOf(r))));

  const save: StepRow[] = [];
  const jobs: TimedJob<FireStepPayload>[] = [];
  let catchUp = 0;
  let skipped = 0;
  for (const w of wanted) {
    const before = existing.get(`${w.occurrenceKey}|${w.step}`);
    // A step that went out (or was skipped) is done, unless an edit moved it into the future:
    // then it is planned again; deliveries already made for it are still not repeated (unique key).
    if (before && (before.status === 'fired' || before.status === 'skipped') && (before.revision === obligation.revision || w.fireAt <= now)) continue;
    const row: StepRow = { obligationId: obligation.id, occurrenceKey: w.occurrenceKey, step: w.step, revision: obligation.revision, fireAt: w.fireAt, status: 'planned' };
    if (w.fireAt <= now) {
      if (now.diff(w.fireAt) > policy.catchUpMaxAge) {
        save.push({ ...row, status: 'skipped', reason: `lỡ hơn ${policy.catchUpMaxAge.as('hours')} giờ (dịch vụ không chạy hoặc văn bản nhập sau)` });
        skipped++;
        continue;
      }
      catchUp++;
    }
    save.push(row);
    jobs.push({ jobId: fireJobId(payloadOf(row)), payload: payloadOf(row), at: w.fireAt < now ? now : w.fireAt });
  }
  // Planned steps left behind by a long outage (older than the lookback) are recorded, not sent.
  for (const row of existing.values()) {
    if (row.status === 'planned' && now.diff(row.fireAt) > policy.catchUpMaxAge && !wantedByKey.has(`${row.occurrenceKey}|${row.step}`)) {
      save.push({ ...row, status: 'skipped', reason: 'lỡ quá lâu' });
      skipped++;
    }
  }
  // The record first: if we die before the queue is told, the next run adds the timers.
  await deps.store.saveSteps(save, now);
  await deps.queue.scheduleFires(jobs);
  return { scheduled: jobs.length, catchUp, skipped, cancelled: cancelled.length };
}

function payloadOf(row: Pick<StepRow, 'obligationId' | 'occurrenceKey' | 'step' | 'revision'>): FireStepPayload {
  return { obligationId: row.obligationId, occurrenceKey: row.occurrenceKey, step: row.step, revision: row.revision };
}

/** A ladder step of one unit's own ladder (after an extension): "7d@dmc.thpt-dmc@2027-11-15". */
export const unitStep = (step: string, unitId: string, due: string): string => `${step}@${unitId}@${due}`;

/** The ladder step and, for a unit's own ladder, the unit and the due it counts back from. */
export function splitStep(step: string): { step: string; unitId?: string; due?: string } {
  const [own, unitId, due] = step.split('@');
  return unitId === undefined ? { step: own! } : { step: own!, unitId, due };
}
