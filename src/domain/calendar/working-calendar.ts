import {
  addDays,
  compareDates,
  parts,
  weekday,
  yearOf,
  ymd,
  type IsoDate,
} from '../civil-date.js';
import { DomainError } from '../errors.js';
import type {
  CalendarEntry,
  CalendarRules,
  DayRef,
  HolidayRule,
  LunarToSolar,
  YearDecree,
} from './types.js';

/** Labour Code 2019 art. 111(3): a weekly rest day that coincides with a holiday is made up on the next working day. */
export const SUBSTITUTE_LAW = 'Bộ luật Lao động 2019, Điều 111(3)';

export interface YearCalendar {
  readonly year: number;
  readonly decreed: boolean;
  /** Sorted by date; a date may carry more than one entry (a holiday and its name twice is merged). */
  readonly entries: readonly CalendarEntry[];
}

/**
 * Working days in Vietnam: weekly rest, statutory holidays (Labour Code 2019 art. 112),
 * substitute days (art. 111(3)) and each year's decreed swaps. Pure: all data comes in.
 */
export class WorkingCalendar {
  private readonly years = new Map<number, { cal: YearCalendar; byDate: Map<IsoDate, CalendarEntry[]> }>();
  private readonly decrees: ReadonlyMap<number, YearDecree>;
  private readonly rest: ReadonlySet<number>;

  constructor(
    readonly rules: CalendarRules,
    decrees: readonly YearDecree[],
    private readonly lunarToSolar: LunarToSolar,
  ) {
    this.decrees = new Map(decrees.map((d) => [d.year, d]));
    this.rest = new Set(rules.weeklyRest);
  }

  get zone(): string {
    return this.rules.zone;
  }

  hasDecree(year: number): boolean {
    return this.decrees.has(year);
  }

  decreeOf(year: number): YearDecree | undefined {
    return this.decrees.get(year);
  }

  isWeeklyRest(date: IsoDate): boolean {
    return this.rest.has(weekday(date));
  }

  /** The entries for `date` (holiday, substitute, swap), or an empty list. */
  entriesOn(date: IsoDate): readonly CalendarEntry[] {
    return this.yearData(yearOf(date)).byDate.get(date) ?? [];
  }

  isWorkingDay(date: IsoDate): boolean {
    const entries = this.entriesOn(date);
    if (entries.some((e) => e.kind !== 'swap_work')) return false;
    if (entries.some((e) => e.kind === 'swap_work')) return true;
    return !this.isWeeklyRest(date);
  }

  /** `date` itself if it is a working day, else the first working day after it. */
  onOrAfter(date: IsoDate): IsoDate {
    let d = date;
    for (let i = 0; i < 400; i++, d = addDays(d, 1)) if (this.isWorkingDay(d)) return d;
    throw new DomainError('calendar_range', `Không tìm thấy ngày làm việc sau ${date}`, date);
  }

  /** `date` itself if it is a working day, else the last working day before it. */
  onOrBefore(date: IsoDate): IsoDate {
    let d = date;
    for (let i = 0; i < 400; i++, d = addDays(d, -1)) if (this.isWorkingDay(d)) return d;
    throw new DomainError('calendar_range', `Không tìm thấy ngày làm việc trước ${date}`, date);
  }

