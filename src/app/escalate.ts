import type { DateTime, Duration } from 'luxon';
import { addDays } from '../domain/civil-date.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { DEFAULT_ESCALATION, escalationReachDays, escalationSchedule, isOpen, type EscalationPolicy, type EscalationTarget } from '../domain/escalation.js';
import { localDateOf, zonedInstant } from '../domain/instant.js';
import type { Settings } from './catalogue/catalogue.js';
import { addressOn, nextChannel, recipientOf } from './fan-out.js';
import { escalationJobId, type DeliverPayload, type EscalatePayload, type JobQueue, type TimedJob } from './job-queue.js';
import { DEFAULT_PLANNING, missedReason, type PlanningPolicy } from './plan.js';
import { channelPreference, type Channel, type Clock, type Logger } from './ports.js';
import type {
  AssignmentRef,
  AssignmentStore,
  AssignmentView,
  EscalationNoticeKey,
  EscalationNoticeRow,
  EscalationStepRow,
  EscalationStore,
  FanOutStore,
  NewDelivery,
  PendingRecipient,
  SentSoFar,
} from './stores.js';

/** What a planner of timers needs (reminders, escalation notices, the digest), with its store. */
export interface TimerPlanDeps<S> {
  readonly store: S;
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  readonly settings: Settings;
  readonly policy: PlanningPolicy;
  readonly logger?: Logger;
}

export type EscalationPlanDeps = TimerPlanDeps<EscalationStore>;

export interface EscalationPlanReport {
  readonly overdueMarked: number;
  /** Open assignments whose notices were looked at, and the (obligation, occurrence, due) groups they form. */
  readonly assignments: number;
  readonly groups: number;
  readonly scheduled: number;
  readonly skipped: number;
  readonly cancelled: number;
}

const policyOf = (own: EscalationPolicy | null, settings: Settings): EscalationPolicy => own ?? settings.escalation ?? DEFAULT_ESCALATION;

/**
 * The escalation clock, on the same rolling horizon as reminders and in the same shape: the open
 * assignments of an occurrence on the same due share every notice instant (their due and policy
 * are the same), so each notice (obligation · occurrence · due · level · repeat) firing within the
 * horizon gets one row in escalation_notices and one timer under a deterministic job id, whatever
 * the number of units. The record is written first, so a lost Redis is rebuilt by the next run;
 * notices missed longer than the catch-up age are recorded as skipped, never sent late in a burst.
 * Which units a notice tells about is decided when it fires (those still open on that due).
 */
