import { z } from 'zod';
import { fanOutStep, type FanOutDeps } from '../src/app/fan-out.js';
import type { JobDefinition } from '../src/app/job-definition.js';

/** A ladder step's timer: fan out to the units still pending at this moment. */
export const fireStepPayload = z.strictObject({
  obligationId: z.string().min(1),
  occurrenceKey: z.string().min(1),
  step: z.string().min(1),
  revision: z.number().int().positive(),
});

export const fireStepJob = (deps: FanOutDeps): JobDefinition<z.infer<typeof fireStepPayload>> => ({
  name: 'fire-step',
  queue: 'fire',
  retry: { attempts: 10, backoffMs: 2_000 },
  concurrency: 4,
  parse: (data) => fireStepPayload.parse(data),
  run: (payload) => fanOutStep(deps, payload),
});
