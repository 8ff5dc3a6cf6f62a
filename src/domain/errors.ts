/**
 * Errors raised by the pure domain. Each carries a stable `code` that callers can switch
 * on, a message an admin can act on, and the offending input.
 */
export type DomainErrorCode =
  | 'invalid_date'
  | 'invalid_month'
  | 'invalid_day'
  | 'invalid_quarter'
  | 'invalid_half'
  | 'invalid_window'
  | 'invalid_ladder'
  | 'invalid_rule'
  | 'invalid_time'
  | 'unknown_anchor'
  | 'calendar_range';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly input?: unknown,
  ) {
    super(message);
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
