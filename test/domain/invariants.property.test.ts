import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { dateHolidaysLunar } from '../../src/adapters/lunar/date-holidays-lunar.js';
import { addDays, daysBetween, daysInMonth, weekday, yearOf, ymd, type IsoDate } from '../../src/domain/civil-date.js';
import { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { validateRule, type Cadence, type DueRule, type RollPolicy } from '../../src/domain/due-rule.js';
import { parseLadder, remindersFor, type ReminderLadder } from '../../src/domain/ladder.js';
import { occurrencesBetween, type OccurrenceOptions } from '../../src/domain/occurrences.js';
import { shippedConfig } from '../support/shipped-config.js';

/**
 * Invariants of due rules, occurrences, reminders and the working calendar, over arbitrary
 * valid rules and windows within 2020–2035, on the shipped calendar (config/ as shipped) and
 * on a calendar with the statutory rules and no decree.
 */
let calendar: WorkingCalendar;
let statutory: WorkingCalendar;
beforeAll(async () => {
  ({ calendar } = await shippedConfig());
  statutory = new WorkingCalendar(calendar.rules, [], dateHolidaysLunar());
});

const FIRST: IsoDate = '2020-01-01';
const LAST: IsoDate = '2035-12-31';
const SPAN = daysBetween(FIRST, LAST);

// ---------------------------------------------------------------- arbitraries

/** A date in [lo, hi]. */
const dateIn = (lo: IsoDate = FIRST, hi: IsoDate = LAST) => fc.integer({ min: 0, max: daysBetween(lo, hi) }).map((n) => addDays(lo, n));
const anyDate = dateIn();

/**
 * [from, to] within 2020–2035: mostly up to four years wide, sometimes the whole range;
 * sometimes starting on 1/1 and/or ending on 31/12, where year loops have their edges.
 */
const windowArb = fc
  .tuple(
    fc.integer({ min: 0, max: SPAN }),
    fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 1500 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: SPAN }) }),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([start, width, snapFrom, snapTo]) => {
    let from = addDays(FIRST, start);
    let to = addDays(FIRST, Math.min(SPAN, start + width));
    if (snapFrom) from = `${yearOf(from)}-01-01`;
    if (snapTo) to = `${yearOf(to)}-12-31`;
    return { from, to };
  });

const yearArb = fc.integer({ min: 2019, max: 2036 });
const monthDayIn = (lo: number, hi: number) =>
  fc.integer({ min: lo, max: hi }).chain((month) => fc.integer({ min: 1, max: daysInMonth(2024, month) }).map((day) => ({ month, day })));
/** Days 29–31 and "last" are the interesting ones: they clamp. */
const dayOfMonth = fc.oneof(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 28, max: 31 }), fc.constant('last' as const));
const cadence = fc.constantFrom<Cadence>('monthly', 'quarterly', 'semiannual', 'yearly');

