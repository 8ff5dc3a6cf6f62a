import { z } from 'zod';
import { deliverMessage, type DeliverDeps } from '../src/app/deliver.js';
import type { JobDefinition } from '../src/app/job-definition.js';

/** Send one message (a contact's digest on one channel). Retries with backoff; quiet hours defer. */
export const deliverPayload = z.strictObject({
  messageKey: z.string().min(1),
  idempotencyKey: z.string().min(1),
  urgent: z.boolean(),
  // A job taking over a dead worker's stale claim claims under its own name.
  claimer: z.string().min(1).optional(),
});

/**
 * Messages one worker process sends at once. Also the most a crash of that process can send twice
 * (each in-flight message is `sending` until its outcome is written; see CLAIM_LEASE).
 */
export const DELIVER_CONCURRENCY = 50;

export const deliverJob = (deps: DeliverDeps, retry = { attempts: 8, backoffMs: 10_000 }): JobDefinition<z.infer<typeof deliverPayload>> => ({
  name: 'deliver',
  queue: 'deliver',
  retry,
  concurrency: DELIVER_CONCURRENCY,
  parse: (data) => deliverPayload.parse(data),
  run: (payload, attempt) => deliverMessage(deps, payload, attempt),
});
