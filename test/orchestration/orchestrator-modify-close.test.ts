import { describe, expect, it } from 'vitest';
import type { AmendRequest } from '../../src/ports/connector.js';
import type { TradeExecutedDTO } from '../../src/domain/dto.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { createHarness, type Harness, type HarnessOptions } from './harness.js';

/** A harness with one filled BUY 0.015 BTC_USDT @ 65000 trade (SL 64000, TP 67000) per requested trade. */
async function withTrades(count = 1, options: HarnessOptions = {}): Promise<{ h: Harness; trades: string[] }> {
  const h = createHarness(options);
  const trades: string[] = [];
  for (let i = 0; i < count; i++) {
    const wire = newTradeWire();
    const result = await h.submit(wire);
    expect(result.outcome).toBe('SUCCEEDED');
    trades.push(wire.directive_id);
  }
  h.connector.calls.length = 0;
  return { h, trades };
}

function venueWrites(h: Harness): string[] {
  return h.connector.calls.filter((c) => ['placeOrder', 'amendOrder', 'cancelOrder'].includes(c.method)).map((c) => c.method);
}

describe('MODIFY_EXISTING', () => {
  it('moves the stop: the protective order is amended at the venue and the trade updated', async () => {
    const { h, trades } = await withTrades();
    const wire = modifyWire(trades, { exit_plan: { stop_loss_price: '64500' } });
    const result = await h.submit(wire);
    expect(result.outcome).toBe('SUCCEEDED');
    const [amend] = h.connector.callsOf('amendOrder');
    expect(amend!.args[0]).toBe(clientOrderId(trades[0]!, 'SL'));
    expect((amend!.args[2] as AmendRequest).stop_price?.toFixed()).toBe('64500');
    expect(venueWrites(h)).toEqual(['amendOrder']);
    expect(h.ledger.positions.get(trades[0]!)).toMatchObject({ last_directive_id: wire.directive_id });
    expect(h.ledger.positions.get(trades[0]!)?.stop_loss?.toFixed()).toBe('64500');
    expect(h.ledger.orders.get(clientOrderId(trades[0]!, 'SL'))?.stop_price?.toFixed()).toBe('64500');
    expect(h.journal.ofType('POSITION_MODIFIED')[0]!.body).toMatchObject({ event_type: 'POSITION_MODIFIED', position: { trade_id: trades[0], stop_loss: '64500' } });
    const executed = h.events.filter((e) => e.name === 'TRADE_EXECUTED').at(-1)!.payload as TradeExecutedDTO;
    expect(executed).toMatchObject({ scope: 'MODIFY_EXISTING', order_id: null, target_trade_ids: trades, trade_ids: trades });
  });

  it('cancels and replaces the protective order when the venue cannot amend (new leg id from this directive)', async () => {
    const { h, trades } = await withTrades(1, { capabilities: { amendOrders: false } });
    const wire = modifyWire(trades, { exit_plan: { take_profit_price: '68000' } });
    await h.submit(wire);
    expect(venueWrites(h)).toEqual(['cancelOrder', 'placeOrder']);
    expect(h.connector.callsOf('cancelOrder')[0]!.args[0]).toBe(clientOrderId(trades[0]!, 'TP'));
    const replacement = h.connector.placed()[0]!;
    expect(replacement.client_order_id).toBe(clientOrderId(wire.directive_id, 'TPM0'));
    expect(replacement.limit_price?.toFixed()).toBe('68000');
    expect(h.ledger.orders.get(clientOrderId(trades[0]!, 'TP'))?.status).toBe('CANCELLED');
  });

  it('denies a stop on the wrong side of the reference price, before anything is sent', async () => {
    const { h, trades } = await withTrades();
    const result = await h.submit(modifyWire(trades, { exit_plan: { stop_loss_price: '65500' } }));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'STOP_LOSS_SIDE' });
    expect(result.reason).toContain('[stop_loss_side]');
    expect(venueWrites(h)).toEqual([]);
    expect(h.ledger.positions.get(trades[0]!)?.stop_loss?.toFixed()).toBe('64000');
  });

  it('treats the size as an absolute target: an increase sends the delta and resizes the protective orders', async () => {
    const { h, trades } = await withTrades();
    const wire = modifyWire(trades, { exit_plan: undefined, size_plan: { position_size: '0.025' } });
    const result = await h.submit(wire);
    expect(result.outcome).toBe('SUCCEEDED');
    const increase = h.connector.placed()[0]!;
    expect(increase).toMatchObject({ client_order_id: clientOrderId(wire.directive_id, 'I0'), side: 'BUY', order_type: 'MARKET', reduce_only: false });
    expect(increase.quantity.toFixed()).toBe('0.01');
    const amends = h.connector.callsOf('amendOrder').map((c) => (c.args[2] as AmendRequest).quantity?.toFixed());
    expect(amends).toEqual(['0.025', '0.025']);
    const position = h.ledger.positions.get(trades[0]!)!;
    expect(position.filled_size.toFixed()).toBe('0.025');
    expect(position.position_size.toFixed()).toBe('0.025');
  });

  it('reduces with a reduce-only order for the delta and books the realised PnL', async () => {
    const { h, trades } = await withTrades();
    h.connector.setPrice('BTC_USDT', '66000');
    const wire = modifyWire(trades, { exit_plan: undefined, size_plan: { position_size: '0.005' } });
    await h.submit(wire);
    const reduce = h.connector.placed()[0]!;
    expect(reduce).toMatchObject({ client_order_id: clientOrderId(wire.directive_id, 'R0'), side: 'SELL', reduce_only: true });
    expect(reduce.quantity.toFixed()).toBe('0.01');
    const position = h.ledger.positions.get(trades[0]!)!;
    expect(position.filled_size.toFixed()).toBe('0.005');
    expect(position.realized_pnl.toFixed()).toBe('10');
  });

  it('sends nothing for a MODIFY that asks for what is already there (replay is harmless)', async () => {
    const { h, trades } = await withTrades();
    await h.submit(modifyWire(trades, { size_plan: { position_size: '0.025' }, exit_plan: { stop_loss_price: '64500' } }));
    h.connector.calls.length = 0;
    const again = await h.submit(modifyWire(trades, { size_plan: { position_size: '0.025' }, exit_plan: { stop_loss_price: '64500' } }));
    expect(again.outcome).toBe('SUCCEEDED');
    expect(venueWrites(h)).toEqual([]);
    expect(h.ledger.positions.get(trades[0]!)?.filled_size.toFixed()).toBe('0.025');
  });

  it('acts on every target in order and journals the positions as an array', async () => {
    const { h, trades } = await withTrades(2);
    await h.submit(modifyWire(trades, { exit_plan: { stop_loss_price: '64200' } }));
    expect(h.connector.callsOf('amendOrder').map((c) => c.args[0])).toEqual([clientOrderId(trades[0]!, 'SL'), clientOrderId(trades[1]!, 'SL')]);
    const body = h.journal.ofType('POSITION_MODIFIED')[0]!.body;
    expect(body['position']).toEqual([expect.objectContaining({ trade_id: trades[0] }), expect.objectContaining({ trade_id: trades[1] })]);
  });

  it('fails an unknown target with a clear reason and sends nothing for any target', async () => {
    const { h, trades } = await withTrades();
    const result = await h.submit(modifyWire([trades[0]!, 'T_MISSING'], { exit_plan: { stop_loss_price: '64500' } }));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'TRADE_NOT_FOUND' });
    expect(result.reason).toContain('target trade T_MISSING not found');
    expect(venueWrites(h)).toEqual([]);
  });

  it('fails an already closed target', async () => {
    const { h, trades } = await withTrades();
    await h.submit(closeWire(trades));
    const result = await h.submit(modifyWire(trades));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'TRADE_ALREADY_CLOSED' });
    expect(result.reason).toContain(`target trade ${trades[0]} is already closed`);
  });

  it('records an entry or routing plan alone without calling the venue', async () => {
    const { h, trades } = await withTrades();
    const wire = modifyWire(trades, { exit_plan: undefined, routing_plan: { time_in_force: 'IOC' } });
    const result = await h.submit(wire);
    expect(result.outcome).toBe('SUCCEEDED');
    expect(venueWrites(h)).toEqual([]);
    expect(h.journal.ofType('POSITION_MODIFIED')[0]!.body).toMatchObject({ routing_plan: { time_in_force: 'IOC' } });
    expect(h.ledger.positions.get(trades[0]!)?.last_directive_id).toBe(wire.directive_id);
  });
});