export async function planEscalations(deps: EscalationPlanDeps, obligationIds?: readonly string[]): Promise<EscalationPlanReport> {
  const { store, calendar, settings, policy } = deps;
  const now = deps.clock.now();
  const today = localDateOf(now, calendar.zone);
  const overdueMarked = await store.markOverdue(today, now);

  // How far back a due can still have notices ahead (an obligation's own policy may reach further:
  // at least four months are always looked at).
  const reach = Math.max(escalationReachDays(settings.escalation ?? DEFAULT_ESCALATION), 120) + policy.lookbackDays;
  const fromDue = addDays(today, -reach);
  const toDue = addDays(today, policy.horizonDays + 1);
  const groups = await store.openDueGroups(fromDue, toDue, obligationIds);
  const horizonEnd = now.plus({ days: policy.horizonDays });
  const lookbackStart = now.minus({ days: policy.lookbackDays });
  const missed = (fireAt: DateTime) => fireAt <= now && now.diff(fireAt) > policy.catchUpMaxAge;

  const save: EscalationNoticeRow[] = [];
  const jobs: TimedJob<EscalatePayload>[] = [];
  // Timers to remove before the new ones are added (adding a job id that exists does nothing).
  const remove: string[] = [];
  let skipped = 0;
  let cancelled = 0;
  const cancel = (r: EscalationNoticeRow, reason: string) => {
    save.push({ ...r, status: 'cancelled', reason });
    remove.push(escalationJobId(r));
    cancelled++;
  };

  // Notices planned for a due no open unit is on any more (all done, waived or extended; the
  // obligation deleted) are cancelled with their timers.
  const groupKeys = new Set(groups.map(groupKey));
  for (const r of await store.plannedNoticesDueBetween(fromDue, toDue, obligationIds)) {
    if (!groupKeys.has(groupKey(r))) cancel(r, 'không còn đơn vị nào phải làm với hạn này');
  }

  const existing = new Map<string, EscalationNoticeRow[]>();
  for (const r of await store.escalationNotices(groups)) existing.set(groupKey(r), [...(existing.get(groupKey(r)) ?? []), r]);
  for (const g of groups) {
    const schedule = escalationSchedule(g.due, policyOf(g.escalation, settings), calendar);
    const stored = new Map((existing.get(groupKey(g)) ?? []).map((r) => [`${r.level}|${r.repeat}`, r]));
    // A policy edited since (fewer levels or repeats): its planned notices that no longer exist go.
    const wanted = new Set(schedule.map((n) => `${n.level}|${n.repeat}`));
    for (const [key, r] of stored) if (r.status === 'planned' && !wanted.has(key)) cancel(r, 'chính sách chuyển cấp đã đổi');

    for (const notice of schedule) {
      const fireAt = zonedInstant(notice.fireOn, settings.fireTime, calendar.zone);
      const row: EscalationNoticeRow = { obligationId: g.obligationId, occurrenceKey: g.occurrenceKey, due: g.due, level: notice.level, repeat: notice.repeat, fireAt, status: 'planned' };
      const jobId = escalationJobId(row);
      const before = stored.get(`${notice.level}|${notice.repeat}`);
      if (before?.status === 'skipped') continue;
      if (before?.status === 'fired') {
        // Sent. A unit reopened or added since is still told within the catch-up age, as a restart
        // would have told it (a unit late again after an extension is on another due).
        if (!missed(before.fireAt) && (await store.unitsToEscalate(before, 1)).length > 0) {
          save.push({ ...before, status: 'planned', reason: null });
          remove.push(jobId);
          jobs.push({ jobId, payload: noticeOf(before), at: now });
        }
        continue;
      }
      if (fireAt < lookbackStart || fireAt > horizonEnd) {
        // Outside the window now (a policy edited, a decree): a planned notice is re-dated and its
        // timer goes; a later run within the horizon sets it again.
        if (before?.status === 'planned' && +before.fireAt !== +fireAt) {
          save.push(fireAt < lookbackStart ? { ...row, status: 'skipped', reason: missedReason(policy.catchUpMaxAge) } : row);
          remove.push(jobId);
        }
        continue;
      }
      if (missed(fireAt)) {
        save.push({ ...row, status: 'skipped', reason: missedReason(policy.catchUpMaxAge) });
        if (before) remove.push(jobId);
        skipped++;
        continue;
      }
      // An unchanged planned row is not written again (the timer is still re-added: Redis may have
      // lost it). One whose instant moved (a new decree, another fire time) or that was cancelled
      // (its units were all done, one is reopened) has its timer replaced.
      const unchanged = before?.status === 'planned' && +before.fireAt === +fireAt;
      if (!unchanged) save.push(row);
      if (before && !unchanged) remove.push(jobId);
      jobs.push({ jobId, payload: noticeOf(row), at: fireAt < now ? now : fireAt });
    }
  }
  await store.saveEscalationNotices(save, now);
  await deps.queue.removeEscalations(remove);
  await deps.queue.scheduleEscalations(jobs);
  const report = { overdueMarked, assignments: groups.reduce((n, g) => n + g.units, 0), groups: groups.length, scheduled: jobs.length, skipped, cancelled };
  deps.logger?.info(report, 'escalation planner run');
  return report;
}

const groupKey = (g: { obligationId: string; occurrenceKey: string; due: string }) => `${g.obligationId}|${g.occurrenceKey}|${g.due}`;

export interface EscalateDeps {
  readonly store: EscalationStore & AssignmentStore & Pick<FanOutStore, 'insertDeliveries'>;
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  readonly channels: readonly Channel[];
  readonly settings: Settings;
  readonly digestSettleMs?: number;
  readonly logger?: Logger;
  /** Units read per page when a notice fires (default ESCALATION_PAGE; tests page by 2). */
  readonly escalationPage?: number;
  /** A timer later than this after its instant is skipped (default: the planner's, 24 h). */
  readonly catchUpMaxAge?: Duration;
}

