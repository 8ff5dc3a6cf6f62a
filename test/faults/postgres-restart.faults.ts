import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/postgres/database.js';
// One `hanchot worker` sends this many messages at once: the most a crash can leave half-done.
import { DELIVER_CONCURRENCY } from '../../jobs/deliver.js';
import { clockAt, figures, hanchot, newPrefix, openRecord, privatePostgres, privateRedis, report, seedBurst, serviceEnv, sleep, smtpSink, statusCounts, until, type Hanchot, type PrivatePostgres, type PrivateRedis, type Sink } from './harness.js';

const NOW = '2027-10-22T09:00:00+07:00';
const BURST = 1_000;

let pgServer: PrivatePostgres;
let redis: PrivateRedis;
let sink: Sink;
let db: Database | undefined;
const procs: Hanchot[] = [];
beforeAll(async () => {
  [pgServer, redis, sink] = await Promise.all([privatePostgres(), privateRedis(), smtpSink()]);
});
afterAll(async () => {
  for (const p of procs) await p.kill('SIGKILL');
  await db?.close();
  await Promise.all([sink?.close(), redis?.dispose(), pgServer?.dispose()]);
});

// The machine's PostgreSQL serves everyone's tests, so this restarts a private cluster (initdb + pg_ctl).
it(`PostgreSQL restarted (pg_ctl stop -m fast, 3 s down, start) in the middle of a burst of ${BURST}: workers retry, nothing lost, the worker recovers without a restart`, async () => {
  const databaseUrl = pgServer.url(await pgServer.createDatabase());
  const clock = clockAt(NOW);
  const record = await openRecord(databaseUrl, clock);
  const prefix = newPrefix();
  const { keys } = await seedBurst({ db: record.db, store: record.store, clock, redisUrl: redis.url, prefix, count: BURST });
  await record.db.close();
  const env = serviceEnv({ databaseUrl, redisUrl: redis.url, smtpUrl: sink.url, prefix, now: NOW });
  const context = () => procs.map((p, i) => `--- process ${i}:\n${p.output().slice(-3000)}`).join('\n');

  const worker = hanchot(['worker'], env);
  procs.push(worker);
  await worker.ready();
  await until('a third of the burst at the sink', () => sink.total() >= Math.floor(keys.length / 3), 120_000, context);
  // Stopping fast ends every session: claims and outcomes in flight fail on the worker's side.
  await pgServer.stop('fast');
  const atStop = sink.total();
  await sleep(3_000);
  await pgServer.start();

  const { db: after } = await openRecord(databaseUrl, clock);
  db = after;
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
