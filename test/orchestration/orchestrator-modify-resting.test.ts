import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AmendRequest, OrderRequest } from '../../src/ports/connector.js';
import { VenueRejected } from '../../src/domain/errors.js';
import type { ExecutionDirectiveWire } from '../../src/domain/directive.js';
import type { TradeExecutedDTO } from '../../src/domain/dto.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { createHarness, type Harness, type HarnessOptions } from './harness.js';

/** BUY 0.01 BTC_USDT LIMIT at 60000 while the price is 65000: the entry rests. */
async function withRestingEntry(options: HarnessOptions = {}, overrides: Partial<ExecutionDirectiveWire> = {}): Promise<{ h: Harness; trade: string; entry: string }> {
  const h = createHarness(options);
  const wire = newTradeWire({
    entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '60000' },
    size_plan: { position_size: '0.01' },
    exit_plan: undefined,
    ...overrides,
  });
  expect((await h.submit(wire)).outcome).toBe('SUCCEEDED');
  h.connector.calls.length = 0;
  return { h, trade: wire.directive_id, entry: clientOrderId(wire.directive_id, 'E') };
}

function writes(h: Harness): string[] {
  return h.connector.calls.filter((c) => ['placeOrder', 'amendOrder', 'cancelOrder'].includes(c.method)).map((c) => c.method);
}

function amendOf(h: Harness, index = 0): { coid: string; changes: AmendRequest } {
  const call = h.connector.callsOf('amendOrder')[index]!;
  return { coid: call.args[0] as string, changes: call.args[2] as AmendRequest };
}

function text(changes: AmendRequest): Record<string, string | undefined> {
  return { quantity: changes.quantity?.toFixed(), limit_price: changes.limit_price?.toFixed(), stop_price: changes.stop_price?.toFixed() };
}

const resize = (trade: string, size: string, overrides: Partial<ExecutionDirectiveWire> = {}): ExecutionDirectiveWire =>
  modifyWire([trade], { exit_plan: undefined, size_plan: { position_size: size }, ...overrides });

const reprice = (trade: string, limit: string, overrides: Partial<ExecutionDirectiveWire> = {}): ExecutionDirectiveWire =>
  modifyWire([trade], { exit_plan: undefined, entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: limit }, ...overrides });

