import { createHash } from 'node:crypto';

/**
 * The ZNS `tracking_id` for a delivery: "hc" + the first 40 hex digits (160 bits) of
 * SHA-256(idempotency key). Deterministic, so every retry of one delivery carries the same id
 * and a send that timed out can be reconciled with Zalo's records (Zalo does not deduplicate on
 * it, reference §4.3). 42 characters of [a-z0-9], within Zalo's "≤ 48, no special characters".
 */
export function trackingIdFor(idempotencyKey: string): string {
  return `hc${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 40)}`;
}
