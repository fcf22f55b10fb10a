import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VenueRejected } from '../../src/domain/errors.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { createHarness, type ConfigOverrides } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-policies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function harness(errorHandling: ConfigOverrides['error_handling']) {
  return createHarness({ config: { error_handling: errorHandling }, fallbackPath: join(dir, `fallback-${++files}.jsonl`) });
}

function fallbackLines(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function policyDecisions(h: ReturnType<typeof createHarness>): unknown[] {
  return h.journal.ofType('POLICY_APPLIED').map((e) => e.body['decision']);
}

const rejectEntry = { kind: 'throw', error: new VenueRejected('insufficient funds', 'INSUFFICIENT_FUNDS') } as const;

describe('on_api_failure', () => {
  it('rollback_ledger: removes the ledger changes of a directive whose order was rejected', async () => {
    const h = harness({ on_api_failure: 'rollback_ledger' });
    h.connector.script('placeOrder', rejectEntry);
    const wire = newTradeWire();
    const result = await h.submit(wire);
    expect(result.outcome).toBe('FAILED');
    expect(h.ledger.rollbacks).toEqual([wire.directive_id]);
    expect(h.ledger.orders.size).toBe(0);
    expect(policyDecisions(h)).toEqual(['ledger_rolled_back']);
  });

  it('rollback_ledger: refuses to roll back when part of the directive took effect at the venue, and alerts', async () => {
    const h = harness({ on_api_failure: 'rollback_ledger' });
    const first = newTradeWire();
    const second = newTradeWire();
    await h.submit(first);
    await h.submit(second);
    // the first target's close fills, the second's is refused
    h.connector.script('placeOrder', { kind: 'default' }, { kind: 'throw', error: new VenueRejected('market closed', 'MARKET_CLOSED') });
    const result = await h.submit(closeWire([first.directive_id, second.directive_id]));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'MARKET_CLOSED' });
    expect(h.ledger.rollbacks).toEqual([]);
    expect(h.ledger.positions.get(first.directive_id)?.status).toBe('CLOSED');
    expect(policyDecisions(h)).toEqual(['rollback_refused_venue_acted']);
    expect(h.alerts.alerts.find((a) => a.code === 'ROLLBACK_REFUSED')?.severity).toBe('critical');
  });

  it('alert_only: alerts and keeps the ledger as it is', async () => {
    const h = harness({ on_api_failure: 'alert_only' });
    h.connector.script('placeOrder', rejectEntry);
    const wire = newTradeWire();
    await h.submit(wire);
    expect(h.ledger.rollbacks).toEqual([]);
    expect(h.ledger.orders.get(clientOrderId(wire.directive_id, 'E'))?.status).toBe('REJECTED');
    expect(h.alerts.codes()).toContain('API_FAILURE');
    expect(policyDecisions(h)).toEqual(['alerted']);
  });

  it('continue: records the decision only', async () => {
    const h = harness({ on_api_failure: 'continue' });
    h.connector.script('placeOrder', rejectEntry);
    await h.submit(newTradeWire());
    expect(h.ledger.rollbacks).toEqual([]);
    expect(h.alerts.codes()).not.toContain('API_FAILURE');
    expect(policyDecisions(h)).toEqual(['recorded_only']);
  });

  it('orders the error path: journal the error → policy → EXECUTION_FAILED → _flow_stop_error', async () => {
    const h = harness({ on_api_failure: 'rollback_ledger' });
    h.connector.script('placeOrder', rejectEntry);
    const wire = newTradeWire();
    await h.submit(wire);
    const types = h.journal.entries.filter((e) => e.flow_id === wire.directive_id).map((e) => e.event_type);
    expect(types.slice(-2)).toEqual(['EXECUTION_FAILED', 'POLICY_APPLIED']);
    expect(h.journal.ofType('EXECUTION_FAILED')[0]!.body).toMatchObject({
      error_type: 'VenueRejected',
      error_code: 'INSUFFICIENT_FUNDS',
      error_message: expect.stringContaining('insufficient funds') as unknown,
    });
    expect(h.names()).toEqual(['EXECUTION_FAILED', '_flow_stop_error']);
    expect(h.stops()[0]!.payload.reason).toMatch(/^Execution failed: /);
  });
});

