import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { simpleParser } from 'mailparser';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BullmqJobQueue, startWorkers } from '../../src/adapters/bullmq/bullmq-queue.js';
import { createSmtpChannel } from '../../src/adapters/email/smtp-channel.js';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { PostgresStore } from '../../src/adapters/postgres/store.js';
import type { Database } from '../../src/adapters/postgres/database.js';
import { startPrivateRedis } from '../../src/adapters/redis/private-redis.js';
import type { Catalogue } from '../../src/app/catalogue/catalogue.js';
import { fanOut, fanOutStep } from '../../src/app/fan-out.js';
import type { JobDefinition } from '../../src/app/job-definition.js';
import { planReminders } from '../../src/app/plan.js';
import type { Clock } from '../../src/app/ports.js';
import { syncCatalogue } from '../../src/app/sync.js';
import { environmentSchema } from '../../src/main/environment.js';
import { TEST_SECRET } from '../support/secret.js';
import { createComposer } from '../../src/main/messaging.js';
import { redisConnection } from '../../src/main/service.js';
import { deliverJob } from '../../jobs/deliver.js';
import { fireStepJob } from '../../jobs/fire-step.js';
import { planJob } from '../../jobs/plan.js';
import { DATABASE_KINDS } from '../support/databases.js';
import { CONFIG_DIR, shippedConfig } from '../support/shipped-config.js';
import { cleanupList, until } from '../support/wait.js';
import { startSmtp, type Received, type TestSmtp } from '../support/smtp.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const OBLIGATION = 'dmc-159-2020.thematic-report';
let loaded: Awaited<ReturnType<typeof shippedConfig>>;
beforeAll(async () => {
  loaded = await shippedConfig();
});

const { cleanups, runAll } = cleanupList();
afterEach(runAll);

/** A clock that runs at real speed from `start`, so BullMQ's real delays and our time agree. */
function shiftedClock(start: string): Clock {
  const offset = DateTime.fromISO(start).toMillis() - Date.now();
  return { now: () => DateTime.fromMillis(Date.now() + offset, { zone: 'utc' }) };
}


interface Harness {
  readonly store: PostgresStore;
  readonly db: Database;
  readonly queue: BullmqJobQueue;
  readonly clock: Clock;
  readonly planDeps: Parameters<typeof planReminders>[0];
  readonly fanOutDeps: Parameters<typeof fanOutStep>[0];
  sync(catalogue: Catalogue): Promise<void>;
  fireIds(): Promise<string[]>;
}

/** The whole pipeline on the machine's PostgreSQL (own schema) and Redis (own prefix), mail to `smtp`. */
async function harness(options: { start: string; smtpUrl: string; redisUrl?: string; workers?: boolean }): Promise<Harness> {
  const t = await DATABASE_KINDS.postgres();
  cleanups.push(() => t.dispose());
  const clock = shiftedClock(options.start);
  await migrate(t.db, clock.now());
  const store = new PostgresStore(t.db);
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const connection = redisConnection(options.redisUrl ?? REDIS_URL);
  const retries = { plan: { attempts: 3, backoffMs: 100 }, fire: { attempts: 5, backoffMs: 100 }, deliver: { attempts: 12, backoffMs: 200 }, escalate: { attempts: 5, backoffMs: 100 }, digest: { attempts: 5, backoffMs: 100 } };
  const queue = new BullmqJobQueue({ connection, prefix, clock, retries });
  cleanups.push(async () => {
    for (const name of ['plan', 'fire', 'deliver'] as const) await queue.queueOf(name).obliterate({ force: true });
    await queue.close();
  });
  const env = environmentSchema.parse({ HANCHOT_CONFIG_DIR: CONFIG_DIR, PUBLIC_URL: 'https://hanchot.ldld-dmc.example.vn' });
  const compose = await createComposer(env, loaded, TEST_SECRET);
  const channel = createSmtpChannel({ url: options.smtpUrl, from: 'Hạn Chót <hanchot@example.org>', pool: false, connectionTimeoutMs: 1_000, greetingTimeoutMs: 1_000 });
  cleanups.push(() => channel.close());
  const planDeps = { store, queue, clock, calendar: loaded.calendar, settings: loaded.catalogue.settings };
  const fanOutDeps = { store, queue, clock, channels: [channel], digestSettleMs: 200 };
  if (options.workers !== false) {
    const workers = startWorkers(
      [
        planJob(planDeps) as JobDefinition<never>,
        fireStepJob(fanOutDeps) as JobDefinition<never>,
        deliverJob({ store, clock, calendar: loaded.calendar, channels: [channel], compose, queue }, retries.deliver) as JobDefinition<never>,
      ],
      { connection, prefix, clock },
    );
    cleanups.push(() => workers.close());
  }
  return {
    store,
    db: t.db,
    queue,
    clock,
    planDeps,
    fanOutDeps,
    sync: async (catalogue) => void (await syncCatalogue({ store, clock }, catalogue)),
    fireIds: async () => (await queue.queueOf('fire').getDelayed()).map((j) => j.id!).sort(),
  };
}

