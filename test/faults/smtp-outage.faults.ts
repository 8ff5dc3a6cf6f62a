import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/postgres/database.js';
// One `hanchot worker` sends this many messages at once: the most a crash can leave half-done.
import { DELIVER_CONCURRENCY } from '../../jobs/deliver.js';
import { clockAt, figures, hanchot, newPrefix, openRecord, privatePostgres, privateRedis, report, seedBurst, serviceEnv, sleep, smtpSink, statusCounts, until, type Hanchot, type PrivatePostgres, type PrivateRedis, type Sink } from './harness.js';

const NOW = '2027-10-22T09:00:00+07:00';
const BURST = 200;
const OUTAGE_MS = 10_000;

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

// Zalo's faults (token expiry across workers, rate limit, night window, quota) are driven through the
// real pipeline in test/pipeline/zalo.int.test.ts; this one is the mail server going away.
it(`the SMTP server down for ${OUTAGE_MS / 1000} s in the middle of a burst of ${BURST} (connections refused, open ones cut): backoff, then everything delivered, none failed`, async () => {
  const databaseUrl = pgServer.url(await pgServer.createDatabase());
  const clock = clockAt(NOW);
  const record = await openRecord(databaseUrl, clock);
  db = record.db;
  const prefix = newPrefix();
  const { keys } = await seedBurst({ db: record.db, store: record.store, clock, redisUrl: redis.url, prefix, count: BURST });
  const env = serviceEnv({ databaseUrl, redisUrl: redis.url, smtpUrl: sink.url, prefix, now: NOW });
  const context = () => procs.map((p, i) => `--- process ${i}:\n${p.output().slice(-3000)}`).join('\n');

  const worker = hanchot(['worker'], env);
  procs.push(worker);
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
