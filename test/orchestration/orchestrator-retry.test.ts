import { describe, expect, it } from 'vitest';
import { RiskDenied, TransientError, UnknownOutcomeError, VenueRejected } from '../../src/domain/errors.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { newTradeWire } from '../support/directives.js';
import { createHarness, type ConfigOverrides } from './harness.js';

const noExit = { exit_plan: undefined } as const;

function placeTimes(h: ReturnType<typeof createHarness>): number[] {
  const calls = h.connector.callsOf('placeOrder');
  return calls.map((c) => c.at - calls[0]!.at);
}

async function retriedThrice(retry: ConfigOverrides['retry_policy']) {
  const h = createHarness({ config: { retry_policy: { max_retries: 3, initial_delay_ms: 100, max_delay_ms: 5000, ...retry } } });
  h.connector.script('placeOrder', ...Array.from({ length: 3 }, () => ({ kind: 'throw' as const, error: new TransientError('rate limited', 'RATE_LIMITED') })));
  const result = await h.submit(newTradeWire(noExit));
  return { h, result };
}

describe('retries and backoff', () => {
  it('constant backoff retries a retryable error after the initial delay each time', async () => {
    const { h, result } = await retriedThrice({ backoff_strategy: 'constant' });
    expect(result.outcome).toBe('SUCCEEDED');
    expect(placeTimes(h)).toEqual([0, 100, 200, 300]);
  });

  it('linear backoff waits initial × (n+1)', async () => {
    const { h } = await retriedThrice({ backoff_strategy: 'linear' });
    expect(placeTimes(h)).toEqual([0, 100, 300, 600]);
  });

  it('exponential backoff waits initial × 2ⁿ', async () => {
    const { h } = await retriedThrice({ backoff_strategy: 'exponential' });
    expect(placeTimes(h)).toEqual([0, 100, 300, 700]);
  });

  it('caps the delay at max_delay_ms', async () => {
    const { h } = await retriedThrice({ backoff_strategy: 'exponential', max_delay_ms: 150 });
    expect(placeTimes(h)).toEqual([0, 100, 250, 400]);
  });

  it('waits at least the Retry-After a rate-limited venue asked for (details.retry_after_ms), beyond the backoff and its cap', async () => {
    const h = createHarness({
      config: { retry_policy: { max_retries: 3, backoff_strategy: 'constant', initial_delay_ms: 100, max_delay_ms: 1000, jitter: 0 }, attempt_timeout_ms: 60_000, timeout_seconds: 120 },
    });
    h.connector.script(
      'placeOrder',
      { kind: 'throw' as const, error: new TransientError('429 Too Many Requests', 'RATE_LIMITED', { retry_after_ms: 3000 }) },
      { kind: 'throw' as const, error: new TransientError('429 Too Many Requests', 'RATE_LIMITED', { retry_after_ms: 50 }) },
    );
    const result = await h.submit(newTradeWire(noExit));
    expect(result.outcome).toBe('SUCCEEDED');
    // 3000 asked (above the 1000 cap), then 50 asked (below the 100 backoff: the backoff wins)
    expect(placeTimes(h)).toEqual([0, 3000, 3100]);
  });

  it('reuses the same client order id on every retry', async () => {
    const { h } = await retriedThrice({ backoff_strategy: 'constant' });
    const ids = new Set(h.connector.placed().map((r) => r.client_order_id));
    expect(ids.size).toBe(1);
    expect(h.metrics.attempts).toEqual(['retryable', 'retryable', 'retryable', 'ok']);
  });

  it('fails with RETRIES_EXHAUSTED after max_retries retryable failures', async () => {
    const h = createHarness({ config: { retry_policy: { max_retries: 2, backoff_strategy: 'constant', initial_delay_ms: 10 } } });
    h.connector.script('placeOrder', ...Array.from({ length: 5 }, () => ({ kind: 'throw' as const, error: new TransientError('venue busy') })));
    const result = await h.submit(newTradeWire(noExit));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'RETRIES_EXHAUSTED' });
    expect(h.connector.callsOf('placeOrder')).toHaveLength(3);
    expect(result.reason).toContain('after 3 attempts');
  });

  it('never retries a venue rejection', async () => {
    const h = createHarness();
    h.connector.script('placeOrder', { kind: 'throw', error: new VenueRejected('insufficient funds', 'INSUFFICIENT_FUNDS') });
    const result = await h.submit(newTradeWire(noExit));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'INSUFFICIENT_FUNDS' });
    expect(h.connector.callsOf('placeOrder')).toHaveLength(1);
    expect(h.metrics.attempts).toEqual(['rejected']);
    expect(h.stops()[0]!.payload.error_details).toMatchObject({ error_type: 'VenueRejected', error_code: 'INSUFFICIENT_FUNDS' });
  });

  it('never retries a local denial from the connector', async () => {
    const h = createHarness();
    h.connector.script('placeOrder', { kind: 'throw', error: new RiskDenied('kill switch engaged', 'HALTED') });
    const result = await h.submit(newTradeWire(noExit));
    expect(result.error_code).toBe('HALTED');
    expect(h.connector.callsOf('placeOrder')).toHaveLength(1);
  });

  it('bounds all attempts together by timeout_seconds: out of time during backoff → EXECUTION_TIMEOUT', async () => {
    const h = createHarness({ config: { timeout_seconds: 1, retry_policy: { max_retries: 10, backoff_strategy: 'constant', initial_delay_ms: 400, max_delay_ms: 400 } } });
    h.connector.script('placeOrder', ...Array.from({ length: 10 }, () => ({ kind: 'throw' as const, error: new TransientError('busy') })));
    const result = await h.submit(newTradeWire(noExit));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'EXECUTION_TIMEOUT' });
    expect(placeTimes(h)).toEqual([0, 400, 800]);
  });
});

