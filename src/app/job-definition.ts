import type { Attempt } from './deliver.js';

/** The queues of the service: timers, fan-out and sending scale separately. */
export type QueueName = 'plan' | 'fire' | 'deliver' | 'escalate' | 'digest';

export interface RetryPolicy {
  readonly attempts: number;
  /** Exponential backoff from this delay, with jitter. */
  readonly backoffMs: number;
}

/**
 * One kind of background work, as jobs/ declares it: which queue, how to check a payload,
 * how often to retry, and the few lines that call a use case. The queue adapter runs it.
 */
export interface JobDefinition<P = unknown> {
  readonly name: string;
  readonly queue: QueueName;
  readonly retry: RetryPolicy;
  readonly concurrency: number;
  parse(data: unknown): P;
  run(payload: P, attempt: Attempt): Promise<unknown>;
}
