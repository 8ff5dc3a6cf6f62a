import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { describeRule } from '../../src/domain/describe.js';
import { validateRule, type DueRule } from '../../src/domain/due-rule.js';
import { occurrencesBetween } from '../../src/domain/occurrences.js';
import { shippedConfig } from '../support/shipped-config.js';

let calendar: WorkingCalendar;
beforeAll(async () => {
  ({ calendar } = await shippedConfig());
});

type Expect = { key: string; nominalDue: string; effectiveDue?: string; literalDate?: string; windowStart?: string };

// Every phrase of DESIGN §3, as a directive writes it, with the rule it means and its dates.
const PHRASES: { phrase: string; rule: DueRule; from: string; to: string; words: string; expected: Expect[] }[] = [
  {
    phrase: 'chậm nhất ngày 21/5/2020',
    rule: { kind: 'once', date: '2020-05-21', bound: 'no_later_than' },
    from: '2020-01-01', to: '2020-12-31',
    words: 'chậm nhất ngày 21/05/2020',
    expected: [{ key: 'once', nominalDue: '2020-05-21', effectiveDue: '2020-05-21' }],
  },
  {
    phrase: 'trước ngày 31/5/2023 (a Wednesday: due by the end of 30/5)',
    rule: { kind: 'once', date: '2023-05-31', bound: 'before' },
    from: '2023-01-01', to: '2023-12-31',
    words: 'trước ngày 31/05/2023',
    expected: [{ key: 'once', nominalDue: '2023-05-30', effectiveDue: '2023-05-30', literalDate: '2023-05-31' }],
  },
  {
    phrase: 'hoàn thành trước 31/7/2023 (30/7 is a Sunday: effective Monday 31/7)',
    rule: { kind: 'once', date: '2023-07-31', bound: 'before' },
    from: '2023-01-01', to: '2023-12-31',
    words: 'trước ngày 31/07/2023',
    expected: [{ key: 'once', nominalDue: '2023-07-30', effectiveDue: '2023-07-31', literalDate: '2023-07-31' }],
  },
  {
    phrase: 'ngày 30/10 hàng năm (30/10/2027 is a Saturday)',
    rule: { kind: 'yearly', month: 10, day: 30 },
    from: '2026-01-01', to: '2027-12-31',
    words: 'hằng năm, ngày 30/10',
    expected: [
      { key: '2026', nominalDue: '2026-10-30', effectiveDue: '2026-10-30' },
      { key: '2027', nominalDue: '2027-10-30', effectiveDue: '2027-11-01' },
    ],
  },
  {
    phrase: 'Hàng năm (no date: 31/12; 31/12/2022 is a Saturday, 1/1/2023 a holiday on Sunday with its substitute on Monday 2/1)',
    rule: { kind: 'yearly' },
    from: '2022-01-01', to: '2022-12-31',
    words: 'hằng năm (mặc định ngày 31/12)',
    expected: [{ key: '2022', nominalDue: '2022-12-31', effectiveDue: '2023-01-03' }],
  },
  {
    phrase: 'báo cáo 6 tháng (defaults 15/6 and 15/12)',
    rule: { kind: 'semiannual' },
    from: '2027-01-01', to: '2027-12-31',
    words: 'định kỳ 6 tháng, ngày 15/06 và 15/12 (mặc định)',
    expected: [
      { key: '2027-H1', nominalDue: '2027-06-15', effectiveDue: '2027-06-15', windowStart: '2027-01-01' },
      { key: '2027-H2', nominalDue: '2027-12-15', effectiveDue: '2027-12-15', windowStart: '2027-07-01' },
    ],
  },
  {
    phrase: 'hàng quý (last day of each quarter)',
    rule: { kind: 'quarterly' },
    from: '2027-01-01', to: '2027-12-31',
    words: 'hằng quý, ngày cuối quý',
    expected: [
      { key: '2027-Q1', nominalDue: '2027-03-31', effectiveDue: '2027-03-31' },
      { key: '2027-Q2', nominalDue: '2027-06-30', effectiveDue: '2027-06-30' },
      { key: '2027-Q3', nominalDue: '2027-09-30', effectiveDue: '2027-09-30' },
      { key: '2027-Q4', nominalDue: '2027-12-31', effectiveDue: '2027-12-31' },
    ],
  },
  {
    phrase: '1 lần/quý, ngày 20 tháng đầu quý',
    rule: { kind: 'quarterly', monthOfQuarter: 1, day: 20 },
    from: '2027-01-01', to: '2027-06-30',
    words: 'hằng quý, ngày 20 tháng đầu quý',
    expected: [
      { key: '2027-Q1', nominalDue: '2027-01-20', effectiveDue: '2027-01-20' },
      { key: '2027-Q2', nominalDue: '2027-04-20', effectiveDue: '2027-04-20' },
    ],
  },
  {
    phrase: 'chậm nhất ngày 15 hằng tháng (15/5/2027 is a Saturday)',
    rule: { kind: 'monthly', day: 15 },
    from: '2027-04-01', to: '2027-05-31',
    words: 'hằng tháng, ngày 15',
    expected: [
      { key: '2027-04', nominalDue: '2027-04-15', effectiveDue: '2027-04-15' },
      { key: '2027-05', nominalDue: '2027-05-15', effectiveDue: '2027-05-17' },
    ],
  },
  {
    phrase: 'ngày 31 hằng tháng (clamps to the month end; leap February; Sunday 30/4/2028 → 1/5 holiday, 2/5 its substitute → Wednesday 3/5)',
    rule: { kind: 'monthly', day: 31 },
    from: '2028-02-01', to: '2028-04-30',
    words: 'hằng tháng, ngày 31',
    expected: [
      { key: '2028-02', nominalDue: '2028-02-29', effectiveDue: '2028-02-29' },
      { key: '2028-03', nominalDue: '2028-03-31', effectiveDue: '2028-03-31' },
      { key: '2028-04', nominalDue: '2028-04-30', effectiveDue: '2028-05-03' },
    ],
  },
  {
    phrase: 'trong Quý II/2021',
    rule: { kind: 'period', window: { unit: 'quarter', year: 2021, quarter: 2 } },
    from: '2021-01-01', to: '2021-12-31',
    words: 'trong Quý II/2021',
    expected: [{ key: '2021-Q2', nominalDue: '2021-06-30', effectiveDue: '2021-06-30', windowStart: '2021-04-01' }],
  },
  {
    phrase: 'quý 3/2022',
    rule: { kind: 'period', window: { unit: 'quarter', year: 2022, quarter: 3 } },
    from: '2022-01-01', to: '2022-12-31',
    words: 'trong Quý III/2022',
    expected: [{ key: '2022-Q3', nominalDue: '2022-09-30', effectiveDue: '2022-09-30', windowStart: '2022-07-01' }],
  },
  {
    phrase: 'tháng 11 năm 2022 tiến hành sơ kết (30/11/2022 is a Wednesday)',
    rule: { kind: 'period', window: { unit: 'month', year: 2022, month: 11 } },
    from: '2022-01-01', to: '2022-12-31',
    words: 'trong tháng 11/2022',
    expected: [{ key: '2022-11', nominalDue: '2022-11-30', effectiveDue: '2022-11-30', windowStart: '2022-11-01' }],
  },
  {
    phrase: 'trong năm 2021',
    rule: { kind: 'period', window: { unit: 'year', year: 2021 } },
    from: '2021-01-01', to: '2021-12-31',
    words: 'trong năm 2021',
    expected: [{ key: '2021', nominalDue: '2021-12-31', effectiveDue: '2021-12-31', windowStart: '2021-01-01' }],
  },
  {
    phrase: 'năm 2023 sơ kết (31/12/2023 is a Sunday; 1/1/2024 a holiday)',
    rule: { kind: 'period', window: { unit: 'year', year: 2023 } },
    from: '2023-01-01', to: '2023-12-31',
    words: 'trong năm 2023',
    expected: [{ key: '2023', nominalDue: '2023-12-31', effectiveDue: '2024-01-02', windowStart: '2023-01-01' }],
  },
  {
    phrase: '6 tháng đầu năm 2027',
    rule: { kind: 'period', window: { unit: 'half', year: 2027, half: 1 } },
    from: '2027-01-01', to: '2027-12-31',
    words: '6 tháng đầu năm 2027',
    expected: [{ key: '2027-H1', nominalDue: '2027-06-30', effectiveDue: '2027-06-30', windowStart: '2027-01-01' }],
  },
  {
    phrase: 'từ ngày 01/3/2024 đến ngày 15/4/2024',
    rule: { kind: 'period', window: { unit: 'range', start: '2024-03-01', end: '2024-04-15' } },
    from: '2024-01-01', to: '2024-12-31',
    words: 'từ ngày 01/03/2024 đến ngày 15/04/2024',
    expected: [{ key: '2024-03-01_2024-04-15', nominalDue: '2024-04-15', effectiveDue: '2024-04-15', windowStart: '2024-03-01' }],
  },
  {
    phrase: 'Thường xuyên',
    rule: { kind: 'continuous' },
    from: '2020-01-01', to: '2030-12-31',
    words: 'thường xuyên',
    expected: [],
  },
  {
    phrase: 'Thường xuyên, báo cáo hằng quý',
    rule: { kind: 'continuous', checkIn: 'quarterly' },
    from: '2027-01-01', to: '2027-06-30',
    words: 'thường xuyên (báo cáo hằng quý)',
    expected: [
      { key: '2027-Q1', nominalDue: '2027-03-31', effectiveDue: '2027-03-31' },
      { key: '2027-Q2', nominalDue: '2027-06-30', effectiveDue: '2027-06-30' },
    ],
  },
  {
    phrase: 'trước Tết Nguyên đán 7 ngày (Tết 2027 is 6/2; 30/1 is a Saturday → Monday 1/2)',
    rule: { kind: 'relative', anchor: 'tet_nguyen_dan', offsetDays: -7 },
    from: '2027-01-01', to: '2027-12-31',
    words: '7 ngày trước Tết Nguyên đán, hằng năm',
    expected: [{ key: '2027', nominalDue: '2027-01-30', effectiveDue: '2027-02-01' }],
  },
  {
    phrase: 'dịp 19/5 (the day itself, 2026: Tuesday)',
    rule: { kind: 'relative', anchor: 'sinh_nhat_bac_ho', offsetDays: 0, year: 2026 },
    from: '2020-01-01', to: '2030-12-31',
    words: 'đúng Ngày sinh Chủ tịch Hồ Chí Minh (19/5) năm 2026',
    expected: [{ key: '2026', nominalDue: '2026-05-19', effectiveDue: '2026-05-19' }],
  },
  {
    phrase: 'RRULE escape hatch: the second Monday of March and September',
    rule: { kind: 'rrule', rrule: 'FREQ=MONTHLY;BYMONTH=3,9;BYDAY=2MO', start: '2027-01-01' },
    from: '2027-01-01', to: '2027-12-31',
    words: 'theo lịch lặp FREQ=MONTHLY;BYMONTH=3,9;BYDAY=2MO từ ngày 01/01/2027',
    expected: [
      { key: '2027-03-08', nominalDue: '2027-03-08', effectiveDue: '2027-03-08' },
      { key: '2027-09-13', nominalDue: '2027-09-13', effectiveDue: '2027-09-13' },
    ],
  },
];

