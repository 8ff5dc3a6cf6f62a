import { DateTime } from 'luxon';
import { DomainError } from './errors.js';

/**
 * A calendar day with no time and no zone, written `YYYY-MM-DD`. Dates compare correctly
 * as strings, serialise as themselves, and are what directives talk about ("ngày
 * 30/10/2027"). Arithmetic goes through luxon in UTC, where every day has 24 hours.
 *
 * Only `DateTime.utc(y, m, d)` and `fromMillis` are used: `fromISO`/`fromObject` read the
 * clock (luxon fills missing fields from "now"), which the domain must never do.
 */
export type IsoDate = string & { readonly __brand?: 'IsoDate' };

export interface YearMonthDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidYmd(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function ymd(year: number, month: number, day: number): IsoDate {
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new DomainError('invalid_month', `Tháng ${month} không tồn tại (month must be 1–12)`, { year, month, day });
  }
  if (!isValidYmd(year, month, day)) {
    throw new DomainError(
      'invalid_date',
      `Ngày ${day}/${month}/${year} không tồn tại (no such date)`,
      { year, month, day },
    );
  }
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** The same day clamped into the month: 31 → 30 in April, → 28/29 in February. */
export function ymdClamped(year: number, month: number, day: number): IsoDate {
  return ymd(year, month, Math.min(day, daysInMonth(year, month)));
}

export function parseIsoDate(text: string): IsoDate {
  const m = ISO_DATE.exec(text);
  if (!m) throw new DomainError('invalid_date', `"${text}" không phải ngày dạng YYYY-MM-DD`, text);
  return ymd(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function isIsoDate(text: unknown): text is IsoDate {
  if (typeof text !== 'string') return false;
  const m = ISO_DATE.exec(text);
  return m !== null && isValidYmd(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function parts(date: IsoDate): YearMonthDay {
  return {
    year: Number(date.slice(0, 4)),
    month: Number(date.slice(5, 7)),
    day: Number(date.slice(8, 10)),
  };
}

function toLuxon(date: IsoDate): DateTime {
  const p = parts(date);
  return DateTime.utc(p.year, p.month, p.day);
}

function fromLuxon(dt: DateTime): IsoDate {
  return ymd(dt.year, dt.month, dt.day);
}

const DAY_MS = 86_400_000;

/** Milliseconds of the day's UTC midnight. Plain arithmetic: the working calendar and every message
 * count days many thousands of times per burst, where luxon objects cost ~50× more (bench, issue 8). */
function utcMs(date: IsoDate): number {
  const p = parts(date);
  // setUTCFullYear, not Date.UTC, which reads years 0–99 as 1900–1999.
  return new Date(0).setUTCFullYear(p.year, p.month - 1, p.day);
}

function fromUtcMs(ms: number): IsoDate {
  const d = new Date(ms);
  return ymd(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

export function addDays(date: IsoDate, days: number): IsoDate {
  if (days === 0) return date;
  if (!Number.isInteger(days)) return fromLuxon(toLuxon(date).plus({ days }));
  return fromUtcMs(utcMs(date) + days * DAY_MS);
}

export function addMonths(date: IsoDate, months: number): IsoDate {
  return fromLuxon(toLuxon(date).plus({ months }));
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function weekday(date: IsoDate): number {
  return ((new Date(utcMs(date)).getUTCDay() + 6) % 7) + 1;
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((utcMs(to) - utcMs(from)) / DAY_MS);
}

export const compareDates = (a: IsoDate, b: IsoDate): number => (a < b ? -1 : a > b ? 1 : 0);
export const minDate = (a: IsoDate, b: IsoDate): IsoDate => (a <= b ? a : b);
export const maxDate = (a: IsoDate, b: IsoDate): IsoDate => (a >= b ? a : b);

export function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

export function lastDayOfMonth(year: number, month: number): IsoDate {
  return ymd(year, month, daysInMonth(year, month));
}

/** Dates from `from` to `to`, both included. */
export function* eachDay(from: IsoDate, to: IsoDate): Generator<IsoDate> {
  let d = toLuxon(from);
  const end = toLuxon(to);
  while (d <= end) {
    yield fromLuxon(d);
    d = d.plus({ days: 1 });
  }
}

/** "30/10/2027", the way Vietnamese documents write a date. */
export function formatVnDate(date: IsoDate): string {
  const p = parts(date);
  return `${pad2(p.day)}/${pad2(p.month)}/${p.year}`;
}

const VN_WEEKDAYS = ['', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy', 'Chủ nhật'] as const;

/** "thứ Bảy, 30/10/2027". */
export function formatVnDateWithWeekday(date: IsoDate): string {
  return `${VN_WEEKDAYS[weekday(date)]}, ${formatVnDate(date)}`;
}

export function vnWeekdayName(isoWeekday: number): string {
  return VN_WEEKDAYS[isoWeekday] ?? '?';
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
