import { DelayedError, Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import { DeferredError, PermanentError } from '../../app/errors.js';
import type { JobDefinition, QueueName, RetryPolicy } from '../../app/job-definition.js';
import type { DeliverPayload, DigestPayload, EscalatePayload, FireStepPayload, JobQueue, PlanPayload, TimedJob } from '../../app/job-queue.js';
import type { Clock, Logger } from '../../app/ports.js';

export interface BullmqOptions {
  readonly connection: ConnectionOptions;
  /** Key prefix in Redis: tests give each run its own. */
  readonly prefix?: string;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly retries: Record<QueueName, RetryPolicy>;
}

const QUEUES: readonly QueueName[] = ['plan', 'fire', 'deliver', 'escalate', 'digest'];

function jobOptions(retry: RetryPolicy): JobsOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs, jitter: 0.5 },
    // History lives in PostgreSQL; Redis keeps only what is still to do (and recent failures to inspect).
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

/** JobQueue on BullMQ: the only module that knows BullMQ's classes and error types. */
export class BullmqJobQueue implements JobQueue {
  private readonly queues: Record<QueueName, Queue>;

  constructor(private readonly options: BullmqOptions) {
    const make = (name: QueueName) => new Queue(`hanchot-${name}`, { connection: options.connection, prefix: options.prefix ?? 'bull', defaultJobOptions: jobOptions(options.retries[name]) });
    this.queues = { plan: make('plan'), fire: make('fire'), deliver: make('deliver'), escalate: make('escalate'), digest: make('digest') };
  }

  private delay(at: TimedJob<unknown>['at']): number {
    return Math.max(0, at.toMillis() - this.options.clock.now().toMillis());
  }

  private async addTimed<P>(queue: QueueName, name: string, jobs: readonly TimedJob<P>[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += 500) {
      await this.queues[queue].addBulk(jobs.slice(i, i + 500).map((j) => ({ name, data: j.payload, opts: { jobId: j.jobId, delay: this.delay(j.at) } })));
    }
  }

  private async removeTimed(queue: QueueName, jobIds: readonly string[]): Promise<void> {
    for (const id of jobIds) {
      // An active (locked) job cannot be removed; it re-reads the record and ignores itself.
      await this.queues[queue].remove(id).catch(() => 0);
    }
  }

  scheduleFires(jobs: readonly TimedJob<FireStepPayload>[]): Promise<void> {
    return this.addTimed('fire', 'fire-step', jobs);
  }

  removeFires(jobIds: readonly string[]): Promise<void> {
    return this.removeTimed('fire', jobIds);
  }

  scheduleEscalations(jobs: readonly TimedJob<EscalatePayload>[]): Promise<void> {
    return this.addTimed('escalate', 'escalate', jobs);
  }

  removeEscalations(jobIds: readonly string[]): Promise<void> {
    return this.removeTimed('escalate', jobIds);
  }

  scheduleDigests(jobs: readonly TimedJob<DigestPayload>[]): Promise<void> {
    return this.addTimed('digest', 'leadership-digest', jobs);
  }

  enqueueDeliveries(jobs: readonly TimedJob<DeliverPayload>[]): Promise<void> {
    return this.addTimed('deliver', 'deliver', jobs);
  }

  async requestPlan(payload: PlanPayload): Promise<void> {
    await this.queues.plan.add('plan', payload);
  }

  /** The planner tick, as a BullMQ job scheduler (one per Redis, however many processes start). */
  async schedulePlanner(everyMs: number): Promise<void> {
    await this.queues.plan.upsertJobScheduler('planner', { every: everyMs }, { name: 'plan', data: { obligationIds: [] } satisfies PlanPayload });
  }

  /** Puts the planner tick back if Redis lost it (restarted without persistence, flushed); true if it had to. */
  async ensurePlannerScheduled(everyMs: number): Promise<boolean> {
    if (await this.queues.plan.getJobScheduler('planner')) return false;
    await this.schedulePlanner(everyMs);
    return true;
  }

  /** Jobs waiting per queue, for logs and the start banner. */
  async counts(): Promise<Record<QueueName, Record<string, number>>> {
    const out = {} as Record<QueueName, Record<string, number>>;
    for (const name of QUEUES) out[name] = await this.queues[name].getJobCounts('delayed', 'waiting', 'active', 'failed');
    return out;
  }

