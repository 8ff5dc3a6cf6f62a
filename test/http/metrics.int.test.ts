import { DateTime } from 'luxon';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresAccessStore } from '../../src/adapters/postgres/access-store.js';
import { createApiToken } from '../../src/app/access.js';
import { fanOut } from '../../src/app/fan-out.js';
import { ADMIN_TOKEN } from '../support/follow-up-harness.js';
import { httpWorld, signIn } from '../support/http-world.js';
import { shippedConfig } from '../support/shipped-config.js';
import { startSmtp } from '../support/smtp.js';
import { cleanupList, until } from '../support/wait.js';

const OBLIGATION = 'dmc-159-2020.thematic-report';
let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});
const { cleanups, runAll } = cleanupList();
afterEach(runAll);

/** One sample's value from Prometheus text, e.g. sample(text, 'hanchot_deliveries{channel="email",status="sent"}'). */
const sample = (text: string, name: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};

describe('/metrics (Prometheus)', () => {
  it('reports deliveries by channel and status, the firing lag, queue depths, planner runs and process memory, to admins only', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const { h, app } = await httpWorld({ start: '2027-10-22T08:00:02+07:00', loaded, cleanups, plan: true, bullmq: true, smtpUrl: smtp.url });
    h.startWorkers();
    // The 7-day step of the 30/10 report was due at 08:00, two seconds ago.
    const fired = await fanOut({ store: h.store, queue: h.queue, clock: h.clock, channels: h.channels, digestSettleMs: 0 }, { obligationId: OBLIGATION, occurrenceKey: '2027', step: '7d', fireAt: DateTime.fromISO('2027-10-22T08:00:00+07:00'), urgent: false });
    await until('every message sent', async () => (await h.db.query("select 1 from deliveries where status = 'sent'")).length >= fired.deliveries || undefined, 20_000);

    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const viewer = (await createApiToken({ store: new PostgresAccessStore(h.db), clock: h.clock }, { name: 'v', role: 'viewer', unitId: 'dmc', createdBy: 't' })).token;
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${viewer}` } })).statusCode).toBe(403);

    const r = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    const messages = smtp.received.length;
    expect(sample(r.body, 'hanchot_deliveries{channel="email",status="sent"}')).toBe(fired.deliveries);
    // One observation per message sent, each at least the two seconds it was late.
    expect(sample(r.body, 'hanchot_firing_lag_seconds_count{channel="email"}')).toBe(messages);
    expect(sample(r.body, 'hanchot_firing_lag_seconds_bucket{le="1",channel="email"}')).toBe(0);
    expect(sample(r.body, 'hanchot_planner_runs_total')).toBe(1);
    expect(sample(r.body, 'hanchot_planned_timers')).toBeGreaterThan(0);
    expect(sample(r.body, 'hanchot_queue_jobs{queue="fire",state="delayed"}')).toBeGreaterThan(0);
    expect(sample(r.body, 'hanchot_process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
  }, 40_000);
});

describe('the queue inspector in the console', () => {
  it('shows each queue\'s jobs and the failed ones with their reason to a system admin, who can run one again; others may not', async () => {
    const { h, app, access } = await httpWorld({ start: '2027-10-22T09:00:00+07:00', loaded, cleanups, plan: true, bullmq: true });
    // A fire job with a payload no handler accepts fails for good.
    await h.bullmq!.queueOf('fire').add('fire-step', { nonsense: true }, { jobId: 'broken-job', attempts: 1 });
    h.startWorkers();
    await until('the broken job to fail', async () => (await h.bullmq!.queueOf('fire').getFailedCount()) > 0 || undefined);
    const root = await signIn(app, access, h.clock, { username: 'root', role: 'admin', unitId: null });
    const vp = await signIn(app, access, h.clock, { username: 'vp', role: 'admin', unitId: 'dmc' });
    const page = await root.get('/queues');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('broken-job');
    expect(page.body).toContain('payload không hợp lệ cho fire-step');
    expect(page.body).toMatch(/<td>fire<\/td><td>\d+<\/td><td>[1-9]\d*<\/td>/);
    const retried = await root.form('/queues/fire/retry', { id: 'broken-job' });
    expect(retried.statusCode).toBe(303);
    expect((await vp.get('/queues')).statusCode).toBe(403);
  }, 30_000);
});
