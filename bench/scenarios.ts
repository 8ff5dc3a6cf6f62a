import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { DateTime, Duration } from 'luxon';
import { BullmqJobQueue } from '../src/adapters/bullmq/bullmq-queue.js';
import { openPostgres, quoteIdent, type Database } from '../src/adapters/postgres/database.js';
import { migrate } from '../src/adapters/postgres/migrations.js';
import { PostgresStore } from '../src/adapters/postgres/store.js';
import { startFakeZalo, type FakeZalo } from '../src/adapters/zalo/fake-zalo-server.js';
import { fireEscalation } from '../src/app/escalate.js';
import { fireJobId } from '../src/app/job-queue.js';
import type { Channel } from '../src/app/ports.js';
import { runPlanner, type PlannerDeps } from '../src/app/planner.js';
import type { Loaded } from '../src/main/context.js';
import { QUEUE_RETRIES, redisConnection } from '../src/main/service.js';
import { deletePrefix, peakRssMb, PG_URL, postgresCpu, postgresCpuSince, prefixBytes, REDIS_URL, redisCpuMs, sampleRedisMemory, ShiftedClock, sleep, waitFor, type SmtpSink } from './lib.js';

const here = dirname(fileURLToPath(import.meta.url));
export const RUN_ID = randomBytes(3).toString('hex');
export const LOG_DIR = join(here, '..', 'bench-logs');
mkdirSync(LOG_DIR, { recursive: true });

/** The simulated morning: Friday 15/10/2027 08:00 in Hà Nội, a working day (the `0d` step of a yearly "15/10"). */
export const FIRE_AT = DateTime.fromISO('2027-10-15T08:00:00+07:00').toUTC();
/** HANCHOT_DIGEST_SETTLE_MS: the production default, 1 s in --quick (BENCH_SETTLE_MS). */
export const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? (process.argv.includes('--quick') ? 1_000 : 5_000));
const ZALO_APP = { appId: 'bench-app', secretKey: 'bench-secret', refreshToken: 'rt-bench' };
/** Escalation pushed out of every horizon: the burst measures reminders (escalation timers are measured apart). */
const FAR_ESCALATION = { levels: [{ level: 1, afterWorkingDays: 30, notify: { kind: 'unit_leader' } }], repeatEveryWorkingDays: 5, maxRepeats: 0 };

let seq = 0;
export const newPrefix = () => `bench:${RUN_ID}:${++seq}`;

// ── the record ─────────────────────────────────────────────────────────────

export interface Record_ {
  readonly schema: string;
  readonly db: Database;
  readonly store: PostgresStore;
  dispose(): Promise<void>;
}

export async function openRecord(): Promise<Record_> {
  const schema = `bench_${RUN_ID}_${++seq}`;
  const db = await openPostgres({ url: PG_URL, schema, max: 10 });
  await migrate(db, DateTime.utc());
  return {
    schema,
    db,
    store: new PostgresStore(db),
    async dispose() {
      await db.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
      await db.close();
    },
  };
}

export type Mode = 'email' | 'zalo' | 'mix';

/** One province ("bench") with `units` grassroots unions under it, one contact each. */
export async function seedUnits(db: Database, units: number, mode: Mode): Promise<void> {
  const now = DateTime.utc().toISO();
  await db.query(`insert into directives (id, number, issuer, issued_on, title, updated_at) values ('bench-dir', '1/BENCH', 'LĐLĐ Bench', '2027-01-05', 'Chỉ thị đo tải', $1)`, [now]);
  await db.query(`insert into units (id, parent_id, name, kind, updated_at) values ('bench', null, 'LĐLĐ tỉnh Bench', 'province', $1)`, [now]);
  await db.query(
    `insert into units (id, parent_id, name, kind, updated_at)
     select 'u' || lpad(i::text, 6, '0'), 'bench', 'Công đoàn cơ sở số ' || i, 'grassroots', $2 from generate_series(1, $1::int) i`,
    [units, now],
  );
  // email: an address only; zalo: a Vietnamese mobile and ZNS first; mix: every other contact.
  await db.query(
    `insert into contacts (id, unit_id, name, role, email, phone, channels, updated_at)
     select 'c' || lpad(i::text, 6, '0'), 'u' || lpad(i::text, 6, '0'), 'Chủ tịch CĐCS ' || i, 'chairperson',
            case when z then null else 'c' || i || '@bench.example.org' end,
            case when z then '849' || lpad(i::text, 8, '0') else null end,
            case when z then '["zalo_zns"]'::jsonb else '["email"]'::jsonb end, $3
     from (select i, case $2 when 'zalo' then true when 'mix' then i % 2 = 0 else false end as z from generate_series(1, $1::int) i) s`,
    [units, mode, now],
  );
}

