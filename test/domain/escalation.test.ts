import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { addDays, daysBetween, type IsoDate } from '../../src/domain/civil-date.js';
import type { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { DomainError } from '../../src/domain/errors.js';
import {
  checkEscalationPolicy,
  completionStatus,
  DEFAULT_ESCALATION,
  escalationReachDays,
  escalationSchedule,
  isOpen,
  onTimeRate,
  openStatus,
  reportBucket,
  reportBucketOf,
  type AssignmentStatus,
  type EscalationLevel,
  type EscalationPolicy,
  type ReportBucket,
  statusOn,
} from '../../src/domain/escalation.js';
import { shippedConfig } from '../support/shipped-config.js';

let calendar: WorkingCalendar;
beforeAll(async () => {
  ({ calendar } = await shippedConfig());
});

/** [fireOn, level, repeat, workingDaysOverdue, who is told] for each notice, in schedule order. */
const schedule = (due: IsoDate, policy: EscalationPolicy = DEFAULT_ESCALATION) =>
  escalationSchedule(due, policy, calendar).map((f) => [f.fireOn, f.level, f.repeat, f.workingDaysOverdue, f.notify.kind]);

describe('escalationSchedule with the default policy (+1 and +3 working days, every 5 working days, 3 repeats)', () => {
  it('due Friday 29/10/2027: level 1 on Monday 1/11 across the weekend, level 2 on Wednesday 3/11, then every 5 working days', () => {
    expect(schedule('2027-10-29')).toEqual([
      ['2027-11-01', 1, 0, 1, 'unit_leader'],
      ['2027-11-03', 2, 0, 3, 'parent_leadership'],
      ['2027-11-08', 1, 1, 6, 'unit_leader'],
      ['2027-11-10', 2, 1, 8, 'parent_leadership'],
      ['2027-11-15', 1, 2, 11, 'unit_leader'],
      ['2027-11-17', 2, 2, 13, 'parent_leadership'],
      ['2027-11-22', 1, 3, 16, 'unit_leader'],
      ['2027-11-24', 2, 3, 18, 'parent_leadership'],
    ]);
  });

  it.each([
    // 2/9 (Thursday, National Day) and 3/9 (Friday, the adjacent day) are holidays, then the weekend.
    { name: 'due Wednesday 1/9/2027, before National Day', due: '2027-09-01', level1: '2027-09-06', level2: '2027-09-08', level1Repeat1: '2027-09-13' },
    // Tết 2027: 5–9/2 with substitute days 10–11/2; Friday 12/2 is the first working day after it.
    { name: 'due Thursday 4/2/2027, the last working day before Tết', due: '2027-02-04', level1: '2027-02-12', level2: '2027-02-16', level1Repeat1: '2027-02-19' },
    // The weekend after a Friday due does not count.
    { name: 'due Friday 29/10/2027', due: '2027-10-29', level1: '2027-11-01', level2: '2027-11-03', level1Repeat1: '2027-11-08' },
  ])('$name: level 1 on $level1, level 2 on $level2, first repeat of level 1 on $level1Repeat1', ({ due, level1, level2, level1Repeat1 }) => {
    const firings = escalationSchedule(due, DEFAULT_ESCALATION, calendar);
    const at = (level: number, repeat: number) => firings.find((f) => f.level === level && f.repeat === repeat)?.fireOn;
    expect([at(1, 0), at(2, 0), at(1, 1)]).toEqual([level1, level2, level1Repeat1]);
    expect(firings).toHaveLength(8);
  });

  it('workingDaysOverdue is the number of working days from the due to the notice', () => {
    for (const due of ['2027-10-29', '2027-09-01', '2027-02-04', '2026-02-13']) {
      for (const f of escalationSchedule(due, DEFAULT_ESCALATION, calendar)) {
        expect(f.workingDaysOverdue, `${due} L${f.level}.R${f.repeat}`).toBe(calendar.workingDaysBetween(due, f.fireOn));
      }
    }
  });

  it('maxRepeats 0: one notice per level; levels on the same day come out in level order', () => {
    const sameDay: EscalationPolicy = {
      levels: [
        { level: 1, afterWorkingDays: 2, notify: { kind: 'unit_leader' } },
        { level: 2, afterWorkingDays: 2, notify: { kind: 'contacts', contactIds: ['c1'] } },
      ],
      repeatEveryWorkingDays: 1,
      maxRepeats: 0,
    };
    expect(schedule('2027-10-29', sameDay)).toEqual([
      ['2027-11-02', 1, 0, 2, 'unit_leader'],
      ['2027-11-02', 2, 0, 2, 'contacts'],
    ]);
  });

  it('the default policy reaches at most 50 calendar days past the due', () => {
    expect(escalationReachDays(DEFAULT_ESCALATION)).toBe(50);
  });
});

describe('escalationSchedule invariants (dues in 2024–2027, arbitrary valid policies, shipped calendar)', () => {
  const FIRST: IsoDate = '2024-01-01';
  const dueArb = fc.integer({ min: 0, max: daysBetween(FIRST, '2027-12-31') }).map((n) => addDays(FIRST, n));
  /** Levels that climb (each at or after the previous one), as checkEscalationPolicy requires. */
  const policyArb: fc.Arbitrary<EscalationPolicy> = fc
    .record({
      gaps: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 4 }),
      first: fc.integer({ min: 1, max: 10 }),
      repeatEveryWorkingDays: fc.integer({ min: 1, max: 10 }),
      maxRepeats: fc.integer({ min: 0, max: 6 }),
    })
    .map(({ gaps, first, repeatEveryWorkingDays, maxRepeats }) => {
      let after = first;
      const levels: EscalationLevel[] = gaps.map((gap, i) => {
        if (i > 0) after += gap;
        return { level: i + 1, afterWorkingDays: after, notify: { kind: 'unit_leader' } };
      });
      return checkEscalationPolicy({ levels, repeatEveryWorkingDays, maxRepeats });
    });

  it('every notice is on a working day strictly after the due, sorted by date, levels × (maxRepeats + 1) in all', () => {
    fc.assert(
      fc.property(dueArb, policyArb, (due, policy) => {
        const firings = escalationSchedule(due, policy, calendar);
        expect(firings).toHaveLength(policy.levels.length * (policy.maxRepeats + 1));
        for (const f of firings) {
          expect(calendar.isWorkingDay(f.fireOn), f.fireOn).toBe(true);
          expect(f.fireOn > due, `${f.fireOn} after ${due}`).toBe(true);
          expect(f.workingDaysOverdue).toBe(calendar.workingDaysBetween(due, f.fireOn));
        }
        const dates = firings.map((f) => f.fireOn);
        expect(dates).toEqual([...dates].sort());
      }),
    );
  });

  it('for one level, each repeat is strictly later than the one before and the last lands within escalationReachDays', () => {
    fc.assert(
      fc.property(dueArb, policyArb, (due, policy) => {
        const firings = escalationSchedule(due, policy, calendar);
        for (const { level } of policy.levels) {
          const own = firings.filter((f) => f.level === level).sort((a, b) => a.repeat - b.repeat);
          expect(own.map((f) => f.repeat)).toEqual(Array.from({ length: policy.maxRepeats + 1 }, (_, i) => i));
          for (let i = 1; i < own.length; i++) expect(own[i]!.fireOn > own[i - 1]!.fireOn, `L${level} R${i}`).toBe(true);
        }
        const last = firings.at(-1)!.fireOn;
        expect(daysBetween(due, last)).toBeLessThanOrEqual(escalationReachDays(policy));
      }),
    );
  });
});