/** What an escalation message says, frozen when it is fanned out. */
export interface EscalationContent {
  readonly kind: 'escalation';
  readonly level: number;
  readonly repeat: number;
  readonly due: string;
  readonly workingDaysOverdue: number;
  readonly unitName: string;
  /** Who this level tells: the unit's own leader can close the item from the message. */
  readonly notify: EscalationTarget['kind'];
  readonly sent: readonly { at: string; channel: string; purpose: string; step: string; contactName: string }[];
}

/** What one escalation timer did: the units it looked at, told about, skipped; messages queued. */
export interface EscalationRun {
  readonly units: number;
  readonly sent: number;
  readonly skipped: number;
  readonly deliveries: number;
}

/** Units handled per page when a notice fires for a whole occurrence (bounded memory at 130,000). */
const ESCALATION_PAGE = 1_000;

/**
 * An escalation timer fired: every unit still open on the notice's due (or the one unit a
 * per-unit timer names) that has no outcome for it yet is escalated, a page at a time, and the
 * page's outcomes recorded once its deliveries are recorded and queued; so a retry after a crash
 * carries on with the rest (a page done twice makes the same delivery keys). The notice is
 * marked fired once every page is done.
 */
export async function fireEscalation(deps: EscalateDeps, notice: EscalatePayload): Promise<EscalationRun> {
  const { store } = deps;
  const now = deps.clock.now();
  const row = await store.escalationNotice(notice);
  // Planned (or fired: a retry, another worker), and its instant come (a moved notice has a new
  // timer; a minute's slack for clocks).
  if (!row || (row.status !== 'planned' && row.status !== 'fired') || row.fireAt.diff(now).as('seconds') > 60) {
    deps.logger?.info({ ...notice, found: row?.status ?? null }, 'stale escalation timer ignored');
    return { units: 0, sent: 0, skipped: 0, deliveries: 0 };
  }
  // A timer handed over long after its instant (the service was down, Redis kept it): never a
  // late burst, as the planner decides for the notices it finds missed.
  const catchUp = deps.catchUpMaxAge ?? DEFAULT_PLANNING.catchUpMaxAge;
  if (now.diff(row.fireAt) > catchUp) {
    if (row.status === 'planned') await store.markNotice(row, 'skipped', missedReason(catchUp), now);
    deps.logger?.warn({ ...notice, fireAt: row.fireAt.toISO() }, 'escalation timer came too late: skipped');
    return { units: 0, sent: 0, skipped: 0, deliveries: 0 };
  }
  const total = { units: 0, sent: 0, skipped: 0, deliveries: 0 };
  const page = deps.escalationPage ?? ESCALATION_PAGE;
  // Read once, worked a page at a time: a retry reads again what is left.
  const refs = await store.unitsToEscalate(notice);
  for (let i = 0; i < refs.length; i += page) {
    const slice = refs.slice(i, i + page);
    const done = await escalatePage(deps, row, slice, now);
    total.units += slice.length;
    total.sent += done.sent;
    total.skipped += done.skipped;
    total.deliveries += done.deliveries;
  }
  // A retry or a second worker finding nothing left keeps the first run's record.
  if (!notice.unitId && row.status === 'planned') await store.markNotice(row, 'fired', total.units === 0 ? 'không còn đơn vị nào quá hạn' : null, now);
  deps.logger?.info({ ...notice, ...total }, 'escalation fired');
  return total;
}

/**
 * One page of a notice's units, in a few statements whatever its size: each unit still open on the
 * notice's due tells the level's people (one delivery per contact, on their first reachable
 * channel) what the unit owes, how many working days overdue, and what it has been sent so far.
 */