export interface SeedObligation {
  readonly id: string;
  readonly rule: object;
  readonly ladder?: readonly string[];
  readonly escalation?: object | null;
}

export async function seedObligations(db: Database, obligations: readonly SeedObligation[]): Promise<void> {
  const now = DateTime.utc().toISO();
  for (const o of obligations) {
    await db.query(
      `insert into obligations (id, directive_id, title, rule, roll, ladder, assignees, escalation, updated_at)
       values ($1, 'bench-dir', $2, $3, 'next_working_day', $4, '{"units": [], "childrenOf": ["bench"]}', $5, $6)`,
      [o.id, `Báo cáo ${o.id}`, JSON.stringify(o.rule), o.ladder ? JSON.stringify(o.ladder) : null, o.escalation === null ? null : JSON.stringify(o.escalation ?? FAR_ESCALATION), now],
    );
  }
  await db.query('analyze');
}

/** The yearly "15/10" obligation of the burst: one step (0d) at 08:00 on the due day. */
export const burstObligation = (i = 0): SeedObligation => ({ id: `bench.yearly-${i}`, rule: { kind: 'yearly', month: 10, day: 15 }, ladder: ['0d'] });

export function plannerDeps(loaded: Loaded, store: PostgresStore, prefix: string, clock: ShiftedClock): PlannerDeps & { queue: BullmqJobQueue } {
  const queue = new BullmqJobQueue({ connection: redisConnection(REDIS_URL), prefix, clock, retries: QUEUE_RETRIES });
  return {
    store,
    queue,
    clock,
    calendar: loaded.calendar,
    settings: loaded.catalogue.settings,
    policy: { horizonDays: 35, catchUpMaxAge: Duration.fromObject({ hours: 24 }), lookbackDays: 35 },
  };
}

/** Offset that makes the virtual clock read `virtual` now. */
export const offsetFor = (virtual: DateTime) => virtual.toMillis() - Date.now();

// ── the service process ────────────────────────────────────────────────────

export interface Child {
  readonly process: ChildProcess;
  request<T>(message: { type: string }, answer: string): Promise<T>;
  stop(): Promise<void>;
}

