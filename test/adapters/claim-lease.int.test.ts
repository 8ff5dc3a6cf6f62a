import { DateTime } from 'luxon';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { PostgresStore } from '../../src/adapters/postgres/store.js';
import type { Catalogue } from '../../src/app/catalogue/catalogue.js';
import { CLAIM_LEASE, claimable, deliverMessage, requeueQueuedDeliveries, type ClaimState } from '../../src/app/deliver.js';
import { fanOut } from '../../src/app/fan-out.js';
import { planReminders } from '../../src/app/plan.js';
import type { Channel, OutgoingMessage } from '../../src/app/ports.js';
import { syncCatalogue } from '../../src/app/sync.js';
import type { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { ALL_KINDS, DATABASE_KINDS, type TestDatabase } from '../support/databases.js';
import { RecordingQueue } from '../support/recording-queue.js';
import { shippedConfig } from '../support/shipped-config.js';

let catalogue: Catalogue;
let calendar: WorkingCalendar;
beforeAll(async () => {
  ({ catalogue, calendar } = await shippedConfig());
});

const OBLIGATION = 'dmc-159-2020.thematic-report';
// Friday 22/10/2027 09:00 local: a working day inside the sending hours.
const t0 = DateTime.fromISO('2027-10-22T09:00:00+07:00', { setZone: true });

/** An email channel that records what it was asked to send. */
function recordingChannel(): Channel & { sent: OutgoingMessage[] } {
  const sent: OutgoingMessage[] = [];
  return { name: 'email', sent, canReach: (r) => Boolean(r.email), send: async (m) => (sent.push(m), { providerId: `p${sent.length}` }), close: async () => undefined };
}

describe.each(ALL_KINDS)('a crashed worker’s claim on %s', (kind) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  /** The shipped catalogue synced and one step fanned out: one queued email delivery per contact. */
  async function withDeliveries() {
    t = await DATABASE_KINDS[kind]();
    await migrate(t.db, t0);
    const store = new PostgresStore(t.db);
    const clock = fixedClock(t0);
    await syncCatalogue({ store, clock }, catalogue);
    const queue = new RecordingQueue();
    const channel = recordingChannel();
    await planReminders({ store, queue, clock, calendar, settings: catalogue.settings }, [OBLIGATION]);
    await fanOut({ store, queue, clock, channels: [channel], digestSettleMs: 0 }, { obligationId: OBLIGATION, occurrenceKey: '2027', step: '7d', fireAt: t0, urgent: false });
    const rows = await t.db.query<{ idempotency_key: string; message_key: string }>("select idempotency_key, message_key from deliveries where status = 'queued' order by idempotency_key");
    expect(rows.length).toBeGreaterThanOrEqual(3);
    return { db: t.db, store, queue, channel, rows };
  }

  it('the claim SQL follows claimable() for every state, claimer and age', async () => {
    const { db, store, rows } = await withDeliveries();
    const cases: { state: ClaimState; claimer: string }[] = [
      { state: { status: 'queued', claimedBy: null, updatedAt: t0.minus({ minutes: 1 }) }, claimer: 'job-b' },
      { state: { status: 'sending', claimedBy: 'job-a', updatedAt: t0.minus({ minutes: 1 }) }, claimer: 'job-a' },
      { state: { status: 'sending', claimedBy: 'job-a', updatedAt: t0.minus({ minutes: 1 }) }, claimer: 'job-b' },
      { state: { status: 'sending', claimedBy: 'job-a', updatedAt: t0.minus(CLAIM_LEASE).minus({ seconds: 1 }) }, claimer: 'job-b' },
      { state: { status: 'sent', claimedBy: 'job-a', updatedAt: t0.minus({ hours: 1 }) }, claimer: 'job-a' },
      { state: { status: 'failed', claimedBy: 'job-a', updatedAt: t0.minus({ hours: 1 }) }, claimer: 'job-b' },
    ];
    for (const [i, c] of cases.entries()) {
      const row = rows[i % rows.length]!;
      await db.query('update deliveries set status = $2, claimed_by = $3, updated_at = $4 where idempotency_key = $1', [row.idempotency_key, c.state.status, c.state.claimedBy, c.state.updatedAt.toISO()]);
      const claimed = await store.claimMessage(row.message_key, c.claimer, t0, true, t0.minus(CLAIM_LEASE));
      const got = claimed.some((d) => d.idempotencyKey === row.idempotency_key);
      expect(got, `${c.state.status} by ${c.state.claimedBy} ${t0.diff(c.state.updatedAt).as('minutes')} min ago, claimed by ${c.claimer}`).toBe(claimable(c.state, c.claimer, t0));
      const [after] = await db.query<{ status: string; claimed_by: string | null }>('select status, claimed_by from deliveries where idempotency_key = $1', [row.idempotency_key]);
      expect(after).toEqual(got ? { status: 'sending', claimed_by: c.claimer } : { status: c.state.status, claimed_by: c.state.claimedBy });
    }
  });

  it('a worker killed after its claim: within the lease nobody sends; after it the planner’s take-over job sends once, and the dead job coming back sends nothing', async () => {
    const { db, store, channel, rows } = await withDeliveries();
    const row = rows[0]!;
    // The dead worker's job claimed the message and never came back.
    const crashed = await store.claimMessage(row.message_key, row.idempotency_key, t0, true, t0.minus(CLAIM_LEASE));
    expect(crashed.map((d) => d.idempotencyKey)).toContain(row.idempotency_key);

    // Two minutes later the planner leaves the live-looking claim alone.
    const early = new RecordingQueue();
    expect(await requeueQueuedDeliveries({ store, queue: early, clock: fixedClock(t0.plus({ minutes: 2 })) }, 10)).toBe(0);
    // Another job for the same message cannot take it either.
    expect(await store.claimMessage(row.message_key, 'another-job', t0.plus({ minutes: 2 }), true, t0.plus({ minutes: 2 }).minus(CLAIM_LEASE))).toEqual([]);

    // Past the lease: one take-over job, claiming under its own name.
    const later = t0.plus(CLAIM_LEASE).plus({ minutes: 1 });
    const queue = new RecordingQueue();
    expect(await requeueQueuedDeliveries({ store, queue, clock: fixedClock(later) }, 10)).toBeGreaterThanOrEqual(1);
    const takeOver = [...queue.deliveries.values()].filter((j) => j.payload.idempotencyKey === row.idempotency_key);
    expect(takeOver).toHaveLength(1);
    expect(takeOver[0]!.payload.claimer).toMatch(/^reclaim\|/);
    const deps = { store, clock: fixedClock(later), calendar, channels: [channel], compose: ({ messageKey }: { messageKey: string }) => ({ messageKey }) as unknown as OutgoingMessage };
    const result = await deliverMessage(deps, takeOver[0]!.payload, { number: 1, last: false });
    expect(result.status).toBe('sent');
    expect(channel.sent.map((m) => m.messageKey)).toEqual([row.message_key]);

    // The dead worker's job, revived by BullMQ's stall recovery, finds nothing left to send.
    const revived = await deliverMessage({ ...deps, clock: fixedClock(later.plus({ seconds: 5 })) }, { messageKey: row.message_key, idempotencyKey: row.idempotency_key, urgent: false }, { number: 2, last: false });
    expect(revived.status).toBe('nothing');
    expect(channel.sent).toHaveLength(1);
    const [final] = await db.query<{ status: string; attempts: number }>('select status, attempts from deliveries where idempotency_key = $1', [row.idempotency_key]);
    expect(final).toEqual({ status: 'sent', attempts: 2 });
  });
});
