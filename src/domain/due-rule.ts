import { daysInMonth, isValidYmd, parts, ymd, type IsoDate } from './civil-date.js';
import { DomainError } from './errors.js';
import { rruleDates } from './rrule.js';

/** How a "once" deadline's date binds: "chậm nhất ngày X" meets it on X, "trước ngày X" by the day before. */
export type Bound = 'no_later_than' | 'before';

/**
 * What to do when a due date is not a working day. Civil Code 2015 art. 148(5) (2005 code
 * art. 153(5)): a time limit whose last day is a rest day ends at the end of the next working day.
 */
export type RollPolicy = 'next_working_day' | 'previous_working_day' | 'keep';
export const DEFAULT_ROLL: RollPolicy = 'next_working_day';

export interface MonthDay {
  readonly month: number;
  readonly day: number;
}

/** "hoặc khi có phát sinh": also due N working days after each recorded event. */
export interface EventDue {
  readonly workingDays: number;
}
export const DEFAULT_EVENT_WORKING_DAYS = 5;

export type Cadence = 'monthly' | 'quarterly' | 'semiannual' | 'yearly';

export type PeriodWindow =
  | { readonly unit: 'quarter'; readonly year: number; readonly quarter: number }
  | { readonly unit: 'month'; readonly year: number; readonly month: number }
  | { readonly unit: 'half'; readonly year: number; readonly half: number }
  | { readonly unit: 'year'; readonly year: number }
  | { readonly unit: 'range'; readonly start: IsoDate; readonly end: IsoDate };

interface Common {
  readonly orOnEvent?: EventDue;
}

export type DueRule = Common &
  (
    | { readonly kind: 'once'; readonly date: IsoDate; readonly bound: Bound }
    | { readonly kind: 'yearly'; readonly month?: number; readonly day?: number }
    | { readonly kind: 'semiannual'; readonly dates?: readonly [MonthDay, MonthDay] }
    | { readonly kind: 'quarterly'; readonly monthOfQuarter?: number; readonly day?: number | 'last' }
    | { readonly kind: 'monthly'; readonly day: number | 'last' }
    | { readonly kind: 'period'; readonly window: PeriodWindow }
    | { readonly kind: 'continuous'; readonly checkIn?: Cadence }
    | { readonly kind: 'on_event'; readonly workingDays: number }
    | { readonly kind: 'relative'; readonly anchor: string; readonly offsetDays: number; readonly year?: number }
    | { readonly kind: 'rrule'; readonly rrule: string; readonly start: IsoDate }
  );

export type DueRuleKind = DueRule['kind'];
export const DUE_RULE_KINDS: readonly DueRuleKind[] = [
  'once', 'yearly', 'semiannual', 'quarterly', 'monthly', 'period', 'continuous', 'on_event', 'relative', 'rrule',
];

export const DEFAULT_SEMIANNUAL: readonly [MonthDay, MonthDay] = [
  { month: 6, day: 15 },
  { month: 12, day: 15 },
];
/** "Hàng năm" with no date: due at the end of the year unless an admin sets month/day (DESIGN §3). */
export const DEFAULT_YEARLY: MonthDay = { month: 12, day: 31 };

const ROMAN = ['', 'I', 'II', 'III', 'IV'] as const;
export const romanQuarter = (q: number): string => ROMAN[q] ?? String(q);

/** First and last day of a period window. */
export function periodBounds(window: PeriodWindow): { start: IsoDate; end: IsoDate; key: string } {
  switch (window.unit) {
    case 'quarter': {
      const m = (window.quarter - 1) * 3 + 1;
      return { start: ymd(window.year, m, 1), end: ymd(window.year, m + 2, daysInMonth(window.year, m + 2)), key: `${window.year}-Q${window.quarter}` };
    }
    case 'month':
      return {
        start: ymd(window.year, window.month, 1),
        end: ymd(window.year, window.month, daysInMonth(window.year, window.month)),
        key: `${window.year}-${String(window.month).padStart(2, '0')}`,
      };
    case 'half':
      return window.half === 1
        ? { start: ymd(window.year, 1, 1), end: ymd(window.year, 6, 30), key: `${window.year}-H1` }
        : { start: ymd(window.year, 7, 1), end: ymd(window.year, 12, 31), key: `${window.year}-H2` };
    case 'year':
      return { start: ymd(window.year, 1, 1), end: ymd(window.year, 12, 31), key: `${window.year}` };
    case 'range':
      return { start: window.start, end: window.end, key: `${window.start}_${window.end}` };
  }
}

function fail(code: DomainError['code'], message: string, input: unknown): never {
  throw new DomainError(code, message, input);
}

function checkYear(year: number, rule: unknown): void {
  if (!Number.isInteger(year) || year < 1900 || year > 2200) fail('invalid_date', `Năm ${year} ngoài khoảng 1900–2200`, rule);
}

function checkMonth(month: number, rule: unknown): void {
  if (!Number.isInteger(month) || month < 1 || month > 12) fail('invalid_month', `Tháng ${month} không tồn tại (phải từ 1 đến 12)`, rule);
}

