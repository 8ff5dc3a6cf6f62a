import { z } from 'zod';
import type { JobDefinition } from '../src/app/job-definition.js';
import { planEscalations } from '../src/app/escalate.js';
import { planDigests } from '../src/app/leadership-digest.js';
import { DEFAULT_PLANNING, planReminders, type PlanDeps } from '../src/app/plan.js';
import { requeueQueuedDeliveries } from '../src/app/deliver.js';
import type { Metrics } from '../src/app/ports.js';
import type { DeliveryStore, DigestStore, EscalationStore } from '../src/app/stores.js';

/** The planner tick (every few minutes) and the immediate replan of changed obligations. */
export const planPayload = z.strictObject({ obligationIds: z.array(z.string().min(1)) });

export type PlannerDeps = PlanDeps & { readonly store: PlanDeps['store'] & EscalationStore & DigestStore & DeliveryStore };

/** One planner run: reminder timers, escalation timers, the leadership digest's, and lost delivery jobs, all from the record. */
export async function runPlanner(deps: PlannerDeps & { readonly metrics?: Metrics }, obligationIds?: readonly string[]) {
  const started = deps.clock.now();
  const reminders = await planReminders(deps, obligationIds);
  const policy = deps.policy ?? DEFAULT_PLANNING;
  const escalations = await planEscalations({ ...deps, policy }, obligationIds);
  const digests = obligationIds ? undefined : await planDigests({ ...deps, policy });
  const requeued = obligationIds ? 0 : await requeueQueuedDeliveries(deps);
  if (!obligationIds) deps.metrics?.plannerRun(deps.clock.now().diff(started).as('seconds'), reminders.scheduled + escalations.scheduled + (digests?.scheduled ?? 0));
  return { reminders, escalations, digests, requeued };
}

export const planJob = (deps: PlannerDeps & { readonly metrics?: Metrics }): JobDefinition<z.infer<typeof planPayload>> => ({
  name: 'plan',
  queue: 'plan',
  retry: { attempts: 5, backoffMs: 5_000 },
  concurrency: 1,
  parse: (data) => planPayload.parse(data),
  run: (payload) => runPlanner(deps, payload.obligationIds.length > 0 ? payload.obligationIds : undefined),
});
