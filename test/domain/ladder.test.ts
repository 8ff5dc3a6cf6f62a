import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { DEFAULT_LADDER, parseLadder, remindersFor } from '../../src/domain/ladder.js';
import { occurrencesBetween } from '../../src/domain/occurrences.js';
import { shippedConfig } from '../support/shipped-config.js';

let calendar: WorkingCalendar;
beforeAll(async () => {
  ({ calendar } = await shippedConfig());
});

const reminders = (nominalDue: string, ladder = DEFAULT_LADDER, fireTime = '08:00') =>
  remindersFor({ key: 'k', nominalDue, effectiveDue: nominalDue }, ladder, calendar, fireTime).map((r) => [r.fireOn, r.steps.join('+'), r.fireAt]);

describe('the default ladder: 30 days, 7 days, 3 working days, 1 working day, due day, at 08:00 local', () => {
  it.each([
    {
      name: 'due Thursday 21/5/2020: every step on its own day',
      due: '2020-05-21',
      want: [
        ['2020-04-21', '30d', '2020-04-21T08:00:00+07:00'],
        ['2020-05-14', '7d', '2020-05-14T08:00:00+07:00'],
        ['2020-05-18', '3wd', '2020-05-18T08:00:00+07:00'],
        ['2020-05-20', '1wd', '2020-05-20T08:00:00+07:00'],
        ['2020-05-21', '0d', '2020-05-21T08:00:00+07:00'],
      ],
    },
    {
      // 30/10/2027 is a Saturday: the due-day step moves to Friday 29/10 and merges with "1 working day before".
      // 30 days before is Thursday 30/9; 7 days before is Saturday 23/10 → Friday 22/10; 3 wd before: Wed 27/10.
      name: 'due Saturday 30/10/2027: weekend steps move back and merge',
      due: '2027-10-30',
      want: [
        ['2027-09-30', '30d', '2027-09-30T08:00:00+07:00'],
        ['2027-10-22', '7d', '2027-10-22T08:00:00+07:00'],
        ['2027-10-27', '3wd', '2027-10-27T08:00:00+07:00'],
        ['2027-10-29', '1wd+0d', '2027-10-29T08:00:00+07:00'],
      ],
    },
    {
      // Due Wednesday 25/2/2026, just after the Tết break 14–22/2: 3 working days before is Fri 13/2, and 7 days before
      // (Wed 18/2, Tết) moves back to Fri 13/2 too: they merge.
      name: 'due just after Tết 2026: steps inside the break move before it',
      due: '2026-02-25',
      want: [
        ['2026-01-26', '30d', '2026-01-26T08:00:00+07:00'],
        ['2026-02-13', '7d+3wd', '2026-02-13T08:00:00+07:00'],
        ['2026-02-24', '1wd', '2026-02-24T08:00:00+07:00'],
        ['2026-02-25', '0d', '2026-02-25T08:00:00+07:00'],
      ],
    },
  ])('$name', ({ due, want }) => {
    expect(reminders(due)).toEqual(want);
  });

  it('a swap_work Saturday is a working day for reminders (Saturday 10/1/2026, làm bù)', () => {
    expect(reminders('2026-01-10', parseLadder(['0d']))).toEqual([['2026-01-10', '0d', '2026-01-10T08:00:00+07:00']]);
  });

  it('fires at the configured time of day', () => {
    expect(reminders('2020-05-21', parseLadder(['0d']), '07:30')).toEqual([['2020-05-21', '0d', '2020-05-21T07:30:00+07:00']]);
  });

  it('counts back from the nominal due, not the effective one', () => {
    // "trước ngày 31/5/2023": nominal due 30/5; the due-day reminder is on 30/5.
    const [occ] = occurrencesBetween({ kind: 'once', date: '2023-05-31', bound: 'before' }, '2023-01-01', '2023-12-31', calendar);
    const r = remindersFor(occ!, DEFAULT_LADDER, calendar);
    expect(r.at(-1)?.fireOn).toBe('2023-05-30');
  });
});

describe('parseLadder', () => {
  it('reads durations and keeps the farthest first', () => {
    expect(parseLadder(['1wd', '0d', '30d', '3wd', '7d']).map((s) => s.id)).toEqual(['30d', '7d', '3wd', '1wd', '0d']);
    expect(parseLadder(['14D', ' 2wd '])).toEqual([
      { id: '14d', offset: 14, unit: 'days' },
      { id: '2wd', offset: 2, unit: 'working_days' },
    ]);
  });

  it.each([
    ['not a list', '30d', /danh sách/],
    ['an empty list', [], /danh sách/],
    ['a word', ['30d', 'tomorrow'], /Bước nhắc thứ 2 \("tomorrow"\) không phải khoảng thời gian/],
    ['a number without unit', [7], /Bước nhắc thứ 1 \(7\)/],
    ['a negative duration', ['-3d'], /không phải khoảng thời gian/],
    ['hours', ['12h'], /không phải khoảng thời gian/],
    ['too far', ['400d'], /quá xa/],
    ['a duplicate', ['7d', '7d'], /"7d" bị lặp/],
  ])('refuses %s', (_name, input, message) => {
    expect(() => parseLadder(input)).toThrow(message);
    try {
      parseLadder(input);
    } catch (e) {
      expect((e as { code: string }).code).toBe('invalid_ladder');
    }
  });
});