describe('MODIFY of a resting entry, venue that amends', () => {
  it('shrinks it in place: one amend to the new total, no new order', async () => {
    const { h, trade, entry } = await withRestingEntry();
    const result = await h.submit(resize(trade, '0.006'));
    expect(result.outcome).toBe('SUCCEEDED');
    expect(writes(h)).toEqual(['amendOrder']);
    expect(amendOf(h)).toMatchObject({ coid: entry });
    expect(text(amendOf(h).changes)).toEqual({ quantity: '0.006', limit_price: undefined, stop_price: undefined });
    expect(h.ledger.orders.get(entry)).toMatchObject({ status: 'OPEN' });
    expect(h.ledger.orders.get(entry)?.quantity.toFixed()).toBe('0.006');
    const position = h.ledger.positions.get(trade)!;
    expect(position.position_size.toFixed()).toBe('0.006');
    expect(position.filled_size.toFixed()).toBe('0');
    const executed = h.events.filter((e) => e.name === 'TRADE_EXECUTED').at(-1)!.payload as TradeExecutedDTO;
    expect(executed.client_order_id).toBe(entry);
  });

  it('grows it in place at its price', async () => {
    const { h, trade, entry } = await withRestingEntry();
    await h.submit(resize(trade, '0.025'));
    expect(writes(h)).toEqual(['amendOrder']);
    expect(text(amendOf(h).changes)).toEqual({ quantity: '0.025', limit_price: undefined, stop_price: undefined });
    expect(h.connector.orders.get(entry)?.limit_price?.toFixed()).toBe('60000');
  });

  it('re-prices it with entry_plan.limit_price, rounded to the tick, size unchanged', async () => {
    const { h, trade, entry } = await withRestingEntry();
    const wire = reprice(trade, '61000.04');
    const result = await h.submit(wire);
    expect(result).toMatchObject({ outcome: 'SUCCEEDED', adjustments: 1 });
    expect(writes(h)).toEqual(['amendOrder']);
    expect(text(amendOf(h).changes)).toEqual({ quantity: undefined, limit_price: '61000', stop_price: undefined });
    expect(h.ledger.orders.get(entry)?.limit_price?.toFixed()).toBe('61000');
    expect(h.journal.ofType('POSITION_MODIFIED').at(-1)!.body['adjustments']).toEqual([
      { field: 'entry_plan.limit_price', requested: '61000.04', used: '61000', rule: 'tick_size 0.1', trade_id: trade },
    ]);
  });

  it('keeps what filled: 4 of 10 filled, target 6 → the order is amended to a total of 6 (2 more rest)', async () => {
    const { h, trade, entry } = await withRestingEntry();
    h.connector.trigger(entry, { quantity: '0.004' });
    await h.settle(h.orchestrator.drain());
    h.connector.calls.length = 0;
    await h.submit(resize(trade, '0.006'));
    expect(writes(h)).toEqual(['amendOrder']);
    expect(text(amendOf(h).changes).quantity).toBe('0.006');
    const position = h.ledger.positions.get(trade)!;
    expect(position.filled_size.toFixed()).toBe('0.004');
    expect(position.position_size.toFixed()).toBe('0.006');
    expect(position.remaining_size.toFixed()).toBe('0.002');
  });

  it('a target at what already filled cancels the rest and sends nothing else', async () => {
    const { h, trade, entry } = await withRestingEntry();
    h.connector.trigger(entry, { quantity: '0.004' });
    await h.settle(h.orchestrator.drain());
    h.connector.calls.length = 0;
    await h.submit(resize(trade, '0.004'));
    expect(writes(h)).toEqual(['cancelOrder']);
    expect(h.ledger.orders.get(entry)?.status).toBe('CANCELLED');
    expect(h.ledger.positions.get(trade)?.filled_size.toFixed()).toBe('0.004');
  });

  it('a target below what filled cancels the rest and reduces the difference (R<i>)', async () => {
    const { h, trade, entry } = await withRestingEntry();
    h.connector.trigger(entry, { quantity: '0.004' });
    await h.settle(h.orchestrator.drain());
    h.connector.calls.length = 0;
    const wire = resize(trade, '0.001');
    await h.submit(wire);
    expect(writes(h)).toEqual(['cancelOrder', 'placeOrder']);
    expect(h.connector.placed()[0]).toMatchObject({ client_order_id: clientOrderId(wire.directive_id, 'R0'), side: 'SELL', order_type: 'MARKET', reduce_only: true });
    expect(h.connector.placed()[0]!.quantity.toFixed()).toBe('0.003');
    expect(h.ledger.positions.get(trade)?.filled_size.toFixed()).toBe('0.001');
  });

  it('sends a market order only when entry_plan asks for one: the resting entry is cancelled, the rest bought at market', async () => {
    const { h, trade, entry } = await withRestingEntry();
    const wire = modifyWire([trade], { exit_plan: undefined, entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'MARKET' } });
    await h.submit(wire);
    expect(writes(h)).toEqual(['cancelOrder', 'placeOrder']);
    expect(h.connector.callsOf('cancelOrder')[0]!.args[0]).toBe(entry);
    expect(h.connector.placed()[0]).toMatchObject({ client_order_id: clientOrderId(wire.directive_id, 'I0'), order_type: 'MARKET', side: 'BUY' });
    expect(h.connector.placed()[0]!.quantity.toFixed()).toBe('0.01');
    expect(h.ledger.positions.get(trade)?.filled_size.toFixed()).toBe('0.01');
  });

  it('asks for what rests already: nothing is sent', async () => {
    const { h, trade } = await withRestingEntry();
    const result = await h.submit(resize(trade, '0.01', { entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '60000' } }));
    expect(result.outcome).toBe('SUCCEEDED');
    expect(writes(h)).toEqual([]);
  });

  it('falls back to cancel and replace when the venue refuses the amend because the order changed', async () => {
    const { h, trade, entry } = await withRestingEntry();
    h.connector.script('amendOrder', { kind: 'throw', error: new VenueRejected('order is FILLED', 'ORDER_NOT_OPEN') });
    const wire = resize(trade, '0.006');
    const result = await h.submit(wire);
    expect(result.outcome).toBe('SUCCEEDED');
    expect(writes(h)).toEqual(['amendOrder', 'cancelOrder', 'placeOrder']);
    expect(h.connector.placed()[0]).toMatchObject({ client_order_id: clientOrderId(wire.directive_id, 'RP0'), order_type: 'LIMIT' });
    expect(h.ledger.orders.get(entry)?.status).toBe('CANCELLED');
  });

  it('does not fall back on a refusal of the terms themselves: the flow fails, nothing else is sent', async () => {
    const { h, trade, entry } = await withRestingEntry();
    h.connector.script('amendOrder', { kind: 'throw', error: new VenueRejected('price off the band', 'PRICE_BAND') });
    const result = await h.submit(reprice(trade, '61000'));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'PRICE_BAND' });
    expect(writes(h)).toEqual(['amendOrder']);
    expect(h.connector.orders.get(entry)?.status).toBe('OPEN');
  });

  it('refuses an entry_plan for another symbol or side before anything is sent', async () => {
    const { h, trade } = await withRestingEntry();
    const result = await h.submit(modifyWire([trade], { exit_plan: undefined, entry_plan: { symbol: 'ETH_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '3000' } }));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'ENTRY_PLAN_MISMATCH' });
    expect(writes(h)).toEqual([]);
  });

  it('refuses a re-price that would put the stop loss above the new entry price', async () => {
    const { h, trade } = await withRestingEntry({}, { exit_plan: { stop_loss_price: '59000' } });
    const result = await h.submit(reprice(trade, '58000'));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'STOP_LOSS_SIDE' });
    expect(writes(h)).toEqual([]);
  });
});

