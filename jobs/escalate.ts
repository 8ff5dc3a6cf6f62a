import { z } from 'zod';
import { fireEscalation, type EscalateDeps } from '../src/app/escalate.js';
import type { JobDefinition } from '../src/app/job-definition.js';

/**
 * An escalation notice's timer (obligation · occurrence · level · repeat · due): tell leadership
 * about every unit still overdue on that due. `unitId` narrows it to one unit (timers planned one
 * per unit before the timers were shared, still in Redis after an upgrade).
 */
export const escalatePayload = z.strictObject({
  obligationId: z.string().min(1),
  occurrenceKey: z.string().min(1),
  unitId: z.string().min(1).optional(),
  level: z.number().int().positive(),
  repeat: z.number().int().min(0),
  due: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});

export const escalateJob = (deps: EscalateDeps): JobDefinition<z.infer<typeof escalatePayload>> => ({
  name: 'escalate',
  queue: 'escalate',
  retry: { attempts: 10, backoffMs: 2_000 },
  concurrency: 4,
  parse: (data) => escalatePayload.parse(data),
  run: (payload) => fireEscalation(deps, payload),
});
