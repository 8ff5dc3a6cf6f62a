import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { quotaRecorder } from '../../src/adapters/zalo/zalo-channel.js';

const AT = DateTime.fromMillis(Date.UTC(2027, 9, 22, 1, 0), { zone: 'utc' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the ZNS quota written back from send responses', () => {
  it('is written at once, then at most once per interval with the latest value', async () => {
    const writes: number[] = [];
    const q = quotaRecorder(async (quota) => void writes.push(quota.remaining), 200);
    await q.observe({ daily: 1000, remaining: 999 }, AT);
    expect(writes).toEqual([999]);
    for (let r = 998; r >= 990; r--) await q.observe({ daily: 1000, remaining: r }, AT);
    expect(writes).toEqual([999]);
    await sleep(350);
    // One write for the nine observations, with the last of them.
    expect(writes).toEqual([999, 990]);
  });

  it('close (flush) writes what is pending, so the last figure is not lost on a clean stop', async () => {
    const writes: number[] = [];
    const q = quotaRecorder(async (quota) => void writes.push(quota.remaining), 60_000);
    await q.observe({ daily: 1000, remaining: 5 }, AT);
    await q.observe({ daily: 1000, remaining: 4 }, AT);
    await q.observe({ daily: 1000, remaining: 0 }, AT);
    expect(writes).toEqual([5]);
    await q.flush();
    expect(writes).toEqual([5, 0]);
    await q.flush();
    expect(writes).toEqual([5, 0]);
  });

  it('a failed write does not fail the send, and later writes still go through', async () => {
    const writes: number[] = [];
    let fail = true;
    const q = quotaRecorder(async (quota) => {
      if (fail) throw new Error('database down');
      writes.push(quota.remaining);
    }, 0);
    await expect(q.observe({ daily: 10, remaining: 9 }, AT)).resolves.toBeUndefined();
    fail = false;
    await q.observe({ daily: 10, remaining: 8 }, AT);
    expect(writes).toEqual([8]);
  });
});
