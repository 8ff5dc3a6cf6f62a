import { addDays, weekday, type IsoDate } from './civil-date.js';
import type { WorkingCalendar } from './calendar/working-calendar.js';
import type { AssignmentStatus } from './escalation.js';

/** One assignment as the weekly leadership digest sees it. */
export interface DigestFact {
  readonly unitId: string;
  readonly unitName: string;
  readonly obligationId: string;
  readonly occurrenceKey: string;
  readonly title: string;
  readonly directiveNumber: string;
  readonly status: AssignmentStatus;
  readonly due: IsoDate;
  /** Local date of completion, for done_late. */
  readonly completedOn: IsoDate | null;
}

export interface DigestLine {
  readonly unitName: string;
  readonly title: string;
  readonly directiveNumber: string;
  readonly due: IsoDate;
  /** Overdue items: working days past the due; upcoming: working days left. */
  readonly workingDays: number;
}

export interface DigestUnitCount {
  readonly unitId: string;
  readonly unitName: string;
  readonly overdue: number;
  readonly late: number;
  readonly upcoming: number;
}

/** What a leader's weekly message says (frozen in the delivery row when it is fanned out). */
export interface LeadershipDigest {
  readonly kind: 'digest';
  readonly runOn: IsoDate;
  readonly scopeUnitName: string;
  readonly totals: { readonly overdue: number; readonly late: number; readonly upcoming: number; readonly units: number };
  /** Units with something to report, most overdue first; at most `limits.units`. */
  readonly units: readonly DigestUnitCount[];
  readonly moreUnits: number;
  readonly overdue: readonly DigestLine[];
  readonly moreOverdue: number;
  readonly late: readonly DigestLine[];
  readonly moreLate: number;
  readonly upcoming: readonly DigestLine[];
  readonly moreUpcoming: number;
}

export const DIGEST_LIMITS = { units: 40, lines: 25 } as const;
/** "what is due in the next two weeks". */
export const DIGEST_AHEAD_DAYS = 14;
/** "what was completed late": since the previous weekly digest. */
export const DIGEST_LATE_SINCE_DAYS = 7;

const OPEN: readonly AssignmentStatus[] = ['pending', 'extended', 'overdue'];

/**
 * The weekly summary for a leader of `scopeUnitName`, over the facts of the units below them:
 * quá hạn chưa hoàn thành (open, due before today), hoàn thành trễ hạn in the last week, and
 * what falls due in the next two weeks, with counts per unit.
 */
export function buildLeadershipDigest(input: {
  readonly runOn: IsoDate;
  readonly scopeUnitName: string;
  readonly facts: readonly DigestFact[];
  readonly calendar: WorkingCalendar;
  readonly limits?: { readonly units: number; readonly lines: number };
}): LeadershipDigest {
  const { runOn: today, calendar } = input;
  const limits = input.limits ?? DIGEST_LIMITS;
  const ahead = addDays(today, DIGEST_AHEAD_DAYS);
  const lateSince = addDays(today, -DIGEST_LATE_SINCE_DAYS);
  const overdue: DigestLine[] = [];
  const late: DigestLine[] = [];
  const upcoming: DigestLine[] = [];
  const perUnit = new Map<string, { unitId: string; unitName: string; overdue: number; late: number; upcoming: number }>();
  const count = (f: DigestFact, field: 'overdue' | 'late' | 'upcoming') => {
    const u = perUnit.get(f.unitId) ?? { unitId: f.unitId, unitName: f.unitName, overdue: 0, late: 0, upcoming: 0 };
    u[field]++;
    perUnit.set(f.unitId, u);
  };
  const line = (f: DigestFact, workingDays: number): DigestLine => ({ unitName: f.unitName, title: f.title, directiveNumber: f.directiveNumber, due: f.due, workingDays });
  for (const f of input.facts) {
    if (OPEN.includes(f.status) && f.due < today) {
      overdue.push(line(f, calendar.workingDaysBetween(f.due, today)));
      count(f, 'overdue');
    } else if (OPEN.includes(f.status) && f.due <= ahead) {
      upcoming.push(line(f, calendar.workingDaysBetween(today, f.due)));
      count(f, 'upcoming');
    } else if (f.status === 'done_late' && f.completedOn !== null && f.completedOn >= lateSince) {
      late.push(line(f, calendar.workingDaysBetween(f.due, f.completedOn)));
      count(f, 'late');
    }
  }
  overdue.sort((a, b) => b.workingDays - a.workingDays || a.unitName.localeCompare(b.unitName, 'vi'));
  upcoming.sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.unitName.localeCompare(b.unitName, 'vi')));
  late.sort((a, b) => b.workingDays - a.workingDays);
  const units = [...perUnit.values()].sort((a, b) => b.overdue - a.overdue || b.late - a.late || b.upcoming - a.upcoming || a.unitName.localeCompare(b.unitName, 'vi'));
  return {
    kind: 'digest',
    runOn: today,
    scopeUnitName: input.scopeUnitName,
    totals: { overdue: overdue.length, late: late.length, upcoming: upcoming.length, units: units.length },
    units: units.slice(0, limits.units),
    moreUnits: Math.max(0, units.length - limits.units),
    overdue: overdue.slice(0, limits.lines),
    moreOverdue: Math.max(0, overdue.length - limits.lines),
    late: late.slice(0, limits.lines),
    moreLate: Math.max(0, late.length - limits.lines),
    upcoming: upcoming.slice(0, limits.lines),
    moreUpcoming: Math.max(0, upcoming.length - limits.lines),
  };
}

/** The dates in [from, until] that fall on `isoWeekday` (1 = Monday). */
export function weekdaysFrom(from: IsoDate, isoWeekday: number, until: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = from; d <= until; d = addDays(d, 1)) if (weekday(d) === isoWeekday) out.push(d);
  return out;
}