/** The entry's ledger change (trade + order + fills) fails: the venue has already acted. */
const failTradeWrites = (c: { positions?: readonly unknown[] }) => c.positions !== undefined;

describe('on_ledger_failure (the ledger fails after the venue acted)', () => {
  it('alert_admin: fails the flow with a critical alert; the venue state is in the journal', async () => {
    const h = harness({ on_ledger_failure: 'alert_admin' });
    h.ledger.failApply = failTradeWrites;
    const wire = newTradeWire({ exit_plan: undefined });
    const result = await h.submit(wire);
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'LEDGER_FAILED' });
    expect(h.alerts.alerts.find((a) => a.code === 'LEDGER_FAILURE')?.severity).toBe('critical');
    expect(h.connector.placed()).toHaveLength(1);
    const result_entry = h.journal.ofType('ORDER_RESULT')[0]!;
    expect(result_entry.body).toMatchObject({ status: 'FILLED', order: { filled_quantity: '0.015' } });
    expect(policyDecisions(h)).toEqual(['alerted_admin']);
  });

  it('rollback_api: compensates at the venue by flattening what filled with a reduce-only leg X0', async () => {
    const h = harness({ on_ledger_failure: 'rollback_api' });
    h.ledger.failApply = failTradeWrites;
    const wire = newTradeWire({ exit_plan: undefined });
    const result = await h.submit(wire);
    expect(result.outcome).toBe('FAILED');
    const [, compensation] = h.connector.placed();
    expect(compensation).toMatchObject({ client_order_id: clientOrderId(wire.directive_id, 'X0'), side: 'SELL', order_type: 'MARKET', reduce_only: true });
    expect(compensation!.quantity.toFixed()).toBe('0.015');
    expect(policyDecisions(h)).toEqual(['compensated_at_venue']);
    expect(h.journal.ofType('POLICY_APPLIED')[0]!.body).toMatchObject({ flattened: [clientOrderId(wire.directive_id, 'X0')] });
  });

  it('rollback_api: flattens what the account received, net of a fee the venue took in the base asset', async () => {
    const h = harness({ on_ledger_failure: 'rollback_api' });
    h.connector.feeModel = 'spot';
    h.connector.setLot('BTC_USDT', '0.000001');
    h.ledger.failApply = failTradeWrites;
    const wire = newTradeWire({ exit_plan: undefined });
    expect((await h.submit(wire)).outcome).toBe('FAILED');
    const [, compensation] = h.connector.placed();
    expect(compensation).toMatchObject({ client_order_id: clientOrderId(wire.directive_id, 'X0'), side: 'SELL' });
    // 0.015 bought, 0.1 % of it (0.000015 BTC) taken as the fee
    expect(compensation!.quantity.toFixed()).toBe('0.014985');
  });

  it('continue: records the anomaly and lets the flow succeed', async () => {
    const h = harness({ on_ledger_failure: 'continue' });
    h.ledger.failApply = failTradeWrites;
    const wire = newTradeWire();
    const result = await h.submit(wire);
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.journal.ofType('ANOMALY')[0]!.body).toMatchObject({ kind: 'LEDGER_UPDATE_FAILED' });
    expect(policyDecisions(h)).toContain('record_anomaly_and_continue');
    expect(h.alerts.alerts.find((a) => a.code === 'LEDGER_FAILURE')?.severity).toBe('warning');
    expect(h.names()).toEqual(['TRADE_EXECUTED', '_flow_stop_success']);
  });

  it('a ledger failure before anything reached the venue fails the flow with nothing sent', async () => {
    const h = harness({ on_ledger_failure: 'continue' });
    h.ledger.failApply = () => true;
    const result = await h.submit(newTradeWire());
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'LEDGER_FAILED' });
    expect(h.connector.placed()).toHaveLength(0);
  });
});

