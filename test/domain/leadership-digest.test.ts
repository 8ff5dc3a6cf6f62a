import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { addDays, daysBetween, weekday, type IsoDate } from '../../src/domain/civil-date.js';
import type { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import type { AssignmentStatus } from '../../src/domain/escalation.js';
import { buildLeadershipDigest, weekdaysFrom, type DigestFact } from '../../src/domain/leadership-digest.js';
import { shippedConfig } from '../support/shipped-config.js';

let calendar: WorkingCalendar;
beforeAll(async () => {
  ({ calendar } = await shippedConfig());
});

/** Monday 15/11/2027: overdue means due before it, upcoming due by Monday 29/11, late completed since Monday 8/11. */
const RUN_ON: IsoDate = '2027-11-15';

const UNITS = {
  a: { unitId: 'u-a', unitName: 'CĐCS Trường A' },
  b: { unitId: 'u-b', unitName: 'CĐCS Bệnh viện B' },
  c: { unitId: 'u-c', unitName: 'CĐCS Công ty C' },
  d: { unitId: 'u-d', unitName: 'CĐCS Đơn vị D' },
} as const;

const fact = (unit: keyof typeof UNITS, title: string, status: AssignmentStatus, due: IsoDate, completedOn: IsoDate | null = null): DigestFact => ({
  ...UNITS[unit],
  obligationId: `ob.${title}`,
  occurrenceKey: '2027',
  title,
  directiveNumber: '159/LĐLĐ',
  status,
  due,
  completedOn,
});

const FACTS: DigestFact[] = [
  fact('a', 'a1 pending, due 1/11', 'pending', '2027-11-01'), // overdue 10 working days
  fact('a', 'a2 overdue, due 12/11', 'overdue', '2027-11-12'), // overdue 1
  fact('a', 'a3 on time', 'done_on_time', '2027-11-10', '2027-11-09'),
  fact('a', 'a4 late, completed today', 'done_late', '2027-11-12', '2027-11-15'), // late 1
  fact('b', 'b1 extended, due 10/11', 'extended', '2027-11-10'), // overdue 3
  fact('b', 'b2 due today', 'pending', '2027-11-15'), // upcoming 0
  fact('b', 'b3 due in 14 days', 'pending', '2027-11-29'), // upcoming 10
  fact('b', 'b4 due in 15 days', 'pending', '2027-11-30'), // too far ahead
  fact('c', 'c1 late, completed 7 days ago', 'done_late', '2027-11-03', '2027-11-08'), // late 3
  fact('c', 'c2 late, completed 8 days ago', 'done_late', '2027-10-29', '2027-11-07'), // before the week
  fact('c', 'c3 waived', 'waived', '2027-11-01'),
  fact('c', 'c4 late, no completion date', 'done_late', '2027-11-01'),
  fact('c', 'c5 extended, due 22/11', 'extended', '2027-11-22'), // upcoming 5
  fact('d', 'd1 on time', 'done_on_time', '2027-11-01', '2027-10-30'),
  fact('d', 'd2 waived', 'waived', '2027-11-20'),
];

const digest = (facts: readonly DigestFact[] = FACTS, limits?: { units: number; lines: number }) =>
  buildLeadershipDigest({ runOn: RUN_ON, scopeUnitName: 'LĐLĐ Quận 1', facts, calendar, ...(limits ? { limits } : {}) });
const titles = (lines: readonly { title: string }[]) => lines.map((l) => l.title.split(' ')[0]);

describe('buildLeadershipDigest', () => {
  it('counts per unit, most overdue first; units with nothing to report are left out', () => {
    const g = digest();
    expect(g.units).toEqual([
      { unitId: 'u-a', unitName: 'CĐCS Trường A', overdue: 2, late: 1, upcoming: 0 },
      { unitId: 'u-b', unitName: 'CĐCS Bệnh viện B', overdue: 1, late: 0, upcoming: 2 },
      { unitId: 'u-c', unitName: 'CĐCS Công ty C', overdue: 0, late: 1, upcoming: 1 },
    ]);
    expect(g.totals).toEqual({ overdue: 3, late: 2, upcoming: 3, units: 3 });
    expect([g.kind, g.runOn, g.scopeUnitName]).toEqual(['digest', RUN_ON, 'LĐLĐ Quận 1']);
    expect([g.moreUnits, g.moreOverdue, g.moreLate, g.moreUpcoming]).toEqual([0, 0, 0, 0]);
  });

  it('overdue: open (pending, extended, overdue) and due before the run day, most working days overdue first', () => {
    expect(digest().overdue).toEqual([
      { unitName: 'CĐCS Trường A', title: 'a1 pending, due 1/11', directiveNumber: '159/LĐLĐ', due: '2027-11-01', workingDays: 10 },
      { unitName: 'CĐCS Bệnh viện B', title: 'b1 extended, due 10/11', directiveNumber: '159/LĐLĐ', due: '2027-11-10', workingDays: 3 },
      { unitName: 'CĐCS Trường A', title: 'a2 overdue, due 12/11', directiveNumber: '159/LĐLĐ', due: '2027-11-12', workingDays: 1 },
    ]);
  });

  it('upcoming: open and due from the run day to 14 days ahead, by due, with working days left', () => {
    const g = digest();
    expect(titles(g.upcoming)).toEqual(['b2', 'c5', 'b3']);
    expect(g.upcoming.map((l) => [l.due, l.workingDays])).toEqual([
      ['2027-11-15', 0],
      ['2027-11-22', 5],
      ['2027-11-29', 10],
    ]);
  });

  it('late: done_late completed within the last 7 days (not before), most working days late first', () => {
    const g = digest();
    expect(titles(g.late)).toEqual(['c1', 'a4']);
    expect(g.late.map((l) => [l.due, l.workingDays])).toEqual([
      ['2027-11-03', 3],
      ['2027-11-12', 1],
    ]);
  });

  it('done on time and waived never appear, however far past their due', () => {
    const g = digest();
    const all = [...g.overdue, ...g.late, ...g.upcoming].map((l) => l.title);
    for (const excluded of ['a3 on time', 'c3 waived', 'd1 on time', 'd2 waived', 'c2 late, completed 8 days ago', 'c4 late, no completion date', 'b4 due in 15 days']) {
      expect(all).not.toContain(excluded);
    }
  });

  it('limits cut the lists and say how many more there are; totals still count everything', () => {
    const g = digest(FACTS, { units: 2, lines: 1 });
    expect(g.units.map((u) => u.unitId)).toEqual(['u-a', 'u-b']);
    expect(g.moreUnits).toBe(1);
    expect([titles(g.overdue), g.moreOverdue]).toEqual([['a1'], 2]);
    expect([titles(g.late), g.moreLate]).toEqual([['c1'], 1]);
    expect([titles(g.upcoming), g.moreUpcoming]).toEqual([['b2'], 2]);
    expect(g.totals).toEqual({ overdue: 3, late: 2, upcoming: 3, units: 3 });
  });

  it('the default limits are 40 units and 25 lines', () => {
    const facts = Array.from({ length: 45 }, (_, i): DigestFact => ({
      ...fact('a', `t${i}`, 'pending', '2027-11-01'),
      unitId: `u${i}`,
      unitName: `Đơn vị ${String(i).padStart(2, '0')}`,
    }));
    const g = digest(facts);
    expect([g.units.length, g.moreUnits, g.overdue.length, g.moreOverdue]).toEqual([40, 5, 25, 20]);
  });

  it('ties: units with the same counts, and overdue lines with the same working days, go by unit name (Vietnamese order)', () => {
    const g = digest([
      { ...fact('a', 'x', 'pending', '2027-11-12'), unitId: 'u-dd', unitName: 'Đơn vị Đ' },
      { ...fact('a', 'y', 'pending', '2027-11-12'), unitId: 'u-e', unitName: 'Đơn vị E' },
      { ...fact('a', 'z', 'pending', '2027-11-12'), unitId: 'u-d', unitName: 'Đơn vị D' },
    ]);
    expect(g.units.map((u) => u.unitName)).toEqual(['Đơn vị D', 'Đơn vị Đ', 'Đơn vị E']);
    expect(g.overdue.map((l) => l.unitName)).toEqual(['Đơn vị D', 'Đơn vị Đ', 'Đơn vị E']);
  });

  it('nothing to report: empty lists and zero totals', () => {
    const g = digest([fact('d', 'd1', 'done_on_time', '2027-11-01', '2027-10-30')]);
    expect(g.totals).toEqual({ overdue: 0, late: 0, upcoming: 0, units: 0 });
    expect([g.units, g.overdue, g.late, g.upcoming]).toEqual([[], [], [], []]);
  });

  it('invariants over arbitrary facts: per-unit counts add up to the totals, each line in its window and order', () => {
    const statusArb = fc.constantFrom<AssignmentStatus>('pending', 'extended', 'overdue', 'done_on_time', 'done_late', 'waived');
    const dayArb = fc.integer({ min: -60, max: 40 }).map((n) => addDays(RUN_ON, n));
    const factArb = fc
      .record({ unit: fc.constantFrom('a' as const, 'b' as const, 'c' as const, 'd' as const), status: statusArb, due: dayArb, completedOn: fc.option(dayArb) })
      .map(({ unit, status, due, completedOn }) => fact(unit, `${status} ${due}`, status, due, completedOn));
    fc.assert(
      fc.property(fc.array(factArb, { maxLength: 40 }), (facts) => {
        const g = digest(facts);
        const sum = (k: 'overdue' | 'late' | 'upcoming') => g.units.reduce((n, u) => n + u[k], 0);
        expect([sum('overdue'), sum('late'), sum('upcoming')]).toEqual([g.totals.overdue, g.totals.late, g.totals.upcoming]);
        expect(g.totals.overdue + g.totals.late + g.totals.upcoming).toBeLessThanOrEqual(facts.length);
        for (const l of g.overdue) expect(l.due < RUN_ON && l.workingDays === calendar.workingDaysBetween(l.due, RUN_ON)).toBe(true);
        for (const l of g.upcoming) expect(l.due >= RUN_ON && daysBetween(RUN_ON, l.due) <= 14).toBe(true);
        for (let i = 1; i < g.overdue.length; i++) expect(g.overdue[i - 1]!.workingDays).toBeGreaterThanOrEqual(g.overdue[i]!.workingDays);
        for (let i = 1; i < g.upcoming.length; i++) expect(g.upcoming[i - 1]!.due <= g.upcoming[i]!.due).toBe(true);
        for (let i = 1; i < g.units.length; i++) expect(g.units[i - 1]!.overdue).toBeGreaterThanOrEqual(g.units[i]!.overdue);
        const expectedOverdue = facts.filter((f) => ['pending', 'extended', 'overdue'].includes(f.status) && f.due < RUN_ON).length;
        expect(g.totals.overdue).toBe(expectedOverdue);
      }),
    );
  });
});

describe('weekdaysFrom', () => {
  it.each([
    { from: '2027-11-01', weekday: 1, until: '2027-11-30', want: ['2027-11-01', '2027-11-08', '2027-11-15', '2027-11-22', '2027-11-29'] },
    { from: '2027-11-02', weekday: 1, until: '2027-11-28', want: ['2027-11-08', '2027-11-15', '2027-11-22'] },
    { from: '2027-10-25', weekday: 5, until: '2027-10-29', want: ['2027-10-29'] },
    { from: '2027-12-27', weekday: 7, until: '2028-01-09', want: ['2028-01-02', '2028-01-09'] },
    { from: '2027-11-02', weekday: 1, until: '2027-11-07', want: [] },
    { from: '2027-11-08', weekday: 1, until: '2027-11-01', want: [] },
  ])('weekday $weekday from $from to $until', ({ from, weekday: wd, until, want }) => {
    expect(weekdaysFrom(from, wd, until)).toEqual(want);
  });

  it('returns every date in [from, until] on that ISO weekday, and only those, in order', () => {
    const start: IsoDate = '2024-01-01';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 90 }), fc.integer({ min: 1, max: 7 }), (offset, span, wd) => {
        const from = addDays(start, offset);
        const until = addDays(from, span);
        const got = weekdaysFrom(from, wd, until);
        const want = Array.from({ length: span + 1 }, (_, i) => addDays(from, i)).filter((d) => weekday(d) === wd);
        expect(got).toEqual(want);
        for (let i = 1; i < got.length; i++) expect(daysBetween(got[i - 1]!, got[i]!)).toBe(7);
      }),
    );
  });
});
