import type { DateTime } from 'luxon';

/**
 * Errors that say what to do with the work that raised them (DESIGN §4). Only the BullMQ
 * adapter turns them into BullMQ's own error classes.
 */

/** Try again later with backoff: network trouble, SMTP 4xx, a provider's 5xx, Zalo -32. */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  constructor(
    message: string,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Never going to work for this recipient or content: record as failed (and fall back). */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(
    message: string,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Not now: quiet hours, a night window, a daily quota. Move the work, consume no attempt. */
export class DeferredError extends Error {
  override readonly name = 'DeferredError';
  constructor(
    readonly until: DateTime,
    readonly reason: string,
  ) {
    super(`hoãn đến ${until.toISO()}: ${reason}`);
  }
}
