import { describe, expect, it } from 'vitest';
import type { RetryPolicyConfig } from '../../src/config/schema.js';
import { TransientError } from '../../src/domain/errors.js';
import { backoffDelay, compileRetryPolicy, retryDelay } from '../../src/orchestration/retry-policy.js';

function policy(overrides: Partial<RetryPolicyConfig> = {}) {
  return compileRetryPolicy({ max_retries: 5, backoff_strategy: 'exponential', initial_delay_ms: 100, max_delay_ms: 5000, jitter: 0, ...overrides });
}

const delays = (p: ReturnType<typeof policy>, n: number) => Array.from({ length: n }, (_, i) => backoffDelay(i, p));

describe('backoff strategies', () => {
  it('constant waits the initial delay every time', () => {
    expect(delays(policy({ backoff_strategy: 'constant' }), 4)).toEqual([100, 100, 100, 100]);
  });

  it('linear grows by the initial delay per attempt', () => {
    expect(delays(policy({ backoff_strategy: 'linear' }), 4)).toEqual([100, 200, 300, 400]);
  });

  it('exponential doubles per attempt', () => {
    expect(delays(policy({ backoff_strategy: 'exponential' }), 5)).toEqual([100, 200, 400, 800, 1600]);
  });

  it('caps every strategy at max_delay_ms', () => {
    expect(delays(policy({ backoff_strategy: 'exponential', max_delay_ms: 500 }), 5)).toEqual([100, 200, 400, 500, 500]);
    expect(delays(policy({ backoff_strategy: 'linear', max_delay_ms: 250 }), 4)).toEqual([100, 200, 250, 250]);
    expect(backoffDelay(2000, policy({ max_delay_ms: 700 }))).toBe(700);
  });

  it('jitters within ±jitter and never above the cap', () => {
    const p = policy({ backoff_strategy: 'constant', initial_delay_ms: 1000, max_delay_ms: 1100, jitter: 0.2 });
    expect(backoffDelay(0, p, () => 0)).toBe(800);
    expect(backoffDelay(0, p, () => 0.5)).toBe(1000);
    expect(backoffDelay(0, p, () => 0.999999)).toBe(1100);
  });
});

describe('compileRetryPolicy', () => {
  it('compiles the config into milliseconds', () => {
    expect(policy()).toEqual({ maxRetries: 5, strategy: 'exponential', initialDelayMs: 100, maxDelayMs: 5000, jitter: 0 });
  });

  it('refuses a max delay below the initial delay with an exact message', () => {
    expect(() => policy({ initial_delay_ms: 500, max_delay_ms: 100 })).toThrow(
      new RangeError('retry_policy.max_delay_ms cannot be less than retry_policy.initial_delay_ms'),
    );
  });

  it('refuses negative retries, unknown strategies and out-of-range jitter', () => {
    expect(() => policy({ max_retries: -1 })).toThrow('retry_policy.max_retries must be a non-negative integer, got -1');
    expect(() => policy({ backoff_strategy: 'fibonacci' as never })).toThrow('retry_policy.backoff_strategy must be one of constant, linear, exponential, got fibonacci');
    expect(() => policy({ jitter: 2 })).toThrow('retry_policy.jitter must lie between 0 and 1, got 2');
  });
});

describe('retryDelay: the venue’s Retry-After against the backoff', () => {
  const policy = compileRetryPolicy({ max_retries: 3, backoff_strategy: 'exponential', initial_delay_ms: 100, max_delay_ms: 1000, jitter: 0 });

  it('is the backoff for an error without retry_after_ms, or a non-planexec error', () => {
    expect(retryDelay(2, policy, new TransientError('busy'))).toBe(400);
    expect(retryDelay(2, policy, new Error('x'))).toBe(400);
  });

  it('is the venue’s wait when longer than the backoff, even above max_delay_ms; the backoff when longer', () => {
    expect(retryDelay(0, policy, new TransientError('429', 'RATE_LIMITED', { retry_after_ms: 5000 }))).toBe(5000);
    expect(retryDelay(3, policy, new TransientError('429', 'RATE_LIMITED', { retry_after_ms: 10 }))).toBe(800);
  });
});
