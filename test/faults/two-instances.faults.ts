import { expect, it } from 'vitest';
import { BullmqJobQueue } from '../../src/adapters/bullmq/bullmq-queue.js';
import { addContacts, faultScenario, figures, QUEUE_RETRIES, report, sleep, statusCounts, until } from './harness.js';
import { redisConnection } from '../../src/main/service.js';

// Friday 22/10/2027, 25 s before the 08:00 reminders (the 30/10 report's 7-day step among them).
const NOW = '2027-10-22T07:59:35+07:00';
const FIRE_AT = '2027-10-22T01:00:00.000Z';

const scenario = faultScenario();

it('two instances of hanchot start on the same Redis and PostgreSQL (a rolling deploy): each reminder fires once, the planner never plans twice', async () => {
  const { context, sink, redis } = scenario;
  const record = await scenario.record(NOW, { HANCHOT_PLANNER_EVERY_MINUTES: '0.1' });
  const { clock, prefix, env } = record;
  // More people in one union that owes the report, so the 08:00 firing is a burst of its own.
  await addContacts(record.db, 'dmc.thpt-dmc', 300, clock);

  // Both start at once: both sync config/, both plan the horizon, both run the planner tick every 6 s.
  const t0 = Date.now();
  const a = scenario.hanchot(['start'], env);
  const b = scenario.hanchot(['start'], env);
  await Promise.all([a.ready(), b.ready()]);
  const readyS = Math.round((Date.now() - t0) / 1000);

  const planned = await record.db.query<{ obligation_id: string; step: string }>("select obligation_id, step from reminder_steps where fire_at = $1 and status = 'planned'", [FIRE_AT]);
  expect(planned.length).toBeGreaterThan(0);
  // One timer per planned step in Redis, whichever process added it (deterministic job ids).
  const queue = new BullmqJobQueue({ connection: redisConnection(redis.url), prefix, clock, retries: QUEUE_RETRIES });
  const stepsAhead = await record.db.query<{ n: number }>("select count(*)::int as n from reminder_steps where status = 'planned'");
  const timers = await queue.queueOf('fire').getJobCounts('delayed', 'waiting', 'active');
  await queue.close();
  expect((timers.delayed ?? 0) + (timers.waiting ?? 0) + (timers.active ?? 0)).toBe(stepsAhead[0]!.n);

  await until('the 08:00 steps fired', async () => {
    const rows = await record.db.query<{ status: string }>('select status from reminder_steps where fire_at = $1', [FIRE_AT]);
    return rows.length > 0 && rows.every((r) => r.status !== 'planned');
  }, 90_000, context);
  const firedS = Math.round((Date.now() - t0) / 1000);
  await until('every delivery finished', async () => {
    const c = await statusCounts(record.db);
    return (c.sent ?? 0) > 0 && (c.queued ?? 0) === 0 && (c.sending ?? 0) === 0;
  }, 90_000, context);
  // Several planner ticks of both processes pass after the firing: none plans the steps again.
  const doneS = Math.round((Date.now() - t0) / 1000);
  await sleep(7_000);
  const rows = await record.db.query<{ idempotency_key: string; channel: string }>('select idempotency_key, channel from deliveries');
  const keys = rows.filter((r) => r.channel === 'email').map((r) => r.idempotency_key);
  const f = await figures(record.db, sink, keys);
  const fired = await record.db.query<{ status: string; n: number }>('select status, count(*)::int as n from reminder_steps where fire_at = $1 group by 1', [FIRE_AT]);
  report('two hanchot start instances, same Redis and PostgreSQL', f, { stepsAt0800: planned.length, messages: sink.total(), readyAfterS: readyS, firedAfterS: firedS, doneAfterS: doneS });
  expect(fired).toEqual([{ status: 'fired', n: planned.length }]);
  expect(keys.length).toBeGreaterThan(300);
  expect(f.lostKeys).toEqual([]);
  expect(f.duplicated).toBe(0);
  expect(a.alive() && b.alive()).toBe(true);
});