  /**
   * The date `n` working days after `date` (n > 0) or before it (n < 0); `date` itself does
   * not count. n = 0 returns `date`.
   */
  addWorkingDays(date: IsoDate, n: number): IsoDate {
    if (!Number.isInteger(n)) throw new DomainError('invalid_rule', `Số ngày làm việc phải là số nguyên: ${n}`, n);
    const step = n < 0 ? -1 : 1;
    let d = date;
    for (let left = Math.abs(n); left > 0; ) {
      d = addDays(d, step);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  /** Working days in (from, to]: how many working days `to` is past `from` (negative when before). */
  workingDaysBetween(from: IsoDate, to: IsoDate): number {
    if (from === to) return 0;
    const sign = from < to ? 1 : -1;
    let [d, end] = sign > 0 ? [from, to] : [to, from];
    let count = 0;
    while (d < end) {
      d = addDays(d, 1);
      if (this.isWorkingDay(d)) count++;
    }
    // `|| 0` keeps a backward count of nothing from being -0.
    return sign * count || 0;
  }

  /** The date of a named day (or a holiday rule's anchor) in a given year. */
  dayOf(ref: DayRef, year: number): IsoDate {
    if (ref.calendar === 'solar') return ymd(year, ref.month, ref.day);
    return this.lunar(year, ref.month, ref.day);
  }

  namedDay(id: string, year: number): IsoDate {
    const named = this.rules.namedDays.find((n) => n.id === id);
    if (named) return this.dayOf(named.on, year);
    const holiday = this.rules.holidays.find((h) => h.id === id);
    if (holiday) return this.dayOf(holiday.on, year);
    throw new DomainError(
      'unknown_anchor',
      `Không có ngày mốc "${id}" trong lịch (các mốc: ${this.anchorIds().join(', ')})`,
      id,
    );
  }

  anchorIds(): string[] {
    return [...this.rules.namedDays.map((n) => n.id), ...this.rules.holidays.map((h) => h.id)];
  }

  /** Every day of `year` that is not a plain weekday or weekend, with its name and source. */
  year(year: number): YearCalendar {
    return this.yearData(year).cal;
  }

  private lunar(year: number, month: number, day: number): IsoDate {
    try {
      return this.lunarToSolar(year, month, day);
    } catch (e) {
      throw new DomainError(
        'calendar_range',
        `Không tính được ngày âm lịch ${day}/${month} năm ${year}: ${(e as Error).message}`,
        { year, month, day },
      );
    }
  }

  private yearData(year: number) {
    let data = this.years.get(year);
    if (!data) {
      const cal = this.buildYear(year);
      const byDate = new Map<IsoDate, CalendarEntry[]>();
      for (const e of cal.entries) byDate.set(e.date, [...(byDate.get(e.date) ?? []), e]);
      data = { cal, byDate };
      this.years.set(year, data);
    }
    return data;
  }

  private buildYear(year: number): YearCalendar {
    const decree = this.decrees.get(year);
    const entries: CalendarEntry[] = [];
    // The full citations are on the decree (`sources`); each day names the year's decision briefly.
    const decreeSource = `quyết định nghỉ lễ năm ${year}`;

    for (const rule of this.rules.holidays) {
      if ((rule.fromYear !== undefined && year < rule.fromYear) || (rule.untilYear !== undefined && year > rule.untilYear)) continue;
      const decreed = decree?.holidayDays[rule.id];
      if (decreed) {
        for (const date of decreed) entries.push({ date, name: rule.name, kind: 'holiday', source: `${rule.law}; ${decreeSource}` });
        continue;
      }
      const start = addDays(this.dayOf(rule.on, year), rule.startOffset);
      const span: IsoDate[] = [];
      for (let i = 0; i < rule.days; i++) span.push(addDays(start, i));
      for (const date of span) entries.push({ date, name: rule.name, kind: 'holiday', source: rule.law });
      if (rule.adjacentDay && (rule.adjacentDayFromYear === undefined || year >= rule.adjacentDayFromYear)) {
        const adjacent = this.defaultAdjacentDay(span);
        entries.push({ date: adjacent, name: `${rule.name} (ngày liền kề)`, kind: 'holiday', source: `${rule.law} (ngày liền kề mặc định)` });
      }
    }
    for (const day of decree?.days ?? []) entries.push({ ...day, source: decreeSource });

    // Statutory days all fall inside their own Gregorian year (Tết: late Jan–Feb), and the
    // catalogue loader rejects decreed days outside the decree's year.
    if (!decree?.substitutesListed) entries.push(...this.substitutes(entries, year));
    entries.sort((a, b) => compareDates(a.date, b.date) || a.kind.localeCompare(b.kind));
    return { year, decreed: decree !== undefined, entries };
  }

  /**
   * The day that joins 2/9 when no decree names it: a working neighbour that bridges to the
   * weekly rest (Tuesday 2/9 → Monday 1/9; Thursday → Friday 3/9); else the working day
   * after; else the one before. Matches the decrees of 2021–2025.
   */
  private defaultAdjacentDay(span: readonly IsoDate[]): IsoDate {
    const first = span[0]!;
    const last = span[span.length - 1]!;
    const before = addDays(first, -1);
    const after = addDays(last, 1);
    const works = (d: IsoDate) => !this.isWeeklyRest(d);
    if (works(before) && this.isWeeklyRest(addDays(before, -1))) return before;
    if (works(after) && this.isWeeklyRest(addDays(after, 1))) return after;
    if (works(after)) return after;
    return before;
  }

  /** Labour Code 2019 art. 111(3): each holiday on a weekly rest day gives the next working day off. */
  private substitutes(entries: readonly CalendarEntry[], year: number): CalendarEntry[] {
    const off = new Set(entries.filter((e) => e.kind !== 'swap_work').map((e) => e.date));
    const worked = new Set(entries.filter((e) => e.kind === 'swap_work').map((e) => e.date));
    const holidays = [...entries].filter((e) => e.kind === 'holiday').sort((a, b) => compareDates(a.date, b.date));
    const seen = new Set<IsoDate>();
    const out: CalendarEntry[] = [];
    for (const h of holidays) {
      if (seen.has(h.date)) continue;
      seen.add(h.date);
      if (!this.isWeeklyRest(h.date) || worked.has(h.date)) continue;
      let d = addDays(h.date, 1);
      while (off.has(d) || (this.isWeeklyRest(d) && !worked.has(d))) d = addDays(d, 1);
      off.add(d);
      if (yearOf(d) !== year) continue;
      const p = parts(h.date);
      out.push({
        date: d,
        name: `Nghỉ bù ${h.name} (${String(p.day).padStart(2, '0')}/${String(p.month).padStart(2, '0')} trùng ngày nghỉ hằng tuần)`,
        kind: 'substitute',
        source: SUBSTITUTE_LAW,
      });
    }
    return out;
  }
}

export type { HolidayRule };