describe('CLOSE_EXISTING', () => {
  it('cancels the protective orders, flattens with a reduce-only market leg and records exit, reason and realised PnL', async () => {
    const { h, trades } = await withTrades();
    h.connector.setPrice('BTC_USDT', '66000');
    const wire = closeWire(trades, { rationale: 'target reached' });
    const result = await h.submit(wire);
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.connector.callsOf('cancelOrder').map((c) => c.args[0]).sort()).toEqual([clientOrderId(trades[0]!, 'SL'), clientOrderId(trades[0]!, 'TP')].sort());
    const close = h.connector.placed()[0]!;
    expect(close).toMatchObject({ client_order_id: clientOrderId(wire.directive_id, 'C0'), side: 'SELL', order_type: 'MARKET', reduce_only: true });
    expect(close.quantity.toFixed()).toBe('0.015');
    const position = h.ledger.positions.get(trades[0]!)!;
    expect(position).toMatchObject({ status: 'CLOSED', close_reason: 'target reached' });
    expect(position.exit_price?.toFixed()).toBe('66000');
    expect(position.realized_pnl.toFixed()).toBe('15');
    expect(position.fees.toFixed()).toBe('1.965');
    expect(position.closed_at).not.toBeNull();
    expect(h.journal.ofType('TRADE_CLOSED')[0]!.body).toMatchObject({ event_type: 'TRADE_CLOSED', fill_price: '66000', position: { status: 'CLOSED' } });
  });

  it('closes several targets, one close leg each', async () => {
    const { h, trades } = await withTrades(2);
    const wire = closeWire(trades, { rationale: undefined });
    await h.submit(wire);
    expect(h.connector.placed().map((r) => r.client_order_id)).toEqual([clientOrderId(wire.directive_id, 'C0'), clientOrderId(wire.directive_id, 'C1')]);
    for (const id of trades) expect(h.ledger.positions.get(id)).toMatchObject({ status: 'CLOSED', close_reason: 'CLOSE_EXISTING' });
  });

  it('closes a trade whose entry never filled by cancelling it, with no exit price', async () => {
    const h = createHarness();
    const open = newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '60000' }, exit_plan: undefined });
    await h.submit(open);
    const result = await h.submit(closeWire([open.directive_id]));
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.connector.callsOf('cancelOrder')[0]!.args[0]).toBe(clientOrderId(open.directive_id, 'E'));
    expect(h.connector.placed()).toHaveLength(1);
    expect(h.ledger.positions.get(open.directive_id)).toMatchObject({ status: 'CLOSED', exit_price: null });
  });

  it('fails unknown targets with a clear reason', async () => {
    const h = createHarness();
    const result = await h.submit(closeWire(['T_NOPE']));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'TRADE_NOT_FOUND' });
    expect(h.connector.calls).toHaveLength(0);
  });
});