describe('on_journal_failure', () => {
  const failIntents = (e: { event_type: string }) => e.event_type === 'ORDER_INTENT';

  it('continue: writes the intent to the fsync’d fallback file before sending, warns, and goes on', async () => {
    const h = harness({ on_journal_failure: 'continue' });
    h.journal.failWrite = failIntents;
    h.connector.beforePlace = (request) => {
      const lines = fallbackLines(h.fallbackPath);
      expect(lines.some((l) => l['event_type'] === 'ORDER_INTENT' && (l['body'] as Record<string, unknown>)['client_order_id'] === request.client_order_id)).toBe(true);
    };
    const result = await h.submit(newTradeWire());
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.alerts.alerts.find((a) => a.code === 'JOURNAL_FALLBACK')?.severity).toBe('warning');
    expect(fallbackLines(h.fallbackPath).filter((l) => l['event_type'] === 'POLICY_APPLIED')).toHaveLength(3);
    expect(h.metrics.anomalies).toContain('JOURNAL_FALLBACK');
  });

  it('alert_admin: the same fallback with a critical alert', async () => {
    const h = harness({ on_journal_failure: 'alert_admin' });
    h.journal.failWrite = failIntents;
    const result = await h.submit(newTradeWire({ exit_plan: undefined }));
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.alerts.alerts.find((a) => a.code === 'JOURNAL_FALLBACK')?.severity).toBe('critical');
    expect(fallbackLines(h.fallbackPath).map((l) => l['event_type'])).toEqual(['ORDER_INTENT', 'POLICY_APPLIED']);
  });

  it('fail_execution: aborts the flow before anything is sent, and records the decision in the fallback', async () => {
    const h = harness({ on_journal_failure: 'fail_execution' });
    h.journal.failWrite = failIntents;
    const wire = newTradeWire();
    const result = await h.submit(wire);
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'JOURNAL_UNAVAILABLE' });
    expect(h.connector.placed()).toHaveLength(0);
    // the PENDING row shared the intent's commit; with the intent lost it is closed, not left waiting
    expect(await h.ledger.getOrder(clientOrderId(wire.directive_id, 'E'))).toMatchObject({ status: 'REJECTED', reject_reason: expect.stringMatching(/^not sent: /) as unknown });
    expect(fallbackLines(h.fallbackPath)).toEqual([expect.objectContaining({ event_type: 'POLICY_APPLIED', body: expect.objectContaining({ decision: 'abort_flow' }) as unknown })]);
    expect(h.alerts.codes()).toContain('JOURNAL_UNAVAILABLE');
  });

  it('fail_execution: once something was sent it cannot be unsent, so fallback + critical alert + go on', async () => {
    const h = harness({ on_journal_failure: 'fail_execution' });
    h.journal.failWrite = (e) => e.event_type === 'TRADE_OPENED';
    const result = await h.submit(newTradeWire());
    expect(result.outcome).toBe('SUCCEEDED');
    expect(fallbackLines(h.fallbackPath).map((l) => l['event_type'])).toEqual(['TRADE_OPENED', 'POLICY_APPLIED']);
    expect(h.alerts.alerts.find((a) => a.code === 'JOURNAL_FALLBACK')?.severity).toBe('critical');
  });

  it('aborts a write-ahead intent that neither the journal nor the fallback can hold, whatever the policy', async () => {
    const h = createHarness({ config: { error_handling: { on_journal_failure: 'continue' } }, fallbackPath: join(dir, 'no-such-dir-\u0000', 'x.jsonl') });
    h.journal.failWrite = failIntents;
    const result = await h.submit(newTradeWire());
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'JOURNAL_UNAVAILABLE' });
    expect(h.connector.placed()).toHaveLength(0);
    expect(h.alerts.codes()).toContain('JOURNAL_LOST');
  });
});