describe('MODIFY of a resting entry, venue that cannot amend (cancel and replace)', () => {
  const noAmend: HarnessOptions = { capabilities: { amendOrders: false } };

  it('shrinks it: cancel, then a LIMIT replacement RP0 at the same price for the new size', async () => {
    const { h, trade, entry } = await withRestingEntry(noAmend);
    const wire = resize(trade, '0.006');
    await h.submit(wire);
    expect(writes(h)).toEqual(['cancelOrder', 'placeOrder']);
    const replacement = h.connector.placed()[0]!;
    expect(replacement).toMatchObject({ client_order_id: clientOrderId(wire.directive_id, 'RP0'), side: 'BUY', order_type: 'LIMIT', reduce_only: false, time_in_force: 'GTC' });
    expect(replacement.limit_price?.toFixed()).toBe('60000');
    expect(replacement.quantity.toFixed()).toBe('0.006');
    expect(h.ledger.orders.get(entry)?.status).toBe('CANCELLED');
    expect(h.ledger.orders.get(replacement.client_order_id)).toMatchObject({ purpose: 'ENTRY', status: 'OPEN', trade_id: trade, directive_id: wire.directive_id });
    expect(h.ledger.positions.get(trade)?.filled_size.toFixed()).toBe('0');
  });

  it('re-prices it: the replacement rests the same size at the new price', async () => {
    const { h, trade } = await withRestingEntry(noAmend);
    const wire = reprice(trade, '61000');
    await h.submit(wire);
    const replacement = h.connector.placed()[0]!;
    expect(replacement.client_order_id).toBe(clientOrderId(wire.directive_id, 'RP0'));
    expect(replacement.limit_price?.toFixed()).toBe('61000');
    expect(replacement.quantity.toFixed()).toBe('0.01');
  });

  it('after a partial fill the replacement rests only what is still wanted', async () => {
    const { h, trade, entry } = await withRestingEntry(noAmend);
    h.connector.trigger(entry, { quantity: '0.004' });
    await h.settle(h.orchestrator.drain());
    h.connector.calls.length = 0;
    await h.submit(resize(trade, '0.006'));
    expect(writes(h)).toEqual(['cancelOrder', 'placeOrder']);
    expect(h.connector.placed()[0]!.quantity.toFixed()).toBe('0.002');
    expect(h.ledger.positions.get(trade)?.filled_size.toFixed()).toBe('0.004');
  });

  it('a second MODIFY then changes the replacement, not the cancelled entry', async () => {
    const { h, trade } = await withRestingEntry(noAmend);
    const first = resize(trade, '0.006');
    await h.submit(first);
    h.connector.calls.length = 0;
    const second = resize(trade, '0.008');
    await h.submit(second);
    expect(h.connector.callsOf('cancelOrder')[0]!.args[0]).toBe(clientOrderId(first.directive_id, 'RP0'));
    expect(h.connector.placed().map((p: OrderRequest) => [p.client_order_id, p.quantity.toFixed()])).toEqual([[clientOrderId(second.directive_id, 'RP0'), '0.008']]);
  });
});

describe('entry_plan with nothing resting', () => {
  it('is recorded, nothing is sent, and the causality entry and the flow reason say so', async () => {
    const h = createHarness();
    const open = newTradeWire({ exit_plan: undefined });
    await h.submit(open);
    h.connector.calls.length = 0;
    const result = await h.submit(reprice(open.directive_id, '64000'));
    expect(result.outcome).toBe('SUCCEEDED');
    expect(writes(h)).toEqual([]);
    expect(result.reason).toContain('entry_plan recorded, nothing sent');
    expect(String(h.journal.ofType('POSITION_MODIFIED').at(-1)!.body['notes'])).toContain('nothing rests');
  });
});

