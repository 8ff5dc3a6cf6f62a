import { DateTime } from 'luxon';
import type { Clock } from '../../app/ports.js';

export const systemClock: Clock = { now: () => DateTime.now() };

/** A clock stopped at one instant (tests, `--today`). */
export const fixedClock = (instant: DateTime): Clock => ({ now: () => instant });