  /** The most recent failed jobs of every queue, newest first (the console's queue page). */
  async failedJobs(limit = 20): Promise<{ queue: QueueName; id: string; name: string; reason: string; attemptsMade: number; failedAt: number | null }[]> {
    const out = [];
    for (const name of QUEUES) {
      for (const job of await this.queues[name].getFailed(0, limit - 1)) {
        out.push({ queue: name, id: job.id ?? '', name: job.name, reason: job.failedReason ?? '', attemptsMade: job.attemptsMade, failedAt: job.finishedOn ?? null });
      }
    }
    return out.sort((a, b) => (b.failedAt ?? 0) - (a.failedAt ?? 0)).slice(0, limit);
  }

  /** Puts a failed job back to run again; false if there is no such failed job. */
  async retryFailed(queue: QueueName, id: string): Promise<boolean> {
    const job = await this.queues[queue].getJob(id);
    if (!job || !(await job.isFailed())) return false;
    await job.retry('failed');
    return true;
  }

  /** The delayed timers, soonest first (for the start banner and tests). */
  async delayedFires(limit = 20): Promise<{ id: string; at: number; data: FireStepPayload }[]> {
    const jobs = await this.queues.fire.getDelayed(0, limit - 1);
    return jobs.map((j) => ({ id: j.id ?? '', at: j.timestamp + (j.delay ?? 0), data: j.data as FireStepPayload })).sort((a, b) => a.at - b.at);
  }

  async close(): Promise<void> {
    // A queue closed while its connection is still being made rejects with "Connection is closed"
    // outside any await (seen when a short CLI run closes queues it never used): let each connect first.
    // Bounded: with Redis gone, waiting to connect would never end.
    const ready = Promise.all(QUEUES.map((n) => this.queues[n].waitUntilReady().catch(() => undefined)));
    await Promise.race([ready, new Promise((r) => setTimeout(r, 2_000).unref())]);
    await Promise.all(QUEUES.map((n) => this.queues[n].close()));
  }

  queueOf(name: QueueName): Queue {
    return this.queues[name];
  }
}

export interface RunningWorkers {
  close(): Promise<void>;
}

/** Starts one BullMQ worker per job definition and translates our errors into BullMQ's. */
export function startWorkers(definitions: readonly JobDefinition<never>[], options: Omit<BullmqOptions, 'retries'>): RunningWorkers {
  const workers = definitions.map((definition) => {
    const def = definition as unknown as JobDefinition<unknown>;
    const worker = new Worker(
      `hanchot-${def.queue}`,
      async (job: Job, token?: string) => {
        let payload: unknown;
        try {
          payload = def.parse(job.data);
        } catch (e) {
          throw new UnrecoverableError(`payload không hợp lệ cho ${def.name}: ${(e as Error).message}`);
        }
        const attempts = job.opts.attempts ?? def.retry.attempts;
        try {
          return await def.run(payload, { number: job.attemptsMade + 1, last: job.attemptsMade + 1 >= attempts });
        } catch (e) {
          if (e instanceof DeferredError) {
            // Moves the job without consuming an attempt.
            await job.moveToDelayed(e.until.toMillis(), token);
            options.logger?.info({ job: job.id, until: e.until.toISO(), reason: e.reason }, 'job deferred');
            throw new DelayedError();
          }
          if (e instanceof PermanentError) throw new UnrecoverableError(e.message);
          throw e;
        }
      },
      { connection: options.connection, prefix: options.prefix ?? 'bull', concurrency: def.concurrency, autorun: true },
    );
    worker.on('failed', (job, err) => {
      if (err instanceof DelayedError || err.name === 'DelayedError') return;
      options.logger?.warn({ job: job?.id, queue: def.queue, attemptsMade: job?.attemptsMade, err: err.message }, 'job failed');
    });
    worker.on('error', (err) => options.logger?.error({ queue: def.queue, err: err.message }, 'worker error'));
    return worker;
  });
  return {
    async close() {
      // Waits for jobs in flight to finish (a graceful drain), then closes the connections.
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