/** A recurring month/day must exist in some year: 29/2 is allowed (it clamps to 28/2), 31/4 is not. */
function checkMonthDay(md: MonthDay, rule: unknown): void {
  checkMonth(md.month, rule);
  if (!isValidYmd(2024, md.month, md.day)) fail('invalid_date', `Ngày ${md.day}/${md.month} không tồn tại`, rule);
}

function checkDayOfMonth(day: number | 'last', rule: unknown): void {
  if (day !== 'last' && (!Number.isInteger(day) || day < 1 || day > 31)) fail('invalid_day', `Ngày ${day} không hợp lệ (phải từ 1 đến 31, hoặc "last")`, rule);
}

function checkDate(date: IsoDate, rule: unknown): void {
  const p = parts(date);
  if (!isValidYmd(p.year, p.month, p.day)) fail('invalid_date', `Ngày ${date} không tồn tại`, rule);
  checkYear(p.year, rule);
}

/** Throws a DomainError saying what is wrong with a rule; returns the rule unchanged when valid. */
export function validateRule(rule: DueRule): DueRule {
  if (rule.orOnEvent) checkWorkingDays(rule.orOnEvent.workingDays, rule);
  switch (rule.kind) {
    case 'once':
      checkDate(rule.date, rule);
      if (rule.bound !== 'no_later_than' && rule.bound !== 'before') fail('invalid_rule', `Giới hạn "${String(rule.bound)}" không hợp lệ`, rule);
      return rule;
    case 'yearly':
      if ((rule.month === undefined) !== (rule.day === undefined)) fail('invalid_rule', 'Hằng năm: cần cả tháng và ngày, hoặc không có cả hai', rule);
      if (rule.month !== undefined && rule.day !== undefined) checkMonthDay({ month: rule.month, day: rule.day }, rule);
      return rule;
    case 'semiannual': {
      const dates = rule.dates ?? DEFAULT_SEMIANNUAL;
      dates.forEach((d) => checkMonthDay(d, rule));
      const [h1, h2] = dates;
      if (h1.month > 6 || h2.month < 7) fail('invalid_rule', 'Định kỳ 6 tháng: ngày thứ nhất phải trong tháng 1–6, ngày thứ hai trong tháng 7–12', rule);
      return rule;
    }
    case 'quarterly':
      if (rule.monthOfQuarter !== undefined && ![1, 2, 3].includes(rule.monthOfQuarter)) fail('invalid_month', `Tháng ${rule.monthOfQuarter} của quý không tồn tại (1–3)`, rule);
      if (rule.day !== undefined) checkDayOfMonth(rule.day, rule);
      return rule;
    case 'monthly':
      checkDayOfMonth(rule.day, rule);
      return rule;
    case 'period': {
      const w = rule.window;
      if (w.unit === 'range') {
        checkDate(w.start, rule);
        checkDate(w.end, rule);
        if (w.end < w.start) fail('invalid_window', `Khoảng thời gian kết thúc (${w.end}) trước khi bắt đầu (${w.start})`, rule);
        return rule;
      }
      checkYear(w.year, rule);
      if (w.unit === 'quarter' && (!Number.isInteger(w.quarter) || w.quarter < 1 || w.quarter > 4)) fail('invalid_quarter', `Quý ${w.quarter} không tồn tại (I–IV)`, rule);
      if (w.unit === 'month') checkMonth(w.month, rule);
      if (w.unit === 'half' && w.half !== 1 && w.half !== 2) fail('invalid_half', `Nửa năm ${w.half} không tồn tại (1 hoặc 2)`, rule);
      return rule;
    }
    case 'continuous':
      if (rule.checkIn !== undefined && !['monthly', 'quarterly', 'semiannual', 'yearly'].includes(rule.checkIn)) fail('invalid_rule', `Chu kỳ kiểm tra "${rule.checkIn}" không hợp lệ`, rule);
      return rule;
    case 'on_event':
      checkWorkingDays(rule.workingDays, rule);
      return rule;
    case 'relative':
      if (!rule.anchor) fail('unknown_anchor', 'Thiếu ngày mốc', rule);
      if (!Number.isInteger(rule.offsetDays) || Math.abs(rule.offsetDays) > 366) fail('invalid_rule', `Số ngày lệch ${rule.offsetDays} phải là số nguyên trong khoảng ±366`, rule);
      if (rule.year !== undefined) checkYear(rule.year, rule);
      return rule;
    case 'rrule':
      checkDate(rule.start, rule);
      if (!/^(RRULE:)?FREQ=/i.test(rule.rrule.trim())) fail('invalid_rule', `RRULE phải bắt đầu bằng FREQ=…: "${rule.rrule}"`, rule);
      rruleDates(rule.rrule, rule.start, rule.start, rule.start); // throws when the text does not parse
      return rule;
    default:
      return fail('invalid_rule', `Loại thời hạn "${(rule as { kind: string }).kind}" không tồn tại`, rule);
  }
}

function checkWorkingDays(n: number, rule: unknown): void {
  if (!Number.isInteger(n) || n < 0 || n > 250) fail('invalid_rule', `Số ngày làm việc ${n} phải là số nguyên từ 0 đến 250`, rule);
}