describe('every due-rule phrase of DESIGN §3', () => {
  it.each(PHRASES)('$phrase', ({ rule, from, to, words, expected }) => {
    validateRule(rule);
    const got = occurrencesBetween(rule, from, to, calendar);
    expect(got.map((o) => ({ key: o.key, nominalDue: o.nominalDue, effectiveDue: o.effectiveDue, ...(o.literalDate ? { literalDate: o.literalDate } : {}), ...(o.windowStart && expected.some((e) => e.windowStart) ? { windowStart: o.windowStart } : {}) }))).toEqual(expected);
    const names: Record<string, string> = { tet_nguyen_dan: 'Tết Nguyên đán', sinh_nhat_bac_ho: 'Ngày sinh Chủ tịch Hồ Chí Minh (19/5)' };
    expect(describeRule(rule, (id) => names[id] ?? id)).toBe(words);
  });
});

describe('events: "khi có phát sinh"', () => {
  it('on_event is due N working days after each recorded event', () => {
    // Event on Thursday 28/1/2027; 5 working days: Fri 29, Mon 1/2, Tue 2, Wed 3, Thu 4/2.
    const got = occurrencesBetween({ kind: 'on_event', workingDays: 5 }, '2027-01-01', '2027-12-31', calendar, { events: ['2027-01-28'] });
    expect(got).toEqual([{ key: 'event-2027-01-28', nominalDue: '2027-02-04', effectiveDue: '2027-02-04', eventOn: '2027-01-28' }]);
  });

  it('counts across Tết: an event on Friday 13/2/2026 with 5 working days lands on Friday 27/2', () => {
    // 16–20/2/2026 are the decreed Tết days, 14–15 and 21–22 weekends.
    const got = occurrencesBetween({ kind: 'on_event', workingDays: 5 }, '2026-01-01', '2026-12-31', calendar, { events: ['2026-02-13'] });
    expect(got.map((o) => o.nominalDue)).toEqual(['2026-02-27']);
  });

  it('"chậm nhất ngày 31/10/2021 hoặc khi có phát sinh" has the fixed date and one occurrence per event', () => {
    const rule: DueRule = { kind: 'once', date: '2021-10-31', bound: 'no_later_than', orOnEvent: { workingDays: 5 } };
    const got = occurrencesBetween(rule, '2021-01-01', '2021-12-31', calendar, { events: ['2021-06-01'] });
    expect(got.map((o) => [o.key, o.nominalDue, o.effectiveDue])).toEqual([
      ['event-2021-06-01', '2021-06-08', '2021-06-08'],
      ['once', '2021-10-31', '2021-11-01'],
    ]);
    expect(describeRule(rule)).toBe('chậm nhất ngày 31/10/2021 hoặc khi có phát sinh (trong 5 ngày làm việc)');
  });

  it('with no recorded event there is no occurrence', () => {
    expect(occurrencesBetween({ kind: 'on_event', workingDays: 5 }, '2020-01-01', '2030-12-31', calendar)).toEqual([]);
  });
});

