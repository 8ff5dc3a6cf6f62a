import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { simpleParser } from 'mailparser';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { BullmqJobQueue, startWorkers } from '../../src/adapters/bullmq/bullmq-queue.js';
import { createSmtpChannel } from '../../src/adapters/email/smtp-channel.js';
import { openPostgres, quoteIdent, type Database } from '../../src/adapters/postgres/database.js';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { PostgresStore } from '../../src/adapters/postgres/store.js';
import { RedisLock } from '../../src/adapters/redis/redis-lock.js';
import { startFakeZalo, type FakeZalo } from '../../src/adapters/zalo/fake-zalo-server.js';
import { tokenFingerprint, ZaloTokenManager } from '../../src/adapters/zalo/token-manager.js';
import { createOaChannel, createZnsChannel } from '../../src/adapters/zalo/zalo-channel.js';
import { createZaloClient } from '../../src/adapters/zalo/zalo-client.js';
import { fanOut } from '../../src/app/fan-out.js';
import type { JobDefinition } from '../../src/app/job-definition.js';
import type { Channel, Clock } from '../../src/app/ports.js';
import { syncCatalogue } from '../../src/app/sync.js';
import { environmentSchema } from '../../src/main/environment.js';
import { TEST_SECRET } from '../support/secret.js';
import { createComposer } from '../../src/main/messaging.js';
import { redisConnection } from '../../src/main/service.js';
import { deliverJob } from '../../jobs/deliver.js';
import { TEST_POSTGRES_URL } from '../support/databases.js';
import { CONFIG_DIR, shippedConfig } from '../support/shipped-config.js';
import { cleanupList, until } from '../support/wait.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const APP = { appId: 'test-app', secretKey: 'test-secret', refreshToken: 'rt-initial' };
const OBLIGATION = 'dmc-159-2020.thematic-report';
let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});

const { cleanups, runAll } = cleanupList();
afterEach(runAll);


/** A database of its own (worker processes connect by URL, so a schema is not enough). */
async function ownDatabase(): Promise<{ url: string; db: Database }> {
  const name = `hanchot_t_${randomBytes(5).toString('hex')}`;
  const admin = await openPostgres({ url: TEST_POSTGRES_URL, max: 1 });
  await admin.query(`create database ${quoteIdent(name)}`);
  const url = TEST_POSTGRES_URL.replace(/\/[^/]*$/, `/${name}`);
  const db = await openPostgres({ url, max: 4 });
  cleanups.push(async () => {
    await db.close();
    await admin.query(`drop database if exists ${quoteIdent(name)} with (force)`);
    await admin.close();
  });
  return { url, db };
}

interface ZaloHarness {
  readonly db: Database;
  readonly store: PostgresStore;
  readonly fake: FakeZalo;
  readonly smtp: TestSmtp;
  readonly queue: BullmqJobQueue;
  readonly prefix: string;
  readonly clock: Clock;
  readonly channels: Channel[];
  readonly dbUrl: string;
  fan(step: string, options?: { urgent?: boolean; fireAt?: DateTime; units?: string[] }): Promise<number>;
  rows(): Promise<{ idempotency_key: string; contact_id: string; channel: string; status: string; attempts: number; error_code: string | null; fell_back_to: string | null; fallback_from: string | null; provider_id: string | null }[]>;
}

