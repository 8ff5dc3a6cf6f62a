import {
  addDays,
  lastDayOfMonth,
  yearOf,
  ymd,
  ymdClamped,
  type IsoDate,
} from './civil-date.js';
import {
  DEFAULT_ROLL,
  DEFAULT_SEMIANNUAL,
  DEFAULT_YEARLY,
  periodBounds,
  type Cadence,
  type DueRule,
  type RollPolicy,
} from './due-rule.js';
import type { WorkingCalendar } from './calendar/working-calendar.js';
import { DomainError } from './errors.js';
import { rruleDates } from './rrule.js';

/** One due instance of an obligation (kỳ). */
export interface Occurrence {
  /** Stable within the obligation: "once", "2027", "2021-Q2", "2027-H1", "2027-03", "event-2021-10-05". */
  readonly key: string;
  /** The last day that still meets the deadline as written; due at 24:00 local of this day. */
  readonly nominalDue: IsoDate;
  /** `nominalDue` after the non-working-day roll. */
  readonly effectiveDue: IsoDate;
  /** The date printed in the text when it differs from `nominalDue` ("trước ngày 31/5/2023"). */
  readonly literalDate?: IsoDate;
  /** First day of the window for `period` rules. */
  readonly windowStart?: IsoDate;
  /** The recorded event this occurrence follows, for on_event and orOnEvent. */
  readonly eventOn?: IsoDate;
}

export interface OccurrenceOptions {
  readonly roll?: RollPolicy;
  /** Validity window (from the directive's term): occurrences due outside it are dropped. */
  readonly validFrom?: IsoDate;
  readonly validUntil?: IsoDate;
  /** Recorded events ("khi có phát sinh") for on_event rules and orOnEvent. */
  readonly events?: readonly IsoDate[];
}

interface Nominal {
  key: string;
  nominalDue: IsoDate;
  literalDate?: IsoDate;
  windowStart?: IsoDate;
  eventOn?: IsoDate;
}

/**
 * Occurrences of `rule` whose nominal due falls in [from, to], sorted by due then key,
 * unique by key.
 */
