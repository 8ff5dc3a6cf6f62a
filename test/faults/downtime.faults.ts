import { DateTime } from 'luxon';
import { expect, it } from 'vitest';
import { planReminders } from '../../src/app/plan.js';
import { RecordingQueue } from '../support/recording-queue.js';
import { shippedConfig } from '../support/shipped-config.js';
import { faultScenario, figures, report, sleep, statusCounts, until } from './harness.js';

// The service last ran on Thursday 21/10/2027 at noon and planned the month ahead.
const LAST_RUN = '2027-10-21T12:00:00+07:00';
// Friday's 08:00 reminders fall while it is down; it comes back at 08:20, well within the 24 h catch-up age.
const FIRE_AT = '2027-10-22T01:00:00.000Z';
const BACK_SOON = '2027-10-22T08:20:00+07:00';
const CATCH_UP_HOURS = 24;

const scenario = faultScenario();

it('down across a reminder’s fire time and back within the catch-up age: sent once (restarted again: still once); down longer: recorded as skipped, nothing sent', async () => {
  const record = await scenario.record(LAST_RUN, { HANCHOT_CATCH_UP_HOURS: String(CATCH_UP_HOURS) });
  const lastRun = record.clock;
  const { calendar, catalogue } = await shippedConfig();
  await planReminders({ store: record.store, queue: new RecordingQueue(), clock: lastRun, calendar, settings: catalogue.settings });
  const friday = await record.db.query<{ n: number }>("select count(*)::int as n from reminder_steps where fire_at = $1 and status = 'planned'", [FIRE_AT]);
  expect(friday[0]!.n).toBeGreaterThan(0);
  // The next reminders after Friday's: the ones the long outage will miss.
  const [next] = await record.db.query<{ fire_at: Date }>("select min(fire_at) as fire_at from reminder_steps where fire_at > $1 and status = 'planned'", [FIRE_AT]);
  const nextAt = DateTime.fromJSDate(next!.fire_at, { zone: 'utc' });
  const missed = await record.db.query<{ obligation_id: string; step: string }>("select obligation_id, step from reminder_steps where fire_at = $1 and status = 'planned'", [nextAt.toISO()]);
  expect(missed.length).toBeGreaterThan(0);

  const { context, sink } = scenario;
  const run = async (now: string, settle: () => Promise<unknown>) => {
    const p = scenario.hanchot(['start'], { ...record.env, HANCHOT_NOW: now });
    await p.ready();
    await settle();
    expect(p.alive()).toBe(true);
    expect(await p.kill('SIGTERM')).toBe(0);
  };
  const finished = async () => {
    const c = await statusCounts(record.db);
    return (c.sent ?? 0) > 0 && (c.queued ?? 0) === 0 && (c.sending ?? 0) === 0;
  };

  // Back 20 minutes after the fire time.
  await run(BACK_SOON, () => until('Friday’s reminders sent', finished, 60_000, context));
  const sentFirst = sink.total();
  // Restarted again an hour later (a deploy): nothing goes out twice.
  await run('2027-10-22T09:20:00+07:00', () => sleep(4_000));
  const rows = await record.db.query<{ idempotency_key: string; channel: string }>('select idempotency_key, channel from deliveries where fire_at = $1', [FIRE_AT]);
  const keys = rows.filter((r) => r.channel === 'email').map((r) => r.idempotency_key);
  const f = await figures(record.db, sink, keys);
  const fridaySteps = await record.db.query<{ status: string; n: number }>('select status, count(*)::int as n from reminder_steps where fire_at = $1 group by 1', [FIRE_AT]);
  report('down 08:00→08:20, back within the catch-up age', f, { steps: friday[0]!.n, messagesAfterSecondRestart: sink.total() - sentFirst });
  expect(fridaySteps).toEqual([{ status: 'fired', n: friday[0]!.n }]);
  expect(keys.length).toBeGreaterThan(0);
  expect(f.lostKeys).toEqual([]);
  expect(f.duplicated).toBe(0);
  expect(sink.total()).toBe(sentFirst);
  // The delivery log (the deliveries table behind the console's "Nhật ký gửi" and /api/v1/deliveries) shows them sent.
  expect(await statusCounts(record.db)).toEqual({ sent: rows.length });

  // Down from before the next reminders until more than the catch-up age after them.
  const late = nextAt.plus({ hours: CATCH_UP_HOURS, minutes: 30 }).setZone('Asia/Ho_Chi_Minh').toISO()!;
  const before = sink.total();
  await run(late, () => sleep(4_000));
  const after = await record.db.query<{ status: string; reason: string | null }>(
    'select status, reason from reminder_steps where fire_at = $1',
    [nextAt.toISO()],
  );
  const sentForMissed = await record.db.query<{ n: number }>('select count(*)::int as n from deliveries where fire_at = $1', [nextAt.toISO()]);
  // Nothing is owed for a skipped step, so the figures count what went out for it: nothing.
  report('down longer than the catch-up age', { expected: 0, sent: sentForMissed[0]!.n, duplicated: 0, lost: 0 }, { missedSteps: missed.length, skipped: after.filter((r) => r.status === 'skipped').length, otherMessagesOnReturn: sink.total() - before });
  expect(after.map((r) => r.status)).toEqual(missed.map(() => 'skipped'));
  expect(after.every((r) => /lỡ/.test(r.reason ?? ''))).toBe(true);
  expect(sentForMissed[0]!.n).toBe(0);
});
