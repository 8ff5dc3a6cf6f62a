import { z } from 'zod';
import { ladderInput, rollInput, ruleInput } from '../app/catalogue/schemas.js';
import { isIsoDate } from '../domain/civil-date.js';

/** Request schemas of the HTTP API: the handlers parse with them and /api/docs describes them. */
export const isoDate = z.string().refine(isIsoDate, 'cần ngày có thật dạng YYYY-MM-DD');
export const refParams = z.strictObject({ obligationId: z.string().min(1).max(200), occurrenceKey: z.string().min(1).max(100), unitId: z.string().min(1).max(200) });
export const completeBody = z.strictObject({ note: z.string().max(2000).optional(), evidence: z.string().max(2000).optional(), actor: z.string().max(200).optional() });
export const reasonBody = z.strictObject({ reason: z.string().min(1, 'cần ghi lý do').max(2000), actor: z.string().max(200).optional() });
export const ackBody = z.strictObject({ step: z.string().min(1).max(100), actor: z.string().max(200).optional() });
export const extensionBody = z.strictObject({
  reason: z.string().min(1, 'cần ghi lý do').max(2000),
  proposedDue: isoDate,
  actor: z.string().max(200).optional(),
});
export const decisionBody = z.strictObject({ note: z.string().max(2000).optional(), actor: z.string().max(200).optional() });
export const reportQuery = z.strictObject({
  unit: z.string().min(1).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});
export const previewBody = z.strictObject({
  rule: ruleInput,
  roll: rollInput.optional(),
  ladder: ladderInput.optional(),
  validFrom: isoDate.optional(),
  validUntil: isoDate.optional(),
  count: z.number().int().min(1).max(24).optional(),
});
export const deliveriesQuery = z.strictObject({
  obligation: z.string().min(1).max(200).optional(),
  unit: z.string().min(1).max(200).optional(),
  status: z.enum(['queued', 'sending', 'sent', 'failed', 'skipped']).optional(),
  channel: z.enum(['email', 'zalo_zns', 'zalo_oa']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional(),
});
export const linkForm = z.object({
  intent: z.enum(['done', 'ack', 'extend']),
  note: z.string().max(2000).optional(),
  evidence: z.string().max(2000).optional(),
  reason: z.string().max(2000).optional(),
  proposedDue: z.string().max(20).optional(),
});


export const idParams = z.strictObject({ id: z.string().min(1).max(200) });
export const obligationsQuery = z.strictObject({ directive: z.string().min(1).max(200).optional(), unit: z.string().min(1).max(200).optional() });
export const yearParams = z.strictObject({ year: z.coerce.number().int().min(2000).max(2100) });
export const remindParams = z.strictObject({ obligationId: z.string().min(1).max(200), occurrenceKey: z.string().min(1).max(100) });