/** Starts bench/child.js in BENCH_MODE with `env`; its log goes to bench-logs/. Resolves on its first message. */
export async function startChild(mode: string, env: Record<string, string>, name: string): Promise<{ child: Child; first: any }> {
  const log = openSync(join(LOG_DIR, `${name}.log`), 'w');
  const cp = fork(join(here, 'child.js'), [], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env, BENCH_MODE: mode },
    stdio: ['ignore', log, log, 'ipc'],
    execArgv: process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${LOG_DIR}`] : [],
  });
  closeSync(log);
  const waiting = new Map<string, (m: any) => void>();
  let exited = false;
  const first = new Promise<any>((resolve, reject) => {
    cp.once('message', resolve);
    cp.once('exit', (code) => reject(new Error(`${mode} exited with ${code} (see bench-logs/${name}.log)`)));
  });
  cp.on('message', (m: any) => waiting.get(m.type)?.(m));
  cp.on('exit', () => (exited = true));
  const msg = await first;
  if (msg.type === 'error') throw new Error(`${mode}: ${msg.message}`);
  return {
    first: msg,
    child: {
      process: cp,
      request: (message, answer) =>
        new Promise((resolve) => {
          waiting.set(answer, resolve);
          cp.send(message);
        }),
      async stop() {
        if (exited) return;
        const done = new Promise<void>((r) => cp.once('exit', () => r()));
        cp.send({ type: 'stop' });
        await Promise.race([done, sleep(30_000).then(() => cp.kill('SIGKILL'))]);
      },
    },
  };
}

// ── the burst ──────────────────────────────────────────────────────────────

export interface BurstResult {
  readonly units: number;
  readonly mode: Mode;
  readonly obligations: number;
  readonly deliveries: number;
  readonly messages: number;
  readonly sentRows: number;
  readonly planSeconds: number;
  /** Fire instant → last message accepted by the sink(s). */
  readonly fireToLastSeconds: number;
  /** Messages per second from the intended send instant (fire + settle) to the last acceptance. */
  readonly perSecond: number;
  /** Fire instant → fan-out started (the timer itself). */
  readonly timerLagSeconds: number;
  /** Intended send instant (fire + settle) → first message started. */
  readonly firingLagSeconds: number;
  readonly peakRssMb: number;
  readonly redisPeakMb: number;
  readonly lateTimer: boolean;
  /** CPU time of the service process per message (user + system), from ready to the last message. */
  readonly cpuPerMessageMs: number;
  /** CPU of the others per message over the burst: the sink(s), every PostgreSQL process, Redis. */
  readonly otherCpuPerMessageMs: { readonly sink: number; readonly postgres: number; readonly redis: number };
}

export interface Sinks {
  readonly smtp: SmtpSink;
}

/**
 * N units, one contact each, `obligations` yearly obligations due the same morning, fired at
 * once through the real pipeline: the planner (this process, as `hanchot start` would) puts the
 * timer in Redis, the service process (`hanchot worker` wiring) fires, fans out and delivers.
 */
export async function burst(loaded: Loaded, sinks: Sinks, redis: Redis, units: number, mode: Mode, obligations = 1, timeoutMs = 15 * 60_000): Promise<BurstResult> {
  const record = await openRecord();
  const prefix = newPrefix();
  const zalo = mode === 'email' ? undefined : await startFakeZalo({ ...ZALO_APP, dailyQuota: 1e9 });
  let child: Child | undefined;
  try {
    await seedUnits(record.db, units, mode);
    const obls = Array.from({ length: obligations }, (_, i) => burstObligation(i));
    await seedObligations(record.db, obls);
    // 1. The full planner run, two days before (occurrences, every assignment, the timer).
    const early = plannerDeps(loaded, record.store, prefix, new ShiftedClock(offsetFor(FIRE_AT.minus({ days: 2 }))));
    let t = Date.now();
    await runPlanner(early);
    const planSeconds = (Date.now() - t) / 1000;
    await early.queue.queueOf('fire').obliterate({ force: true });
    await early.queue.close();

    // 2. The service process on a clock where the fire instant is a few seconds ahead.
    // Room for the service process to start (~2–3 s on the busy machine) and the replan (≤ the first run).
    const fireReal = Date.now() + 6_000 + 1.5 * planSeconds * 1000;
    const offset = FIRE_AT.toMillis() - fireReal;
    const env: Record<string, string> = {
      DATABASE_URL: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${record.schema}`)}`,
      REDIS_URL,
      HANCHOT_SECRET: 'bench-secret-0123456789abcdef',
      PUBLIC_URL: 'https://hanchot.bench.example.org',
      LOG_LEVEL: 'info',
      BENCH_OFFSET_MS: String(offset),
      BENCH_PREFIX: prefix,
      HANCHOT_DIGEST_SETTLE_MS: String(SETTLE_MS),
    };
    if (mode !== 'zalo') env.SMTP_URL = sinks.smtp.url;
    if (zalo) {
      Object.assign(env, {
        ZALO_APP_ID: ZALO_APP.appId,
        ZALO_APP_SECRET: ZALO_APP.secretKey,
        ZALO_REFRESH_TOKEN: ZALO_APP.refreshToken,
        ZALO_ZNS_TEMPLATE_REMINDER: 'bench-tpl',
        ZALO_OA_BASE_URL: zalo.url,
        ZALO_ZNS_BASE_URL: zalo.url,
        ZALO_OAUTH_BASE_URL: zalo.url,
      });
    }
    child = (await startChild('service', env, `service-${mode}-${units}-${obligations}`)).child;

    // 3. The planner's next run (as its 5-minute tick would) puts the timer back for that instant.
    const replan = plannerDeps(loaded, record.store, prefix, new ShiftedClock(offset));
    await runPlanner(replan, obls.map((o) => o.id));
    await replan.queue.close();
    const lateTimer = Date.now() > fireReal;

    // 4. Wait for every message at the sinks.
    sinks.smtp.reset();
    const zaloCount = counter(zalo);
    const expected = units;
    const memory = sampleRedisMemory(redis);
    // Who else spent CPU on the burst: the sinks (this process, otherwise waiting), PostgreSQL, Redis.
    const cpuBefore = { sink: process.cpuUsage(), postgres: postgresCpu(), redis: await redisCpuMs(redis) };
    const complete = await waitFor(() => sinks.smtp.count() + zaloCount.count() >= expected, Math.max(0, fireReal - Date.now()) + timeoutMs, 25);
    const lastAt = Math.max(sinks.smtp.lastAt(), zaloCount.lastAt());
    const sinkCpu = process.cpuUsage(cpuBefore.sink);
    const otherCpu = { sinkMs: (sinkCpu.user + sinkCpu.system) / 1000, postgresMs: postgresCpuSince(cpuBefore.postgres), redisMs: (await redisCpuMs(redis)) - cpuBefore.redis };
    // Settle: anything beyond the expected count would be a duplicate.
    await sleep(300);
    const messages = sinks.smtp.count() + zaloCount.count();
    zaloCount.stop();
    const mem = await memory.stop();
    const stats = await child.request<{ firstSendAt: number; maxRssMb: number; cpuMs: number }>({ type: 'stats' }, 'stats');
    const rss = Math.max(peakRssMb(child.process.pid!), stats.maxRssMb);
    await child.stop();
    child = undefined;
    const [row] = await record.db.query<{ sent: string; total: string; fanout: Date | null }>(
      `select count(*) filter (where status = 'sent') as sent, count(*) as total, min(created_at) as fanout from deliveries`,
    );
    if (!complete) throw new Error(`burst ${units} ${mode}: only ${messages}/${expected} messages in time (${row?.sent} rows sent)`);
    const intended = fireReal + SETTLE_MS;
    return {
      units,
      mode,
      obligations,
      deliveries: Number(row?.total ?? 0),
      messages,
      sentRows: Number(row?.sent ?? 0),
      planSeconds,
      fireToLastSeconds: (lastAt - fireReal) / 1000,
      perSecond: messages / ((lastAt - intended) / 1000),
      timerLagSeconds: row?.fanout ? (row.fanout.getTime() - offset - fireReal) / 1000 : NaN,
      firingLagSeconds: (stats.firstSendAt - intended) / 1000,
      peakRssMb: rss,
      redisPeakMb: (mem.peak - mem.baseline) / 1048576,
      lateTimer,
      cpuPerMessageMs: stats.cpuMs / Math.max(1, messages),
      otherCpuPerMessageMs: { sink: otherCpu.sinkMs / Math.max(1, messages), postgres: otherCpu.postgresMs / Math.max(1, messages), redis: otherCpu.redisMs / Math.max(1, messages) },
    };
  } finally {
    await child?.stop().catch(() => undefined);
    await zalo?.close();
    await deletePrefix(redis, `${prefix}:*`);
    await record.dispose();
  }
}

/** Counts what the fake Zalo accepted and forgets the bodies (it records every request). */
function counter(zalo: FakeZalo | undefined) {
  let count = 0;
  let lastAt = 0;
  const tick = () => {
    if (!zalo) return;
    const n = zalo.state.sent.length;
    if (n > 0) {
      count += n;
      lastAt = Date.now();
      zalo.state.sent.splice(0);
      zalo.requests.splice(0);
    }
  };
  const timer = setInterval(tick, 10);
  return {
    count: () => (tick(), count),
    lastAt: () => lastAt,
    stop: () => clearInterval(timer),
  };
}

// ── planning ───────────────────────────────────────────────────────────────

/** Five obligations of different kinds on the default ladder, as a province's directives would have. */
export const planningObligations = (escalation?: object | null): SeedObligation[] => [
  { id: 'p.yearly', rule: { kind: 'yearly', month: 10, day: 30 }, escalation },
  { id: 'p.monthly', rule: { kind: 'monthly', day: 25 }, escalation },
  { id: 'p.quarterly', rule: { kind: 'quarterly', monthOfQuarter: 3, day: 'last' }, escalation },
  { id: 'p.once', rule: { kind: 'once', date: '2027-10-20', bound: 'no_later_than' }, escalation },
  { id: 'p.semiannual', rule: { kind: 'semiannual', dates: [{ month: 6, day: 15 }, { month: 11, day: 10 }] }, escalation },
];

export interface PlanningResult {
  readonly units: number;
  readonly seconds: number;
  readonly steps: number;
  readonly fireKeys: number;
  readonly redisBytes: number;
  readonly bytesPerStep: number;
  readonly escalation?: {
    readonly timers: number;
    readonly bytes: number;
    readonly bytesPerTimer: number;
    readonly seconds: number;
    readonly rows: number;
    /** One notice fired over every unit (fireEscalation, deliveries recorded and queued, not sent). */
    readonly fired?: { readonly seconds: number; readonly units: number; readonly deliveries: number };
  };
}

/** One full planner run (35-day horizon) for `units` units; Redis bytes of what it planned. */
export async function planning(loaded: Loaded, redis: Redis, units: number, measureEscalation: boolean): Promise<PlanningResult> {
  const record = await openRecord();
  const prefix = newPrefix();
  try {
    await seedUnits(record.db, units, 'email');
    await seedObligations(record.db, planningObligations());
    const deps = plannerDeps(loaded, record.store, prefix, new ShiftedClock(offsetFor(DateTime.fromISO('2027-10-01T07:00:00+07:00'))));
    const t = Date.now();
    const report = await runPlanner(deps);
    const seconds = (Date.now() - t) / 1000;
    const all = await prefixBytes(redis, `${prefix}:*`);
    const fire = await prefixBytes(redis, `${prefix}:hanchot-fire:*`);
    const steps = report.reminders.scheduled;
    let escalation: PlanningResult['escalation'];
    if (measureEscalation) {
      // The same obligations under the default escalation policy, the planner run a week after the
      // yearly and one-off dues (so their notices fall inside the horizon): one timer per notice of
      // an occurrence, and one escalation_notices row each (a unit's own row is written when it fires).
      await record.db.query('update obligations set escalation = null');
      const later = plannerDeps(loaded, record.store, prefix, new ShiftedClock(offsetFor(DateTime.fromISO('2027-11-05T07:00:00+07:00'))));
      const te = Date.now();
      const r = await runPlanner(later);
      const escSeconds = (Date.now() - te) / 1000;
      const esc = await prefixBytes(redis, `${prefix}:hanchot-escalate:*`);
      const [rows] = await record.db.query<{ n: number }>('select count(*)::int as n from escalation_notices');
      // Then one notice whose instant has come fires over every unit (each unit's chairperson is its
      // leader): the units read a page at a time, each unit's deliveries recorded and queued.
      await record.db.query(`update units set leader_contact_id = 'c' || substr(id, 2) where id <> 'bench'`);
      const [due] = await record.db.query<{ obligation_id: string; occurrence_key: string; due: string; level: number; repeat: number }>(
        `select obligation_id, occurrence_key, due::text as due, level, repeat from escalation_notices
         where status = 'planned' and fire_at <= $1 order by fire_at desc, level limit 1`,
        [later.clock.now().toISO()],
      );
      let fired: { seconds: number; units: number; deliveries: number } | undefined;
      if (due) {
        const email: Channel = { name: 'email', canReach: (r) => Boolean(r.email), send: async () => ({ providerId: 'never' }), close: async () => undefined };
        const tf = Date.now();
        const run = await fireEscalation({ ...later, store: record.store, channels: [email] }, { obligationId: due.obligation_id, occurrenceKey: due.occurrence_key, due: due.due, level: due.level, repeat: due.repeat });
        fired = { seconds: (Date.now() - tf) / 1000, units: run.units, deliveries: run.deliveries };
      }
      escalation = { timers: r.escalations.scheduled, bytes: esc.bytes, bytesPerTimer: esc.bytes / Math.max(1, r.escalations.scheduled), seconds: escSeconds, rows: rows!.n, fired };
      await later.queue.close();
    }
    await deps.queue.close();
    return { units, seconds, steps, fireKeys: fire.keys, redisBytes: all.bytes, bytesPerStep: fire.bytes / Math.max(1, steps), escalation };
  } finally {
    await deletePrefix(redis, `${prefix}:*`);
    await record.dispose();
  }
}

/** The obvious design: one delayed job per unit (and step) added when planning. */
export async function naive(redis: Redis, units: number): Promise<{ units: number; seconds: number; redisBytes: number; keys: number }> {
  const prefix = newPrefix();
  const clock = new ShiftedClock(offsetFor(FIRE_AT.minus({ days: 2 })));
  const queue = new BullmqJobQueue({ connection: redisConnection(REDIS_URL), prefix, clock, retries: QUEUE_RETRIES });
  try {
    const jobs = Array.from({ length: units }, (_, i) => {
      const unit = `u${String(i + 1).padStart(6, '0')}`;
      const key = ['bench.yearly-0', '2027', unit, '0d', `c${unit.slice(1)}`, 'email'].join('|');
      return { jobId: key, payload: { messageKey: `c${unit.slice(1)}|email|${FIRE_AT.toISO()}`, idempotencyKey: key, urgent: false }, at: FIRE_AT };
    });
    const t = Date.now();
    await queue.enqueueDeliveries(jobs);
    const seconds = (Date.now() - t) / 1000;
    const used = await prefixBytes(redis, `${prefix}:*`);
    return { units, seconds, redisBytes: used.bytes, keys: used.keys };
  } finally {
    await queue.close();
    await deletePrefix(redis, `${prefix}:*`);
  }
}