function ruleArb(anchors: readonly string[]): fc.Arbitrary<DueRule> {
  const once = fc.record({ date: anyDate, bound: fc.constantFrom('no_later_than' as const, 'before' as const) }).map((r): DueRule => ({ kind: 'once', ...r }));
  const yearly = fc.oneof(fc.constant<DueRule>({ kind: 'yearly' }), monthDayIn(1, 12).map((md): DueRule => ({ kind: 'yearly', ...md })));
  const semiannual = fc.oneof(
    fc.constant<DueRule>({ kind: 'semiannual' }),
    fc.tuple(monthDayIn(1, 6), monthDayIn(7, 12)).map((dates): DueRule => ({ kind: 'semiannual', dates })),
  );
  const quarterly = fc
    .record({ monthOfQuarter: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), day: fc.option(dayOfMonth, { nil: undefined }) })
    .map(({ monthOfQuarter, day }): DueRule => ({
      kind: 'quarterly',
      ...(monthOfQuarter !== undefined && { monthOfQuarter }),
      ...(day !== undefined && { day }),
    }));
  const monthly = dayOfMonth.map((day): DueRule => ({ kind: 'monthly', day }));
  const period = fc.oneof(
    fc.record({ year: yearArb, quarter: fc.integer({ min: 1, max: 4 }) }).map((w): DueRule => ({ kind: 'period', window: { unit: 'quarter', ...w } })),
    fc.record({ year: yearArb, month: fc.integer({ min: 1, max: 12 }) }).map((w): DueRule => ({ kind: 'period', window: { unit: 'month', ...w } })),
    yearArb.map((year): DueRule => ({ kind: 'period', window: { unit: 'year', year } })),
    fc.record({ year: yearArb, half: fc.constantFrom(1, 2) }).map((w): DueRule => ({ kind: 'period', window: { unit: 'half', ...w } })),
    fc.tuple(anyDate, anyDate).map(([a, b]): DueRule => ({ kind: 'period', window: { unit: 'range', start: a < b ? a : b, end: a < b ? b : a } })),
  );
  const relative = fc
    // The full ±366 validateRule allows (the year loop once missed -366 from 1/1).
    .record({ anchor: fc.constantFrom(...anchors), offsetDays: fc.oneof(fc.integer({ min: -366, max: 366 }), fc.integer({ min: -40, max: 40 })), year: fc.option(yearArb, { nil: undefined }) })
    .map(({ anchor, offsetDays, year }): DueRule => ({ kind: 'relative', anchor, offsetDays, ...(year !== undefined && { year }) }));
  const rruleText = fc.oneof(
    fc.integer({ min: 1, max: 31 }).map((d) => `FREQ=MONTHLY;BYMONTHDAY=${d}`),
    fc.constantFrom('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU').map((d) => `FREQ=WEEKLY;BYDAY=${d}`),
    fc.integer({ min: 1, max: 6 }).map((i) => `FREQ=MONTHLY;INTERVAL=${i}`),
    fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 40 })).map(([i, c]) => `FREQ=WEEKLY;INTERVAL=${i};COUNT=${c}`),
  );
  const rrule = fc
    .record({ text: rruleText, prefix: fc.boolean(), start: anyDate })
    .map(({ text, prefix, start }): DueRule => ({ kind: 'rrule', rrule: prefix ? `RRULE:${text}` : text, start }));
  const continuous = fc.option(cadence, { nil: undefined }).map((checkIn): DueRule => ({ kind: 'continuous', ...(checkIn && { checkIn }) }));
  const onEvent = fc.integer({ min: 0, max: 30 }).map((workingDays): DueRule => ({ kind: 'on_event', workingDays }));

  const base = fc.oneof(once, yearly, semiannual, quarterly, monthly, period, relative, rrule, continuous, onEvent);
  return fc
    .tuple(base, fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined, freq: 4 }))
    .map(([rule, orOnEvent]): DueRule => (orOnEvent === undefined ? rule : { ...rule, orOnEvent: { workingDays: orOnEvent } }));
}

const rollArb = fc.constantFrom<RollPolicy>('next_working_day', 'previous_working_day', 'keep');
const optionsArb: fc.Arbitrary<OccurrenceOptions> = fc
  .record({
    roll: fc.option(rollArb, { nil: undefined }),
    validFrom: fc.option(anyDate, { nil: undefined, freq: 3 }),
    validUntil: fc.option(anyDate, { nil: undefined, freq: 3 }),
    events: fc.uniqueArray(anyDate, { maxLength: 4 }),
  })
  .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as OccurrenceOptions);

/** A valid ladder of 1–6 distinct steps, calendar days up to 60 or working days up to 30. */
const ladderArb: fc.Arbitrary<ReminderLadder> = fc
  .uniqueArray(
    fc.oneof(fc.constant('0d'), fc.integer({ min: 0, max: 60 }).map((n) => `${n}d`), fc.integer({ min: 0, max: 30 }).map((n) => `${n}wd`)),
    { minLength: 1, maxLength: 6, selector: (s) => (/^0w?d$/.test(s) ? '0d' : s) },
  )
  .map((steps) => parseLadder(steps));
const fireTimeArb = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

/**
 * What a rule is due on, straight from DESIGN §3 and config/README.md (keys as documented
 * there), for every kind but rrule: key → nominal due, within [lo, hi].
 */