async function zaloHarness(options: { start?: string; workers?: boolean; fake?: Parameters<typeof startFakeZalo>[0] } = {}): Promise<ZaloHarness> {
  const { url: dbUrl, db } = await ownDatabase();
  const clock = options.start ? fixedClock(DateTime.fromISO(options.start)) : { now: () => DateTime.now() };
  await migrate(db, clock.now());
  const store = new PostgresStore(db);
  await syncCatalogue({ store, clock }, loaded.catalogue);
  const fake = await startFakeZalo(options.fake ?? APP);
  cleanups.push(() => fake.close());
  const smtp = await startSmtp();
  cleanups.push(() => smtp.close());
  const prefix = `z${randomBytes(5).toString('hex')}`;
  const connection = redisConnection(REDIS_URL);
  const retries = { plan: { attempts: 3, backoffMs: 100 }, fire: { attempts: 3, backoffMs: 100 }, deliver: { attempts: 6, backoffMs: 100 }, escalate: { attempts: 5, backoffMs: 100 }, digest: { attempts: 5, backoffMs: 100 } };
  const queue = new BullmqJobQueue({ connection, prefix, clock, retries });
  cleanups.push(async () => {
    for (const name of ['plan', 'fire', 'deliver'] as const) await queue.queueOf(name).obliterate({ force: true });
    await queue.close();
  });
  const lock = RedisLock.connect(REDIS_URL);
  cleanups.push(() => lock.close());
  const client = createZaloClient({ oaBaseUrl: fake.url, znsBaseUrl: fake.url, oauthBaseUrl: fake.url, appId: APP.appId, appSecret: APP.secretKey, timeoutMs: 2_000 });
  const tokens = new ZaloTokenManager({ appId: APP.appId, initialRefreshToken: APP.refreshToken, store, lock, refresh: (rt) => client.refreshAccessToken(rt), clock, httpTimeoutMs: 2_000 });
  const zaloOptions = { appId: APP.appId, client, tokens, store, clock, zone: 'Asia/Ho_Chi_Minh', templates: { reminder: 'tpl-reminder', due_today: 'tpl-today', overdue: 'tpl-overdue' }, random: () => 0.5 };
  const email = createSmtpChannel({ url: smtp.url, from: 'Hạn Chót <hanchot@example.org>', pool: false, connectionTimeoutMs: 1_000 });
  cleanups.push(() => email.close());
  const channels = [createZnsChannel(zaloOptions), createOaChannel(zaloOptions), email];
  const env = environmentSchema.parse({ HANCHOT_CONFIG_DIR: CONFIG_DIR, PUBLIC_URL: 'https://hanchot.ldld-dmc.example.vn' });
  const compose = await createComposer(env, loaded, TEST_SECRET);
  if (options.workers !== false) {
    const workers = startWorkers([deliverJob({ store, clock, calendar: loaded.calendar, channels, compose, queue }, retries.deliver) as JobDefinition<never>], { connection, prefix, clock });
    cleanups.push(() => workers.close());
  }
  return {
    db,
    dbUrl,
    store,
    fake,
    smtp,
    queue,
    prefix,
    clock,
    channels,
    async fan(step, o = {}) {
      const units = o.units ?? ['dmc.thpt-dmc', 'dmc.ubnd-suoi-da'];
      await store.saveOccurrences(OBLIGATION, [{ key: '2027', nominalDue: '2027-10-30', effectiveDue: '2027-11-01' }], units, clock.now());
      const r = await fanOut({ store, queue, clock, channels, digestSettleMs: 0 }, { obligationId: OBLIGATION, occurrenceKey: '2027', step, fireAt: o.fireAt ?? clock.now(), urgent: o.urgent ?? false });
      return r.deliveries;
    },
    rows: () => db.query('select idempotency_key, contact_id, channel, status, attempts, error_code, fell_back_to, fallback_from, provider_id from deliveries order by contact_id, channel'),
  };
}

const settled = (rows: { status: string }[]) => rows.length > 0 && rows.every((r) => r.status === 'sent' || r.status === 'failed' || r.status === 'skipped');