describe('checkEscalationPolicy', () => {
  const level = (n: number, afterWorkingDays: number): EscalationLevel => ({ level: n, afterWorkingDays, notify: { kind: 'unit_leader' } });
  const policy = (over: Partial<EscalationPolicy>): EscalationPolicy => ({ ...DEFAULT_ESCALATION, ...over });

  it('accepts the default policy and returns it', () => {
    expect(checkEscalationPolicy(DEFAULT_ESCALATION)).toBe(DEFAULT_ESCALATION);
  });

  it.each([
    { name: 'levels at the same day', p: policy({ levels: [level(1, 2), level(2, 2)] }) },
    { name: 'afterWorkingDays 250', p: policy({ levels: [level(1, 250)] }) },
    { name: 'maxRepeats 0', p: policy({ maxRepeats: 0 }) },
    { name: 'maxRepeats 50', p: policy({ maxRepeats: 50 }) },
  ])('accepts $name', ({ p }) => {
    expect(checkEscalationPolicy(p)).toBe(p);
  });

  it.each([
    { name: 'no levels', p: policy({ levels: [] }) },
    { name: 'afterWorkingDays 0', p: policy({ levels: [level(1, 0)] }) },
    { name: 'afterWorkingDays 251', p: policy({ levels: [level(1, 251)] }) },
    { name: 'afterWorkingDays 1.5', p: policy({ levels: [level(1, 1.5)] }) },
    { name: 'a later level earlier than a previous one', p: policy({ levels: [level(1, 3), level(2, 1)] }) },
    { name: 'a third level earlier than the second', p: policy({ levels: [level(1, 1), level(2, 5), level(3, 4)] }) },
    { name: 'repeatEveryWorkingDays 0', p: policy({ repeatEveryWorkingDays: 0 }) },
    { name: 'repeatEveryWorkingDays 2.5', p: policy({ repeatEveryWorkingDays: 2.5 }) },
    { name: 'maxRepeats -1', p: policy({ maxRepeats: -1 }) },
    { name: 'maxRepeats 51', p: policy({ maxRepeats: 51 }) },
  ])('rejects $name', ({ p }) => {
    let thrown: unknown;
    try {
      checkEscalationPolicy(p);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe('invalid_rule');
  });
});

describe('statuses and report buckets', () => {
  it.each([
    { completedOn: '2027-10-28', due: '2027-10-29', want: 'done_on_time' },
    { completedOn: '2027-10-29', due: '2027-10-29', want: 'done_on_time' },
    { completedOn: '2027-10-30', due: '2027-10-29', want: 'done_late' },
    { completedOn: '2028-01-01', due: '2027-12-31', want: 'done_late' },
  ])('completionStatus: completed $completedOn, due $due → $want', ({ completedOn, due, want }) => {
    expect(completionStatus(completedOn, due)).toBe(want);
  });

  it.each([
    { due: '2027-10-29', today: '2027-10-28', extended: false, want: 'pending' },
    { due: '2027-10-29', today: '2027-10-29', extended: false, want: 'pending' },
    { due: '2027-10-29', today: '2027-10-29', extended: true, want: 'extended' },
    { due: '2027-10-29', today: '2027-10-30', extended: false, want: 'overdue' },
    { due: '2027-10-29', today: '2027-10-30', extended: true, want: 'overdue' },
  ])('openStatus: due $due, today $today, extended $extended → $want', ({ due, today, extended, want }) => {
    expect(openStatus(due, today, extended)).toBe(want);
  });

  it.each<{ status: AssignmentStatus; open: boolean; beforeDue: ReportBucket; afterDue: ReportBucket }>([
    { status: 'pending', open: true, beforeDue: 'upcoming', afterDue: 'overdue' },
    { status: 'extended', open: true, beforeDue: 'upcoming', afterDue: 'overdue' },
    { status: 'overdue', open: true, beforeDue: 'upcoming', afterDue: 'overdue' },
    { status: 'done_on_time', open: false, beforeDue: 'onTime', afterDue: 'onTime' },
    { status: 'done_late', open: false, beforeDue: 'late', afterDue: 'late' },
    { status: 'waived', open: false, beforeDue: 'waived', afterDue: 'waived' },
  ])('$status: open $open, bucket $beforeDue up to the due and $afterDue after it', ({ status, open, beforeDue, afterDue }) => {
    expect(isOpen(status)).toBe(open);
    expect(reportBucket(status, '2027-10-29', '2027-10-29')).toBe(beforeDue);
    expect(reportBucket(status, '2027-10-29', '2027-10-30')).toBe(afterDue);
    expect(reportBucketOf(status, false)).toBe(beforeDue);
    expect(reportBucketOf(status, true)).toBe(afterDue);
  });

  it.each([
    { counts: { onTime: 0, late: 0, overdue: 0 }, want: null },
    { counts: { onTime: 3, late: 0, overdue: 0 }, want: 1 },
    { counts: { onTime: 0, late: 2, overdue: 1 }, want: 0 },
    { counts: { onTime: 1, late: 1, overdue: 0 }, want: 0.5 },
    { counts: { onTime: 1, late: 1, overdue: 1 }, want: 0.333 },
    { counts: { onTime: 2, late: 0, overdue: 1 }, want: 0.667 },
    { counts: { onTime: 1, late: 5, overdue: 0 }, want: 0.167 },
  ])('onTimeRate $counts → $want', ({ counts, want }) => {
    expect(onTimeRate(counts)).toBe(want);
  });
});

describe('statusOn: an open assignment past its due reads as overdue before the sweep writes it', () => {
  const cases: [Parameters<typeof statusOn>[0], string, string][] = [
    ['pending', '2027-11-01', 'overdue'],
    ['extended', '2027-11-01', 'overdue'],
    ['overdue', '2027-11-01', 'overdue'],
    ['pending', '2027-11-02', 'pending'],
    ['extended', '2027-11-03', 'extended'],
    ['done_late', '2027-11-01', 'done_late'],
    ['done_on_time', '2027-11-01', 'done_on_time'],
    ['waived', '2027-11-01', 'waived'],
  ];
  for (const [status, due, expected] of cases) {
    it(`${status}, due ${due}, on 2027-11-02 → ${expected}`, () => expect(statusOn(status, due, '2027-11-02')).toBe(expected));
  }
});