describe('on_protection_failure: a stop loss refused after the entry filled', () => {
  const refuseStop = [{ kind: 'default' }, { kind: 'throw', error: new VenueRejected('stop too close', 'INVALID_ORDER') }] as const;

  it('alert_only: the trade stays booked and open with protection MISSING; a critical alert, no rollback and no ROLLBACK_REFUSED', async () => {
    const h = harness({ on_api_failure: 'rollback_ledger', on_protection_failure: 'alert_only' });
    h.connector.script('placeOrder', ...refuseStop);
    const wire = newTradeWire();
    const result = await h.submit(wire);
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'PROTECTION_MISSING' });
    expect(h.ledger.rollbacks).toEqual([]);
    expect(h.ledger.positions.get(wire.directive_id)).toMatchObject({ status: 'OPEN', protection: 'MISSING' });
    expect(h.ledger.positions.get(wire.directive_id)?.filled_size.toFixed()).toBe('0.015');
    // the target was placed and rests; the stop's row says why it is missing
    expect(h.ledger.orders.get(clientOrderId(wire.directive_id, 'SL'))?.status).toBe('REJECTED');
    expect(h.ledger.orders.get(clientOrderId(wire.directive_id, 'TP'))?.status).toBe('OPEN');
    expect(policyDecisions(h)).toEqual(['kept_open_unprotected']);
    expect(h.alerts.alerts.find((a) => a.code === 'PROTECTION_MISSING' && a.severity === 'critical')).toBeDefined();
    expect(h.alerts.codes()).not.toContain('ROLLBACK_REFUSED');
  });

  it('flatten: cancels the target, closes the trade at market with close_reason PROTECTION_MISSING', async () => {
    const h = harness({ on_protection_failure: 'flatten' });
    h.connector.script('placeOrder', ...refuseStop);
    const wire = newTradeWire();
    const result = await h.submit(wire);
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'PROTECTION_MISSING' });
    expect(h.ledger.positions.get(wire.directive_id)).toMatchObject({ status: 'CLOSED', close_reason: 'PROTECTION_MISSING', protection: 'NONE' });
    expect(h.ledger.orders.get(clientOrderId(wire.directive_id, 'TP'))?.status).toBe('CANCELLED');
    const flatten = h.connector.placed().at(-1);
    expect(flatten).toMatchObject({ client_order_id: clientOrderId(wire.directive_id, 'PX'), order_type: 'MARKET', side: 'SELL', reduce_only: true, position_id: wire.directive_id });
    expect(policyDecisions(h)).toEqual(['flattened']);
    expect(h.alerts.codes()).not.toContain('ROLLBACK_REFUSED');
  });

  it('a later MODIFY that places the stop brings protection back to LIVE', async () => {
    const h = harness({ on_protection_failure: 'alert_only' });
    h.connector.script('placeOrder', ...refuseStop);
    const wire = newTradeWire();
    await h.submit(wire);
    expect(h.ledger.positions.get(wire.directive_id)?.protection).toBe('MISSING');
    const result = await h.submit(modifyWire([wire.directive_id], { exit_plan: { stop_loss_price: '64100' } }));
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.ledger.positions.get(wire.directive_id)).toMatchObject({ status: 'OPEN', protection: 'LIVE' });
  });

  it('a CLOSE whose market order is refused after the stop and target were cancelled leaves the trade open with protection MISSING', async () => {
    const h = harness({ on_api_failure: 'alert_only' });
    const wire = newTradeWire();
    await h.submit(wire);
    expect(h.ledger.positions.get(wire.directive_id)?.protection).toBe('LIVE');
    h.connector.script('placeOrder', { kind: 'throw', error: new VenueRejected('market closed', 'MARKET_CLOSED') });
    const result = await h.submit(closeWire([wire.directive_id]));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'MARKET_CLOSED' });
    expect(h.ledger.orders.get(clientOrderId(wire.directive_id, 'SL'))?.status).toBe('CANCELLED');
    expect(h.ledger.positions.get(wire.directive_id)).toMatchObject({ status: 'OPEN', protection: 'MISSING' });
  });

  it('a resting entry that fills later and whose stop is refused: MISSING, one critical PROTECTION_MISSING alert, the policy applied', async () => {
    const h = harness({ on_protection_failure: 'alert_only' });
    const wire = newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '64500' } });
    await h.submit(wire);
    expect(h.ledger.positions.get(wire.directive_id)?.protection).toBe('NONE');
    h.connector.script('placeOrder', { kind: 'throw', error: new VenueRejected('stop too close', 'INVALID_ORDER') });
    h.connector.trigger(clientOrderId(wire.directive_id, 'E'), { price: '64500' });
    await h.settle(h.orchestrator.drain());
    expect(h.ledger.positions.get(wire.directive_id)).toMatchObject({ status: 'OPEN', protection: 'MISSING' });
    expect(h.alerts.codes().filter((c) => c === 'PROTECTION_MISSING')).toHaveLength(1);
    expect(h.alerts.codes()).not.toContain('VENUE_EVENT_FAILED');
    expect(policyDecisions(h)).toEqual(['kept_open_unprotected']);
  });
});
