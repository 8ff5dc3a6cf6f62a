/**
 * What the fault scenarios share: private PostgreSQL and Redis servers they may stop, restart and
 * flush (never the machine's shared ones), real `hanchot` processes from dist/, an SMTP sink on
 * loopback that counts what it received by idempotency key, and the figure line each scenario
 * prints (sent / duplicated / lost).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DateTime } from 'luxon';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll } from 'vitest';
import { BullmqJobQueue } from '../../src/adapters/bullmq/bullmq-queue.js';
import { shiftedClock } from '../../src/adapters/clock/system-clock.js';
import { openPostgres, type Database } from '../../src/adapters/postgres/database.js';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { PostgresStore } from '../../src/adapters/postgres/store.js';
import { fanOut } from '../../src/app/fan-out.js';
import { planReminders } from '../../src/app/plan.js';
import type { Channel, Clock } from '../../src/app/ports.js';
import { syncCatalogue } from '../../src/app/sync.js';
import { redisConnection } from '../../src/main/service.js';
import { RecordingQueue } from '../support/recording-queue.js';
import { shippedConfig } from '../support/shipped-config.js';
import { TEST_SECRET } from '../support/secret.js';
import { until as waitUntil } from '../support/wait.js';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist/src/main/cli.js');

/** test/support's `until`; when it times out, the message says how long it waited and what the processes said (`context`). */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, context?: () => string): Promise<T> {
  return waitUntil(what, probe, timeoutMs).catch((e: Error) => {
    if (e.message !== `timed out waiting for ${what}`) throw e;
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${context ? `\n${context()}` : ''}`);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

// ── a private PostgreSQL ─────────────────────────────────────────────────────

export interface PrivatePostgres {
  readonly port: number;
  url(database: string): string;
  createDatabase(): Promise<string>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

function postgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin/initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('the fault suite needs PostgreSQL server binaries (/usr/lib/postgresql/<version>/bin/initdb): apt-get install postgresql');
  return join(base, versions[0]!, 'bin');
}

/**
 * initdb into a temporary folder and pg_ctl on a free loopback port: a cluster this suite may stop
 * and restart while other people's tests use the machine's own. As root, PostgreSQL's tools run as
 * the `postgres` user (initdb refuses root).
 */
export async function privatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const dir = await mkdtemp(join(tmpdir(), 'hanchot-faults-pg-'));
  const asRoot = process.getuid?.() === 0;
  const as = (cmd: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(dir, 'data');
  await as('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const start = async () => void (await as('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', '-t', '30', 'start']));
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => void (await as('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']));
  await start();
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase() {
      const name = `f_${randomBytes(5).toString('hex')}`;
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      await client.query(`create database ${name}`);
      await client.end();
      return name;
    },
    stop,
    start,
    async dispose() {
      await stop('immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ── a private Redis ──────────────────────────────────────────────────────────

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** SIGKILL: everything in it is gone (no persistence). */
  kill(): Promise<void>;
  /** A fresh, empty server on the same port. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    await until('the private redis-server', async () => (await run('redis-cli', ['-p', String(port), 'ping']).then((r) => r.stdout.trim() === 'PONG', () => false)), 10_000);
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, kill, start, dispose: kill };
}

// ── hanchot processes ────────────────────────────────────────────────────────

export interface Hanchot {
  readonly child: ChildProcess;
  output(): string;
  alive(): boolean;
  /** Waits for the start banner. */
  ready(): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** One real `hanchot <role>` process from dist/, with exactly the environment given (nothing inherited but PATH and HOME). */
export function hanchot(args: readonly string[], env: Record<string, string>): Hanchot {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const self: Hanchot = {
    child,
    output: () => out,
    alive: () => child.exitCode === null && child.signalCode === null,
    async ready() {
      await until(`hanchot ${args.join(' ')} to start`, () => (out.includes('Hạn Chót đang chạy') ? true : !self.alive() ? Promise.reject(new Error(`hanchot ${args[0]} exited:\n${out}`)) : undefined), 60_000);
    },
    async kill(signal) {
      if (!self.alive()) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
  return self;
}

// ── the SMTP sink ────────────────────────────────────────────────────────────

export interface Sink {
  readonly port: number;
  readonly url: string;
  /** Message key → how many times a complete message with that key was accepted. */
  readonly byMessageKey: Map<string, number>;
  total(): number;
  /** An outage: the port refuses connections and open ones are cut. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

function messageKeyOf(raw: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  return /^X-Hanchot-Message-Key:\s*(.+)$/im.exec(head)?.[1]?.trim();
}

export async function smtpSink(): Promise<Sink> {
  const byMessageKey = new Map<string, number>();
  let total = 0;
  let server: SMTPServer | undefined;
  const sockets = new Set<Socket>();
  const port = await freePort();
  const up = async () => {
    const s = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 10 * 1024 * 1024,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          // A message cut off by a dying client is not accepted (and not counted).
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return callback(new Error('too big'));
          const key = messageKeyOf(Buffer.concat(chunks).toString('utf8')) ?? '(no key)';
          byMessageKey.set(key, (byMessageKey.get(key) ?? 0) + 1);
          total++;
          callback();
        });
      },
    });
    // Clients killed mid-message reset their connections: expected here, not a failure of the sink.
    s.on('error', () => undefined);
    (s as unknown as { server: Server }).server.on('connection', (sock: Socket) => {
      sock.on('error', () => undefined);
      sockets.add(sock);
      sock.once('close', () => sockets.delete(sock));
    });
    await new Promise<void>((resolve, reject) => {
      (s as unknown as { server: Server }).server.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    server = s;
  };
  const down = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    for (const sock of sockets) sock.destroy();
    await closed;
  };
  await up();
  return { port, url: `smtp://127.0.0.1:${port}`, byMessageKey, total: () => total, down, up, close: down };
}

// ── the record and what a scenario expects ───────────────────────────────────

export const OBLIGATION = 'dmc-159-2020.thematic-report';

/** Opens the scenario's database, migrated and synced from the shipped config/ (as `hanchot start` would). */
export async function openRecord(url: string, clock: Clock): Promise<{ db: Database; store: PostgresStore }> {
  const db = await openPostgres({ url, max: 4 });
  await migrate(db, clock.now());
  const store = new PostgresStore(db);
  const { catalogue } = await shippedConfig();
  await syncCatalogue({ store, clock }, catalogue);
  return { db, store };
}

const emailChannel: Channel = { name: 'email', canReach: (r) => Boolean(r.email), send: () => Promise.reject(new Error('the test never sends')), close: async () => undefined };

/** `count` extra email contacts in a unit, added as the console adds them (they survive a sync). */
export async function addContacts(db: Database, unitId: string, count: number, clock: Clock): Promise<void> {
  await db.query(
    `insert into contacts (id, unit_id, name, email, origin, updated_at)
     select 'fault.c' || lpad(i::text, 5, '0'), $1, 'Người nhận ' || i, 'c' || i || '@fault.example', 'console', $2
     from generate_series(1, $3::int) as i`,
    [unitId, clock.now().toISO(), count],
  );
}

/**
 * A burst: `count` extra contacts (added as in the console) in a unit that owes the 2027 thematic
 * report, then the report's 7-day step (urgent: a "send now") fanned out to every pending contact by the real fan-out,
 * which records one delivery per contact and queues its job on the scenario's Redis.
 */
export async function seedBurst(options: { db: Database; store: PostgresStore; clock: Clock; redisUrl: string; prefix: string; count: number; urgent?: boolean }): Promise<{ keys: string[] }> {
  const { db, store, clock } = options;
  const { calendar, catalogue } = await shippedConfig();
  await planReminders({ store, queue: new RecordingQueue(), clock, calendar, settings: catalogue.settings }, [OBLIGATION]);
  const [unit] = await db.query<{ unit_id: string }>("select unit_id from assignments where obligation_id = $1 and occurrence_key = '2027' and status = 'pending' order by unit_id limit 1", [OBLIGATION]);
  if (!unit) throw new Error('no unit owes the 2027 report');
  await addContacts(db, unit.unit_id, options.count, clock);
  const queue = new BullmqJobQueue({ connection: redisConnection(options.redisUrl), prefix: options.prefix, clock, retries: QUEUE_RETRIES });
  try {
    await fanOut({ store, queue, clock, channels: [emailChannel], digestSettleMs: 0 }, {
      obligationId: OBLIGATION,
      occurrenceKey: '2027',
      // An urgent burst is what `hanchot remind --now` records: a step named after the day.
      step: options.urgent ? `now-${clock.now().setZone('Asia/Ho_Chi_Minh').toFormat('yyyyLLdd')}` : '7d',
      fireAt: clock.now(),
      urgent: options.urgent ?? false,
    });
  } finally {
    await queue.close();
  }
  const rows = await db.query<{ idempotency_key: string }>("select idempotency_key from deliveries where status = 'queued'");
  return { keys: rows.map((r) => r.idempotency_key) };
}

export interface Figures {
  readonly expected: number;
  readonly sent: number;
  readonly duplicated: number;
  readonly lost: number;
}

/**
 * Counts at the sink by idempotency key: every delivery the scenario expects (email rows) is
 * looked up by the message it went out in; a message received twice duplicates each of its items.
 */
export async function figures(db: Database, sink: Sink, keys: readonly string[]): Promise<Figures & { lostKeys: string[] }> {
  const rows = await db.query<{ idempotency_key: string; message_key: string }>('select idempotency_key, message_key from deliveries where idempotency_key = any($1::text[])', [keys]);
  let sent = 0;
  let duplicated = 0;
  const lostKeys: string[] = [];
  for (const r of rows) {
    const n = sink.byMessageKey.get(r.message_key) ?? 0;
    if (n === 0) lostKeys.push(r.idempotency_key);
    else sent++;
    duplicated += Math.max(0, n - 1);
  }
  lostKeys.push(...keys.filter((k) => !rows.some((r) => r.idempotency_key === k)));
  return { expected: keys.length, sent, duplicated, lost: lostKeys.length, lostKeys };
}

/** The line CI logs show for each scenario. */
export function report(scenario: string, f: Figures, extra: Record<string, string | number> = {}): void {
  const more = Object.entries(extra).map(([k, v]) => ` ${k}=${v}`).join('');
  process.stdout.write(`[faults] ${scenario}: expected=${f.expected} sent=${f.sent} duplicated=${f.duplicated} lost=${f.lost}${more}\n`);
}

/** The environment every process of a scenario shares. */
export function serviceEnv(options: { databaseUrl: string; redisUrl: string; smtpUrl: string; prefix: string; now: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    SMTP_URL: options.smtpUrl,
    MAIL_FROM: 'Hạn Chót <hanchot@fault.example>',
    HANCHOT_SECRET: TEST_SECRET,
    HANCHOT_QUEUE_PREFIX: options.prefix,
    HANCHOT_NOW: options.now,
    PORT: '0',
    PUBLIC_URL: 'https://hanchot.fault.example',
    HANCHOT_DIGEST_SETTLE_MS: '0',
    HANCHOT_SHUTDOWN_TIMEOUT_MS: '5000',
    ...options.extra,
  };
}

export async function statusCounts(db: Database): Promise<Record<string, number>> {
  const rows = await db.query<{ status: string; n: number }>('select status, count(*)::int as n from deliveries group by 1');
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** The test process only adds jobs; the retry policy travels with each job it adds. */
export const QUEUE_RETRIES = {
  plan: { attempts: 5, backoffMs: 5_000 },
  fire: { attempts: 10, backoffMs: 2_000 },
  deliver: { attempts: 8, backoffMs: 10_000 },
  escalate: { attempts: 10, backoffMs: 2_000 },
  digest: { attempts: 10, backoffMs: 5_000 },
};

export const newPrefix = () => `f${randomBytes(4).toString('hex')}`;

// ── one scenario ─────────────────────────────────────────────────────────────

/** A scenario's record: a database of its own on the private cluster, the clock the processes are given, a queue prefix. */
export interface ScenarioRecord {
  readonly databaseUrl: string;
  /** Runs at real speed from the scenario's `now` (what HANCHOT_NOW gives a process). */
  readonly clock: Clock;
  readonly db: Database;
  readonly store: PostgresStore;
  readonly prefix: string;
  /** The environment of the scenario's processes (HANCHOT_NOW = `now`). */
  readonly env: Record<string, string>;
}

export interface FaultScenario {
  readonly pg: PrivatePostgres;
  readonly redis: PrivateRedis;
  readonly sink: Sink;
  /** A new database at `now`, migrated and synced from config/ (see openRecord); `extra` goes into the processes' environment. */
  record(now: string, extra?: Record<string, string>): Promise<ScenarioRecord>;
  /** Opens the record again (after a restart), like openRecord. */
  open(databaseUrl: string, clock: Clock): Promise<{ db: Database; store: PostgresStore }>;
  /** Starts one `hanchot <args>` process (see hanchot). */
  hanchot(args: readonly string[], env: Record<string, string>): Hanchot;
  /** The end of what every process said, for a timeout's message. */
  context(): string;
}

/**
 * Private PostgreSQL and Redis servers and an SMTP sink, started before the file's scenario; after
 * it, every process it started is killed, every record it opened closed and the servers stopped.
 */
export function faultScenario(): FaultScenario {
  let servers: { pg: PrivatePostgres; redis: PrivateRedis; sink: Sink } | undefined;
  const procs: Hanchot[] = [];
  const dbs: Database[] = [];
  const up = () => servers ?? (() => { throw new Error('faultScenario(): the servers start in beforeAll') })();
  beforeAll(async () => {
    const [pg, redis, sink] = await Promise.all([privatePostgres(), privateRedis(), smtpSink()]);
    servers = { pg, redis, sink };
  });
  afterAll(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    // A scenario may have closed a record itself already.
    for (const db of dbs) await db.close().catch(() => undefined);
    await Promise.all([servers?.sink.close(), servers?.redis.dispose(), servers?.pg.dispose()]);
  });
  const open = async (databaseUrl: string, clock: Clock) => {
    const record = await openRecord(databaseUrl, clock);
    dbs.push(record.db);
    return record;
  };
  return {
    get pg() {
      return up().pg;
    },
    get redis() {
      return up().redis;
    },
    get sink() {
      return up().sink;
    },
    async record(now, extra) {
      const { pg, redis, sink } = up();
      const databaseUrl = pg.url(await pg.createDatabase());
      const clock = shiftedClock(DateTime.fromISO(now));
      const { db, store } = await open(databaseUrl, clock);
      const prefix = newPrefix();
      return { databaseUrl, clock, db, store, prefix, env: serviceEnv({ databaseUrl, redisUrl: redis.url, smtpUrl: sink.url, prefix, now, extra }) };
    },
    open,
    hanchot(args, env) {
      const p = hanchot(args, env);
      procs.push(p);
      return p;
    },
    context: () => procs.map((p, i) => `--- process ${i}:\n${p.output().slice(-3000)}`).join('\n'),
  };
}