describe('unknown outcomes', () => {
  it('turns an attempt timeout after sending into IN_DOUBT and resolves it with the venue: found → success', async () => {
    const h = createHarness();
    h.connector.script('placeOrder', { kind: 'accept_then_hang' });
    const wire = newTradeWire(noExit);
    const result = await h.submit(wire);
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.connector.callsOf('placeOrder')).toHaveLength(1);
    expect(h.connector.callsOf('fetchOrder')).toHaveLength(1);
    expect(h.journal.ofType('ORDER_IN_DOUBT')).toHaveLength(1);
    expect(h.metrics.attempts).toContain('unknown');
    expect(h.ledger.orders.get(clientOrderId(wire.directive_id, 'E'))?.status).toBe('FILLED');
    expect(h.ledger.positions.get(wire.directive_id)?.filled_size.toFixed()).toBe('0.015');
  });

  it('resolves an UnknownOutcomeError by look-up, never by blind resubmission', async () => {
    const h = createHarness();
    h.connector.script('placeOrder', { kind: 'accept_then_throw', error: new UnknownOutcomeError('socket hang up') });
    const result = await h.submit(newTradeWire(noExit));
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.connector.callsOf('placeOrder')).toHaveLength(1);
  });

  it('keeps checking while the order is younger than not_found_grace_ms', async () => {
    const h = createHarness({ config: { in_doubt: { max_checks: 10, check_interval_ms: 100, not_found_grace_ms: 1500 } } });
    h.connector.script('placeOrder', { kind: 'accept_then_hang' });
    h.connector.script('fetchOrder', { kind: 'not_found' }, { kind: 'not_found' });
    const result = await h.submit(newTradeWire(noExit));
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.connector.callsOf('fetchOrder')).toHaveLength(3);
  });

  it('concludes NOT_FOUND_AT_VENUE when the order is still unknown after the grace (no resubmission without idempotent submit)', async () => {
    const h = createHarness({ config: { in_doubt: { max_checks: 10, check_interval_ms: 200, not_found_grace_ms: 1500 } } });
    h.connector.script('placeOrder', { kind: 'hang' });
    const wire = newTradeWire(noExit);
    const result = await h.submit(wire);
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'NOT_FOUND_AT_VENUE' });
    expect(h.connector.callsOf('placeOrder')).toHaveLength(1);
    // attempt timeout at 1000 ms; the request may have reached the venue at any moment of it, so the
    // grace counts from then: checks at 1000, 1200, …, 2400 (young), 2600 (old enough)
    expect(h.connector.callsOf('fetchOrder')).toHaveLength(9);
    expect(h.ledger.orders.get(clientOrderId(wire.directive_id, 'E'))).toBeUndefined();
    expect(h.ledger.rollbacks).toEqual([wire.directive_id]);
  });

  it('resubmits with the same client order id when the connector declares idempotent submission', async () => {
    const h = createHarness({ capabilities: { idempotentSubmit: true }, config: { in_doubt: { max_checks: 5, check_interval_ms: 200, not_found_grace_ms: 0 } } });
    h.connector.script('placeOrder', { kind: 'hang' });
    const wire = newTradeWire(noExit);
    const result = await h.submit(wire);
    expect(result.outcome).toBe('SUCCEEDED');
    const ids = h.connector.placed().map((r) => r.client_order_id);
    expect(ids).toEqual([clientOrderId(wire.directive_id, 'E'), clientOrderId(wire.directive_id, 'E')]);
    expect(h.journal.ofType('ORDER_INTENT').some((e) => e.body['action'] === 'RESUBMIT')).toBe(true);
  });

  it('stops the flow IN_DOUBT after in_doubt.max_checks, with a critical alert and no rollback', async () => {
    const h = createHarness({ config: { in_doubt: { max_checks: 3, check_interval_ms: 100 } } });
    h.connector.script('placeOrder', { kind: 'hang' });
    h.connector.script('fetchOrder', ...Array.from({ length: 3 }, () => ({ kind: 'throw' as const, error: new TransientError('venue unreachable') })));
    const wire = newTradeWire(noExit);
    const result = await h.submit(wire);
    expect(result).toMatchObject({ outcome: 'IN_DOUBT', error_code: 'IN_DOUBT_UNRESOLVED' });
    expect(h.connector.callsOf('fetchOrder')).toHaveLength(3);
    const stop = h.stops()[0]!;
    expect(stop.name).toBe('_flow_stop_error');
    expect(stop.payload).toMatchObject({ final_state: 'ERROR', outcome: 'IN_DOUBT' });
    expect(h.ledger.rollbacks).toEqual([]);
    expect(h.ledger.orders.get(clientOrderId(wire.directive_id, 'E'))?.status).toBe('IN_DOUBT');
    expect(h.ledger.positions.get(wire.directive_id)?.status).toBe('OPEN');
    expect(h.alerts.alerts.find((a) => a.code === 'IN_DOUBT_UNRESOLVED')?.severity).toBe('critical');
  });
});
