import fc from 'fast-check';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { dateHolidaysLunar } from '../../src/adapters/lunar/date-holidays-lunar.js';
import { LayeredCalendar, type CalendarOverride } from '../../src/app/calendar-edit.js';
import { addDays, daysBetween, yearOf, type IsoDate } from '../../src/domain/civil-date.js';
import type { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { shippedConfig } from '../support/shipped-config.js';

/**
 * The calendar edits of the console laid over config/'s calendar (src/app/calendar-edit.ts): no
 * edit changes nothing; a swap turns exactly its two days; removing a decreed day takes out only
 * that day's decree entry; apply([]) gives config/'s calendar back.
 */
let config: WorkingCalendar;
let layered: LayeredCalendar;
beforeAll(async () => {
  const { catalogue, calendar } = await shippedConfig();
  config = calendar;
  layered = new LayeredCalendar(catalogue.calendarRules, catalogue.decrees, dateHolidaysLunar());
});

const AT = DateTime.fromMillis(0, { zone: 'utc' });
const edit = (o: Partial<CalendarOverride> & Pick<CalendarOverride, 'date' | 'action'>): CalendarOverride => ({ kind: null, name: null, pairDate: null, createdBy: 'user:t', createdAt: AT, ...o });
const daysOf = (year: number): IsoDate[] => Array.from({ length: daysBetween(`${year}-01-01`, `${year}-12-31`) + 1 }, (_, i) => addDays(`${year}-01-01`, i));
const yearArb = fc.integer({ min: 2020, max: 2030 });

describe('LayeredCalendar', () => {
  it('without edits is config/\'s calendar, day for day', () => {
    fc.assert(
      fc.property(yearArb, (year) => {
        layered.apply([]);
        expect(layered.year(year).entries).toEqual(config.year(year).entries);
        for (const d of daysOf(year)) expect(layered.isWorkingDay(d), d).toBe(config.isWorkingDay(d));
      }),
      { numRuns: 11 },
    );
  });

  it('a swap turns exactly its two days (a working day off, a rest day worked) and the year keeps its count of working days', () => {
    fc.assert(
      fc.property(yearArb, fc.nat(), fc.nat(), (year, i, j) => {
        const days = daysOf(year);
        const working = days.filter((d) => config.isWorkingDay(d));
        const rest = days.filter((d) => !config.isWorkingDay(d) && config.entriesOn(d).length === 0);
        const off = working[i % working.length]!;
        const work = rest[j % rest.length]!;
        layered.apply([edit({ date: off, action: 'add', kind: 'swap_off', name: 'nghỉ', pairDate: work }), edit({ date: work, action: 'add', kind: 'swap_work', name: 'làm bù', pairDate: off })]);
        for (const d of days) expect(layered.isWorkingDay(d), d).toBe(d === off ? false : d === work ? true : config.isWorkingDay(d));
        const first = `${year}-01-01`;
        const last = `${year}-12-31`;
        expect(layered.workingDaysBetween(first, last)).toBe(config.workingDaysBetween(first, last));
        expect(layered.entriesOn(off)).toEqual([{ date: off, kind: 'swap_off', name: 'nghỉ', source: 'sửa trên trang quản trị (user:t)' }]);
        // Another year is untouched.
        expect(layered.year(year + 1).entries).toEqual(config.year(year + 1).entries);
        layered.apply([]);
        expect(layered.isWorkingDay(off)).toBe(true);
        expect(layered.isWorkingDay(work)).toBe(false);
      }),
      { numRuns: 40 },
    );
  });

  it('removing a day that a year\'s decree lists takes out that entry only; statutory holidays stay', () => {
    const listed = [2020, 2021, 2022, 2023, 2024, 2025, 2026].flatMap((y) => (config.decreeOf(y)?.days ?? []).map((d) => d.date));
    expect(listed.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.constantFrom(...listed), (date) => {
        layered.apply([edit({ date, action: 'remove' })]);
        const year = yearOf(date);
        const decreed = new Set(config.decreeOf(year)!.days.filter((d) => d.date === date).map((d) => `${d.kind}|${d.name}`));
        expect(layered.year(year).entries).toEqual(config.year(year).entries.filter((e) => !(e.date === date && decreed.has(`${e.kind}|${e.name}`))));
        for (const d of daysOf(year)) if (d !== date) expect(layered.isWorkingDay(d), d).toBe(config.isWorkingDay(d));
        layered.apply([]);
      }),
      { numRuns: 20 },
    );
  });
});
