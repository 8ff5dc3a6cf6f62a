import { expect, it } from 'vitest';
// One `hanchot worker` sends this many messages at once: the most a crash can leave half-done.
import { DELIVER_CONCURRENCY } from '../../jobs/deliver.js';
import { faultScenario, figures, report, seedBurst, statusCounts, until } from './harness.js';

// Friday 22/10/2027 09:00 in Hà Nội: a working day inside the sending hours.
const NOW = '2027-10-22T09:00:00+07:00';
const BURST = 5_000;

const scenario = faultScenario();

it(`worker killed with kill -9 in the middle of a burst of ${BURST} deliveries, then restarted: nothing lost, duplicates at most the deliveries in flight at the kill`, async () => {
  const { context, sink, redis } = scenario;
  const { clock, db, store, prefix, env } = await scenario.record(NOW);
  const { keys } = await seedBurst({ db, store, clock, redisUrl: redis.url, prefix, count: BURST });
  expect(keys.length).toBeGreaterThanOrEqual(BURST);

  const first = scenario.hanchot(['worker'], env);
  await first.ready();
  const killAt = Math.floor(keys.length * 0.4);
  await until(`${killAt} messages at the sink`, () => sink.total() >= killAt, 120_000, context);
  await first.kill('SIGKILL');
  // What the dead worker had claimed and not finished: the only deliveries that may go out twice.
  const inFlight = (await statusCounts(db)).sending ?? 0;
  const atKill = sink.total();

  const second = scenario.hanchot(['worker'], env);
  await second.ready();
  // BullMQ puts the dead worker's jobs back once their locks expire (about 30 s); their rows are
  // still 'sending' under the same job, which claims them again.
  await until('every delivery finished', async () => {
    const c = await statusCounts(db);
    return (c.queued ?? 0) === 0 && (c.sending ?? 0) === 0;
  }, 180_000, context);
  const f = await figures(db, sink, keys);
  report('worker killed (kill -9 mid-burst, restarted)', f, { inFlightAtKill: inFlight, receivedAtKill: atKill, bound: `duplicated<=inFlightAtKill<=${DELIVER_CONCURRENCY}` });
  expect(f.lostKeys).toEqual([]);
  expect(await statusCounts(db)).toEqual({ sent: keys.length });
  expect(inFlight).toBeLessThanOrEqual(DELIVER_CONCURRENCY);
  expect(f.duplicated).toBeLessThanOrEqual(inFlight);
  expect(second.alive()).toBe(true);
});