export function occurrencesBetween(
  rule: DueRule,
  from: IsoDate,
  to: IsoDate,
  calendar: WorkingCalendar,
  options: OccurrenceOptions = {},
): Occurrence[] {
  if (to < from) throw new DomainError('invalid_window', `Khoảng xem kết thúc (${to}) trước khi bắt đầu (${from})`, { from, to });
  const lo = options.validFrom && options.validFrom > from ? options.validFrom : from;
  const hi = options.validUntil && options.validUntil < to ? options.validUntil : to;
  if (hi < lo) return [];

  const nominal = [...nominalsOf(rule, lo, hi, calendar, options.events ?? [])];
  if (rule.orOnEvent && rule.kind !== 'on_event') {
    nominal.push(...eventNominals(rule.orOnEvent.workingDays, options.events ?? [], calendar));
  }
  const roll = options.roll ?? DEFAULT_ROLL;
  const byKey = new Map<string, Occurrence>();
  for (const n of nominal) {
    if (n.nominalDue < lo || n.nominalDue > hi || byKey.has(n.key)) continue;
    byKey.set(n.key, { ...n, effectiveDue: rollDate(n.nominalDue, roll, calendar) });
  }
  return [...byKey.values()].sort((a, b) => (a.nominalDue < b.nominalDue ? -1 : a.nominalDue > b.nominalDue ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function rollDate(date: IsoDate, roll: RollPolicy, calendar: WorkingCalendar): IsoDate {
  switch (roll) {
    case 'next_working_day':
      return calendar.onOrAfter(date);
    case 'previous_working_day':
      return calendar.onOrBefore(date);
    case 'keep':
      return date;
  }
}

function* years(from: IsoDate, to: IsoDate): Generator<number> {
  for (let y = yearOf(from); y <= yearOf(to); y++) yield y;
}

function* nominalsOf(rule: DueRule, from: IsoDate, to: IsoDate, calendar: WorkingCalendar, events: readonly IsoDate[]): Generator<Nominal> {
  switch (rule.kind) {
    case 'once':
      if (rule.bound === 'before') yield { key: 'once', nominalDue: addDays(rule.date, -1), literalDate: rule.date };
      else yield { key: 'once', nominalDue: rule.date };
      return;
    case 'yearly': {
      const md = rule.month !== undefined && rule.day !== undefined ? { month: rule.month, day: rule.day } : DEFAULT_YEARLY;
      for (const y of years(from, to)) yield { key: `${y}`, nominalDue: ymdClamped(y, md.month, md.day) };
      return;
    }
    case 'semiannual': {
      const [h1, h2] = rule.dates ?? DEFAULT_SEMIANNUAL;
      for (const y of years(from, to)) {
        yield { key: `${y}-H1`, nominalDue: ymdClamped(y, h1.month, h1.day), windowStart: ymd(y, 1, 1) };
        yield { key: `${y}-H2`, nominalDue: ymdClamped(y, h2.month, h2.day), windowStart: ymd(y, 7, 1) };
      }
      return;
    }
    case 'quarterly': {
      const monthOfQuarter = rule.monthOfQuarter ?? 3;
      const day = rule.day ?? 'last';
      for (const y of years(from, to)) {
        for (let q = 1; q <= 4; q++) {
          const month = (q - 1) * 3 + monthOfQuarter;
          const due = day === 'last' ? lastDayOfMonth(y, month) : ymdClamped(y, month, day);
          yield { key: `${y}-Q${q}`, nominalDue: due, windowStart: ymd(y, (q - 1) * 3 + 1, 1) };
        }
      }
      return;
    }
    case 'monthly':
      for (const y of years(from, to)) {
        for (let m = 1; m <= 12; m++) {
          const due = rule.day === 'last' ? lastDayOfMonth(y, m) : ymdClamped(y, m, rule.day);
          yield { key: `${y}-${String(m).padStart(2, '0')}`, nominalDue: due, windowStart: ymd(y, m, 1) };
        }
      }
      return;
    case 'period': {
      const { start, end, key } = periodBounds(rule.window);
      yield { key, nominalDue: end, windowStart: start };
      return;
    }
    case 'continuous':
      if (rule.checkIn) yield* nominalsOf(cadenceRule(rule.checkIn), from, to, calendar, events);
      return;
    case 'on_event':
      yield* eventNominals(rule.workingDays, events, calendar);
      return;
    case 'relative': {
      // An anchor in one year can shift the due into the neighbouring year (7 days before Tết 2027 is in January 2027, 30 days before it in December 2026).
      // ±366 days can cross two year boundaries when the anchor sits near 1/1 (Tết Dương lịch).
      const first = rule.year ?? yearOf(from) - 2;
      const last = rule.year ?? yearOf(to) + 2;
      for (let y = first; y <= last; y++) {
        yield { key: `${y}`, nominalDue: addDays(calendar.namedDay(rule.anchor, y), rule.offsetDays) };
      }
      return;
    }
    case 'rrule':
      for (const d of rruleDates(rule.rrule, rule.start, from, to)) yield { key: d, nominalDue: d };
      return;
  }
}

function cadenceRule(cadence: Cadence): DueRule {
  switch (cadence) {
    case 'monthly':
      return { kind: 'monthly', day: 'last' };
    case 'quarterly':
      return { kind: 'quarterly' };
    case 'semiannual':
      return { kind: 'semiannual' };
    case 'yearly':
      return { kind: 'yearly' };
  }
}

function eventNominals(workingDays: number, events: readonly IsoDate[], calendar: WorkingCalendar): Nominal[] {
  return events.map((eventOn) => ({ key: `event-${eventOn}`, nominalDue: calendar.addWorkingDays(eventOn, workingDays), eventOn }));
}