describe('roll policies (Civil Code 2015 art. 148(5))', () => {
  // 30/10/2027 is a Saturday.
  const rule: DueRule = { kind: 'yearly', month: 10, day: 30 };
  it.each([
    ['next_working_day', '2027-11-01'],
    ['previous_working_day', '2027-10-29'],
    ['keep', '2027-10-30'],
  ] as const)('%s → %s', (roll, effective) => {
    const [occ] = occurrencesBetween(rule, '2027-01-01', '2027-12-31', calendar, { roll });
    expect(occ?.effectiveDue).toBe(effective);
    expect(occ?.nominalDue).toBe('2027-10-30');
  });
});

describe('validity window', () => {
  it('drops occurrences due outside validFrom/validUntil (nhiệm kỳ 2020–2025)', () => {
    const got = occurrencesBetween({ kind: 'yearly', month: 10, day: 30 }, '2018-01-01', '2030-12-31', calendar, { validFrom: '2020-04-14', validUntil: '2025-12-31' });
    expect(got.map((o) => o.key)).toEqual(['2020', '2021', '2022', '2023', '2024', '2025']);
  });
});

describe('invalid input is a typed domain error with a clear message', () => {
  const cases: { name: string; rule: DueRule; code: string; message: RegExp }[] = [
    { name: '31/2/2023', rule: { kind: 'once', date: '2023-02-31', bound: 'no_later_than' }, code: 'invalid_date', message: /2023-02-31 không tồn tại/ },
    { name: 'month 13', rule: { kind: 'yearly', month: 13, day: 1 }, code: 'invalid_month', message: /Tháng 13 không tồn tại/ },
    { name: 'yearly 31/4', rule: { kind: 'yearly', month: 4, day: 31 }, code: 'invalid_date', message: /31\/4 không tồn tại/ },
    { name: 'quarter V', rule: { kind: 'period', window: { unit: 'quarter', year: 2021, quarter: 5 } }, code: 'invalid_quarter', message: /Quý 5 không tồn tại/ },
    { name: 'period month 13', rule: { kind: 'period', window: { unit: 'month', year: 2021, month: 13 } }, code: 'invalid_month', message: /Tháng 13/ },
    { name: 'window end before start', rule: { kind: 'period', window: { unit: 'range', start: '2024-04-15', end: '2024-03-01' } }, code: 'invalid_window', message: /kết thúc \(2024-03-01\) trước khi bắt đầu \(2024-04-15\)/ },
    { name: 'monthly day 32', rule: { kind: 'monthly', day: 32 }, code: 'invalid_day', message: /Ngày 32 không hợp lệ/ },
    { name: 'yearly with a month but no day', rule: { kind: 'yearly', month: 10 }, code: 'invalid_rule', message: /cả tháng và ngày/ },
    { name: 'semiannual dates in the wrong halves', rule: { kind: 'semiannual', dates: [{ month: 8, day: 1 }, { month: 12, day: 1 }] }, code: 'invalid_rule', message: /tháng 1–6/ },
    { name: 'unparseable RRULE', rule: { kind: 'rrule', rrule: 'FREQ=SOMETIMES', start: '2027-01-01' }, code: 'invalid_rule', message: /RRULE/ },
    { name: 'negative working days', rule: { kind: 'on_event', workingDays: -1 }, code: 'invalid_rule', message: /ngày làm việc/ },
    { name: 'unknown kind', rule: { kind: 'fortnightly' } as unknown as DueRule, code: 'invalid_rule', message: /"fortnightly" không tồn tại/ },
  ];
  it.each(cases)('$name', ({ rule, code, message }) => {
    expect(() => validateRule(rule)).toThrow(message);
    try {
      validateRule(rule);
    } catch (e) {
      expect((e as { code: string }).code).toBe(code);
      expect((e as Error).name).toBe('DomainError');
    }
  });

  it('a relative rule with an unknown anchor fails when it is computed', () => {
    expect(() => occurrencesBetween({ kind: 'relative', anchor: 'ngay_khong_co', offsetDays: 0 }, '2027-01-01', '2027-12-31', calendar)).toThrow(/Không có ngày mốc "ngay_khong_co"/);
  });

  it('a window that ends before it starts is refused', () => {
    expect(() => occurrencesBetween({ kind: 'yearly' }, '2027-12-31', '2027-01-01', calendar)).toThrow(/kết thúc/);
  });
});

describe('relative rules at the edge of their range', () => {
  it('366 days before Tết Dương lịch 2030 is found in a one-day window', () => {
    const rule: DueRule = { kind: 'relative', anchor: 'tet_duong_lich', offsetDays: -366 };
    expect(occurrencesBetween(rule, '2028-12-31', '2028-12-31', calendar).map((o) => [o.key, o.nominalDue])).toEqual([['2030', '2028-12-31']]);
  });
});
