import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CommandFailed } from './cli-kit.js';
import { Duration } from 'luxon';
import { systemClock } from '../adapters/clock/system-clock.js';
import { BullmqJobQueue, startWorkers, type RunningWorkers } from '../adapters/bullmq/bullmq-queue.js';
import { DatabaseBusy, openPglite, openPostgres, type Database } from '../adapters/postgres/database.js';
import { migrate } from '../adapters/postgres/migrations.js';
import { PostgresStore } from '../adapters/postgres/store.js';
import { PostgresAccessStore } from '../adapters/postgres/access-store.js';
import { PostgresDraftStore } from '../adapters/postgres/draft-store.js';
import { LoginLimiter } from '../app/access.js';
import { createPrometheus } from '../adapters/metrics/prometheus.js';
import { checkRedisSettings, redisAnswers, startPrivateRedis } from '../adapters/redis/private-redis.js';
import { RedisLock } from '../adapters/redis/redis-lock.js';
import type { ZaloTokenManager } from '../adapters/zalo/token-manager.js';
import { redactUrl } from '../adapters/log/pino-logger.js';
import type { JobDefinition, QueueName, RetryPolicy } from '../app/job-definition.js';
import type { Channel, Clock, Logger } from '../app/ports.js';
import type { PlanningPolicy } from '../app/plan.js';
import type { FastifyInstance } from 'fastify';
import { buildHttpApp } from '../http/app.js';
import { escalateJob } from '../../jobs/escalate.js';
import { leadershipDigestJob } from '../../jobs/leadership-digest.js';
import { syncCatalogue } from '../app/sync.js';
import { parseTimeOfDay } from '../domain/instant.js';
import type { QuietHours } from '../domain/quiet-hours.js';
import { deliverJob } from '../../jobs/deliver.js';
import { fireStepJob } from '../../jobs/fire-step.js';
import { planJob } from '../../jobs/plan.js';
import { runPlanner } from '../app/planner.js';
import { actionLink, createChannels, createComposer, feedUrl } from './messaging.js';
import type { CalendarFeedDeps } from '../app/calendar-feed.js';
import { followStoredCalendar, loadConfig, type Loaded } from './context.js';
import type { Environment } from './environment.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Retries per queue: timers and fan-out retry quickly; sending backs off longer (providers' outages). */
export const QUEUE_RETRIES: Record<QueueName, RetryPolicy> = {
  plan: { attempts: 5, backoffMs: 5_000 },
  fire: { attempts: 10, backoffMs: 2_000 },
  deliver: { attempts: 8, backoffMs: 10_000 },
  escalate: { attempts: 10, backoffMs: 2_000 },
  digest: { attempts: 10, backoffMs: 5_000 },
};

/** PostgreSQL when DATABASE_URL is set, else PGlite under the data folder; migrated. */
export async function openRecord(env: Environment, logger: Logger, clock: Clock = systemClock): Promise<Database> {
  let db: Database;
  try {
    db = env.DATABASE_URL ? await openPostgres({ url: env.DATABASE_URL }) : await openPglite(resolve(env.HANCHOT_DATA_DIR, 'pglite'));
  } catch (e) {
    if (e instanceof DatabaseBusy) throw new CommandFailed(e.message);
    throw e;
  }
  const applied = await migrate(db, clock.now());
  logger.info(
    { database: env.DATABASE_URL ? redactUrl(env.DATABASE_URL) : resolve(env.HANCHOT_DATA_DIR, 'pglite'), kind: db.kind, migrationsApplied: applied },
    'record open',
  );
  return db;
}

/**
 * The secret that signs one-click links. Required with a real database (DATABASE_URL); the
 * demo (PGlite under the data folder) makes one once and keeps it beside its data, so links
 * stay valid across restarts.
 */
