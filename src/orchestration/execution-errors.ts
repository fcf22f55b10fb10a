import { PlanexecError, type ErrorDetails } from '../domain/errors.js';

/** Stable codes of the failures the orchestration itself raises (the rest come from src/domain/errors.ts). */
export const ExecutionErrorCode = {
  /** timeout_seconds ran out while nothing was in flight (between attempts): definitively not executed. */
  EXECUTION_TIMEOUT: 'EXECUTION_TIMEOUT',
  /** Every attempt failed with a retryable error. */
  RETRIES_EXHAUSTED: 'RETRIES_EXHAUSTED',
  /** An in-doubt order is still unknown to the venue after the grace window: it was never placed. */
  NOT_FOUND_AT_VENUE: 'NOT_FOUND_AT_VENUE',
  /** Recovery: a leg adding exposure that the venue never received was not sent again, its flow being older than recovery.resend_within_seconds. */
  EXPIRED_DURING_OUTAGE: 'EXPIRED_DURING_OUTAGE',
  /** The venue could not tell us within in_doubt.max_checks whether an order exists. */
  IN_DOUBT_UNRESOLVED: 'IN_DOUBT_UNRESOLVED',
  /** The journal (and, where it matters, its fallback) cannot be written and the policy says stop. */
  JOURNAL_UNAVAILABLE: 'JOURNAL_UNAVAILABLE',
  ORCHESTRATION_DISABLED: 'ORCHESTRATION_DISABLED',
  /** A close order filled only in part: the trade stays open with what is left. */
  CLOSE_INCOMPLETE: 'CLOSE_INCOMPLETE',
  /**
   * A trade holds a size but the venue refused (part of) its stop loss / take profit: the trade
   * is booked with protection MISSING and error_handling.on_protection_failure was applied.
   */
  PROTECTION_MISSING: 'PROTECTION_MISSING',
  /**
   * A sliced or resting entry (PASSIVE, TWAP, ICEBERG) ended its window with less filled than
   * routing_plan.min_fill_ratio: the filled part stays an open, protected trade; on_api_failure applies.
   */
  MIN_FILL_NOT_REACHED: 'MIN_FILL_NOT_REACHED',
} as const;
export type ExecutionErrorCode = (typeof ExecutionErrorCode)[keyof typeof ExecutionErrorCode];

const EXECUTION_ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ExecutionErrorCode));

/** A code read back as text (the journal, a venue answer) that is one of ours. */
export function isExecutionErrorCode(code: string): code is ExecutionErrorCode {
  return EXECUTION_ERROR_CODES.has(code);
}

/** A failure of the execution itself (not of the input, not of the venue's judgement). */
export class ExecutionError extends PlanexecError {
  declare readonly code: ExecutionErrorCode;

  constructor(message: string, code: ExecutionErrorCode, details?: ErrorDetails, cause?: unknown) {
    super(message, { code, details, cause });
  }
}

/**
 * `error` carries this code. Compared on the code, not the class: an error rebuilt from the
 * journal is a plain PlanexecError when its class is unknown there.
 */
export function hasExecutionCode(error: unknown, code: ExecutionErrorCode): boolean {
  return error instanceof PlanexecError && error.code === code;
}

/** The venue could not tell whether an order exists: the order stays IN_DOUBT and its flow ends IN_DOUBT, not FAILED. */
export function isInDoubtUnresolved(error: unknown): boolean {
  return hasExecutionCode(error, ExecutionErrorCode.IN_DOUBT_UNRESOLVED);
}

/** Raised through an attempt's AbortSignal when attempt_timeout_ms is over. */
export class AttemptTimeout extends Error {
  constructor(ms: number) {
    super(`attempt timed out after ${ms} ms`);
    this.name = 'AttemptTimeout';
  }
}

/** Raised through the execution's AbortSignal when timeout_seconds is over. */
export class ExecutionDeadline extends Error {
  constructor(seconds: number) {
    super(`execution exceeded timeout_seconds (${seconds} s)`);
    this.name = 'ExecutionDeadline';
  }
}
