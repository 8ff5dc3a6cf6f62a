import { beforeAll, describe, expect, it } from 'vitest';
import { dateHolidaysLunar } from '../../src/adapters/lunar/date-holidays-lunar.js';
import { addDays, eachDay, weekday } from '../../src/domain/civil-date.js';
import { SUBSTITUTE_LAW, WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { OFFICIAL_LUNAR } from '../support/official-lunar.js';
import { shippedConfig } from '../support/shipped-config.js';

/**
 * Every row below is a fact of the law (Bộ luật Lao động 2019, Điều 111–112; for 2020 the
 * 2012 code, Điều 115), of config/calendar/rules.yaml, of a year file under
 * config/calendar/years/ (whose `sources` cite the government notice), or of the official
 * lunar dates in test/support/official-lunar.ts. None was obtained by running the code.
 *
 * `shipped`: rules.yaml + every years/<YYYY>.yaml, through the real loader.
 * `statutory`: rules.yaml alone, no decree: the law's defaults for every year.
 */
let shipped: WorkingCalendar;
let statutory: WorkingCalendar;
beforeAll(async () => {
  ({ calendar: shipped } = await shippedConfig());
  statutory = new WorkingCalendar(shipped.rules, [], dateHolidaysLunar());
});

const kinds = (cal: WorkingCalendar, date: string) => [...new Set(cal.entriesOn(date).map((e) => e.kind))].sort();
const lunar = (year: number) => {
  const row = OFFICIAL_LUNAR.find((r) => r.year === year);
  if (!row) throw new Error(`no official lunar row for ${year}`);
  return row;
};

describe('Labour Code 2019 art. 112(1): the statutory holidays, with no decree', () => {
  // Years 2027–2035 have no decree file: the shipped calendar must give the law's defaults too.
  const YEARS = [2027, 2028, 2029, 2030, 2031, 2032, 2033, 2034, 2035];

  it.each(YEARS)('%i: 1/1, Tết (the day before mùng 1 and mùng 1–4, rules.yaml), Giỗ Tổ, 30/4, 1/5, 2/9 are holidays', (year) => {
    const { tet, hungKings } = lunar(year);
    const expected = [
      `${year}-01-01`,
      ...[-1, 0, 1, 2, 3].map((i) => addDays(tet, i)),
      hungKings,
      `${year}-04-30`,
      `${year}-05-01`,
      `${year}-09-02`,
    ];
    for (const cal of [statutory, shipped]) {
      for (const date of expected) {
        expect(kinds(cal, date), date).toContain('holiday');
        expect(cal.isWorkingDay(date), date).toBe(false);
      }
      // Quốc khánh "02 ngày (ngày 02 tháng 9 dương lịch và 01 ngày liền kề trước hoặc sau)", art. 112(1)(đ).
      const adjacent = [`${year}-09-01`, `${year}-09-03`].filter((d) => cal.entriesOn(d).some((e) => e.kind === 'holiday'));
      expect(adjacent, `${year} adjacent day of 2/9`).toHaveLength(1);
      // Eleven holiday days a year: 1 + 5 + 1 + 1 + 1 + 2.
      const holidays = new Set(cal.year(year).entries.filter((e) => e.kind === 'holiday').map((e) => e.date));
      expect(holidays.size).toBe(11);
      expect(cal.hasDecree(year)).toBe(false);
      expect(cal.year(year).decreed).toBe(false);
    }
  });

  it('2020 still falls under the Labour Code 2012 (art. 115): ten holiday days, 2/9 alone (adjacentDayFromYear: 2021)', () => {
    for (const cal of [statutory, shipped]) {
      const holidays = new Set(cal.year(2020).entries.filter((e) => e.kind === 'holiday').map((e) => e.date));
      expect(holidays.size).toBe(10);
      expect(cal.isWorkingDay('2020-09-02')).toBe(false); // Wednesday
      expect(cal.isWorkingDay('2020-09-01')).toBe(true); // Tuesday
      expect(cal.isWorkingDay('2020-09-03')).toBe(true); // Thursday
    }
  });

  it('the rules name the law for each holiday', () => {
    expect(statutory.entriesOn('2027-04-30')).toEqual([
      { date: '2027-04-30', name: 'Ngày Chiến thắng (30/4)', kind: 'holiday', source: 'Bộ luật Lao động 2019, Điều 112(1)(c)' },
    ]);
  });
});

describe('Labour Code 2019 art. 111(3): a holiday on the weekly rest gives the next working day off', () => {
  // [date, weekday, kinds on the statutory calendar, why]
  const ROWS: [string, string, string[], string][] = [
    // 2027: Tết Đinh Mùi is Saturday 6/2 (official-lunar.ts); the five days are Fri 5/2 – Tue 9/2.
    ['2027-02-04', 'Thu', [], 'the working day before Tết 2027'],
    ['2027-02-05', 'Fri', ['holiday'], 'last day of the lunar year Bính Ngọ'],
    ['2027-02-06', 'Sat', ['holiday'], 'mùng 1 on a Saturday'],
    ['2027-02-07', 'Sun', ['holiday'], 'mùng 2 on a Sunday'],
    ['2027-02-09', 'Tue', ['holiday'], 'mùng 4, last of the five Tết days'],
    ['2027-02-10', 'Wed', ['substitute'], 'nghỉ bù for Saturday 6/2'],
    ['2027-02-11', 'Thu', ['substitute'], 'nghỉ bù for Sunday 7/2'],
    ['2027-02-12', 'Fri', [], 'back to work after Tết 2027'],
    // 2027: 1/5 is a Saturday (30/4 a Friday).
    ['2027-04-30', 'Fri', ['holiday'], '30/4'],
    ['2027-05-01', 'Sat', ['holiday'], '1/5 on a Saturday'],
    ['2027-05-03', 'Mon', ['substitute'], 'nghỉ bù for 1/5/2027'],
    ['2027-05-04', 'Tue', [], 'an ordinary Tuesday'],
    // 2028: 1/1 Saturday; Tết Mậu Thân Wednesday 26/1 (Tue 25/1 – Sat 29/1); 30/4 Sunday with 1/5 Monday also a holiday.
    ['2028-01-01', 'Sat', ['holiday'], '1/1 on a Saturday'],
    ['2028-01-03', 'Mon', ['substitute'], 'nghỉ bù for 1/1/2028'],
    ['2028-01-29', 'Sat', ['holiday'], 'mùng 4 Tết on a Saturday'],
    ['2028-01-31', 'Mon', ['substitute'], 'nghỉ bù for Saturday 29/1/2028'],
    ['2028-05-01', 'Mon', ['holiday'], '1/5 is itself a holiday, so the substitute for 30/4 cannot be on it'],
    ['2028-05-02', 'Tue', ['substitute'], 'nghỉ bù for Sunday 30/4/2028: the next *working* day'],
    ['2028-05-03', 'Wed', [], 'an ordinary Wednesday'],
    // 2030: Tết Canh Tuất is Saturday 2/2 in Vietnam (3/2 in China, official-lunar.ts): Fri 1/2 – Tue 5/2.
    ['2030-02-01', 'Fri', ['holiday'], 'last day of the lunar year Kỷ Dậu (Vietnamese almanac)'],
    ['2030-02-06', 'Wed', ['substitute'], 'nghỉ bù for Saturday 2/2/2030'],
    ['2030-02-07', 'Thu', ['substitute'], 'nghỉ bù for Sunday 3/2/2030'],
    ['2030-02-08', 'Fri', [], 'back to work after Tết 2030'],
  ];

  it.each(ROWS)('%s (%s): %j — %s', (date, day, want) => {
    expect(['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][weekday(date)]).toBe(day);
    for (const cal of [statutory, shipped]) {
      expect(kinds(cal, date)).toEqual(want);
      expect(cal.isWorkingDay(date)).toBe(want.length === 0 && day !== 'Sat' && day !== 'Sun');
    }
  });

  it('a derived substitute cites art. 111(3)', () => {
    const [sub] = statutory.entriesOn('2027-05-03');
    expect(sub).toMatchObject({ kind: 'substitute', source: SUBSTITUTE_LAW });
    expect(sub!.name).toContain('01/05');
  });

  // 2/9 on a weekend: whichever neighbour the decree picks as the adjacent day, these weekdays are off.
  it.each([
    ['2028-09-02 is a Saturday: Monday 4/9 is off', '2028-09-04'],
    ['2029-09-02 is a Sunday: Monday 3/9 and Tuesday 4/9 are off', '2029-09-03', '2029-09-04'],
    ['2030-09-02 is a Monday: 1/9 is a Sunday, so Tuesday 3/9 is off either way', '2030-09-03'],
  ])('%s', (_name, ...dates) => {
    for (const cal of [statutory, shipped]) for (const d of dates) expect(cal.isWorkingDay(d), d).toBe(false);
  });

  // The day joining 2/9 when no decree names it matches what the decrees of 2021–2025 chose (years/<YYYY>.yaml, nationalDayAdjacent).
  it.each([
    [2021, '2021-09-03'],
    [2022, '2022-09-01'],
    [2023, '2023-09-01'],
    [2024, '2024-09-03'],
    [2025, '2025-09-01'],
  ])('%i: the default adjacent day of 2/9 is the decreed %s', (year, adjacent) => {
    expect(statutory.entriesOn(adjacent).map((e) => e.kind)).toEqual(['holiday']);
    expect(shipped.entriesOn(adjacent).map((e) => e.kind)).toEqual(['holiday']);
  });
});

describe('decreed years (config/calendar/years/<YYYY>.yaml)', () => {
  // [date, working on the shipped calendar?, source]
  const ROWS: [string, boolean, string][] = [
    // 2020.yaml: nghỉ liền 7 ngày từ thứ Năm 23/01/2020 đến hết thứ Tư 29/01/2020 (Sở Công Thương Đắk Lắk 07/01/2020).
    ['2020-01-22', true, '2020: the day before the Tết break'],
    ['2020-01-23', false, '2020: first day of the break (29 tháng Chạp Kỷ Hợi)'],
    ['2020-01-28', false, '2020: nghỉ bù for Saturday 25/01'],
    ['2020-01-29', false, '2020: nghỉ bù for Sunday 26/01, last day of the break'],
    ['2020-01-30', true, '2020: back to work'],
    ['2020-04-02', false, '2020: Giỗ Tổ, Thursday, no swap (baosuckhoecongdong.vn)'],
    // 2021.yaml: Tết 10–16/02/2021; Quốc khánh 02–05/9 kể cả cuối tuần.
    ['2021-02-09', true, '2021: the day before Tết'],
    ['2021-02-10', false, '2021: 29 tháng Chạp Canh Tý'],
    ['2021-02-15', false, '2021: nghỉ bù mùng 2 (Saturday 13/02)'],
    ['2021-02-16', false, '2021: nghỉ bù mùng 3 (Sunday 14/02)'],
    ['2021-02-17', true, '2021: back to work'],
    ['2021-05-03', false, '2021: nghỉ bù 1/5 (a Saturday)'],
    ['2021-09-01', true, '2021: Wednesday before Quốc khánh'],
    ['2021-09-03', false, '2021: adjacent day of 2/9'],
    ['2021-09-06', true, '2021: back to work after 02–05/9'],
    // 2022.yaml: nghỉ Tết 29/01–06/02/2022 (5 ngày Tết 31/01–04/02 + 4 ngày cuối tuần); Quốc khánh 01–04/9.
    ['2022-01-28', true, '2022: Friday before the Tết break'],
    ['2022-01-31', false, '2022: 29 tháng Chạp Tân Sửu'],
    ['2022-02-04', false, '2022: mùng 4 Nhâm Dần'],
    ['2022-02-07', true, '2022: back to work'],
    ['2022-01-03', false, '2022: nghỉ bù 1/1 (Saturday), art. 111(3)'],
    ['2022-04-11', false, '2022: nghỉ bù Giỗ Tổ (Sunday 10/04), official-lunar.ts'],
    ['2022-05-02', false, '2022: nghỉ bù 30/4 (Saturday)'],
    ['2022-05-03', false, '2022: nghỉ bù 1/5 (Sunday)'],
    ['2022-05-04', true, '2022: back to work'],
    ['2022-09-01', false, '2022: adjacent day of 2/9'],
    ['2022-09-05', true, '2022: back to work after 01–04/9'],
    // 2023.yaml: Tết 20–26/01/2023; Quốc khánh 01–04/9 (2/9 Saturday, nghỉ bù 04/9).
    ['2023-01-02', false, '2023: nghỉ bù 1/1 (Sunday)'],
    ['2023-01-19', true, '2023: the day before Tết'],
    ['2023-01-20', false, '2023: 29 tháng Chạp Nhâm Dần'],
    ['2023-01-26', false, '2023: nghỉ bù mùng 1 (Sunday 22/01)'],
    ['2023-01-27', true, '2023: back to work'],
    ['2023-05-02', false, '2023: nghỉ bù Giỗ Tổ (Saturday 29/04)'],
    ['2023-05-03', false, '2023: nghỉ bù 30/4 (Sunday)'],
    ['2023-05-04', true, '2023: back to work'],
    ['2023-09-01', false, '2023: adjacent day of 2/9'],
    ['2023-09-04', false, '2023: nghỉ bù Quốc khánh (Saturday 02/09)'],
    ['2023-09-05', true, '2023: back to work'],
    // 2024.yaml: Tết 08–14/02/2024 (Thông báo 5015/TB-LĐTBXH); 27/4–01/5 with làm bù Saturday 04/5 (Công văn 2450/VPCP-KGVX).
    ['2024-02-07', true, '2024: the day before Tết'],
    ['2024-02-08', false, '2024: 29 tháng Chạp Quý Mão'],
    ['2024-02-14', false, '2024: nghỉ bù mùng 2 (Sunday 11/02)'],
    ['2024-02-15', true, '2024: back to work'],
    ['2024-04-26', true, '2024: Friday before the 30/4 break'],
    ['2024-04-29', false, '2024: swap_off Monday'],
    ['2024-05-02', true, '2024: back to work'],
    ['2024-05-04', true, '2024: swap_work Saturday (làm bù)'],
    ['2024-09-03', false, '2024: adjacent day of 2/9 (Tuesday)'],
    ['2024-09-04', true, '2024: back to work after 31/8–03/9'],
    // 2025.yaml: Tết 27–31/01/2025, nghỉ 25/01–02/02 (Công văn 8726/VPCP-KGVX; Thông báo 6150/TB-LĐTBXH).
    ['2025-01-24', true, '2025: Friday before the Tết break'],
    ['2025-01-25', false, '2025: Saturday, first day of the break'],
    ['2025-01-27', false, '2025: 28 tháng Chạp Giáp Thìn'],
    ['2025-01-31', false, '2025: mùng 3 Ất Tỵ'],
    ['2025-02-02', false, '2025: Sunday, last day of the break'],
    ['2025-02-03', true, '2025: back to work (no substitute: no Tết day fell on the weekend)'],
    ['2025-04-07', false, '2025: Giỗ Tổ, Monday'],
    ['2025-04-26', true, '2025: swap_work Saturday (làm bù for 02/05)'],
    ['2025-04-30', false, '2025: 30/4'],
    ['2025-05-02', false, '2025: swap_off Friday'],
    ['2025-05-05', true, '2025: back to work after 30/4–04/5'],
    ['2025-08-29', true, '2025: Friday before Quốc khánh'],
    ['2025-09-01', false, '2025: adjacent day of 2/9 (Monday)'],
    ['2025-09-03', true, '2025: back to work after 30/8–02/9 (no extra day for the 80th anniversary)'],
    // 2026.yaml: 01–04/01 with làm bù Saturday 10/01 (Công văn 12729/VPCP-KGVX); Tết 16–20/02, nghỉ 14–22/02 (Thông báo 9441/TB-BNV);
    // Giỗ Tổ Sunday 26/4 → nghỉ bù 27/4; Quốc khánh 29/8–02/9 with làm bù Saturday 22/8.
    ['2026-01-02', false, '2026: swap_off Friday'],
    ['2026-01-05', true, '2026: back to work after 01–04/01'],
    ['2026-01-10', true, '2026: swap_work Saturday'],
    ['2026-02-13', true, '2026: Friday before the Tết break'],
    ['2026-02-16', false, '2026: 29 tháng Chạp Ất Tỵ'],
    ['2026-02-20', false, '2026: mùng 4 Bính Ngọ'],
    ['2026-02-23', true, '2026: back to work'],
    ['2026-04-27', false, '2026: nghỉ bù Giỗ Tổ (Sunday 26/04)'],
    ['2026-04-28', true, '2026: an ordinary Tuesday'],
    ['2026-08-22', true, '2026: swap_work Saturday'],
    ['2026-08-28', true, '2026: Friday before Quốc khánh'],
    ['2026-08-31', false, '2026: swap_off Monday'],
    ['2026-09-01', false, '2026: adjacent day of 2/9 (Tuesday)'],
    ['2026-09-03', true, '2026: back to work after 29/8–02/9'],
  ];

  it.each(ROWS)('%s working=%s — %s', (date, working) => {
    expect(shipped.isWorkingDay(date)).toBe(working);
  });

  it.each([2020, 2021, 2022, 2023, 2024, 2025, 2026])('%i has a decree', (year) => {
    expect(shipped.hasDecree(year)).toBe(true);
    expect(shipped.year(year).decreed).toBe(true);
    expect(shipped.decreeOf(year)?.sources.length).toBeGreaterThan(0);
  });

  it('a decree replaces the statutory Tết default: 2025 by law would be 28/01–01/02 with nghỉ bù 03/02', () => {
    // rules.yaml default: the day before mùng 1 (29/01/2025) and mùng 1–4; 01/02 is a Saturday.
    expect(statutory.isWorkingDay('2025-01-27')).toBe(true);
    expect(kinds(statutory, '2025-02-01')).toEqual(['holiday']);
    expect(kinds(statutory, '2025-02-03')).toEqual(['substitute']);
    // The decree (2025.yaml): 27–31/01, and Monday 03/02 is a working day.
    expect(kinds(shipped, '2025-01-27')).toEqual(['holiday']);
    expect(kinds(shipped, '2025-02-01')).toEqual([]);
    expect(shipped.isWorkingDay('2025-02-03')).toBe(true);
  });

  it('a decreed holiday cites the law and the year\'s decision', () => {
    expect(shipped.entriesOn('2025-01-27')).toEqual([
      { date: '2025-01-27', name: 'Tết Âm lịch', kind: 'holiday', source: 'Bộ luật Lao động 2019, Điều 112(1)(b); quyết định nghỉ lễ năm 2025' },
    ]);
  });
});

describe('swap days (nghỉ hoán đổi / làm bù)', () => {
  const SWAPS: [string, 'swap_work' | 'swap_off', string][] = [
    ['2024-05-04', 'swap_work', 'Saturday, làm bù for Monday 29/04/2024'],
    ['2024-04-29', 'swap_off', 'Monday, nghỉ hoán đổi'],
    ['2025-04-26', 'swap_work', 'Saturday, làm bù for Friday 02/05/2025'],
    ['2025-05-02', 'swap_off', 'Friday, nghỉ hoán đổi'],
    ['2026-01-10', 'swap_work', 'Saturday, làm bù for Friday 02/01/2026'],
    ['2026-01-02', 'swap_off', 'Friday, nghỉ hoán đổi'],
    ['2026-08-22', 'swap_work', 'Saturday, làm bù for Monday 31/08/2026'],
    ['2026-08-31', 'swap_off', 'Monday, nghỉ hoán đổi'],
  ];
  it.each(SWAPS)('%s %s: %s', (date, kind) => {
    expect(kinds(shipped, date)).toEqual([kind]);
    expect(shipped.isWorkingDay(date)).toBe(kind === 'swap_work');
    // Without the decree the day is an ordinary Saturday / weekday.
    expect(statutory.entriesOn(date)).toEqual([]);
    expect(statutory.isWorkingDay(date)).toBe(kind === 'swap_off');
  });

  it('a làm bù Saturday counts as a working day in working-day arithmetic', () => {
    // Friday 25/04/2025 + 1 working day is the làm bù Saturday 26/04.
    expect(shipped.addWorkingDays('2025-04-25', 1)).toBe('2025-04-26');
    expect(shipped.workingDaysBetween('2025-04-25', '2025-04-28')).toBe(2);
    expect(shipped.onOrAfter('2026-01-10')).toBe('2026-01-10');
    expect(shipped.onOrBefore('2026-01-11')).toBe('2026-01-10');
  });
});

describe('the weekly rest: Saturday and Sunday (rules.yaml weeklyRest)', () => {
  it.each([
    ['2027-03-06', 'Saturday', false],
    ['2027-03-07', 'Sunday', false],
    ['2027-03-08', 'Monday', true],
    ['2027-03-12', 'Friday', true],
  ])('%s (%s) working=%s', (date, _day, working) => {
    expect(statutory.isWorkingDay(date)).toBe(working);
    expect(shipped.isWorkingDay(date)).toBe(working);
    expect(shipped.isWeeklyRest(date)).toBe(!working);
  });

  it('the zone is Asia/Ho_Chi_Minh', () => {
    expect(shipped.zone).toBe('Asia/Ho_Chi_Minh');
  });
});

describe('working days per year on the shipped calendar', () => {
  // weekdays: Monday–Friday in the year; off: weekdays that are holidays, substitutes or swap_off (counted by hand from
  // the year files above and the law); worked: làm bù Saturdays.
  const YEARS: { year: number; weekdays: number; off: number; worked: number; working: number }[] = [
    { year: 2020, weekdays: 262, off: 10, worked: 0, working: 252 },
    { year: 2021, weekdays: 261, off: 11, worked: 0, working: 250 },
    { year: 2022, weekdays: 260, off: 11, worked: 0, working: 249 },
    { year: 2023, weekdays: 260, off: 11, worked: 0, working: 249 },
    { year: 2024, weekdays: 262, off: 12, worked: 1, working: 251 },
    { year: 2025, weekdays: 261, off: 12, worked: 1, working: 250 },
    { year: 2026, weekdays: 261, off: 13, worked: 2, working: 250 },
    // No decree: art. 111(3) makes every one of the 11 holidays cost exactly one weekday.
    { year: 2027, weekdays: 261, off: 11, worked: 0, working: 250 },
    { year: 2028, weekdays: 260, off: 11, worked: 0, working: 249 },
    { year: 2029, weekdays: 261, off: 11, worked: 0, working: 250 },
    { year: 2030, weekdays: 261, off: 11, worked: 0, working: 250 },
    { year: 2031, weekdays: 261, off: 11, worked: 0, working: 250 },
    { year: 2032, weekdays: 262, off: 11, worked: 0, working: 251 },
    { year: 2033, weekdays: 260, off: 11, worked: 0, working: 249 },
    { year: 2034, weekdays: 260, off: 11, worked: 0, working: 249 },
    { year: 2035, weekdays: 261, off: 11, worked: 0, working: 250 },
  ];
  it.each(YEARS)('$year: $working working days ($weekdays weekdays, $off off, $worked Saturdays worked)', ({ year, weekdays, off, worked, working }) => {
    expect(weekdays - off + worked).toBe(working);
    let w = 0;
    let o = 0;
    let s = 0;
    for (const d of eachDay(`${year}-01-01`, `${year}-12-31`)) {
      const isWeekday = weekday(d) <= 5;
      if (isWeekday) w++;
      if (isWeekday && !shipped.isWorkingDay(d)) o++;
      if (!isWeekday && shipped.isWorkingDay(d)) s++;
    }
    expect({ w, o, s }).toEqual({ w: weekdays, o: off, s: worked });
    expect(shipped.workingDaysBetween(`${year - 1}-12-31`, `${year}-12-31`)).toBe(working);
  });

  it('2021–2035 with no decree at all: still 11 weekdays off a year', () => {
    for (let year = 2021; year <= 2035; year++) {
      let off = 0;
      for (const d of eachDay(`${year}-01-01`, `${year}-12-31`)) if (weekday(d) <= 5 && !statutory.isWorkingDay(d)) off++;
      expect(off, String(year)).toBe(11);
    }
  });
});

describe('addWorkingDays and workingDaysBetween', () => {
  // [cal, from, n, to, why]
  const ROWS: ['shipped' | 'statutory', string, number, string, string][] = [
    ['shipped', '2025-01-24', 1, '2025-02-03', 'across the Tết 2025 break 25/01–02/02'],
    ['shipped', '2025-02-03', -1, '2025-01-24', 'back across the Tết 2025 break'],
    ['shipped', '2025-01-29', -1, '2025-01-24', 'from mùng 1 (a holiday) back one working day'],
    ['shipped', '2025-01-29', 0, '2025-01-29', 'n = 0 is the date itself, even a holiday'],
    ['shipped', '2026-02-13', 1, '2026-02-23', 'across the Tết 2026 break 14–22/02'],
    ['shipped', '2026-02-12', 5, '2026-02-26', '"5 ngày làm việc" after Thursday 12/02/2026: 13, 23, 24, 25, 26/02'],
    ['shipped', '2024-02-07', 1, '2024-02-15', 'across Tết 2024 (08–14/02)'],
    ['shipped', '2021-02-09', 1, '2021-02-17', 'across Tết 2021 (10–16/02)'],
    ['shipped', '2023-01-19', 1, '2023-01-27', 'across Tết 2023 (20–26/01)'],
    ['shipped', '2022-01-28', 1, '2022-02-07', 'across Tết 2022 (29/01–06/02)'],
    ['shipped', '2020-01-22', 1, '2020-01-30', 'across Tết 2020 (23–29/01)'],
    ['shipped', '2025-04-25', 4, '2025-05-05', 'Sat 26/04 (làm bù), Mon 28, Tue 29/04, then 30/4–04/5 off'],
    ['shipped', '2024-04-26', 3, '2024-05-04', '27/4–01/5 off, Thu 02, Fri 03, Sat 04/05 (làm bù)'],
    ['statutory', '2027-02-04', 1, '2027-02-12', 'across Tết 2027 (05–09/02) and its two nghỉ bù (10, 11/02)'],
    ['statutory', '2027-02-04', 2, '2027-02-15', 'then over the weekend'],
    ['statutory', '2027-04-29', 1, '2027-05-04', '30/4 Friday, 1/5 Saturday with nghỉ bù Monday 3/5'],
    ['statutory', '2028-04-28', 1, '2028-05-03', '30/4 Sunday, 1/5 Monday, nghỉ bù Tuesday 2/5'],
  ];
  it.each(ROWS)('%s: %s %+i working days = %s (%s)', (which, from, n, to) => {
    const cal = which === 'shipped' ? shipped : statutory;
    expect(cal.addWorkingDays(from, n)).toBe(to);
    if (cal.isWorkingDay(from)) expect(cal.workingDaysBetween(from, to)).toBe(n);
  });

  it.each([
    ['February 2026: 20 weekdays less the five Tết days', '2026-01-31', '2026-02-28', 15],
    ['January 2026: 22 weekdays less 1/1 and 2/1 (swap_off), plus Saturday 10/1 (làm bù)', '2025-12-31', '2026-01-31', 21],
    ['the Tết 2025 break is one working day wide', '2025-01-24', '2025-02-03', 1],
    ['reversed, the count is negative', '2025-02-03', '2025-01-24', -1],
    ['the same day', '2025-01-29', '2025-01-29', 0],
    ['from a holiday to the first day back: only that day counts', '2025-01-29', '2025-02-03', 1],
  ])('%s', (_name, from, to, n) => {
    expect(shipped.workingDaysBetween(from, to)).toBe(n);
  });

  it('refuses a fractional count', () => {
    expect(() => shipped.addWorkingDays('2025-01-24', 1.5)).toThrow(/số nguyên/);
  });
});

describe('onOrAfter / onOrBefore', () => {
  it.each([
    ['2025-01-25', '2025-02-03', '2025-01-24', 'Tết 2025 break'],
    ['2026-02-14', '2026-02-23', '2026-02-13', 'Tết 2026 break'],
    ['2027-05-01', '2027-05-04', '2027-04-29', '30/4–1/5/2027 with nghỉ bù 3/5'],
    ['2025-04-26', '2025-04-26', '2025-04-26', 'a làm bù Saturday is itself a working day'],
    ['2025-03-12', '2025-03-12', '2025-03-12', 'an ordinary Wednesday'],
  ])('%s → after %s, before %s (%s)', (date, after, before) => {
    expect(shipped.onOrAfter(date)).toBe(after);
    expect(shipped.onOrBefore(date)).toBe(before);
  });
});

describe('namedDay: anchors of relative rules (rules.yaml namedDays and holiday ids)', () => {
  it.each([
    ['tet_nguyen_dan', 2025, '2025-01-29', 'mùng 1 Tết Ất Tỵ (official-lunar.ts)'],
    ['tet_nguyen_dan', 2027, '2027-02-06', 'mùng 1 Tết Đinh Mùi (official-lunar.ts)'],
    ['tet_nguyen_dan', 2030, '2030-02-02', 'Vietnam, not China (03/02)'],
    ['tet_am_lich', 2026, '2026-02-17', 'a holiday id: its anchor, mùng 1, not the first day off'],
    ['gio_to_hung_vuong', 2026, '2026-04-26', '10/3 âm lịch (official-lunar.ts)'],
    ['gio_to_hung_vuong', 2023, '2023-04-29', '10/3 âm lịch, after the leap 2nd month of Quý Mão'],
    ['ong_cong_ong_tao', 2025, '2025-01-22', '23 tháng Chạp Giáp Thìn, Wednesday 22/01/2025'],
    ['trung_thu', 2025, '2025-10-06', 'Rằm tháng Tám Ất Tỵ, Monday 06/10/2025'],
    ['trung_thu', 2024, '2024-09-17', 'Rằm tháng Tám Giáp Thìn, Tuesday 17/09/2024'],
    ['thanh_lap_dang', 2027, '2027-02-03', 'solar 3/2'],
    ['sinh_nhat_bac_ho', 2030, '2030-05-19', 'solar 19/5'],
    ['quoc_khanh', 2025, '2025-09-02', 'a holiday id, solar 2/9'],
    ['giai_phong_mien_nam', 2031, '2031-04-30', 'a holiday id, solar 30/4'],
  ])('%s %i = %s (%s)', (id, year, date) => {
    expect(shipped.namedDay(id, year)).toBe(date);
    expect(statutory.namedDay(id, year)).toBe(date);
  });

  it('an unknown anchor ("tet") is refused and the message lists the known ones', () => {
    expect(() => shipped.namedDay('tet', 2025)).toThrow(/Không có ngày mốc "tet".*tet_nguyen_dan/);
    try {
      shipped.namedDay('tet', 2025);
    } catch (e) {
      expect((e as { code: string }).code).toBe('unknown_anchor');
    }
  });

  it('every id of rules.yaml is an anchor', () => {
    expect(shipped.anchorIds()).toEqual(expect.arrayContaining(['tet_nguyen_dan', 'trung_thu', 'tet_am_lich', 'gio_to_hung_vuong', 'quoc_khanh']));
  });
});
