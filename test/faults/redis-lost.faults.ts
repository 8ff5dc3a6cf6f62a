import { expect, it } from 'vitest';
import { faultScenario, figures, report, seedBurst, sleep, statusCounts, until } from './harness.js';

// Friday 22/10/2027 07:59:20 in Hà Nội: the 08:00 reminders are planned for 40 s later.
const NOW = '2027-10-22T07:59:20+07:00';
// The planner puts back the job of a delivery still queued 10 minutes on: the test cannot wait that
// long, so it restarts the service with the clock 11 minutes on to see that step.
const LATER = '2027-10-22T08:10:30+07:00';
const FIRE_AT = '2027-10-22T01:00:00.000Z';
const BURST = 200;

const scenario = faultScenario();

it(`Redis lost (its private redis-server killed, no persistence) with reminders planned for the next minute and a burst of ${BURST} in flight: the timers come back without a restart, the burst's lost jobs at the planner's 10-minute mark; every reminder fires once, nothing twice`, async () => {
  const { context, sink, redis } = scenario;
  // The planner ticks every 6 s here (5 minutes by default).
  const record = await scenario.record(NOW, { HANCHOT_PLANNER_EVERY_MINUTES: '0.1' });
  const { clock, prefix, env } = record;
  const stepsAt0800 = () => record.db.query<{ status: string }>('select status from reminder_steps where fire_at = $1', [FIRE_AT]);

  const a = scenario.hanchot(['start'], env);
  await a.ready();
  const planned = (await stepsAt0800()).filter((r) => r.status === 'planned');
  expect(planned.length).toBeGreaterThan(0);
  // A burst in flight (an urgent "send now" to two hundred people, queued on the same Redis).
  const { keys: burst } = await seedBurst({ db: record.db, store: record.store, clock, redisUrl: redis.url, prefix, count: BURST, urgent: true });
  await until('a fifth of the burst at the sink', () => sink.total() >= BURST / 5, 60_000, context);
  await redis.kill();
  const atLoss = sink.total();
  // Lost before they fired: the 08:00 timers existed only in Redis (and their steps in PostgreSQL).
  expect((await stepsAt0800()).map((r) => r.status)).toEqual(planned.map(() => 'planned'));
  await sleep(2_000);
  await redis.start();
  const stranded = await statusCounts(record.db);

  // Redis is back, empty, and the service was not restarted: it notices its planner's schedule is
  // gone, schedules it again, and the planner rebuilds the 08:00 timers from PostgreSQL.
  await until('the 08:00 steps fired without a restart', async () => (await stepsAt0800()).every((r) => r.status === 'fired'), 90_000, context);
  await until('the 08:00 reminders sent', async () => {
    const [r] = await record.db.query<{ n: number }>("select count(*)::int as n from deliveries where fire_at = $1 and status in ('queued', 'sending')", [FIRE_AT]);
    const [all] = await record.db.query<{ n: number }>('select count(*)::int as n from deliveries where fire_at = $1', [FIRE_AT]);
    return all!.n > 0 && r!.n === 0;
  }, 60_000, context);
  expect(a.alive(), 'the service survived losing Redis').toBe(true);
  expect(a.output()).toContain('planner schedule was gone from Redis');
  // The burst's jobs died with Redis: those deliveries still wait, queued, in PostgreSQL.
  expect(stranded.queued ?? 0).toBeGreaterThan(0);

  await a.kill('SIGTERM');
  const b = scenario.hanchot(['start'], { ...env, HANCHOT_NOW: LATER });
  await b.ready();
  await until('every delivery finished', async () => {
    const c = await statusCounts(record.db);
    return (c.queued ?? 0) === 0 && (c.sending ?? 0) === 0;
  }, 90_000, context);
  await sleep(2_000);
  const rows = await record.db.query<{ idempotency_key: string; channel: string; fire_at: Date }>('select idempotency_key, channel, fire_at from deliveries');
  const keys = rows.filter((r) => r.channel === 'email').map((r) => r.idempotency_key);
  const reminders = rows.filter((r) => r.channel === 'email' && r.fire_at.toISOString() === FIRE_AT).length;
  const f = await figures(record.db, sink, keys);
  report('Redis lost mid-burst, timers and queued jobs rebuilt from PostgreSQL', f, { burst: burst.length, reminderDeliveriesAt0800: reminders, receivedAtLoss: atLoss, queuedWhenLost: stranded.queued ?? 0 });
  expect(reminders).toBeGreaterThan(0);
  expect(f.lostKeys).toEqual([]);
  expect(f.duplicated).toBe(0);
  expect(b.alive()).toBe(true);
});
