import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { BullmqJobQueue, startWorkers, type RunningWorkers } from '../../src/adapters/bullmq/bullmq-queue.js';
import { createSmtpChannel } from '../../src/adapters/email/smtp-channel.js';
import type { Database } from '../../src/adapters/postgres/database.js';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { PostgresStore } from '../../src/adapters/postgres/store.js';
import { PostgresAccessStore } from '../../src/adapters/postgres/access-store.js';
import { PostgresDraftStore } from '../../src/adapters/postgres/draft-store.js';
import { LoginLimiter } from '../../src/app/access.js';
import type { AssignmentDeps } from '../../src/app/assignments.js';
import type { Catalogue } from '../../src/app/catalogue/catalogue.js';
import type { JobDefinition, QueueName } from '../../src/app/job-definition.js';
import type { JobQueue } from '../../src/app/job-queue.js';
import type { Channel, Clock } from '../../src/app/ports.js';
import { syncCatalogue } from '../../src/app/sync.js';
import type { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { buildHttpApp } from '../../src/http/app.js';
import { environmentSchema } from '../../src/main/environment.js';
import { createComposer, feedUrl } from '../../src/main/messaging.js';
import { feedDeps, redisConnection } from '../../src/main/service.js';
import { deliverJob } from '../../jobs/deliver.js';
import { escalateJob } from '../../jobs/escalate.js';
import { fireStepJob } from '../../jobs/fire-step.js';
import { leadershipDigestJob } from '../../jobs/leadership-digest.js';
import { planJob } from '../../jobs/plan.js';
import { runPlanner, type PlannerDeps } from '../../src/app/planner.js';
import { createPrometheus } from '../../src/adapters/metrics/prometheus.js';
import { DATABASE_KINDS } from './databases.js';
import { RecordingQueue } from './recording-queue.js';
import { TEST_SECRET } from './secret.js';
import { CONFIG_DIR } from './shipped-config.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PUBLIC_URL = 'https://hanchot.ldld-dmc.example.vn';
export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789abcdef';
const QUEUES: readonly QueueName[] = ['plan', 'fire', 'deliver', 'escalate', 'digest'];
const RETRIES = Object.fromEntries(QUEUES.map((q) => [q, { attempts: q === 'deliver' ? 12 : 5, backoffMs: 100 }])) as Record<QueueName, { attempts: number; backoffMs: number }>;

/** A clock that runs at real speed from an instant that a test can move ("time passes while the service is down"). */
export class MovableClock implements Clock {
  private offset = 0;
  constructor(start: string) {
    this.set(start);
  }
  set(instant: string): void {
    this.offset = DateTime.fromISO(instant).toMillis() - Date.now();
  }
  now(): DateTime {
    return DateTime.fromMillis(Date.now() + this.offset, { zone: 'utc' });
  }
}

export interface FollowUpHarness {
  readonly db: Database;
  readonly store: PostgresStore;
  readonly clock: MovableClock;
  readonly calendar: WorkingCalendar;
  /** BullMQ on the machine's Redis (own prefix), or a recording queue when `bullmq` is false. */
  readonly queue: JobQueue;
  readonly bullmq?: BullmqJobQueue;
  readonly recording?: RecordingQueue;
  readonly planner: PlannerDeps;
  readonly assignments: AssignmentDeps & { readonly store: PostgresStore };
  readonly channels: readonly Channel[];
  /** Starts the workers of every queue (a "service process"); stop them to simulate a crash or restart. */
  startWorkers(): RunningWorkers;
  sync(catalogue: Catalogue): Promise<void>;
  http(): ReturnType<typeof buildHttpApp>;
  /** Deletes every job of this harness in Redis (Redis lost). */
  flushRedis(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * The record on the machine's PostgreSQL (own schema), the queues on its Redis (own prefix),
 * email to a loopback SMTP server when `smtpUrl` is given; the shipped config.
 */
export async function followUpHarness(options: {
  start: string;
  loaded: { catalogue: Catalogue; calendar: WorkingCalendar };
  smtpUrl?: string;
  bullmq?: boolean;
}): Promise<FollowUpHarness> {
  const t = await DATABASE_KINDS.postgres();
  const clock = new MovableClock(options.start);
  await migrate(t.db, clock.now());
  const store = new PostgresStore(t.db);
  const { catalogue, calendar } = options.loaded;
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const connection = redisConnection(REDIS_URL);
  const bullmq = options.bullmq === false ? undefined : new BullmqJobQueue({ connection, prefix, clock, retries: RETRIES });
  const recording = bullmq ? undefined : new RecordingQueue();
  const queue: JobQueue = bullmq ?? recording!;
  const channels: Channel[] = options.smtpUrl
    ? [createSmtpChannel({ url: options.smtpUrl, from: 'Hạn Chót <hanchot@example.org>', pool: false, connectionTimeoutMs: 1_000, greetingTimeoutMs: 1_000 })]
    : [];
  const env = environmentSchema.parse({ HANCHOT_CONFIG_DIR: CONFIG_DIR, PUBLIC_URL });
  const compose = await createComposer(env, { catalogue, calendar } as Parameters<typeof createComposer>[1], TEST_SECRET);
  const settings = catalogue.settings;
  const prometheus = createPrometheus({
    queueCounts: async () => (bullmq ? bullmq.counts() : {}),
    deliveryCounts: () => store.deliveryCounts(),
    channelHealth: async () => (await store.channelHealth()).map((h) => ({ appId: h.appId, status: h.status, accessIssuedAt: h.accessIssuedAt?.toMillis() ?? null, remainingQuota: h.remainingQuota })),
    now: () => clock.now().toMillis(),
  });
  const metrics = prometheus.metrics;
  const planner: PlannerDeps & { metrics: typeof metrics } = { store, queue, clock, calendar, settings, metrics };
  const followUp = { store, queue, clock, calendar, channels, settings, digestSettleMs: 200 };
  const assignments = { store, queue, clock, calendar };
  const running: RunningWorkers[] = [];
  return {
    db: t.db,
    store,
    clock,
    calendar,
    queue,
    bullmq,
    recording,
    planner,
    assignments,
    channels,
    startWorkers() {
      if (!bullmq) throw new Error('no workers without BullMQ');
      const w = startWorkers(
        [
          planJob(planner) as JobDefinition<never>,
          fireStepJob({ store, queue, clock, channels, digestSettleMs: 200 }) as JobDefinition<never>,
          escalateJob(followUp) as JobDefinition<never>,
          leadershipDigestJob(followUp) as JobDefinition<never>,
          deliverJob({ store, clock, calendar, channels, compose, queue, metrics }, RETRIES.deliver) as JobDefinition<never>,
        ],
        { connection, prefix, clock },
      );
      running.push(w);
      return w;
    },
    sync: async (c) => void (await syncCatalogue({ store, clock }, c)),
    http: () =>
      buildHttpApp({
        assignments,
        settings: catalogue.settings,
        remind: { store, queue, clock, calendar, channels },
        metrics: prometheus.registry,
        queues: bullmq,
        feedLink: (claims) => feedUrl(PUBLIC_URL, TEST_SECRET, claims),
        secret: TEST_SECRET,
        access: { store: new PostgresAccessStore(t.db), clock, bootstrapToken: ADMIN_TOKEN, limiter: new LoginLimiter(clock) },
        feeds: feedDeps(env, { catalogue, calendar }, store, clock, TEST_SECRET),
        ready: async () => ({ postgres: await t.db.query('select 1').then(() => true, () => false) }),
        drafts: new PostgresDraftStore(t.db),
      }),
    async flushRedis() {
      if (bullmq) for (const name of QUEUES) await bullmq.queueOf(name).obliterate({ force: true });
    },
    async dispose() {
      for (const w of running) await w.close().catch(() => undefined);
      if (bullmq) {
        for (const name of QUEUES) await bullmq.queueOf(name).obliterate({ force: true }).catch(() => undefined);
        await bullmq.close();
      }
      await Promise.all(channels.map((c) => c.close()));
      await t.dispose();
    },
  };
}

export { runPlanner };