const withRule = (c: Catalogue, id: string, rule: Catalogue['obligations'][number]['rule']): Catalogue => ({
  ...c,
  obligations: c.obligations.map((o) => (o.id === id ? { ...o, rule } : o)),
});

async function deliveries(h: Harness) {
  return h.db.query<{ contact_id: string; status: string; attempts: number; error_code: string | null }>(
    'select contact_id, status, attempts, error_code from deliveries order by contact_id',
  );
}

describe('the reminder pipeline (PostgreSQL, BullMQ on Redis, SMTP on loopback)', () => {
  it('a planned step fires at 08:00 and every pending contact gets one email; a unit that completed gets none; a second firing sends nothing', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    // Friday 22/10/2027 07:59:58 local: the 7-day step of the 30/10/2027 report (Saturday 23/10 → Friday 22/10) fires in 2 s.
    const h = await harness({ start: '2027-10-22T07:59:58+07:00', smtpUrl: smtp.url });
    await h.sync(loaded.catalogue);
    await planReminders(h.planDeps, [OBLIGATION]);
    await h.db.query("update assignments set status = 'done_on_time', completed_at = $1 where unit_id = 'dmc.thpt-dmc'", [h.clock.now().toISO()]);
    const pending = (await h.store.pendingRecipients(OBLIGATION, '2027')).filter((p) => p.email);
    expect(pending.length).toBeGreaterThanOrEqual(4);
    expect(pending.some((p) => p.unitId === 'dmc.thpt-dmc')).toBe(false);

    await until('one email per pending contact', () => (smtp.received.length >= pending.length ? true : undefined));
    await new Promise((r) => setTimeout(r, 800));
    expect(smtp.received.flatMap((m) => m.to).sort()).toEqual(pending.map((p) => p.email!).sort());

    const mail = await simpleParser(smtp.received[0]!.raw);
    expect(mail.subject).toBe('[Hạn Chót] Còn 8 ngày: Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU (hạn 30/10/2027)');
    expect(mail.text).toContain('thứ Bảy, 30/10/2027');
    expect(mail.text).toContain('thứ Hai, 01/11/2027');
    expect(mail.text).toContain('159/LĐLĐ');
    expect(mail.html).toContain('https://hanchot.ldld-dmc.example.vn');
    const ics = mail.attachments.find((a) => a.filename === 'han-chot.ics');
    expect(ics?.content.toString('utf8')).toMatch(/BEGIN:VEVENT[\s\S]*DTSTART;VALUE=DATE:20271101[\s\S]*BEGIN:VALARM/);
    const rows = await deliveries(h);
    expect(rows.map((r) => r.status)).toEqual(pending.map(() => 'sent'));
    expect((await h.store.step(OBLIGATION, '2027', '7d'))?.status).toBe('fired');

    // The same step fired again (a redelivered job): nothing new is recorded or sent.
    const again = await fanOutStep(h.fanOutDeps, { obligationId: OBLIGATION, occurrenceKey: '2027', step: '7d', revision: 1 });
    expect(again.created).toBe(0);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(smtp.received).toHaveLength(pending.length);
  }, 40_000);

  it('every step that fires at the same instant for one contact becomes one message (the morning digest)', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const h = await harness({ start: '2027-12-01T08:00:00+07:00', smtpUrl: smtp.url });
    await h.sync(loaded.catalogue);
    const second = 'dmc-159-2020.year-end-staff-rating';
    await h.store.saveOccurrences(OBLIGATION, [{ key: '2027', nominalDue: '2027-12-20', effectiveDue: '2027-12-20' }], ['dmc.thpt-dmc'], h.clock.now());
    await h.store.saveOccurrences(second, [{ key: '2027', nominalDue: '2027-12-31', effectiveDue: '2027-12-31' }], ['dmc.thpt-dmc'], h.clock.now());
    const fireAt = h.clock.now();
    await fanOut(h.fanOutDeps, { obligationId: OBLIGATION, occurrenceKey: '2027', step: '3wd', fireAt, urgent: false });
    await fanOut(h.fanOutDeps, { obligationId: second, occurrenceKey: '2027', step: '30d', fireAt, urgent: false });
    await until('two digests', () => (smtp.received.length >= 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(smtp.received.flatMap((m) => m.to).sort()).toEqual(['chutich.thpt-dmc@example.org', 'phochutich.thpt-dmc@example.org']);
    const mail = await simpleParser(smtp.received[0]!.raw);
    expect(mail.subject).toMatch(/^\[Hạn Chót\] 2 nhiệm vụ/);
    expect(mail.text).toContain('Báo cáo chuyên đề thực hiện Kết luận 19-KL/TU');
    expect(mail.text).toContain(loaded.catalogue.obligations.find((o) => o.id === second)!.title);
    expect((await deliveries(h)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
  }, 30_000);

  it('editing a due date replans (old timers gone, new ones there); deleting the obligation removes its timers', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const h = await harness({ start: '2027-10-03T08:00:00+07:00', smtpUrl: smtp.url, workers: false });
    await h.sync(loaded.catalogue);
    await planReminders(h.planDeps, [OBLIGATION]);
    expect(await h.fireIds()).toEqual([`fire|${OBLIGATION}|2027|0d|r1`, `fire|${OBLIGATION}|2027|3wd|r1`, `fire|${OBLIGATION}|2027|7d|r1`]);

    await h.sync(withRule(loaded.catalogue, OBLIGATION, { kind: 'yearly', month: 10, day: 20 }));
    await planReminders(h.planDeps, [OBLIGATION]);
    // 20/10/2027 (Wednesday): 7d = 13/10, 3wd = 15/10, 1wd = 19/10, 0d = 20/10; 30d (20/9) is long past.
    expect(await h.fireIds()).toEqual([`fire|${OBLIGATION}|2027|0d|r2`, `fire|${OBLIGATION}|2027|1wd|r2`, `fire|${OBLIGATION}|2027|3wd|r2`, `fire|${OBLIGATION}|2027|7d|r2`]);

    await h.sync({ ...loaded.catalogue, obligations: loaded.catalogue.obligations.filter((o) => o.id !== OBLIGATION) });
    await planReminders(h.planDeps, [OBLIGATION]);
    expect(await h.fireIds()).toEqual([]);
  }, 30_000);

  it('after FLUSHALL one planner run puts every pending timer back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hanchot-redis-'));
    const own = await startPrivateRedis(dir);
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    cleanups.push(() => own.stop());
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    // 1/12/2027: every year-end duty (31/12) has timers inside the horizon.
    const h = await harness({ start: '2027-12-01T06:00:00+07:00', smtpUrl: smtp.url, redisUrl: own.url, workers: false });
    await h.sync(loaded.catalogue);
    await planReminders(h.planDeps);
    const before = await h.fireIds();
    expect(before.length).toBeGreaterThan(5);
    const redis = new Redis(own.url);
    await redis.flushall();
    redis.disconnect();
    expect(await h.fireIds()).toEqual([]);
    await planReminders(h.planDeps);
    expect(await h.fireIds()).toEqual(before);
  }, 30_000);

  it('outside quiet hours a delivery is deferred to 07:00 of the next working day without using an attempt', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    // Friday 22/10/2027 22:00 local: next sending instant is Monday 25/10 07:00.
    const h = await harness({ start: '2027-10-22T22:00:00+07:00', smtpUrl: smtp.url });
    await h.sync(loaded.catalogue);
    await h.store.saveOccurrences(OBLIGATION, [{ key: '2027', nominalDue: '2027-10-30', effectiveDue: '2027-11-01' }], ['dmc.thpt-dmc'], h.clock.now());
    await fanOut(h.fanOutDeps, { obligationId: OBLIGATION, occurrenceKey: '2027', step: '7d', fireAt: h.clock.now(), urgent: false });
    const deferred = await until('deferred deliveries', async () => {
      const rows = await deliveries(h);
      return rows.length > 0 && rows.every((r) => r.error_code === 'deferred') ? rows : undefined;
    });
    expect(deferred.every((r) => r.status === 'queued' && r.attempts === 0)).toBe(true);
    const delayed = await h.queue.queueOf('deliver').getDelayed();
    expect(delayed.length).toBe(deferred.length);
    const monday0700 = DateTime.fromISO('2027-10-25T07:00:00+07:00').toMillis();
    const offset = DateTime.fromISO('2027-10-22T22:00:00+07:00').toMillis() - h.clock.now().toMillis();
    for (const job of delayed) {
      // BullMQ keeps real time; our clock is shifted, so compare in our time.
      expect(Math.abs(job.timestamp + (job.delay ?? 0) - monday0700 + offset)).toBeLessThan(60_000);
      expect(job.attemptsMade).toBe(0);
    }
    expect(smtp.received).toHaveLength(0);
  }, 30_000);

  it('SMTP down, then up: each message is delivered once after recovery; a permanent rejection is recorded as failed', async () => {
    // Take a free port, then leave it closed: the server is "down".
    const probe = await startSmtp();
    const port = probe.port;
    await probe.close();
    const received: Received[] = [];
    const h = await harness({ start: '2027-10-22T08:00:00+07:00', smtpUrl: probe.url });
    await h.sync(loaded.catalogue);
    await h.store.saveOccurrences(OBLIGATION, [{ key: '2027', nominalDue: '2027-10-30', effectiveDue: '2027-11-01' }], ['dmc.thpt-dmc', 'dmc.ubnd-suoi-da'], h.clock.now());
    await fanOut(h.fanOutDeps, { obligationId: OBLIGATION, occurrenceKey: '2027', step: '7d', fireAt: h.clock.now(), urgent: false });
    // Every message must have failed once before the server comes back (else a slow worker's first try simply succeeds).
    await until('a failed attempt on every message', async () => {
      const r = await deliveries(h);
      return r.length > 0 && r.every((x) => x.attempts >= 1 && x.status === 'queued') ? true : undefined;
    });

    // Back up; the mailbox of one vice-chairman does not exist (550).
    let server: TestSmtp | undefined;
    server = await startSmtp((a) => (a.address === 'phochutich.ubnd-suoi-da@example.org' ? 550 : undefined), port, received);
    cleanups.push(() => server!.close());
    const rows = await until('every delivery settled', async () => {
      const r = await deliveries(h);
      return r.every((x) => x.status === 'sent' || x.status === 'failed') ? r : undefined;
    }, 30_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(rows.find((r) => r.contact_id === 'dmc.ubnd-suoi-da.vice-chairman')).toMatchObject({ status: 'failed', error_code: 'smtp_550' });
    const sent = rows.filter((r) => r.status === 'sent');
    expect(sent.map((r) => r.contact_id).sort()).toEqual(['dmc.thpt-dmc.chairman', 'dmc.thpt-dmc.vice-chairman', 'dmc.ubnd-suoi-da.chairman']);
    expect(sent.every((r) => r.attempts >= 2)).toBe(true);
    const accepted = received.flatMap((m) => m.to).sort();
    expect(accepted).toEqual(['chutich.thpt-dmc@example.org', 'chutich.ubnd-suoi-da@example.org', 'phochutich.thpt-dmc@example.org']);
  }, 60_000);
});