export async function resolveSecret(env: Environment): Promise<string> {
  if (env.HANCHOT_SECRET) return env.HANCHOT_SECRET;
  if (env.DATABASE_URL) {
    throw new CommandFailed('thiếu HANCHOT_SECRET (bí mật ký liên kết trong thư, ≥ 16 ký tự): bắt buộc khi dùng DATABASE_URL', [
      'tạo một chuỗi ngẫu nhiên, ví dụ: node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64url\'))"',
    ]);
  }
  const path = join(env.HANCHOT_DATA_DIR, 'secret');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await mkdir(env.HANCHOT_DATA_DIR, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // 'wx': two processes starting together keep the first one's secret.
  await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  return (await readFile(path, 'utf8')).trim();
}

/** What the calendar feeds need: the record, the calendar, and links signed like the messages' ones. */
export function feedDeps(env: Environment, loaded: Loaded, store: PostgresStore, clock: Clock, secret: string): CalendarFeedDeps {
  const rules = loaded.catalogue.calendarRules;
  return {
    store,
    clock,
    calendar: loaded.calendar,
    uidDomain: new URL(env.PUBLIC_URL).hostname || 'hanchot.local',
    doneLink: (a, contactId) => actionLink(env.PUBLIC_URL, secret, { action: 'done', ...a, contactId, step: 'feed' }, clock.now()),
    anchorName: (id) => rules.namedDays.find((n) => n.id === id)?.name ?? rules.holidays.find((h) => h.id === id)?.name ?? id,
  };
}

export interface RedisHandle {
  readonly url: string;
  readonly private: boolean;
  stop(): Promise<void>;
}

/**
 * REDIS_URL, else the default address, else (only when REDIS_URL was not set) a private
 * redis-server with its data under the data folder.
 */
export async function resolveRedis(env: Environment, logger: Logger, options: { allowPrivate: boolean }): Promise<RedisHandle> {
  const url = env.REDIS_URL ?? DEFAULT_REDIS_URL;
  if (env.REDIS_URL || (await redisAnswers(url)) || !options.allowPrivate) {
    return { url, private: false, stop: async () => undefined };
  }
  const own = await startPrivateRedis(join(env.HANCHOT_DATA_DIR, 'redis'));
  logger.info({ redis: own.url, dir: resolve(env.HANCHOT_DATA_DIR, 'redis') }, 'nothing answered at 127.0.0.1:6379: started a private redis-server (AOF on)');
  return { url: own.url, private: true, stop: () => own.stop() };
}

export function redisConnection(url: string): { host: string; port: number; username?: string; password?: string; db?: number; tls?: object; maxRetriesPerRequest: null } {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    // BullMQ workers need blocking commands that wait as long as they must.
    maxRetriesPerRequest: null,
  };
}

export function planningPolicy(env: Environment): PlanningPolicy {
  return {
    horizonDays: env.HANCHOT_HORIZON_DAYS,
    catchUpMaxAge: Duration.fromObject({ hours: env.HANCHOT_CATCH_UP_HOURS }),
    lookbackDays: Math.max(env.HANCHOT_HORIZON_DAYS, Math.ceil(env.HANCHOT_CATCH_UP_HOURS / 24) + 1),
  };
}

export function quietHours(env: Environment): QuietHours {
  return { start: parseTimeOfDay(env.HANCHOT_QUIET_START), end: parseTimeOfDay(env.HANCHOT_QUIET_END) };
}

export interface RunningService {
  readonly loaded: Loaded;
  readonly db: Database;
  readonly store: PostgresStore;
  readonly queue: BullmqJobQueue;
  readonly redis: RedisHandle;
  readonly channels: readonly Channel[];
  readonly secret: string;
  readonly http: FastifyInstance | undefined;
  readonly publicUrl: string;
  /** Drains jobs in flight, then closes every connection; bounded by HANCHOT_SHUTDOWN_TIMEOUT_MS. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  readonly env: Environment;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** `start`: sync, plan, every worker and HTTP; `worker`: workers only; `api`: HTTP only. */
  readonly role: 'start' | 'worker' | 'api';
  /** Redis key prefix (tests isolate themselves with their own). */
  readonly queuePrefix?: string;
  /** `start` serves HTTP (links, API) unless this is false (tests that only need the workers). */
  readonly http?: boolean;
}