function model(rule: DueRule, lo: IsoDate, hi: IsoDate, cal: WorkingCalendar, events: readonly IsoDate[]): Map<string, IsoDate> | undefined {
  const out = new Map<string, IsoDate>();
  const add = (key: string, due: IsoDate) => {
    if (due >= lo && due <= hi && !out.has(key)) out.set(key, due);
  };
  const clamp = (y: number, m: number, d: number | 'last') => ymd(y, m, d === 'last' ? daysInMonth(y, m) : Math.min(d, daysInMonth(y, m)));
  const years: number[] = [];
  for (let y = yearOf(lo); y <= yearOf(hi); y++) years.push(y);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const cadenceOf = (r: DueRule): void => {
    switch (r.kind) {
      case 'yearly':
        for (const y of years) add(`${y}`, clamp(y, r.month ?? 12, r.day ?? 31));
        return;
      case 'semiannual': {
        const [h1, h2] = r.dates ?? [{ month: 6, day: 15 }, { month: 12, day: 15 }];
        for (const y of years) {
          add(`${y}-H1`, clamp(y, h1.month, h1.day));
          add(`${y}-H2`, clamp(y, h2.month, h2.day));
        }
        return;
      }
      case 'quarterly':
        for (const y of years) for (let q = 1; q <= 4; q++) add(`${y}-Q${q}`, clamp(y, (q - 1) * 3 + (r.monthOfQuarter ?? 3), r.day ?? 'last'));
        return;
      case 'monthly':
        for (const y of years) for (let m = 1; m <= 12; m++) add(`${y}-${p2(m)}`, clamp(y, m, r.day));
        return;
      default:
        throw new Error(r.kind);
    }
  };
  switch (rule.kind) {
    case 'once':
      add('once', rule.bound === 'before' ? addDays(rule.date, -1) : rule.date);
      break;
    case 'yearly':
    case 'semiannual':
    case 'quarterly':
    case 'monthly':
      cadenceOf(rule);
      break;
    case 'period': {
      const w = rule.window;
      if (w.unit === 'quarter') add(`${w.year}-Q${w.quarter}`, clamp(w.year, w.quarter * 3, 'last'));
      if (w.unit === 'month') add(`${w.year}-${p2(w.month)}`, clamp(w.year, w.month, 'last'));
      if (w.unit === 'half') add(`${w.year}-H${w.half}`, w.half === 1 ? `${w.year}-06-30` : `${w.year}-12-31`);
      if (w.unit === 'year') add(`${w.year}`, `${w.year}-12-31`);
      if (w.unit === 'range') add(`${w.start}_${w.end}`, w.end);
      break;
    }
    case 'continuous':
      if (rule.checkIn === 'monthly') cadenceOf({ kind: 'monthly', day: 'last' });
      else if (rule.checkIn) cadenceOf({ kind: rule.checkIn });
      break;
    case 'on_event':
      for (const e of events) add(`event-${e}`, cal.addWorkingDays(e, rule.workingDays));
      return out;
    case 'relative':
      // Every anchor year whose date, shifted, can land in the window: two years either side is ample for |offset| ≤ 366.
      for (let y = rule.year ?? yearOf(lo) - 2; y <= (rule.year ?? yearOf(hi) + 2); y++) add(`${y}`, addDays(cal.namedDay(rule.anchor, y), rule.offsetDays));
      break;
    case 'rrule':
      return undefined;
  }
  if (rule.orOnEvent) for (const e of events) add(`event-${e}`, cal.addWorkingDays(e, rule.orOnEvent.workingDays));
  return out;
}

const RUNS = { numRuns: 300 };

/** -0 → 0: workingDaysBetween(later, earlier) returns -0 when no working day lies between (sign * 0). */
const plain = (n: number) => n + 0;

// ---------------------------------------------------------------- occurrences

