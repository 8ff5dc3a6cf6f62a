import type { DateTime } from 'luxon';
import { addDays } from '../domain/civil-date.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { DEFAULT_ESCALATION, escalationReachDays, escalationSchedule, isOpen, type EscalationPolicy, type EscalationTarget } from '../domain/escalation.js';
import { localDateOf, zonedInstant } from '../domain/instant.js';
import type { Settings } from './catalogue/catalogue.js';
import { addressOn, nextChannel, recipientOf } from './fan-out.js';
import { escalationJobId, type DeliverPayload, type EscalatePayload, type JobQueue, type TimedJob } from './job-queue.js';
import type { PlanningPolicy } from './plan.js';
import { channelPreference, type Channel, type Clock, type Logger } from './ports.js';
import type { AssignmentStore, EscalationStepRow, EscalationStore, FanOutStore, NewDelivery } from './stores.js';

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
  readonly assignments: number;
  readonly scheduled: number;
  readonly skipped: number;
  readonly cancelled: number;
}

const policyOf = (own: EscalationPolicy | null, settings: Settings): EscalationPolicy => own ?? settings.escalation ?? DEFAULT_ESCALATION;

/**
 * The escalation clock, on the same rolling horizon as reminders: every open assignment whose
 * due has passed (or will within the horizon) gets one row per notice (assignment · level ·
 * repeat) firing within the horizon. The timers are one per notice of the occurrence (obligation ·
 * occurrence · level · repeat · due) under a deterministic job id, whatever the number of units:
 * the units of an occurrence share their due, policy and so every instant. The record is written
 * first, so a lost Redis is rebuilt by the next run; notices missed longer than the catch-up age are
 * recorded as skipped, never sent late in a burst.
 */
export async function planEscalations(deps: EscalationPlanDeps, obligationIds?: readonly string[]): Promise<EscalationPlanReport> {
  const { store, calendar, settings, policy } = deps;
  const now = deps.clock.now();
  const today = localDateOf(now, calendar.zone);
  const overdueMarked = await store.markOverdue(today, now);

  // A cancelled row's timer stays: it is shared with the occurrence's other units, and finds
  // nothing to send once no row of its notice is planned.
  const stale = await store.cancelStaleEscalations(now);

  // How far back a due can still have notices ahead (an obligation's own policy may reach further:
  // at least four months are always looked at).
  const reach = Math.max(escalationReachDays(settings.escalation ?? DEFAULT_ESCALATION), 120) + policy.lookbackDays;
  const open = await store.openAssignmentsDueBetween(addDays(today, -reach), addDays(today, policy.horizonDays + 1), obligationIds);
  const horizonEnd = now.plus({ days: policy.horizonDays });
  const lookbackStart = now.minus({ days: policy.lookbackDays });

  const existing = new Map(
    (await store.escalationSteps(open)).map((r) => [`${r.obligationId}|${r.occurrenceKey}|${r.unitId}|${r.level}|${r.repeat}`, r]),
  );
  const save: EscalationStepRow[] = [];
  const jobs = new Map<string, TimedJob<EscalatePayload>>();
  const moved = new Set<string>();
  let skipped = 0;
  // Every unit of a burst shares its due and policy: compute each schedule once per run, not per
  // assignment (130,000 units cost ~2 s of working-day arithmetic per planner tick otherwise).
  const schedules = new Map<string, ReturnType<typeof escalationSchedule>>();
  const scheduleOf = (due: string, policy: EscalationPolicy) => {
    const key = `${due}|${JSON.stringify(policy)}`;
    let s = schedules.get(key);
    if (!s) schedules.set(key, (s = escalationSchedule(due, policy, calendar)));
    return s;
  };
  for (const a of open) {
    for (const notice of scheduleOf(a.due, policyOf(a.escalation, settings))) {
      const fireAt = zonedInstant(notice.fireOn, settings.fireTime, calendar.zone);
      if (fireAt < lookbackStart || fireAt > horizonEnd) continue;
      const key = `${a.obligationId}|${a.occurrenceKey}|${a.unitId}|${notice.level}|${notice.repeat}`;
      const before = existing.get(key);
      // Done (sent or skipped) for this due; a new due (extension, reopen) plans it again.
      if (before && before.due === a.due && (before.status === 'fired' || before.status === 'skipped')) continue;
      const row: EscalationStepRow = { ...refOf(a), level: notice.level, repeat: notice.repeat, due: a.due, fireAt, status: 'planned' };
      if (fireAt <= now && now.diff(fireAt) > policy.catchUpMaxAge) {
        save.push({ ...row, status: 'skipped', reason: `lỡ hơn ${policy.catchUpMaxAge.as('hours')} giờ (dịch vụ không chạy)` });
        skipped++;
        continue;
      }
      // An unchanged planned row is not written again (the timer is still re-added: Redis may have lost it).
      // One whose instant moved (a new decree, another fire time) has its timer replaced.
      const samePlan = before?.status === 'planned' && before.due === a.due;
      if (!(samePlan && +before.fireAt === +fireAt)) save.push(row);
      const jobId = escalationJobId(row);
      if (samePlan && +before.fireAt !== +fireAt) moved.add(jobId);
      if (!jobs.has(jobId)) jobs.set(jobId, { jobId, payload: noticeOf(row), at: fireAt < now ? now : fireAt });
    }
  }
  await store.saveEscalationSteps(save, now);
  await deps.queue.removeEscalations([...moved]);
  await deps.queue.scheduleEscalations([...jobs.values()]);
  const report = { overdueMarked, assignments: open.length, scheduled: jobs.size, skipped, cancelled: stale.length };
  deps.logger?.info(report, 'escalation planner run');
  return report;
}

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

