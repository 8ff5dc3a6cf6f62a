import type { DateTime } from 'luxon';

/**
 * Errors that say what to do with the work that raised them (DESIGN §4). Only the BullMQ
 * adapter turns them into BullMQ's own error classes.
 */

/** A failure that carries a stable code for the delivery log ("smtp_550", "ECONNREFUSED"). */
abstract class CodedError extends Error {
  /** What the provider's code means, in words an admin reads in the delivery log. */
  readonly meaning?: string;
  constructor(
    message: string,
    readonly code?: string,
    options?: { cause?: unknown; meaning?: string },
  ) {
    super(message, options);
    this.meaning = options?.meaning;
  }
}

/** Try again later with backoff: network trouble, SMTP 4xx, a provider's 5xx, Zalo -32. */
export class RetryableError extends CodedError {
  override readonly name = 'RetryableError';
  /**
   * Fewer tries than the queue allows: a provider that does not deduplicate (Zalo) may have
   * delivered a send that timed out, so such errors are retried only a few times.
   */
  readonly maxAttempts?: number;
  constructor(message: string, code?: string, options?: { cause?: unknown; maxAttempts?: number; meaning?: string }) {
    super(message, code, options);
    this.maxAttempts = options?.maxAttempts;
  }
}

/** Never going to work for this recipient or content: record as failed (and fall back). */
export class PermanentError extends CodedError {
  override readonly name = 'PermanentError';
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
