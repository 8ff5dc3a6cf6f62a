import { DateTime, Duration } from 'luxon';
import { describe, expect, it } from 'vitest';
import { CLAIM_LEASE, claimable, deliverMessage, OUTCOME_WRITE_WAITS_MS, requeueQueuedDeliveries, takeOverJobId, type ClaimState } from '../../src/app/deliver.js';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import type { ClaimedDelivery, DeliveryStore } from '../../src/app/stores.js';
import { RecordingQueue } from '../support/recording-queue.js';

const now = DateTime.fromISO('2027-10-22T09:00:00+07:00', { setZone: true });
const ago = (minutes: number) => now.minus({ minutes });

describe('claimable: who may claim a delivery row (the rule behind the claim SQL)', () => {
  const table: [string, ClaimState, string, boolean][] = [
    ['a queued row, by anyone', { status: 'queued', claimedBy: null, updatedAt: ago(0) }, 'job-b', true],
    ['its own claim again (the job ran again after a crash)', { status: 'sending', claimedBy: 'job-a', updatedAt: ago(0) }, 'job-a', true],
    ["another job's fresh claim", { status: 'sending', claimedBy: 'job-a', updatedAt: ago(1) }, 'job-b', false],
    ["another job's claim just inside the lease", { status: 'sending', claimedBy: 'job-a', updatedAt: ago(4.9) }, 'job-b', false],
    ["another job's claim exactly one lease old (not yet stale)", { status: 'sending', claimedBy: 'job-a', updatedAt: ago(5) }, 'job-b', false],
    ["another job's claim older than the lease (its worker died)", { status: 'sending', claimedBy: 'job-a', updatedAt: ago(5.1) }, 'job-b', true],
    ['a sent row, never', { status: 'sent', claimedBy: 'job-a', updatedAt: ago(60) }, 'job-a', false],
    ['a failed row, never', { status: 'failed', claimedBy: 'job-a', updatedAt: ago(60) }, 'job-b', false],
    ['a skipped row, never', { status: 'skipped', claimedBy: null, updatedAt: ago(60) }, 'job-b', false],
  ];
  it.each(table)('%s', (_what, row, claimer, expected) => {
    expect(claimable(row, claimer, now)).toBe(expected);
  });

  it('the lease is between 2 and 5 minutes, and a shorter one reclaims sooner', () => {
    expect(CLAIM_LEASE.as('minutes')).toBeGreaterThanOrEqual(2);
    expect(CLAIM_LEASE.as('minutes')).toBeLessThanOrEqual(5);
    const row: ClaimState = { status: 'sending', claimedBy: 'job-a', updatedAt: ago(2) };
    expect(claimable(row, 'job-b', now)).toBe(false);
    expect(claimable(row, 'job-b', now, Duration.fromObject({ minutes: 1 }))).toBe(true);
  });
});

/** A DeliveryStore with only what requeue and a claim need; the rest must not be called. */
function storeWith(rows: { key: string; messageKey: string; state: ClaimState }[]): DeliveryStore & { claims: { claimer: string; staleBefore?: DateTime }[] } {
  const claims: { claimer: string; staleBefore?: DateTime }[] = [];
  return {
    claims,
    async queuedDeliveries(before, limit) {
      return rows.filter((r) => r.state.status === 'queued' && r.state.updatedAt < before).slice(0, limit).map((r) => ({ idempotencyKey: r.key, messageKey: r.messageKey, urgent: false }));
    },
    async staleClaims(staleBefore, limit) {
      return rows
        .filter((r) => r.state.status === 'sending' && r.state.updatedAt < staleBefore)
        .slice(0, limit)
        .map((r) => ({ idempotencyKey: r.key, messageKey: r.messageKey, urgent: false, claimedAt: r.state.updatedAt }));
    },
    async claimMessage(_messageKey, claimer, _now, _count, staleBefore) {
      claims.push({ claimer, staleBefore });
      return [] as ClaimedDelivery[];
    },
    insertDeliveries: () => Promise.reject(new Error('not expected')),
    finish: () => Promise.reject(new Error('not expected')),
    noteDeferred: () => Promise.reject(new Error('not expected')),
  };
}