async function escalatePage(deps: EscalateDeps, notice: EscalationNoticeRow, refs: readonly AssignmentRef[], now: DateTime): Promise<Omit<EscalationRun, 'units'>> {
  const { store } = deps;
  const unitIds = refs.map((r) => r.unitId);
  const base = { obligationId: notice.obligationId, occurrenceKey: notice.occurrenceKey, level: notice.level, repeat: notice.repeat, due: notice.due, fireAt: notice.fireAt };
  const outcomes: EscalationStepRow[] = [];
  const skip = (unitId: string, reason: string) => outcomes.push({ ...base, unitId, status: 'skipped', reason });
  const assignments = new Map((await store.occurrenceAssignments(notice.obligationId, notice.occurrenceKey, unitIds)).map((a) => [a.unitId, a]));
  const open: AssignmentView[] = [];
  for (const unitId of unitIds) {
    const a = assignments.get(unitId);
    // Closed or moved since the page was read (a completion racing the timer).
    if (!a) skip(unitId, 'không còn nhiệm vụ');
    else if (!isOpen(a.status)) skip(unitId, a.status === 'waived' ? 'waived' : 'completed');
    else if (a.due !== notice.due) skip(unitId, 'extended');
    else open.push(a);
  }
  // The units of one obligation share its policy.
  const level = open.length > 0 ? policyOf(open[0]!.escalation, deps.settings).levels.find((l) => l.level === notice.level) : undefined;
  if (!level) for (const a of open.splice(0)) skip(a.unitId, 'chính sách chuyển cấp không còn cấp này');
  const told = open.map((a) => a.unitId);
  const recipients = level && told.length > 0 ? await store.escalationRecipientsOf(told, level.notify) : new Map<string, PendingRecipient[]>();
  const history = told.length > 0 ? await store.sentSoFarOf(notice.obligationId, notice.occurrenceKey, told) : new Map<string, SentSoFar[]>();
  const workingDaysOverdue = deps.calendar.workingDaysBetween(notice.due, localDateOf(notice.fireAt, deps.calendar.zone));
  // The due is part of the step: after an extension the same level and repeat is a new notice.
  const step = `esc.L${notice.level}.R${notice.repeat}.${notice.due}`;
  const rows: NewDelivery[] = [];
  for (const a of open) {
    const ref = { obligationId: a.obligationId, occurrenceKey: a.occurrenceKey, unitId: a.unitId };
    const people = recipients.get(a.unitId) ?? [];
    const content: EscalationContent = {
      kind: 'escalation',
      level: notice.level,
      repeat: notice.repeat,
      due: notice.due,
      workingDaysOverdue,
      unitName: a.unitName,
      notify: level!.notify.kind,
      sent: (history.get(a.unitId) ?? []).map((h) => ({ at: h.sentAt.toUTC().toISO()!, channel: h.channel, purpose: h.purpose, step: h.step, contactName: h.contactName })),
    };
    for (const r of people) {
      const recipient = recipientOf(r);
      const preference = channelPreference(recipient);
      const channel = nextChannel(preference, deps.channels, recipient);
      const name = channel?.name ?? preference[0] ?? 'email';
      rows.push({
        idempotencyKey: [ref.obligationId, ref.occurrenceKey, ref.unitId, step, r.contactId, name].join('|'),
        // A leader told about several units at the same instant gets one message listing them.
        messageKey: ['esc', r.contactId, name, notice.fireAt.toUTC().toISO()].join('|'),
        ...ref,
        step,
        contactId: r.contactId,
        channel: name,
        recipient: addressOn(name, recipient),
        fireAt: notice.fireAt,
        urgent: false,
        purpose: 'escalation' as const,
        content,
        skipReason: channel ? undefined : `không kênh nào đã cấu hình tới được người nhận (thứ tự: ${preference.join(', ')})`,
      });
    }
    outcomes.push({ ...base, unitId: a.unitId, status: 'fired', reason: people.length === 0 ? 'không có người nhận (chưa khai lãnh đạo)' : null });
  }
  await store.insertDeliveries(rows, now);
  const sendAt = (notice.fireAt > now ? notice.fireAt : now).plus({ milliseconds: deps.digestSettleMs ?? 5_000 });
  const jobs: TimedJob<DeliverPayload>[] = rows
    .filter((r) => !r.skipReason)
    .map((r) => ({ jobId: r.idempotencyKey, payload: { messageKey: r.messageKey, idempotencyKey: r.idempotencyKey, urgent: false }, at: sendAt }));
  await deps.queue.enqueueDeliveries(jobs);
  await store.recordEscalations(outcomes, now);
  deps.logger?.debug({ ...base, units: refs.length, told: open.length, deliveries: rows.length }, 'escalation page done');
  return { sent: open.length, skipped: refs.length - open.length, deliveries: rows.length };
}

function noticeOf(row: EscalationNoticeKey): EscalatePayload {
  return { obligationId: row.obligationId, occurrenceKey: row.occurrenceKey, level: row.level, repeat: row.repeat, due: row.due };
}