describe('venue-initiated changes', () => {
  it('a triggered stop loss closes the trade and cancels the take profit (OCO)', async () => {
    const { h, trades } = await withTrades();
    const id = trades[0]!;
    h.connector.trigger(clientOrderId(id, 'SL'), { price: '64000' });
    await h.settle(h.orchestrator.drain());
    const position = h.ledger.positions.get(id)!;
    expect(position).toMatchObject({ status: 'CLOSED', close_reason: 'STOP_LOSS' });
    expect(position.exit_price?.toFixed()).toBe('64000');
    expect(position.realized_pnl.toFixed()).toBe('-15');
    expect(h.connector.callsOf('cancelOrder').map((c) => c.args[0])).toEqual([clientOrderId(id, 'TP')]);
    expect(h.ledger.orders.get(clientOrderId(id, 'TP'))?.status).toBe('CANCELLED');
    const closed = h.journal.ofType('TRADE_CLOSED')[0]!;
    expect(closed.correlation_id).toBe(id);
    expect(closed.body).toMatchObject({ close_reason: 'STOP_LOSS', realized_pnl: '-15' });
    expect(h.stops()).toHaveLength(1);
  });

  it('a filled take profit closes the trade with reason TAKE_PROFIT', async () => {
    const { h, trades } = await withTrades();
    h.connector.trigger(clientOrderId(trades[0]!, 'TP'));
    await h.settle(h.orchestrator.drain());
    expect(h.ledger.positions.get(trades[0]!)).toMatchObject({ status: 'CLOSED', close_reason: 'TAKE_PROFIT' });
    expect(h.ledger.positions.get(trades[0]!)?.realized_pnl.toFixed()).toBe('30');
  });

  it('applies the same venue report twice only once (fills deduplicated by venue trade id)', async () => {
    const h = createHarness();
    const wire = newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '64500' }, exit_plan: undefined });
    await h.submit(wire);
    const filled = h.connector.trigger(clientOrderId(wire.directive_id, 'E'));
    h.connector.emit(filled, filled.fills);
    await h.settle(h.orchestrator.drain());
    expect(h.ledger.positions.get(wire.directive_id)?.filled_size.toFixed()).toBe('0.015');
    expect(h.ledger.fills.size).toBe(1);
  });

  it('records a stop fill larger than the trade holds as an OVERFILL anomaly, alerts it, and does not crash', async () => {
    const { h, trades } = await withTrades();
    const id = trades[0]!;
    // the venue reports more than the stop's quantity (a venue bug, or a race with a modify)
    h.connector.trigger(clientOrderId(id, 'SL'), { price: '64000', quantity: '0.02' });
    await h.settle(h.orchestrator.drain());
    expect(h.ledger.positions.get(id)).toMatchObject({ status: 'CLOSED', close_reason: 'STOP_LOSS' });
    expect(h.ledger.positions.get(id)!.filled_size.isZero()).toBe(true);
    expect(h.ledger.anomalies.map((a) => a.kind)).toContain('OVERFILL');
    expect(h.metrics.anomalies).toContain('OVERFILL');
    expect(h.alerts.codes()).toContain('OVERFILL');
    expect(h.journal.ofType('ANOMALY').map((e) => e.body['kind'])).toContain('OVERFILL');
  });

  it('records a report for an order the ledger does not know as an UNKNOWN_ORDER_FILL anomaly', async () => {
    const h = createHarness();
    const wire = newTradeWire({ exit_plan: undefined });
    await h.submit(wire);
    const order = h.connector.orders.get(clientOrderId(wire.directive_id, 'E'))!;
    h.connector.emit({ ...order, client_order_id: 'EXTERNAL-1', fills: [{ ...order.fills[0]!, venue_trade_id: 'X1', client_order_id: 'EXTERNAL-1' }] });
    await h.settle(h.orchestrator.drain());
    expect(h.ledger.anomalies.map((a) => a.kind)).toEqual(['UNKNOWN_ORDER_FILL']);
    expect(h.metrics.anomalies).toContain('UNKNOWN_ORDER_FILL');
    expect(h.alerts.codes()).toContain('UNKNOWN_ORDER_FILL');
  });
});