describe('the planner puts back what Redis or a dead worker left behind', () => {
  const rows = [
    { key: 'k-queued-old', messageKey: 'm1', state: { status: 'queued', claimedBy: null, updatedAt: ago(11) } },
    { key: 'k-queued-new', messageKey: 'm2', state: { status: 'queued', claimedBy: null, updatedAt: ago(3) } },
    { key: 'k-sending-stale', messageKey: 'm3', state: { status: 'sending', claimedBy: 'k-sending-stale', updatedAt: ago(6) } },
    { key: 'k-sending-live', messageKey: 'm4', state: { status: 'sending', claimedBy: 'k-sending-live', updatedAt: ago(1) } },
    { key: 'k-sent', messageKey: 'm5', state: { status: 'sent', claimedBy: 'k-sent', updatedAt: ago(60) } },
  ] satisfies { key: string; messageKey: string; state: ClaimState }[];

  it('queued rows untouched for 10 minutes get their own job back; stale claims get a take-over job with its own claimer', async () => {
    const queue = new RecordingQueue();
    const n = await requeueQueuedDeliveries({ store: storeWith(rows), queue, clock: fixedClock(now) });
    expect(n).toBe(2);
    const takeOver = takeOverJobId('k-sending-stale', ago(6));
    expect([...queue.deliveries.keys()].sort()).toEqual(['k-queued-old', takeOver].sort());
    expect(queue.deliveries.get('k-queued-old')!.payload).toEqual({ messageKey: 'm1', idempotencyKey: 'k-queued-old', urgent: false });
    // The take-over job claims under its own name, so the dead worker's job could not claim alongside it.
    expect(queue.deliveries.get(takeOver)!.payload).toEqual({ messageKey: 'm3', idempotencyKey: 'k-sending-stale', urgent: false, claimer: takeOver });
  });

  it('two planners (or two ticks) on the same stale claim make one take-over job', async () => {
    const queue = new RecordingQueue();
    await requeueQueuedDeliveries({ store: storeWith(rows), queue, clock: fixedClock(now) });
    await requeueQueuedDeliveries({ store: storeWith(rows), queue, clock: fixedClock(now.plus({ minutes: 1 })) });
    expect([...queue.deliveries.keys()].filter((k) => k.startsWith('reclaim|'))).toEqual([takeOverJobId('k-sending-stale', ago(6))]);
  });

  it('a deliver job claims with its claimer and the lease cut-off (now minus the lease)', async () => {
    const store = storeWith([]);
    const deps = { store, clock: fixedClock(now), calendar: undefined as never, channels: [], compose: () => undefined as never };
    await deliverMessage(deps, { messageKey: 'm', idempotencyKey: 'k', urgent: true }, { number: 1, last: false });
    await deliverMessage({ ...deps, claimLease: Duration.fromObject({ minutes: 2 }) }, { messageKey: 'm', idempotencyKey: 'k', urgent: true, claimer: 'reclaim|k|1' }, { number: 1, last: false });
    expect(store.claims.map((c) => [c.claimer, c.staleBefore?.toISO()])).toEqual([
      ['k', now.minus(CLAIM_LEASE).toISO()],
      ['reclaim|k|1', now.minus({ minutes: 2 }).toISO()],
    ]);
  });
});

describe('a message the provider accepted has its outcome written even while PostgreSQL is briefly away', () => {
  const item = {
    idempotencyKey: 'k1', obligationId: 'o', occurrenceKey: '2027', step: '7d', unitId: 'u', unitName: 'U', contactId: 'c', contactName: 'C',
    email: 'c@example.org', phone: null, zaloUserId: null, channels: null, fireAt: now, channel: 'email', urgent: true, attempts: 1, title: 't',
    rule: { kind: 'once', date: '2027-10-30', bound: 'by' }, directiveNumber: '1', directiveTitle: 'd', nominalDue: '2027-10-30', effectiveDue: '2027-10-30',
    stillPending: true, acknowledged: false, purpose: 'reminder', content: null,
  } as unknown as ClaimedDelivery;

  function setup(failures: number) {
    const sent: string[] = [];
    const outcomes: string[] = [];
    const waits: number[] = [];
    let failing = failures;
    const store: DeliveryStore = {
      ...storeWith([]),
      claimMessage: async () => [item],
      finish: async (keys, outcome) => {
        if (keys.length === 0) return;
        if (outcome.status === 'sent' && failing-- > 0) throw new Error('Connection terminated unexpectedly');
        outcomes.push(outcome.status);
      },
    };
    const channel = { name: 'email' as const, canReach: () => true, send: async () => (sent.push('x'), { providerId: 'p1' }), close: async () => undefined };
    const deps = { store, clock: fixedClock(now), calendar: undefined as never, channels: [channel], compose: () => ({}) as never, pause: async (ms: number) => void waits.push(ms) };
    return { deps, sent, outcomes, waits };
  }
  const payload = { messageKey: 'm', idempotencyKey: 'k1', urgent: true };

  it('two failed writes, then it is recorded sent: one send, no retry of the job', async () => {
    const { deps, sent, outcomes, waits } = setup(2);
    expect(await deliverMessage(deps, payload, { number: 1, last: false })).toMatchObject({ status: 'sent' });
    expect(sent).toHaveLength(1);
    expect(outcomes).toEqual(['sent']);
    expect(waits).toEqual(OUTCOME_WRITE_WAITS_MS.slice(0, 2));
  });

  it('still failing after about 30 s: the error goes up (the job retries, and the message may go twice: the bound)', async () => {
    const { deps, sent, outcomes, waits } = setup(100);
    await expect(deliverMessage(deps, payload, { number: 1, last: false })).rejects.toThrow('Connection terminated');
    expect(sent).toHaveLength(1);
    expect(outcomes).toEqual([]);
    expect(waits).toEqual([...OUTCOME_WRITE_WAITS_MS]);
    expect(OUTCOME_WRITE_WAITS_MS.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(25_000);
  });
});
