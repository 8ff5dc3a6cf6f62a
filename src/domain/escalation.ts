import type { IsoDate } from './civil-date.js';
import type { WorkingCalendar } from './calendar/working-calendar.js';
import { DomainError } from './errors.js';

/**
 * Who is told when an assignment is overdue (chuyển cấp). Overdue and escalation count from the
 * assignment's effective due (after an approved extension, the new due), in working days only
 * (DESIGN §3: Labour Code 2019 art. 111–112 rest days and public holidays do not count).
 */
export type EscalationTarget =
  /** The overdue unit's own leader (chủ tịch CĐCS). */
  | { readonly kind: 'unit_leader' }
  /** The parent unit's leadership (Ban Thường vụ); its leader when no standing committee is listed. */
  | { readonly kind: 'parent_leadership' }
  /** Named contacts. */
  | { readonly kind: 'contacts'; readonly contactIds: readonly string[] };

export interface EscalationLevel {
  /** 1-based, in the order of the policy. */
  readonly level: number;
  /** Fires on the Nth working day after the effective due. */
  readonly afterWorkingDays: number;
  readonly notify: EscalationTarget;
}

export interface EscalationPolicy {
  readonly levels: readonly EscalationLevel[];
  /** Each level is told again every R working days... */
  readonly repeatEveryWorkingDays: number;
  /** ...at most K more times (0: once only). */
  readonly maxRepeats: number;
}

/** The unit's chairperson at +1 working day, the parent's standing committee at +3, every 5 working days, 3 repeats. */
export const DEFAULT_ESCALATION: EscalationPolicy = {
  levels: [
    { level: 1, afterWorkingDays: 1, notify: { kind: 'unit_leader' } },
    { level: 2, afterWorkingDays: 3, notify: { kind: 'parent_leadership' } },
  ],
  repeatEveryWorkingDays: 5,
  maxRepeats: 3,
};

export interface EscalationFiring {
  readonly level: number;
  /** 0 for the first notice, then 1..maxRepeats. */
  readonly repeat: number;
  readonly fireOn: IsoDate;
  /** Working days past the due on `fireOn`. */
  readonly workingDaysOverdue: number;
  readonly notify: EscalationTarget;
}

/** Checks a policy's numbers; levels must climb (a higher level never fires before a lower one). */
export function checkEscalationPolicy(policy: EscalationPolicy): EscalationPolicy {
  if (policy.levels.length === 0) throw new DomainError('invalid_rule', 'Chính sách chuyển cấp cần ít nhất một cấp', policy);
  let previous = 0;
  for (const [i, level] of policy.levels.entries()) {
    if (!Number.isInteger(level.afterWorkingDays) || level.afterWorkingDays < 1 || level.afterWorkingDays > 250) {
      throw new DomainError('invalid_rule', `Cấp ${i + 1}: số ngày làm việc sau hạn phải từ 1 đến 250`, level);
    }
    if (level.afterWorkingDays < previous) throw new DomainError('invalid_rule', `Cấp ${i + 1} không được báo sớm hơn cấp ${i}`, level);
    previous = level.afterWorkingDays;
  }
  if (!Number.isInteger(policy.repeatEveryWorkingDays) || policy.repeatEveryWorkingDays < 1) {
    throw new DomainError('invalid_rule', 'Chu kỳ nhắc lại phải là số ngày làm việc ≥ 1', policy);
  }
  if (!Number.isInteger(policy.maxRepeats) || policy.maxRepeats < 0 || policy.maxRepeats > 50) {
    throw new DomainError('invalid_rule', 'Số lần nhắc lại phải từ 0 đến 50', policy);
  }
  return policy;
}

/**
 * Every notice of the policy for an assignment due on `due`: level L fires on the
 * (afterWorkingDays + k·R)th working day after the due, k = 0..K. Sorted by date, then level.
 */
export function escalationSchedule(due: IsoDate, policy: EscalationPolicy, calendar: WorkingCalendar): EscalationFiring[] {
  const out: EscalationFiring[] = [];
  for (const level of policy.levels) {
    for (let repeat = 0; repeat <= policy.maxRepeats; repeat++) {
      const workingDaysOverdue = level.afterWorkingDays + repeat * policy.repeatEveryWorkingDays;
      out.push({ level: level.level, repeat, fireOn: calendar.addWorkingDays(due, workingDaysOverdue), workingDaysOverdue, notify: level.notify });
    }
  }
  return out.sort((a, b) => (a.fireOn < b.fireOn ? -1 : a.fireOn > b.fireOn ? 1 : a.level - b.level));
}

/** How far after the due the last notice can land, in calendar days (with room for Tết). */
export function escalationReachDays(policy: EscalationPolicy): number {
  const last = Math.max(...policy.levels.map((l) => l.afterWorkingDays)) + policy.repeatEveryWorkingDays * policy.maxRepeats;
  return last * 2 + 14;
}

/** Assignment statuses (DESIGN §2): the words government reports already use. */
export type AssignmentStatus = 'pending' | 'done_on_time' | 'done_late' | 'overdue' | 'waived' | 'extended';
export const OPEN_STATUSES: readonly AssignmentStatus[] = ['pending', 'extended', 'overdue'];
export const isOpen = (status: AssignmentStatus): boolean => OPEN_STATUSES.includes(status);

/**
 * Completed on `completedOn` (local date) against the effective due: on or before it is đúng hạn.
 * The effective due already accounts for "trước ngày X" (the day before X) and a due on a rest
 * day rolled to the next working day (Civil Code 2015 art. 148(5)).
 */
export function completionStatus(completedOn: IsoDate, due: IsoDate): 'done_on_time' | 'done_late' {
  return completedOn <= due ? 'done_on_time' : 'done_late';
}

/** An open assignment's status on `today`: overdue once the due has passed. */
export function openStatus(due: IsoDate, today: IsoDate, extended: boolean): AssignmentStatus {
  return due < today ? 'overdue' : extended ? 'extended' : 'pending';
}

/**
 * An assignment's status as of `today`: an open one whose due has passed is overdue even before
 * the planner's sweep has written it (pages and feeds show it at once).
 */
export function statusOn(status: AssignmentStatus, due: IsoDate, today: IsoDate): AssignmentStatus {
  return isOpen(status) && due < today ? 'overdue' : status;
}

export type ReportBucket = 'onTime' | 'late' | 'overdue' | 'upcoming' | 'waived';

/** đúng hạn / trễ hạn / quá hạn chưa hoàn thành / chưa đến hạn (and miễn, kept apart). */
export function reportBucket(status: AssignmentStatus, due: IsoDate, today: IsoDate): ReportBucket {
  return reportBucketOf(status, due < today);
}

/** The same, when the caller already knows whether the due has passed (a grouped SQL count). */
export function reportBucketOf(status: AssignmentStatus, pastDue: boolean): ReportBucket {
  switch (status) {
    case 'done_on_time':
      return 'onTime';
    case 'done_late':
      return 'late';
    case 'waived':
      return 'waived';
    default:
      return pastDue ? 'overdue' : 'upcoming';
  }
}

/** On-time rate among what has come due: on time ÷ (on time + late + overdue); null before anything came due. */
export function onTimeRate(counts: { onTime: number; late: number; overdue: number }): number | null {
  const decided = counts.onTime + counts.late + counts.overdue;
  return decided === 0 ? null : Math.round((counts.onTime / decided) * 1000) / 1000;
}
