import { expect, it } from 'vitest';
// One `hanchot worker` sends this many messages at once: the most a crash can leave half-done.
import { DELIVER_CONCURRENCY } from '../../jobs/deliver.js';
import { faultScenario, figures, report, seedBurst, sleep, statusCounts, until } from './harness.js';

const NOW = '2027-10-22T09:00:00+07:00';
const BURST = 200;
const OUTAGE_MS = 10_000;

const scenario = faultScenario();

// Zalo's faults (token expiry across workers, rate limit, night window, quota) are driven through the
// real pipeline in test/pipeline/zalo.int.test.ts; this one is the mail server going away.
it(`the SMTP server down for ${OUTAGE_MS / 1000} s in the middle of a burst of ${BURST} (connections refused, open ones cut): backoff, then everything delivered, none failed`, async () => {
  const { context, sink, redis } = scenario;
  const record = await scenario.record(NOW);
  const { clock, prefix, env } = record;
  const { keys } = await seedBurst({ db: record.db, store: record.store, clock, redisUrl: redis.url, prefix, count: BURST });

  const worker = scenario.hanchot(['worker'], env);
  await worker.ready();
  await until('a fifth of the burst at the sink', () => sink.total() >= BURST / 5, 60_000, context);
  await sink.down();
  const atOutage = sink.total();
  await sleep(OUTAGE_MS);
  const duringOutage = await statusCounts(record.db);
  await sink.up();
  await until('every delivery finished', async () => {
    const c = await statusCounts(record.db);
    return (c.queued ?? 0) === 0 && (c.sending ?? 0) === 0;
  }, 120_000, context);
  const f = await figures(record.db, sink, keys);
  const [retried] = await record.db.query<{ n: number }>('select count(*)::int as n from deliveries where attempts > 1');
  report(`SMTP outage ${OUTAGE_MS / 1000} s mid-burst`, f, { receivedAtOutage: atOutage, waitingDuringOutage: duringOutage.queued ?? 0, retried: retried!.n, bound: `duplicated<=${DELIVER_CONCURRENCY} (cut mid-reply)` });
  expect(duringOutage.queued ?? 0).toBeGreaterThan(0);
  expect(retried!.n).toBeGreaterThan(0);
  expect(f.lostKeys).toEqual([]);
  expect(await statusCounts(record.db)).toEqual({ sent: keys.length });
  expect(f.duplicated).toBeLessThanOrEqual(DELIVER_CONCURRENCY);
  expect(worker.alive()).toBe(true);
});
