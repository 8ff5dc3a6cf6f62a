import { DateTime } from 'luxon';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresAccessStore } from '../../src/adapters/postgres/access-store.js';
import { createApiToken } from '../../src/app/access.js';
import { fanOut } from '../../src/app/fan-out.js';
import { followUpHarness, runPlanner, ADMIN_TOKEN } from '../support/follow-up-harness.js';
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
    const h = await followUpHarness({ start: '2027-10-22T08:00:02+07:00', loaded, smtpUrl: smtp.url });
    cleanups.push(() => h.dispose());
    await h.sync(loaded.catalogue);
    await runPlanner(h.planner);
    h.startWorkers();
    // The 7-day step of the 30/10 report was due at 08:00, two seconds ago.
    const fired = await fanOut({ store: h.store, queue: h.queue, clock: h.clock, channels: h.channels, digestSettleMs: 0 }, { obligationId: OBLIGATION, occurrenceKey: '2027', step: '7d', fireAt: DateTime.fromISO('2027-10-22T08:00:00+07:00'), urgent: false });
    await until('every message sent', async () => (await h.db.query("select 1 from deliveries where status = 'sent'")).length >= fired.deliveries || undefined, 20_000);
    const app = await h.http();
    cleanups.push(() => app.close());

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
    const h = await followUpHarness({ start: '2027-10-22T09:00:00+07:00', loaded });
    cleanups.push(() => h.dispose());
    await h.sync(loaded.catalogue);
    await runPlanner(h.planner);
    // A fire job with a payload no handler accepts fails for good.
    await h.bullmq!.queueOf('fire').add('fire-step', { nonsense: true }, { jobId: 'broken-job', attempts: 1 });
    h.startWorkers();
    await until('the broken job to fail', async () => (await h.bullmq!.queueOf('fire').getFailedCount()) > 0 || undefined);
    const { createUser } = await import('../../src/app/access.js');
    const store = new PostgresAccessStore(h.db);
    await createUser({ store, clock: h.clock }, { username: 'root', displayName: 'Root', password: 'mật khẩu hệ thống 1', role: 'admin', unitId: null });
    await createUser({ store, clock: h.clock }, { username: 'vp', displayName: 'VP', password: 'mật khẩu quản trị 1', role: 'admin', unitId: 'dmc' });
    const app = await h.http();
    cleanups.push(() => app.close());
    const signIn = async (username: string, password: string) => {
      const r = await app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ username, password }).toString() });
      return String(r.headers['set-cookie']).split(';')[0]!;
    };
    const root = await signIn('root', 'mật khẩu hệ thống 1');
    const page = await app.inject({ method: 'GET', url: '/queues', headers: { cookie: root } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('broken-job');
    expect(page.body).toContain('payload không hợp lệ cho fire-step');
    expect(page.body).toMatch(/<td>fire<\/td><td>\d+<\/td><td>[1-9]\d*<\/td>/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const retried = await app.inject({ method: 'POST', url: '/queues/fire/retry', headers: { cookie: root, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, id: 'broken-job' }).toString() });
    expect(retried.statusCode).toBe(303);
    expect((await app.inject({ method: 'GET', url: '/queues', headers: { cookie: await signIn('vp', 'mật khẩu quản trị 1') } })).statusCode).toBe(403);
  }, 30_000);
});
