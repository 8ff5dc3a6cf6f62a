import { requeueQueuedDeliveries } from './deliver.js';
import { planEscalations } from './escalate.js';
import { planDigests } from './leadership-digest.js';
import { DEFAULT_PLANNING, planReminders, type PlanDeps } from './plan.js';
import type { Metrics } from './ports.js';
import type { DeliveryStore, DigestStore, EscalationStore } from './stores.js';

export type PlannerDeps = PlanDeps & { readonly store: PlanDeps['store'] & EscalationStore & DigestStore & DeliveryStore; readonly metrics?: Metrics };

/**
 * One planner run, everything rebuilt from the record: reminder timers, escalation timers, the
 * leadership digest's, and the jobs of deliveries Redis lost. With obligation ids (an edit), only
 * their reminders and escalation.
 */
export async function runPlanner(deps: PlannerDeps, obligationIds?: readonly string[]) {
  const started = deps.clock.now();
  const reminders = await planReminders(deps, obligationIds);
  const policy = deps.policy ?? DEFAULT_PLANNING;
  const escalations = await planEscalations({ ...deps, policy }, obligationIds);
  const digests = obligationIds ? undefined : await planDigests({ ...deps, policy });
  const requeued = obligationIds ? 0 : await requeueQueuedDeliveries(deps);
  if (!obligationIds) deps.metrics?.plannerRun(deps.clock.now().diff(started).as('seconds'), reminders.scheduled + escalations.scheduled + (digests?.scheduled ?? 0));
  return { reminders, escalations, digests, requeued };
}