/** Wires the record, the queues, the channels and the workers together. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { env, logger } = options;
  const clock = options.clock ?? systemClock;
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((e: unknown) => logger.error({ err: (e as Error).message }, 'while stopping'));
  };
  try {
    const loaded = await loadConfig(env.HANCHOT_CONFIG_DIR);
    const secret = await resolveSecret(env);
    const compose = await createComposer(env, loaded, secret);
    const db = await openRecord(env, logger, clock);
    closers.push(() => db.close());
    const store = new PostgresStore(db);
    // The calendar edits made in the console, over config/calendar (and followed while running).
    const stopCalendar = await followStoredCalendar(loaded.calendar, store, { logger });
    closers.push(async () => stopCalendar());
    if (options.role === 'start') {
      const synced = await syncCatalogue({ store, clock }, loaded.catalogue, { actor: 'start' });
      logger.info({ changes: synced.plan.obligations.length + synced.plan.units.length + synced.plan.contacts.length + synced.plan.directives.length }, 'catalogue synced from config/');
    }
    const redis = await resolveRedis(env, logger, { allowPrivate: options.role === 'start' });
    closers.push(() => redis.stop());
    for (const problem of await checkRedisSettings(redis.url)) logger.warn({ redis: redactUrl(redis.url) }, `Redis: ${problem}`);
    const connection = redisConnection(redis.url);
    const retries = QUEUE_RETRIES;
    const prefix = options.queuePrefix ?? env.HANCHOT_QUEUE_PREFIX;
    const queue = new BullmqJobQueue({ connection, prefix, clock, logger, retries });
    closers.push(() => queue.close());
    const lock = RedisLock.connect(redis.url);
    closers.push(() => lock.close());
    let zaloTokens: ZaloTokenManager | undefined;
    const channels = await createChannels(env, logger, { store, clock, lock, zone: loaded.calendar.zone, onZaloTokens: (t) => (zaloTokens = t) });
    if (zaloTokens && options.role === 'start') {
      // Keep the pair fresh even when nothing is sent for a day: the access token lives 25 h and is
      // refreshed from 20 h (single flight, so one process among many does it).
      const tokens = zaloTokens;
      const keepFresh = setInterval(() => {
        tokens.accessToken().catch((e: unknown) => logger.warn({ err: (e as Error).message }, 'Zalo token check failed'));
      }, 60 * 60_000);
      keepFresh.unref();
      closers.push(async () => clearInterval(keepFresh));
    }
    closers.push(async () => Promise.all(channels.map((c) => c.close())));
    const policy = planningPolicy(env);
    const prometheus = createPrometheus({
      queueCounts: () => queue.counts(),
      deliveryCounts: () => store.deliveryCounts(),
      channelHealth: async () => (await store.channelHealth()).map((h) => ({ appId: h.appId, status: h.status, accessIssuedAt: h.accessIssuedAt?.toMillis() ?? null, remainingQuota: h.remainingQuota })),
      now: () => clock.now().toMillis(),
    });
    const metrics = prometheus.metrics;
    const planDeps = { store, queue, clock, calendar: loaded.calendar, settings: loaded.catalogue.settings, policy, logger, metrics };
    const followUp = { store, queue, clock, calendar: loaded.calendar, channels, settings: loaded.catalogue.settings, digestSettleMs: env.HANCHOT_DIGEST_SETTLE_MS, catchUpMaxAge: policy.catchUpMaxAge, logger };
    const definitions: JobDefinition<never>[] = [
      planJob(planDeps) as JobDefinition<never>,
      escalateJob(followUp) as JobDefinition<never>,
      leadershipDigestJob(followUp) as JobDefinition<never>,
      fireStepJob({ store, queue, clock, channels, digestSettleMs: env.HANCHOT_DIGEST_SETTLE_MS, logger }) as JobDefinition<never>,
      deliverJob({ store, clock, calendar: loaded.calendar, channels, compose, quietHours: quietHours(env), logger, queue, metrics }, retries.deliver) as JobDefinition<never>,
    ];
    if (options.role !== 'api') {
      const workers: RunningWorkers = startWorkers(definitions, { connection, prefix, clock, logger });
      closers.push(() => workers.close());
    }
    let http: FastifyInstance | undefined;
    if (options.role === 'start') {
      await runPlanner(planDeps);
      const everyMs = env.HANCHOT_PLANNER_EVERY_MINUTES * 60_000;
      await queue.schedulePlanner(everyMs);
      // The tick is a job scheduler kept in Redis: if Redis loses its data (restarted without
      // persistence, flushed), put it back, and its first run rebuilds every timer from PostgreSQL.
      const watch = setInterval(() => {
        queue
          .ensurePlannerScheduled(everyMs)
          .then((restored) => {
            if (restored) logger.warn({ everyMs }, 'the planner schedule was gone from Redis (data lost?): scheduled again, timers rebuilt from PostgreSQL');
          })
          // Redis down: BullMQ's own reconnect logs it too; the check runs again next minute.
          .catch((err: Error) => logger.warn({ err: err.message }, 'could not check the planner schedule in Redis'));
      }, Math.min(everyMs, 60_000));
      watch.unref();
      closers.push(async () => clearInterval(watch));
    }
    if (options.role !== 'worker') {
      if (options.http !== false) {
        http = await buildHttpApp({
          assignments: { store, queue, clock, calendar: loaded.calendar, logger },
          settings: loaded.catalogue.settings,
          remind: { store, queue, clock, calendar: loaded.calendar, channels, logger },
          feedLink: (claims) => feedUrl(env.PUBLIC_URL, secret, claims),
          secret,
          access: { store: new PostgresAccessStore(db), clock, bootstrapToken: env.HANCHOT_ADMIN_TOKEN, limiter: new LoginLimiter(clock) },
          publicUrl: env.PUBLIC_URL,
          metrics: prometheus.registry,
          queues: queue,
          trustProxy: env.HANCHOT_TRUST_PROXY ?? false,
          feeds: feedDeps(env, loaded, store, clock, secret),
          drafts: new PostgresDraftStore(db),
          ready: async () => ({
            postgres: await db.query('select 1').then(() => true, () => false),
            redis: await redisAnswers(redis.url),
          }),
        });
        closers.push(() => http!.close());
        await http.listen({ port: env.PORT, host: env.HOST });
        logger.info({ url: env.PUBLIC_URL, port: env.PORT }, 'HTTP: console, one-click links and /api/v1 listening');
      }
    }
    let stopping: Promise<void> | undefined;
    return {
      loaded,
      db,
      store,
      queue,
      redis,
      channels,
      secret,
      http,
      publicUrl: env.PUBLIC_URL,
      stop() {
        stopping ??= (async () => {
          const bound = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), env.HANCHOT_SHUTDOWN_TIMEOUT_MS).unref());
          const outcome = await Promise.race([closeAll().then(() => 'done' as const), bound]);
          if (outcome === 'timeout') logger.warn({ timeoutMs: env.HANCHOT_SHUTDOWN_TIMEOUT_MS }, 'shutdown bound reached: jobs still in flight are left to BullMQ stall recovery');
        })();
        return stopping;
      },
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