describe('occurrences of any valid rule in any window 2020–2035 (shipped calendar)', () => {
  it('the generator only makes valid rules', () => {
    fc.assert(
      fc.property(ruleArb(calendar.anchorIds()), (rule) => {
        expect(validateRule(rule)).toBe(rule);
      }),
      { numRuns: 300 },
    );
  });

  it('are sorted by nominal due (then key), unique by key, due inside the window and the validity, and rolled as asked', () => {
    fc.assert(
      fc.property(ruleArb(calendar.anchorIds()), windowArb, optionsArb, (rule, { from, to }, options) => {
        const occ = occurrencesBetween(rule, from, to, calendar, options);
        const lo = options.validFrom && options.validFrom > from ? options.validFrom : from;
        const hi = options.validUntil && options.validUntil < to ? options.validUntil : to;

        expect(new Set(occ.map((o) => o.key)).size).toBe(occ.length);
        for (let i = 1; i < occ.length; i++) {
          const [a, b] = [occ[i - 1]!, occ[i]!];
          expect(a.nominalDue < b.nominalDue || (a.nominalDue === b.nominalDue && a.key < b.key), `${a.key} before ${b.key}`).toBe(true);
          // Every roll policy is monotone, so effective dues come out in order too.
          expect(a.effectiveDue <= b.effectiveDue).toBe(true);
        }
        const roll = options.roll ?? 'next_working_day';
        for (const o of occ) {
          expect(o.nominalDue >= from && o.nominalDue <= to, `${o.nominalDue} in [${from}, ${to}]`).toBe(true);
          expect(o.nominalDue >= lo && o.nominalDue <= hi, `${o.nominalDue} in validity [${lo}, ${hi}]`).toBe(true);
          if (o.windowStart !== undefined) expect(o.windowStart <= o.nominalDue).toBe(true);
          if (o.literalDate !== undefined) expect(o.literalDate).toBe(addDays(o.nominalDue, 1));
          if (o.eventOn !== undefined) expect(o.nominalDue >= o.eventOn).toBe(true);
          switch (roll) {
            case 'next_working_day':
              expect(o.effectiveDue >= o.nominalDue).toBe(true);
              expect(calendar.isWorkingDay(o.effectiveDue), o.effectiveDue).toBe(true);
              // The *first* working day: nothing in between works.
              for (let d = o.nominalDue; d < o.effectiveDue; d = addDays(d, 1)) expect(calendar.isWorkingDay(d), d).toBe(false);
              break;
            case 'previous_working_day':
              expect(o.effectiveDue <= o.nominalDue).toBe(true);
              expect(calendar.isWorkingDay(o.effectiveDue), o.effectiveDue).toBe(true);
              for (let d = o.nominalDue; d > o.effectiveDue; d = addDays(d, -1)) expect(calendar.isWorkingDay(d), d).toBe(false);
              break;
            case 'keep':
              expect(o.effectiveDue).toBe(o.nominalDue);
              break;
          }
          if (calendar.isWorkingDay(o.nominalDue)) expect(o.effectiveDue).toBe(o.nominalDue);
        }
      }),
      RUNS,
    );
  });

  it('are exactly the ones DESIGN §3 describes: nothing missing, nothing extra (every kind but rrule)', () => {
    fc.assert(
      fc.property(ruleArb(calendar.anchorIds()), windowArb, optionsArb, (rule, { from, to }, options) => {
        const lo = options.validFrom && options.validFrom > from ? options.validFrom : from;
        const hi = options.validUntil && options.validUntil < to ? options.validUntil : to;
        const want = lo <= hi ? model(rule, lo, hi, calendar, options.events ?? []) : new Map<string, IsoDate>();
        fc.pre(want !== undefined);
        const got = occurrencesBetween(rule, from, to, calendar, options);
        expect(new Map(got.map((o) => [o.key, o.nominalDue]))).toEqual(want);
      }),
      RUNS,
    );
  });

  it('do not depend on the roll policy except for the effective due', () => {
    fc.assert(
      fc.property(ruleArb(calendar.anchorIds()), windowArb, optionsArb, (rule, { from, to }, options) => {
        const strip = (roll: RollPolicy) =>
          occurrencesBetween(rule, from, to, calendar, { ...options, roll }).map(({ effectiveDue: _e, ...rest }) => rest);
        const keep = strip('keep');
        expect(strip('next_working_day')).toEqual(keep);
        expect(strip('previous_working_day')).toEqual(keep);
      }),
      { numRuns: 100 },
    );
  });

  it('splitting the window splits the occurrences: [from, to] = [from, mid] + [mid+1, to]', () => {
    fc.assert(
      fc.property(ruleArb(calendar.anchorIds()), windowArb, optionsArb, fc.double({ min: 0, max: 1, noNaN: true }), (rule, { from, to }, options, at) => {
        fc.pre(from < to);
        const mid = addDays(from, Math.floor(daysBetween(from, to) * at) - (at === 1 ? 1 : 0));
        const whole = occurrencesBetween(rule, from, to, calendar, options);
        const left = occurrencesBetween(rule, from, mid, calendar, options);
        const right = occurrencesBetween(rule, addDays(mid, 1), to, calendar, options);
        expect([...left, ...right]).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------- reminders

describe('reminders for any occurrence and any valid ladder (shipped calendar)', () => {
  it('are on working days, never after the effective or nominal due, strictly increasing, in ladder order', () => {
    fc.assert(
      fc.property(
        ruleArb(calendar.anchorIds()),
        windowArb,
        optionsArb,
        ladderArb,
        fireTimeArb,
        (rule, { from, to }, options, ladder, fireTime) => {
          const occ = occurrencesBetween(rule, from, to, calendar, options).slice(0, 24);
          const ids = ladder.map((s) => s.id);
          for (const o of occ) {
            const rs = remindersFor(o, ladder, calendar, fireTime);
            expect(rs.length).toBeGreaterThan(0);
            // Every step speaks exactly once, in ladder order (farthest first).
            expect(rs.flatMap((r) => r.steps)).toEqual(ids);
            const fireOfStep = new Map(rs.flatMap((r) => r.steps.map((s) => [s, r.fireOn] as const)));
            for (let i = 1; i < ids.length; i++) expect(fireOfStep.get(ids[i - 1]!)! <= fireOfStep.get(ids[i]!)!, `${ids[i - 1]} vs ${ids[i]}`).toBe(true);

            for (let i = 0; i < rs.length; i++) {
              const r = rs[i]!;
              expect(r.occurrenceKey).toBe(o.key);
              expect(r.step).toBe(r.steps.at(-1));
              expect(calendar.isWorkingDay(r.fireOn), `${r.fireOn} is a working day`).toBe(true);
              expect(r.fireOn <= o.nominalDue).toBe(true);
              expect(r.fireOn <= o.effectiveDue, `${r.fireOn} <= effective ${o.effectiveDue}`).toBe(true);
              expect(r.fireAt).toBe(`${r.fireOn}T${fireTime}:00+07:00`);
              if (i > 0) {
                expect(rs[i - 1]!.fireOn < r.fireOn).toBe(true);
                expect(rs[i - 1]!.fireAt < r.fireAt).toBe(true);
              }
              // A reminder fires where its farthest step lands; nearer steps merged into it land there or earlier.
              const land = (id: string) => {
                const step = ladder.find((s) => s.id === id)!;
                const counted = step.unit === 'days' ? addDays(o.nominalDue, -step.offset) : calendar.addWorkingDays(o.nominalDue, -step.offset);
                return calendar.onOrBefore(counted);
              };
              expect(r.fireOn).toBe(land(r.steps[0]!));
              for (const s of r.steps) expect(land(s) <= r.fireOn).toBe(true);
            }
            if (ids.includes('0d')) expect(rs.at(-1)!.fireOn).toBe(calendar.onOrBefore(o.nominalDue));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------- working calendar

describe.each([
  ['shipped', () => calendar],
  ['statutory only (no decrees)', () => statutory],
])('the working calendar, %s', (_name, cal) => {
  it('onOrAfter(d) is the first working day ≥ d; onOrBefore(d) the last working day ≤ d', () => {
    fc.assert(
      fc.property(anyDate, (d) => {
        const c = cal();
        const after = c.onOrAfter(d);
        const before = c.onOrBefore(d);
        expect(after >= d && before <= d).toBe(true);
        expect(c.isWorkingDay(after) && c.isWorkingDay(before)).toBe(true);
        for (let x = d; x < after; x = addDays(x, 1)) expect(c.isWorkingDay(x)).toBe(false);
        for (let x = d; x > before; x = addDays(x, -1)) expect(c.isWorkingDay(x)).toBe(false);
        expect(c.isWorkingDay(d)).toBe(after === d && before === d);
      }),
      { numRuns: 300 },
    );
  });

  it('addWorkingDays(d, n) is a working day |n| working days away, and workingDaysBetween agrees', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -40, max: 40 }), (d, n) => {
        const c = cal();
        const r = c.addWorkingDays(d, n);
        // workingDaysBetween counts (earlier, later] in both directions; addWorkingDays with n < 0 counts [result, d).
        // From a working day they agree; backwards from a rest day or holiday they differ by one (see the note at the end).
        const between = n < 0 && !c.isWorkingDay(d) ? n + 1 : n;
        expect(plain(c.workingDaysBetween(d, r))).toBe(between);
        expect(plain(c.workingDaysBetween(r, d))).toBe(plain(-between));
        if (n === 0) {
          expect(r).toBe(d);
          return;
        }
        expect(c.isWorkingDay(r)).toBe(true);
        expect(n > 0 ? r > d : r < d).toBe(true);
        // Going back lands on the working day nearest d on the side it came from.
        expect(c.addWorkingDays(r, -n)).toBe(n > 0 ? c.onOrBefore(d) : c.onOrAfter(d));
        // n and then m working days is n + m when they go the same way.
        if (Math.abs(n) > 1) {
          const part = Math.trunc(n / 2);
          expect(c.addWorkingDays(c.addWorkingDays(d, part), n - part)).toBe(r);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('workingDaysBetween is additive and counts the working days in (from, to]', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -120, max: 120 }), fc.integer({ min: -120, max: 120 }), (a, x, y) => {
        const c = cal();
        const b = addDays(a, x);
        const e = addDays(b, y);
        expect(plain(c.workingDaysBetween(a, b) + c.workingDaysBetween(b, e))).toBe(plain(c.workingDaysBetween(a, e)));
        expect(plain(c.workingDaysBetween(b, a))).toBe(plain(-c.workingDaysBetween(a, b)));
        let count = 0;
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        for (let d = addDays(lo, 1); d <= hi; d = addDays(d, 1)) if (c.isWorkingDay(d)) count++;
        expect(plain(c.workingDaysBetween(a, b))).toBe(plain(a <= b ? count : -count));
      }),
      { numRuns: 150 },
    );
  });

  it('Saturday and Sunday are not working days unless a decree makes them làm bù', () => {
    fc.assert(
      fc.property(anyDate, (d) => {
        const c = cal();
        if (weekday(d) < 6) return;
        const swapWork = c.entriesOn(d).some((e) => e.kind === 'swap_work');
        expect(c.isWorkingDay(d)).toBe(swapWork);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Labour Code 2019 art. 111(3) over 2021–2035 with no decree: one substitute per holiday on the weekly rest', () => {
  it('each year: as many substitutes as holiday dates on a weekend, all on weekdays after their holiday, none on a holiday', () => {
    for (let year = 2021; year <= 2035; year++) {
      const entries = statutory.year(year).entries;
      const holidays = new Set(entries.filter((e) => e.kind === 'holiday').map((e) => e.date));
      const weekendHolidays = [...holidays].filter((d) => weekday(d) >= 6).sort();
      const substitutes = entries.filter((e) => e.kind === 'substitute').map((e) => e.date).sort();
      expect(substitutes, String(year)).toHaveLength(weekendHolidays.length);
      expect(new Set(substitutes).size).toBe(substitutes.length);
      substitutes.forEach((s, i) => {
        expect(weekday(s), s).toBeLessThan(6);
        expect(holidays.has(s), s).toBe(false);
        expect(s > weekendHolidays[i]!, `${s} after ${weekendHolidays[i]}`).toBe(true);
      });
    }
  });
});

/*
 * Note on addWorkingDays vs workingDaysBetween. From a day that is not a working day, going
 * back n working days and then counting the working days between do not agree:
 *   addWorkingDays('2020-01-01', -1) === '2019-12-31'   (1/1 is a holiday; 31/12/2019 a Tuesday)
 *   workingDaysBetween('2020-01-01', '2019-12-31') === -0 (counts (31/12, 1/1], and 1/1 is off)
 * The property above pins today's behaviour (off by one in that case only) so that a change is noticed.
 */
