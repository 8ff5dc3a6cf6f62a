import type { DateTime } from 'luxon';

/** The only way use cases learn the time: tests and `preview` pass a fixed or shifted clock. */
export interface Clock {
  now(): DateTime;
}
