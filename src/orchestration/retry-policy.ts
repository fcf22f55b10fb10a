import type { RetryPolicyConfig } from '../config/schema.js';
import { PlanexecError } from '../domain/errors.js';

/**
 * The retry policy as data (platform.yaml `retry_policy`), compiled once into milliseconds with
 * exact messages for bad input. Only errors marked `retryable` are ever retried; which errors
 * those are is a property of the error (src/domain/errors.ts), not of this policy.
 */
export interface CompiledRetryPolicy {
  /** Attempts after the first. */
  readonly maxRetries: number;
  readonly strategy: 'constant' | 'linear' | 'exponential';
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Fraction of each delay randomised: the delay lies in [d × (1 − jitter), d × (1 + jitter)], capped. */
  readonly jitter: number;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

/** Validate and freeze; throws RangeError naming the field and the rule broken. */
export function compileRetryPolicy(input: RetryPolicyConfig): CompiledRetryPolicy {
  check(Number.isInteger(input.max_retries) && input.max_retries >= 0, `retry_policy.max_retries must be a non-negative integer, got ${input.max_retries}`);
  check(
    input.backoff_strategy === 'constant' || input.backoff_strategy === 'linear' || input.backoff_strategy === 'exponential',
    `retry_policy.backoff_strategy must be one of constant, linear, exponential, got ${String(input.backoff_strategy)}`,
  );
  check(Number.isFinite(input.initial_delay_ms) && input.initial_delay_ms >= 0, `retry_policy.initial_delay_ms must be a non-negative number, got ${input.initial_delay_ms}`);
  check(Number.isFinite(input.max_delay_ms) && input.max_delay_ms >= 0, `retry_policy.max_delay_ms must be a non-negative number, got ${input.max_delay_ms}`);
  check(input.max_delay_ms >= input.initial_delay_ms, 'retry_policy.max_delay_ms cannot be less than retry_policy.initial_delay_ms');
  const jitter = input.jitter ?? 0;
  check(Number.isFinite(jitter) && jitter >= 0 && jitter <= 1, `retry_policy.jitter must lie between 0 and 1, got ${jitter}`);
  return Object.freeze({
    maxRetries: input.max_retries,
    strategy: input.backoff_strategy,
    initialDelayMs: input.initial_delay_ms,
    maxDelayMs: input.max_delay_ms,
    jitter,
  });
}

/**
 * Delay before retry number `attempt + 1` (attempt 0 = the wait after the first failure):
 * constant = initial, linear = initial × (n+1), exponential = initial × 2ⁿ, capped at max,
 * then jittered by ±jitter and capped again. `random` returns [0, 1) and is injectable for tests.
 */
export function backoffDelay(attempt: number, policy: CompiledRetryPolicy, random: () => number = Math.random): number {
  const n = Math.max(0, Math.floor(attempt));
  let base: number;
  switch (policy.strategy) {
    case 'constant':
      base = policy.initialDelayMs;
      break;
    case 'linear':
      base = policy.initialDelayMs * (n + 1);
      break;
    case 'exponential':
      base = policy.initialDelayMs * 2 ** n;
      break;
  }
  const capped = Math.min(base, policy.maxDelayMs);
  if (policy.jitter === 0) return capped;
  const factor = 1 + policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(policy.maxDelayMs, Math.round(capped * factor)));
}

/**
 * The wait before the next attempt after `error`: the policy's backoff, or longer when the venue
 * said how long to stay away (a 429/418 with Retry-After: `details.retry_after_ms`). A venue's
 * ban grows when it is ignored, so its wait wins even over max_delay_ms.
 */
export function retryDelay(attempt: number, policy: CompiledRetryPolicy, error: unknown, random: () => number = Math.random): number {
  const backoff = backoffDelay(attempt, policy, random);
  const asked = error instanceof PlanexecError ? error.details.retry_after_ms : undefined;
  return typeof asked === 'number' && Number.isFinite(asked) && asked > backoff ? Math.ceil(asked) : backoff;
}