describe('targets of another strategy', () => {
  it('MODIFY and CLOSE are refused with FOREIGN_TRADE naming the trade and both strategies; nothing is sent', async () => {
    const { h, trade } = await withRestingEntry();
    for (const wire of [resize(trade, '0.005', { strategy_id: 'eth_swing' }), closeWire([trade], { strategy_id: 'eth_swing' })]) {
      const result = await h.submit(wire);
      expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'FOREIGN_TRADE' });
      expect(result.reason).toContain(`target trade ${trade} belongs to strategy btc_momentum`);
      expect(result.reason).toContain('eth_swing');
    }
    expect(h.connector.calls).toEqual([]);
    expect(h.ledger.positions.get(trade)).toMatchObject({ status: 'OPEN' });
  });

  it('are allowed with allow_cross_strategy_targets', async () => {
    const { h, trade } = await withRestingEntry({ config: { allow_cross_strategy_targets: true } });
    expect((await h.submit(resize(trade, '0.005', { strategy_id: 'eth_swing' }))).outcome).toBe('SUCCEEDED');
    expect((await h.submit(closeWire([trade], { strategy_id: 'eth_swing' }))).outcome).toBe('SUCCEEDED');
    expect(h.ledger.positions.get(trade)).toMatchObject({ status: 'CLOSED' });
  });
});

describe('adjustments', () => {
  it('NEW_TRADE lists each rounded amount; the flow result counts them', async () => {
    const h = createHarness();
    const wire = newTradeWire({ size_plan: { position_size: '0.0156' }, exit_plan: { stop_loss_price: '64000.04', take_profit_price: '67000' } });
    const result = await h.submit(wire);
    expect(result).toMatchObject({ outcome: 'SUCCEEDED', adjustments: 2 });
    expect(h.journal.ofType('TRADE_OPENED')[0]!.body['adjustments']).toEqual([
      { field: 'size_plan.position_size', requested: '0.0156', used: '0.015', rule: 'lot_size 0.001' },
      // the long's SELL stop goes up onto the tick: it fires no later than asked
      { field: 'exit_plan.stop_loss_price', requested: '64000.04', used: '64000.1', rule: 'tick_size 0.1' },
    ]);
    const executed = h.events.find((e) => e.name === 'TRADE_EXECUTED')!.payload as TradeExecutedDTO;
    expect(executed.adjustments).toHaveLength(2);
  });

  it('an exact directive has none', async () => {
    const h = createHarness();
    const result = await h.submit(newTradeWire());
    expect(result).toMatchObject({ outcome: 'SUCCEEDED', adjustments: 0 });
    expect(h.journal.ofType('TRADE_OPENED')[0]!.body['adjustments']).toEqual([]);
  });
});

describe('property: a resize of a resting entry keeps what filled and rests exactly the rest', () => {
  it.each([true, false])('amendOrders %s', async (amendOrders) => {
    const milli = (n: number): string => (n / 1000).toFixed(3);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 40 }).chain((quantity) => fc.tuple(fc.constant(quantity), fc.integer({ min: 0, max: quantity - 1 }), fc.integer({ min: 1, max: 60 }))),
        async ([quantity, filled, target]) => {
          const { h, trade, entry } = await withRestingEntry({ capabilities: { amendOrders } }, { size_plan: { position_size: milli(quantity) } });
          if (filled > 0) {
            h.connector.trigger(entry, { quantity: milli(filled) });
            await h.settle(h.orchestrator.drain());
          }
          h.connector.calls.length = 0;
          const result = await h.submit(resize(trade, milli(target)));
          expect(result.outcome).toBe('SUCCEEDED');
          // a market order only to reduce below what filled
          for (const placed of h.connector.placed()) {
            if (placed.order_type === 'MARKET') expect(placed).toMatchObject({ side: 'SELL', reduce_only: true });
          }
          const position = h.ledger.positions.get(trade)!;
          expect(position.filled_size.toFixed(3)).toBe(milli(Math.min(filled, target)));
          expect(position.position_size.toFixed(3)).toBe(milli(target));
          const resting = [...h.connector.orders.values()].filter((o) => o.side === 'BUY' && (o.status === 'OPEN' || o.status === 'PARTIALLY_FILLED'));
          const rest = resting.reduce((sum, o) => sum + Math.round(o.quantity.minus(o.filled_quantity).toNumber() * 1000), 0);
          expect(rest).toBe(Math.max(0, target - filled));
          for (const order of resting) expect(order.limit_price?.toFixed()).toBe('60000');
        },
      ),
      { numRuns: 60 },
    );
  });
});
