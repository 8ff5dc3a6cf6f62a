import { z } from 'zod';
import type { JobDefinition } from '../src/app/job-definition.js';
import { runPlanner, type PlannerDeps } from '../src/app/planner.js';

/** The planner tick (every few minutes) and the immediate replan of changed obligations. */
export const planPayload = z.strictObject({ obligationIds: z.array(z.string().min(1)) });

export const planJob = (deps: PlannerDeps): JobDefinition<z.infer<typeof planPayload>> => ({
  name: 'plan',
  queue: 'plan',
  retry: { attempts: 5, backoffMs: 5_000 },
  concurrency: 1,
  parse: (data) => planPayload.parse(data),
  run: (payload) => runPlanner(deps, payload.obligationIds.length > 0 ? payload.obligationIds : undefined),
});
