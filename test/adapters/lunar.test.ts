import { beforeAll, describe, expect, it } from 'vitest';
import { dateHolidaysLunar } from '../../src/adapters/lunar/date-holidays-lunar.js';
import { addDays } from '../../src/domain/civil-date.js';
import type { CalendarRules, DayRef } from '../../src/domain/calendar/types.js';
import { convertLunar2Solar, convertSolar2Lunar, type SolarDate } from '../support/amlich.js';
import { OFFICIAL_LUNAR } from '../support/official-lunar.js';
import { shippedConfig } from '../support/shipped-config.js';

/**
 * The production lunar source (date-holidays, through src/adapters/lunar) is pinned to the
 * official dates of test/support/official-lunar.ts, and cross-checked with an unrelated
 * implementation (test/support/amlich.ts, Hồ Ngọc Đức's algorithm at UTC+7).
 */
const lunarToSolar = dateHolidaysLunar();

const iso = (d: SolarDate | null): string | null =>
  d && `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
const split = (date: string) => date.split('-').map(Number) as [number, number, number];

/**
 * Years in which amlich.ts does not give the official date. The official date (OFFICIAL_LUNAR,
 * from the government's notices) is what the production adapter must return; the row records
 * what amlich.ts says instead and why. None in 2020–2035: both sources give the official dates.
 * If one ever appears, add it here with its reason rather than loosen the comparison.
 */
const AMLICH_DIVERGES: ReadonlyMap<number, { readonly tet?: string; readonly hungKings?: string; readonly why: string }> = new Map();

const FIRST_YEAR = 2020;
const LAST_YEAR = 2035;

describe('the official table (test/support/official-lunar.ts)', () => {
  it('covers every year 2020–2035 once, in order, each with a source', () => {
    expect(OFFICIAL_LUNAR.map((r) => r.year)).toEqual(Array.from({ length: LAST_YEAR - FIRST_YEAR + 1 }, (_, i) => FIRST_YEAR + i));
    for (const row of OFFICIAL_LUNAR) {
      expect(row.source.length, String(row.year)).toBeGreaterThan(10);
      expect(row.tet.startsWith(`${row.year}-`)).toBe(true);
      expect(row.hungKings.startsWith(`${row.year}-`)).toBe(true);
    }
  });

  it.each(OFFICIAL_LUNAR)('$year: Tết $tet lies between 21 January and 20 February (second new moon after the winter solstice)', ({ year, tet }) => {
    expect(tet >= `${year}-01-21` && tet <= `${year}-02-20`).toBe(true);
  });
});

describe('date-holidays adapter = the official dates, 2020–2035', () => {
  it.each(OFFICIAL_LUNAR)('$year: mùng 1 Tết = $tet, Giỗ Tổ 10/3 âm lịch = $hungKings', ({ year, tet, hungKings }) => {
    expect(lunarToSolar(year, 1, 1)).toBe(tet);
    expect(lunarToSolar(year, 3, 10)).toBe(hungKings);
  });

  it('answers the same on a repeat call and from a fresh instance (memoised, no shared state)', () => {
    const fresh = dateHolidaysLunar();
    for (const { year, tet, hungKings } of OFFICIAL_LUNAR) {
      expect(lunarToSolar(year, 1, 1)).toBe(tet);
      expect(fresh(year, 3, 10)).toBe(hungKings);
      expect(fresh(year, 1, 1)).toBe(tet);
    }
  });

  it('follows the Vietnamese almanac (UTC+7), not the Chinese one (UTC+8): Tết 2030 is 2/2, Spring Festival 3/2', () => {
    // The new moon is at 23:07 on 2/2/2030 in Hanoi, 00:07 on 3/2 in Beijing (official-lunar.ts, 2030 row).
    expect(lunarToSolar(2030, 1, 1)).toBe('2030-02-02');
    expect(iso(convertLunar2Solar(1, 1, 2030, false, 7))).toBe('2030-02-02');
    expect(iso(convertLunar2Solar(1, 1, 2030, false, 8))).toBe('2030-02-03');
    // In Vietnam 2/2/2030 is mùng 1; by China's reckoning it is still the 30th of the 12th month of 2029.
    expect(convertSolar2Lunar(2, 2, 2030, 7)).toEqual({ day: 1, month: 1, year: 2030, leap: false });
    expect(convertSolar2Lunar(2, 2, 2030, 8)).toEqual({ day: 30, month: 12, year: 2029, leap: false });
  });
});

describe('cross-check with amlich.ts (independent algorithm)', () => {
  it.each(OFFICIAL_LUNAR)('$year: amlich.ts gives the official dates (or the divergence is documented)', ({ year, tet, hungKings }) => {
    const diverges = AMLICH_DIVERGES.get(year);
    expect(iso(convertLunar2Solar(1, 1, year, false))).toBe(diverges?.tet ?? tet);
    expect(iso(convertLunar2Solar(10, 3, year, false))).toBe(diverges?.hungKings ?? hungKings);
    // And backwards: the official solar days are mùng 1 tháng Giêng and 10 tháng Ba (never a leap month).
    if (!diverges?.tet) expect(convertSolar2Lunar(...dmy(tet))).toEqual({ day: 1, month: 1, year, leap: false });
    if (!diverges?.hungKings) expect(convertSolar2Lunar(...dmy(hungKings))).toEqual({ day: 10, month: 3, year, leap: false });
    // The day before Tết is the last day of the 12th month of the previous lunar year.
    const eve = convertSolar2Lunar(...dmy(addDays(tet, -1)));
    expect({ month: eve.month, year: eve.year, leap: eve.leap }).toEqual({ month: 12, year: year - 1, leap: false });
    expect(eve.day === 29 || eve.day === 30).toBe(true);
    // Wherever they disagree, the adapter must still give the official date.
    expect(lunarToSolar(year, 1, 1)).toBe(tet);
  });

  describe('every lunar day in config/calendar/rules.yaml, 2020–2035', () => {
    let rules: CalendarRules;
    beforeAll(async () => {
      ({
        calendar: { rules },
      } = await shippedConfig());
    });

    /** The solar date in `year` of lunar day/month, by amlich.ts: from lunar year year-1 (e.g. 23 tháng Chạp) or year. */
    const amlichInSolarYear = (year: number, month: number, day: number): string[] =>
      [year - 1, year]
        .map((ly) => convertLunar2Solar(day, month, ly, false))
        .filter((d): d is SolarDate => d !== null && d.year === year)
        .map((d) => iso(d)!);

    it('the adapter agrees with amlich.ts for each of them', () => {
      const refs: { id: string; on: DayRef }[] = [...rules.holidays, ...rules.namedDays].filter((r) => r.on.calendar === 'lunar');
      // Tết (holiday and named day), Giỗ Tổ, Ông Công Ông Táo, Trung thu.
      expect(refs.map((r) => `${r.on.day}/${r.on.month}`).sort()).toEqual(['1/1', '1/1', '10/3', '15/8', '23/12']);
      for (const { id, on } of refs) {
        for (let year = FIRST_YEAR; year <= LAST_YEAR; year++) {
          const expected = amlichInSolarYear(year, on.month, on.day);
          expect(expected, `${id} ${year}`).toHaveLength(1);
          expect(lunarToSolar(year, on.month, on.day), `${id} ${year}`).toBe(expected[0]);
        }
      }
    });

    it.each([
      [2025, 12, 23, '2025-01-22', 'Ông Công Ông Táo: 23 tháng Chạp Giáp Thìn, Wednesday'],
      [2024, 12, 23, '2024-02-02', 'Ông Công Ông Táo: 23 tháng Chạp Quý Mão, Friday'],
      [2025, 8, 15, '2025-10-06', 'Trung thu Ất Tỵ, Monday'],
      [2024, 8, 15, '2024-09-17', 'Trung thu Giáp Thìn, Tuesday'],
    ])('%i, lunar month %i day %i = %s (%s)', (year, month, day, date) => {
      expect(lunarToSolar(year, month, day)).toBe(date);
      expect(amlichInSolarYear(year, month, day)).toEqual([date]);
    });
  });
});

function dmy(date: string): [number, number, number] {
  const [y, m, d] = split(date);
  return [d, m, y];
}

describe('lunar dates that do not exist are refused, not rolled over', () => {
  const lunar = dateHolidaysLunar();
  it.each([
    [2025, 13, 1],
    [2025, 0, 1],
    [2025, 1, 31],
    [2025, 2, 30], // tháng 2 âm lịch năm Ất Tỵ has 29 days (amlich: 30/2 would be 29/3 dương lịch = 1/3 âm lịch)
  ])('%i: %i/%i', (year, month, day) => {
    expect(() => lunar(year, month, day)).toThrow(/không/);
  });
  it('a 30th that exists is returned', () => {
    // tháng 1 âm lịch Ất Tỵ 2025 has 30 days: 30/1 âm lịch = 27/2/2025 (the day before 1/2 âm lịch, 28/2).
    expect(lunar(2025, 1, 30)).toBe('2025-02-27');
  });
});
