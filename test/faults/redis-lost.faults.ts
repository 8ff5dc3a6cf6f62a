import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/postgres/database.js';
import { clockAt, figures, hanchot, newPrefix, openRecord, privatePostgres, privateRedis, report, seedBurst, serviceEnv, sleep, smtpSink, statusCounts, until, type Hanchot, type PrivatePostgres, type PrivateRedis, type Sink } from './harness.js';

// Friday 22/10/2027 07:58:30 in Hà Nội: the 08:00 reminders are planned for 90 s later.
const NOW = '2027-10-22T07:58:30+07:00';
// Brought back 11 minutes later (the timers are long gone; queued deliveries count as stale after 10).
const BACK = '2027-10-22T08:09:40+07:00';
const FIRE_AT = '2027-10-22T01:00:00.000Z';
const BURST = 400;

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

it(`Redis lost (its private redis-server killed, no persistence) with reminders planned for the next minutes and a burst of ${BURST} in flight: every planned reminder fires once, rebuilt from PostgreSQL, nothing twice`, async () => {
  const databaseUrl = pgServer.url(await pgServer.createDatabase());
  const clock = clockAt(NOW);
  const record = await openRecord(databaseUrl, clock);
  db = record.db;
  const prefix = newPrefix();
  const env = serviceEnv({ databaseUrl, redisUrl: redis.url, smtpUrl: sink.url, prefix, now: NOW });
  const context = () => procs.map((p, i) => `--- process ${i}:\n${p.output().slice(-3000)}`).join('\n');

  const a = hanchot(['start'], env);
  procs.push(a);
  await a.ready();
  const planned = await record.db.query<{ obligation_id: string; step: string }>("select obligation_id, step from reminder_steps where fire_at = $1 and status = 'planned'", [FIRE_AT]);
  expect(planned.length).toBeGreaterThan(0);
  // A burst in flight (an urgent "send now" to a thousand people, queued on the same Redis).
  const { keys: burst } = await seedBurst({ db: record.db, store: record.store, clock, redisUrl: redis.url, prefix, count: BURST, urgent: true });
  await until('a fifth of the burst at the sink', () => sink.total() >= BURST / 5, 60_000, context);
  await redis.kill();
  const atLoss = sink.total();
  await sleep(2_000);
  await redis.start();
  // Redis is back, empty: the 08:00 timers, the burst's jobs and the planner's schedule are gone.
  await sleep(3_000);
  expect(a.alive(), 'the service survived losing Redis').toBe(true);
  const stranded = await statusCounts(record.db);
  expect(stranded.queued ?? 0).toBeGreaterThan(0);

  // The service restarted with Redis back (its planner's schedule lived in Redis too): it rebuilds
  // every timer and puts back every queued delivery from PostgreSQL.
  await a.kill('SIGTERM');
  const b = hanchot(['start'], { ...env, HANCHOT_NOW: BACK });
  procs.push(b);
  await b.ready();
  await until('the 08:00 steps fired', async () => {
    const rows = await record.db.query<{ status: string }>('select status from reminder_steps where fire_at = $1', [FIRE_AT]);
    return rows.every((r) => r.status === 'fired');
  }, 60_000, context);
  await until('every delivery finished', async () => {
    const c = await statusCounts(record.db);
    return (c.queued ?? 0) === 0 && (c.sending ?? 0) === 0;
  }, 90_000, context);
  await sleep(2_000);
  const rows = await record.db.query<{ idempotency_key: string; channel: string; fire_at: Date }>('select idempotency_key, channel, fire_at from deliveries');
  const keys = rows.filter((r) => r.channel === 'email').map((r) => r.idempotency_key);
  const reminders = rows.filter((r) => r.channel === 'email' && r.fire_at.toISOString() === FIRE_AT).length;
  const f = await figures(record.db, sink, keys);
  report('Redis lost mid-burst, planned reminders rebuilt from PostgreSQL', f, { burst: burst.length, reminderDeliveriesAt0800: reminders, receivedAtLoss: atLoss, queuedWhenLost: stranded.queued ?? 0 });
  expect(reminders).toBeGreaterThan(0);
  expect(f.lostKeys).toEqual([]);
  expect(f.duplicated).toBe(0);
  expect(b.alive()).toBe(true);
});
