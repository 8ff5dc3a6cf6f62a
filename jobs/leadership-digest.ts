import { z } from 'zod';
import type { JobDefinition } from '../src/app/job-definition.js';
import { sendLeadershipDigest, type DigestDeps } from '../src/app/leadership-digest.js';

/** The weekly leadership digest of one date (default Monday 08:00): one message per leader. */
export const digestPayload = z.strictObject({ runOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });

export const leadershipDigestJob = (deps: DigestDeps): JobDefinition<z.infer<typeof digestPayload>> => ({
  name: 'leadership-digest',
  queue: 'digest',
  retry: { attempts: 10, backoffMs: 5_000 },
  concurrency: 1,
  parse: (data) => digestPayload.parse(data),
  run: (payload) => sendLeadershipDigest(deps, payload),
});
