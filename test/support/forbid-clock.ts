/**
 * Unit tests must not depend on the real clock: the domain takes `now` as a parameter.
 * luxon's `Settings.now` and `Date.now()` / `new Date()` with no argument throw here.
 *
 * luxon guesses a zone's offset once from `Settings.now()` and caches the guess (it only
 * seeds the calculation, the result does not depend on it), so prime that cache first.
 */
import fc from 'fast-check';
import { DateTime, Settings } from 'luxon';
import { afterAll, beforeAll } from 'vitest';

DateTime.utc(2000, 1, 1);
DateTime.local(2000, 1, 1, { zone: 'Asia/Ho_Chi_Minh' });

// fast-check seeds itself from Date.now(); give it a random seed instead (it prints the seed on failure).
fc.configureGlobal({ seed: Math.floor(Math.random() * 0x7fffffff) });

const RealDate = Date;
const realSettingsNow = Settings.now;

class ClocklessDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) throw new Error('Clock read in a unit test: new Date() with no argument. Pass the time in.');
    super(...(args as [number]));
  }
  static override now(): number {
    throw new Error('Clock read in a unit test: Date.now(). Pass the time in.');
  }
}

beforeAll(() => {
  Settings.now = () => {
    throw new Error('Clock read in a unit test: luxon Settings.now(). Pass the time in.');
  };
  globalThis.Date = ClocklessDate as DateConstructor;
});

afterAll(() => {
  Settings.now = realSettingsNow;
  globalThis.Date = RealDate;
});
