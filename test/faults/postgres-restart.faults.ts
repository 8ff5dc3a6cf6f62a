import { expect, it } from 'vitest';
// One `hanchot worker` sends this many messages at once: the most a crash can leave half-done.
import { DELIVER_CONCURRENCY } from '../../jobs/deliver.js';
import { faultScenario, figures, report, seedBurst, sleep, statusCounts, until } from './harness.js';

const NOW = '2027-10-22T09:00:00+07:00';
const BURST = 1_000;

const scenario = faultScenario();

// The machine's PostgreSQL serves everyone's tests, so this restarts a private cluster (initdb + pg_ctl).
it(`PostgreSQL restarted (pg_ctl stop -m fast, 3 s down, start) in the middle of a burst of ${BURST}: workers retry, nothing lost, the worker recovers without a restart`, async () => {
  const { context, sink, redis, pg: pgServer } = scenario;
  const { databaseUrl, clock, db, store, prefix, env } = await scenario.record(NOW);
  const { keys } = await seedBurst({ db, store, clock, redisUrl: redis.url, prefix, count: BURST });
  await db.close();

  const worker = scenario.hanchot(['worker'], env);
  await worker.ready();
  await until('a third of the burst at the sink', () => sink.total() >= Math.floor(keys.length / 3), 120_000, context);
  // Stopping fast ends every session: claims and outcomes in flight fail on the worker's side.
  await pgServer.stop('fast');
  const atStop = sink.total();
  await sleep(3_000);
  await pgServer.start();

  const { db: after } = await scenario.open(databaseUrl, clock);
  await until('every delivery finished', async () => {
    const c = await statusCounts(after);
    return (c.queued ?? 0) === 0 && (c.sending ?? 0) === 0;
  }, 150_000, context);
  const f = await figures(after, sink, keys);
  report('PostgreSQL restart mid-burst (private cluster)', f, { receivedAtStop: atStop, bound: `duplicated<=${DELIVER_CONCURRENCY} (in flight)` });
  expect(f.lostKeys).toEqual([]);
  expect(await statusCounts(after)).toEqual({ sent: keys.length });
  // A send the server accepted whose outcome could not be written is sent again: at most what was in flight.
  expect(f.duplicated).toBeLessThanOrEqual(DELIVER_CONCURRENCY);
  expect(worker.alive(), 'the worker process survived the restart').toBe(true);
  expect(worker.output()).not.toMatch(/uncaught|unhandled/i);
});