export type EscalateResult = { readonly status: 'sent' | 'stale' | 'skipped'; readonly deliveries: number; readonly reason?: string };

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
 * An escalation timer fired: every unit of the occurrence whose notice is still planned on that
 * due (or the one unit a per-unit timer names) is escalated, page by page. A unit's row is marked
 * fired or skipped as it is done, so a retry after a crash carries on with the rest.
 */
export async function fireEscalation(deps: EscalateDeps, notice: EscalatePayload): Promise<EscalationRun> {
  const now = deps.clock.now();
  let after: string | null = null;
  let units = 0;
  let sent = 0;
  let skipped = 0;
  let deliveries = 0;
  const page = deps.escalationPage ?? ESCALATION_PAGE;
  for (;;) {
    const rows = await deps.store.dueEscalations(notice, now, after, page);
    for (const row of rows) {
      const result = await escalateAssignment(deps, row, now);
      units++;
      if (result.status === 'sent') sent++;
      else skipped++;
      deliveries += result.deliveries;
    }
    if (rows.length < page) break;
    after = rows[rows.length - 1]!.unitId;
  }
  if (units === 0) deps.logger?.info({ ...notice }, 'escalation timer found no notice still planned');
  else deps.logger?.info({ ...notice, units, sent, skipped, deliveries }, 'escalation fired');
  return { units, sent, skipped, deliveries };
}

/**
 * One unit's notice: if the assignment is still open on the same due, tell the level's people
 * (one delivery per contact, on their first reachable channel) what the unit owes, how many
 * working days overdue, and what it has been sent so far.
 */
export async function escalateAssignment(deps: EscalateDeps, row: EscalationStepRow, now: DateTime): Promise<EscalateResult> {
  const { store } = deps;
  const ref = refOf(row);
  const payload = { ...ref, level: row.level, repeat: row.repeat, due: row.due };
  const assignment = await store.assignment(ref);
  if (!assignment || !isOpen(assignment.status) || assignment.due !== payload.due) {
    const reason = !assignment ? 'không còn nhiệm vụ' : !isOpen(assignment.status) ? (assignment.status === 'waived' ? 'waived' : 'completed') : 'extended';
    await store.markEscalation(ref, payload.level, payload.repeat, 'skipped', reason, now);
    return { status: 'skipped', deliveries: 0, reason };
  }
  const policy = policyOf(assignment.escalation, deps.settings);
  const level = policy.levels.find((l) => l.level === payload.level);
  if (!level) {
    await store.markEscalation(ref, payload.level, payload.repeat, 'skipped', 'chính sách chuyển cấp không còn cấp này', now);
    return { status: 'skipped', deliveries: 0, reason: 'level removed' };
  }
  const recipients = await store.escalationRecipients(payload.unitId, level.notify);
  const history = await store.sentSoFar(ref);
  const content: EscalationContent = {
    kind: 'escalation',
    level: payload.level,
    repeat: payload.repeat,
    due: payload.due,
    workingDaysOverdue: deps.calendar.workingDaysBetween(payload.due, localDateOf(row.fireAt, deps.calendar.zone)),
    unitName: assignment.unitName,
    notify: level.notify.kind,
    sent: history.map((h) => ({ at: h.sentAt.toUTC().toISO()!, channel: h.channel, purpose: h.purpose, step: h.step, contactName: h.contactName })),
  };
  // The due is part of the step: after an extension the same level and repeat is a new notice.
  const step = `esc.L${payload.level}.R${payload.repeat}.${payload.due}`;
  const rows: NewDelivery[] = recipients.map((r) => {
    const recipient = recipientOf(r);
    const preference = channelPreference(recipient);
    const channel = nextChannel(preference, deps.channels, recipient);
    const name = channel?.name ?? preference[0] ?? 'email';
    return {
      idempotencyKey: [ref.obligationId, ref.occurrenceKey, ref.unitId, step, r.contactId, name].join('|'),
      // A leader told about several units at the same instant gets one message listing them.
      messageKey: ['esc', r.contactId, name, row.fireAt.toUTC().toISO()].join('|'),
      ...ref,
      step,
      contactId: r.contactId,
      channel: name,
      recipient: addressOn(name, recipient),
      fireAt: row.fireAt,
      urgent: false,
      purpose: 'escalation' as const,
      content,
      skipReason: channel ? undefined : `không kênh nào đã cấu hình tới được người nhận (thứ tự: ${preference.join(', ')})`,
    };
  });
  await store.insertDeliveries(rows, now);
  const sendAt = (row.fireAt > now ? row.fireAt : now).plus({ milliseconds: deps.digestSettleMs ?? 5_000 });
  const jobs: TimedJob<DeliverPayload>[] = rows
    .filter((r) => !r.skipReason)
    .map((r) => ({ jobId: r.idempotencyKey, payload: { messageKey: r.messageKey, idempotencyKey: r.idempotencyKey, urgent: false }, at: sendAt }));
  await deps.queue.enqueueDeliveries(jobs);
  await store.markEscalation(ref, payload.level, payload.repeat, 'fired', recipients.length === 0 ? 'không có người nhận (chưa khai lãnh đạo)' : null, now);
  deps.logger?.debug({ ...payload, recipients: recipients.length }, 'escalation fanned out');
  return { status: 'sent', deliveries: rows.length };
}

function refOf(a: { obligationId: string; occurrenceKey: string; unitId: string }) {
  return { obligationId: a.obligationId, occurrenceKey: a.occurrenceKey, unitId: a.unitId };
}

function noticeOf(row: EscalationStepRow): EscalatePayload {
  return { obligationId: row.obligationId, occurrenceKey: row.occurrenceKey, level: row.level, repeat: row.repeat, due: row.due };
}

