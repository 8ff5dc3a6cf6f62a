import { addDays, type IsoDate } from './civil-date.js';
import type { WorkingCalendar } from './calendar/working-calendar.js';
import { DomainError } from './errors.js';
import { formatInstant, zonedInstant, type TimeOfDay } from './instant.js';
import type { Occurrence } from './occurrences.js';

/** One rung of a reminder ladder: so many calendar or working days before the nominal due. */
export interface LadderStep {
  /** As written in configuration: "30d", "3wd", "0d". Also the step's id in job keys. */
  readonly id: string;
  readonly offset: number;
  readonly unit: 'days' | 'working_days';
}

export type ReminderLadder = readonly LadderStep[];

const STEP = /^(\d{1,3})(d|wd)$/;

/**
 * Reads a ladder written as durations: "30d" (calendar days), "3wd" (working days), "0d"
 * (the due day itself). Steps are kept farthest first.
 */
export function parseLadder(input: unknown): ReminderLadder {
  if (!Array.isArray(input) || input.length === 0) {
    throw new DomainError('invalid_ladder', 'Lịch nhắc phải là một danh sách khoảng thời gian, ví dụ ["30d", "7d", "3wd", "1wd", "0d"]', input);
  }
  const steps = input.map((raw, i) => {
    const text = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
    const m = typeof text === 'string' ? STEP.exec(text) : null;
    if (!m) {
      throw new DomainError(
        'invalid_ladder',
        `Bước nhắc thứ ${i + 1} (${JSON.stringify(raw)}) không phải khoảng thời gian: dùng "Nd" (ngày) hoặc "Nwd" (ngày làm việc)`,
        input,
      );
    }
    const offset = Number(m[1]);
    if (offset > 366) throw new DomainError('invalid_ladder', `Bước nhắc "${raw}" quá xa (tối đa 366 ngày)`, input);
    const unit = m[2] === 'wd' ? ('working_days' as const) : ('days' as const);
    return { id: offset === 0 ? '0d' : `${offset}${m[2]}`, offset, unit };
  });
  const ids = new Set<string>();
  for (const s of steps) {
    if (ids.has(s.id)) throw new DomainError('invalid_ladder', `Bước nhắc "${s.id}" bị lặp`, input);
    ids.add(s.id);
  }
  // Farthest first; a working-day step sorts as if a working week were 7/5 calendar days.
  return steps.sort((a, b) => approxDays(b) - approxDays(a));
}

const approxDays = (s: LadderStep) => (s.unit === 'days' ? s.offset : (s.offset * 7) / 5);

/** Default ladder (DESIGN §3): 30 days, 7 days, 3 working days, 1 working day, the due day. */
export const DEFAULT_LADDER: ReminderLadder = parseLadder(['30d', '7d', '3wd', '1wd', '0d']);
export const DEFAULT_FIRE_TIME: TimeOfDay = '08:00';

/** The farthest a ladder reaches back, in calendar days, allowing for a long Tết break. */
export function ladderReachDays(ladder: ReminderLadder): number {
  return Math.max(0, ...ladder.map((s) => (s.unit === 'days' ? s.offset : s.offset * 2 + 14)));
}

export interface Reminder {
  readonly occurrenceKey: string;
  /** The step this reminder speaks for: the nearest to the due among those merged into it. */
  readonly step: string;
  /** Every step that landed on this day, farthest first. */
  readonly steps: readonly string[];
  readonly fireOn: IsoDate;
  /** ISO instant with offset, e.g. "2027-10-29T08:00:00+07:00". */
  readonly fireAt: string;
}

/**
 * The reminders for one occurrence. Each step counts back from the nominal due; a step that
 * lands on a non-working day moves to the previous working day; steps that land on one day
 * (or a nearer step that would land before a farther one) merge into one reminder. Fire
 * dates are therefore strictly increasing, never after the nominal due, and never on a
 * non-working day.
 */
export function remindersFor(
  occurrence: Occurrence,
  ladder: ReminderLadder,
  calendar: WorkingCalendar,
  fireTime: TimeOfDay = DEFAULT_FIRE_TIME,
): Reminder[] {
  const due = occurrence.nominalDue;
  const out: { fireOn: IsoDate; steps: string[] }[] = [];
  for (const step of ladder) {
    const counted = step.unit === 'days' ? addDays(due, -step.offset) : calendar.addWorkingDays(due, -step.offset);
    const fireOn = calendar.onOrBefore(counted);
    const previous = out[out.length - 1];
    if (previous && fireOn <= previous.fireOn) previous.steps.push(step.id);
    else out.push({ fireOn, steps: [step.id] });
  }
  return out.map(({ fireOn, steps }) => ({
    occurrenceKey: occurrence.key,
    step: steps[steps.length - 1]!,
    steps,
    fireOn,
    fireAt: formatInstant(zonedInstant(fireOn, fireTime, calendar.zone)),
  }));
}