describe('the Zalo channel against the fake Zalo server', () => {
  it('a reminder reaches each contact by ZNS on their phone, with string template data and a short tracking id', async () => {
    const h = await zaloHarness({ start: '2027-10-22T08:00:00+07:00' });
    const n = await h.fan('7d');
    const rows = await until('sent', async () => {
      const r = await h.rows();
      return settled(r) ? r : undefined;
    });
    expect(rows).toHaveLength(n);
    expect(rows.every((r) => r.channel === 'zalo_zns' && r.status === 'sent' && r.provider_id)).toBe(true);
    const sends = h.fake.requests.filter((r) => r.route === 'zns');
    expect(sends).toHaveLength(n);
    for (const req of sends) {
      const body = req.body as { phone: string; template_id: string; template_data: Record<string, unknown>; tracking_id: string };
      expect(body.phone).toMatch(/^849\d{8}$/);
      expect(body.template_id).toBe('tpl-reminder');
      expect(Object.values(body.template_data).every((v) => typeof v === 'string' && v === v.normalize('NFC'))).toBe(true);
      expect(body.template_data.nhiem_vu).toBe('Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU');
      expect(body.tracking_id.length).toBeLessThanOrEqual(48);
      expect(body.tracking_id).toMatch(/^[A-Za-z0-9_]+$/);
      expect(req.headers.access_token).toBeTruthy();
    }
    expect(h.smtp.received).toHaveLength(0);
    // The token pair was seeded from the configured refresh token, rotated once, and stored.
    const token = await h.store.readToken(APP.appId);
    expect(token).toMatchObject({ status: 'ok', refreshCount: 1 });
    expect(token!.refreshToken).not.toBe(APP.refreshToken);
  }, 40_000);

  it('a contact Zalo rejects (-118: no Zalo account) gets the reminder by email instead, and only by email', async () => {
    const h = await zaloHarness({ start: '2027-10-22T08:00:00+07:00' });
    h.fake.injectWhen('zns', (b: { phone?: string }) => b.phone === '84900000004', { code: -118, message: 'Zalo account not existed' }, Infinity);
    await h.fan('7d');
    const rows = await until('settled', async () => {
      const r = await h.rows();
      return settled(r) && r.some((x) => x.channel === 'email') ? r : undefined;
    });
    const chairman = rows.filter((r) => r.contact_id === 'dmc.thpt-dmc.chairman');
    expect(chairman.map((r) => [r.channel, r.status, r.error_code, r.fell_back_to])).toEqual([
      ['email', 'sent', null, null],
      ['zalo_zns', 'failed', 'zalo_-118', 'email'],
    ]);
    expect(chairman[0]!.fallback_from).toBe(chairman[1]!.idempotency_key);
    const [meaning] = await h.db.query<{ error_meaning: string | null }>('select error_meaning from deliveries where idempotency_key = $1', [chairman[1]!.idempotency_key]);
    expect(meaning?.error_meaning).toBeTruthy();
    expect(h.smtp.received.flatMap((m) => m.to)).toEqual(['chutich.thpt-dmc@example.org']);
    const mail = await simpleParser(h.smtp.received[0]!.raw);
    expect(mail.subject).toContain('Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU');
    // Everyone else got exactly one Zalo message and no email.
    const others = rows.filter((r) => r.contact_id !== 'dmc.thpt-dmc.chairman');
    expect(others.every((r) => r.channel === 'zalo_zns' && r.status === 'sent')).toBe(true);
  }, 40_000);

  it('a refused refresh token is tried once, marks the OA as needing consent, and every reminder falls back to email', async () => {
    // Zalo no longer knows our refresh token (used elsewhere, or expired).
    const h = await zaloHarness({ start: '2027-10-22T08:00:00+07:00', fake: { ...APP, refreshToken: 'rt-someone-else-rotated' } });
    const n = await h.fan('7d');
    const rows = await until('settled', async () => {
      const r = await h.rows();
      return r.filter((x) => x.channel === 'email' && x.status === 'sent').length === n ? r : undefined;
    });
    expect(rows.filter((r) => r.channel === 'zalo_zns').every((r) => r.status === 'failed' && r.error_code === 'zalo_needs_consent' && r.fell_back_to === 'email')).toBe(true);
    expect(h.fake.requests.filter((r) => r.route === 'oauth')).toHaveLength(1);
    expect(h.fake.requests.filter((r) => r.route === 'zns')).toHaveLength(0);
    expect(await h.store.readToken(APP.appId)).toMatchObject({ status: 'needs_consent' });
    expect(h.smtp.received).toHaveLength(n);
  }, 40_000);

  it('the night window (-133) and the daily quota (-144) defer without using an attempt', async () => {
    const h = await zaloHarness({ start: '2027-10-22T08:00:00+07:00' });
    h.fake.inject('zns', { code: -133, message: 'Cannot send at night' }, 1);
    h.fake.inject('zns', { code: -144, message: 'OA exceeded daily quota' }, 1);
    await h.fan('7d', { units: ['dmc.thpt-dmc'] });
    const rows = await until('two deferred', async () => {
      const r = await h.rows();
      return r.length === 2 && r.every((x) => x.error_code === 'deferred') ? r : undefined;
    });
    // The claim counted one try for each; the deferral gave nothing back to BullMQ's attempts.
    expect(rows.every((r) => r.status === 'queued')).toBe(true);
    const delayed = await h.queue.queueOf('deliver').getDelayed();
    expect(delayed).toHaveLength(2);
    for (const job of delayed) expect(job.attemptsMade).toBe(0);
    // The record says when: the quota until the next day from 00:05 (+ jitter); a "night" refusal at
    // 08:00 can only be clock skew between us and Zalo, so it waits 5 minutes (+ jitter).
    const rows2 = await h.db.query<{ error: string }>('select error from deliveries order by error');
    const when = rows2.map((r) => /gửi lại lúc (\d\d:\d\d) (\d\d\/\d\d\/\d{4})/.exec(r.error)?.slice(1).join(' '));
    expect(when.sort()).toEqual(['00:10 23/10/2027', '08:10 22/10/2027']);
  }, 40_000);

  it('a mixed burst of 2,000 deliveries with injected errors: every delivery ends in exactly one final state, nothing twice', async () => {
    const h = await zaloHarness({ start: '2027-10-22T08:00:00+07:00' });
    const units = loaded.catalogue.units.filter((u) => u.parent === 'dmc').map((u) => u.id);
    h.fake.injectWhen('zns', (b: { phone?: string }) => b.phone === '84900000004', { code: -118 }, Infinity);
    h.fake.inject('zns', { code: -32, message: 'Your application reached limit call api' }, 40);
    h.fake.inject('zns', { http: 500 }, 40);
    h.fake.inject('zns', { code: -100 }, 20);
    h.fake.inject('zns', { code: -230 }, 10);
    let planned = 0;
    for (let i = 0; planned < 2_000; i++) {
      planned += await h.fan(`b${i}`, { urgent: true, units, fireAt: h.clock.now().plus({ milliseconds: i }) });
    }
    const rows = await until(
      'every delivery final',
      async () => {
        const r = await h.rows();
        return r.length >= planned && r.every((x) => x.status === 'sent' || x.status === 'failed' || x.status === 'skipped') ? r : undefined;
      },
      120_000,
    );
    // Every original delivery either went out or was handed to exactly one other channel that did.
    const byKey = new Map(rows.map((r) => [r.idempotency_key, r]));
    const originals = rows.filter((r) => !r.fallback_from);
    expect(originals).toHaveLength(planned);
    let delivered = 0;
    for (const r of originals) {
      let row = r;
      while (row.status === 'failed' && row.fell_back_to) {
        row = rows.find((x) => x.fallback_from === row.idempotency_key)!;
        expect(row, `fallback of ${r.idempotency_key}`).toBeDefined();
      }
      if (row.status === 'sent') delivered++;
    }
    expect(delivered).toBe(planned);
    expect(byKey.size).toBe(rows.length);
    // Nothing twice: one ZNS send per Zalo delivery that succeeded, one email per email delivery.
    const znsSent = rows.filter((r) => r.channel === 'zalo_zns' && r.status === 'sent').length;
    expect(h.fake.state.sent).toHaveLength(znsSent);
    expect(new Set(h.fake.state.sent.map((x) => (x.body as { tracking_id: string }).tracking_id)).size).toBe(znsSent);
    const emailSent = rows.filter((r) => r.channel === 'email' && r.status === 'sent').length;
    expect(h.smtp.received).toHaveLength(emailSent);
    expect(emailSent).toBeGreaterThan(0);
  }, 180_000);

  it('an expired token across four worker processes causes exactly one refresh, and every message is sent', async () => {
    const h = await zaloHarness({ workers: false, fake: { ...APP, oauthDelayMs: 300 } });
    // A pair issued an hour ago (not due for a proactive refresh) that Zalo no longer accepts.
    const now = DateTime.now();
    await h.store.writeToken(
      { appId: APP.appId, accessToken: 'at-revoked', refreshToken: APP.refreshToken, accessIssuedAt: now.minus({ hours: 1 }), accessExpiresAt: now.plus({ hours: 24 }), refreshExpiresAt: now.plus({ months: 3 }), seededFrom: tokenFingerprint(APP.refreshToken), status: 'ok', statusReason: null, refreshCount: 0 },
      now,
    );
    const env = {
      ...process.env,
      DATABASE_URL: h.dbUrl,
      HANCHOT_SECRET: TEST_SECRET,
      REDIS_URL,
      HANCHOT_QUEUE_PREFIX: h.prefix,
      HANCHOT_CONFIG_DIR: CONFIG_DIR,
      HANCHOT_DATA_DIR: `/tmp/hanchot-${h.prefix}`,
      SMTP_URL: h.smtp.url,
      ZALO_APP_ID: APP.appId,
      ZALO_APP_SECRET: APP.secretKey,
      ZALO_REFRESH_TOKEN: APP.refreshToken,
      ZALO_OA_BASE_URL: h.fake.url,
      ZALO_ZNS_BASE_URL: h.fake.url,
      ZALO_OAUTH_BASE_URL: h.fake.url,
      ZALO_ZNS_TEMPLATE_REMINDER: 'tpl-reminder',
      ZALO_ZNS_TEMPLATE_DUE_TODAY: 'tpl-today',
      ZALO_ZNS_TEMPLATE_OVERDUE: 'tpl-overdue',
      LOG_LEVEL: 'warn',
    };
    const workers: ChildProcess[] = [];
    for (let i = 0; i < 4; i++) {
      const child = spawn(process.execPath, ['dist/src/main/cli.js', 'worker'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
      workers.push(child);
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      );
    }
    // Let the four workers connect before the burst, so that they race for it.
    await new Promise((r) => setTimeout(r, 2_500));
    let deliveries = 0;
    for (const [i, unit] of ['dmc.thpt-dmc', 'dmc.ubnd-suoi-da', 'dmc.cty-cao-su-minh-chau', 'dmc.thcs-phuoc-minh', 'dmc.ttyt-dmc'].entries()) {
      deliveries += await h.fan(`burst-${i}`, { urgent: true, units: [unit] });
    }
    expect(deliveries).toBeGreaterThanOrEqual(8);
    const rows = await until('every message sent', async () => {
      const r = await h.rows();
      return r.length === deliveries && r.every((x) => x.status === 'sent') ? r : undefined;
    }, 40_000);
    expect(rows.every((r) => r.channel === 'zalo_zns')).toBe(true);
    expect(h.fake.requests.filter((r) => r.route === 'oauth')).toHaveLength(1);
    expect(h.fake.state.refreshCount).toBe(1);
    expect((await h.store.readToken(APP.appId))?.refreshCount).toBe(1);
    // Nothing sent twice: one successful ZNS send per delivery.
    expect(h.fake.state.sent).toHaveLength(deliveries);
    expect(new Set(h.fake.state.sent.map((s) => (s.body as { tracking_id: string }).tracking_id)).size).toBe(deliveries);
  }, 60_000);
});
