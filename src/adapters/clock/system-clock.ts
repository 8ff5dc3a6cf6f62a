import { DateTime } from 'luxon';
import type { Clock } from '../../app/ports.js';

export const systemClock: Clock = { now: () => DateTime.now() };

/** A clock stopped at one instant (tests, `--today`). */
export const fixedClock = (instant: DateTime): Clock => ({ now: () => instant });

/**
 * The real clock moved to start at `start` and run on from there (demos and tests that need
 * "next Monday"; HANCHOT_NOW). Never in production: main logs a warning when it is used.
 */
export function shiftedClock(start: DateTime): Clock {
  const offset = start.toMillis() - DateTime.now().toMillis();
  return { now: () => DateTime.now().plus({ milliseconds: offset }) };
}
