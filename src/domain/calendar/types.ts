import type { IsoDate } from '../civil-date.js';

/** A day in a calendar rule: a solar (Gregorian) or lunar (âm lịch) month and day. */
export type DayRef =
  | { readonly calendar: 'solar'; readonly month: number; readonly day: number }
  | { readonly calendar: 'lunar'; readonly month: number; readonly day: number };

/**
 * A statutory holiday, Labour Code 2019 art. 112(1). `startOffset`/`days` describe a span
 * around the anchor (Tết: from the day before mùng 1, five days). `adjacentDay` adds the
 * one day "liền kề trước hoặc sau" that joins Quốc khánh 2/9 (art. 112(1)(đ)).
 */
export interface HolidayRule {
  readonly id: string;
  readonly name: string;
  readonly law: string;
  readonly on: DayRef;
  readonly startOffset: number;
  readonly days: number;
  readonly adjacentDay: boolean;
  /** The adjacent day exists from this year (Labour Code 2019, in force 1/1/2021; the 2012 code art. 115 gave 2/9 alone). */
  readonly adjacentDayFromYear?: number;
  /** The law changes: a holiday applies from/until a year (inclusive). */
  readonly fromYear?: number;
  readonly untilYear?: number;
}

/** A day that relative deadlines may anchor to ("trước Tết Nguyên đán", "dịp 19/5"). */
export interface NamedDay {
  readonly id: string;
  readonly name: string;
  readonly on: DayRef;
}

export type DecreedDayKind = 'holiday' | 'substitute' | 'swap_off' | 'swap_work';

export interface DecreedDay {
  readonly date: IsoDate;
  readonly kind: DecreedDayKind;
  readonly name: string;
}

/** What the government decreed for one year (config/calendar/years/<YYYY>.yaml). */
export interface YearDecree {
  readonly year: number;
  readonly sources: readonly string[];
  /** Replaces the computed days of a holiday rule, by rule id (e.g. the exact Tết days). */
  readonly holidayDays: Readonly<Record<string, readonly IsoDate[]>>;
  readonly days: readonly DecreedDay[];
  /** Every substitute day of the year is listed in `days`; derive none. */
  readonly substitutesListed: boolean;
}

export interface CalendarRules {
  readonly zone: string;
  /** ISO weekdays of weekly rest (6 = Saturday, 7 = Sunday). */
  readonly weeklyRest: readonly number[];
  readonly holidays: readonly HolidayRule[];
  readonly namedDays: readonly NamedDay[];
}

/**
 * The solar date, within Gregorian year `solarYear`, of lunar month/day (in the ordinary,
 * not the leap, month): Tết 1/1, Giỗ Tổ 10/3, Trung thu 15/8. Supplied from outside the
 * domain by a maintained library; may throw for years it does not cover.
 */
export type LunarToSolar = (solarYear: number, lunarMonth: number, lunarDay: number) => IsoDate;

export type CalendarEntryKind = 'holiday' | 'substitute' | 'swap_off' | 'swap_work';

/** One day of a year that is not a plain weekday or a plain weekend. */
export interface CalendarEntry {
  readonly date: IsoDate;
  readonly name: string;
  readonly kind: CalendarEntryKind;
  /** Where it comes from: the statute, the substitute rule, or the decree. */
  readonly source: string;
}
