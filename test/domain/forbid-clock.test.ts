import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';

// The guard itself: if these stop throwing, every other unit test loses its protection.
describe('unit tests cannot read the clock', () => {
  it('DateTime.now() throws', () => {
    expect(() => DateTime.now()).toThrow(/Clock read/);
  });
  it('Date.now() and new Date() throw', () => {
    expect(() => Date.now()).toThrow(/Clock read/);
    expect(() => new Date()).toThrow(/Clock read/);
  });
  it('explicit times still work', () => {
    expect(new Date(0).toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(DateTime.utc(2027, 10, 30).toISODate()).toBe('2027-10-30');
  });
});
