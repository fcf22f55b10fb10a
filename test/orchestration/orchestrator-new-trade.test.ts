import { describe, expect, it } from 'vitest';
import type { TradeExecutedDTO } from '../../src/domain/dto.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { newTradeWire } from '../support/directives.js';
import { createHarness } from './harness.js';

describe('NEW_TRADE', () => {
  it('runs the spec sequence: venue → ledger → causality journal → TRADE_EXECUTED → _flow_stop_success', async () => {
    const h = createHarness();
    const wire = newTradeWire();
    const result = await h.submit(wire);

    expect(result).toMatchObject({ flow_id: wire.directive_id, outcome: 'SUCCEEDED', reason: 'Execution completed successfully' });
    expect(h.names()).toEqual(['TRADE_EXECUTED', '_flow_stop_success']);
    const executed = h.events[0]!.payload as TradeExecutedDTO;
    expect(executed).toMatchObject({ directive_id: wire.directive_id, strategy_id: 'btc_momentum', scope: 'NEW_TRADE', status: 'FILLED', order_id: 'V1' });
    expect(executed.fill_price?.toFixed()).toBe('65000');
    expect(executed.client_order_id).toBe(clientOrderId(wire.directive_id, 'E'));

    const position = h.ledger.positions.get(wire.directive_id)!;
    expect(position).toMatchObject({ trade_id: wire.directive_id, status: 'OPEN', direction: 'BUY', symbol: 'BTC_USDT' });
    expect(position.filled_size.toFixed()).toBe('0.015');
    expect(position.entry_price?.toFixed()).toBe('65000');
    expect(position.stop_loss?.toFixed()).toBe('64000');
    expect(position.fees.toFixed()).toBe('0.975');

    const stop = h.stops()[0]!.payload;
    expect(stop).toMatchObject({ flow_id: wire.directive_id, final_state: 'SUCCESS', outcome: 'SUCCEEDED', error_details: null });
    expect((await h.flows.get(wire.directive_id))?.status).toBe('SUCCEEDED');
  });

  it('journals one causality entry with every field the spec lists, chained to the accepted directive', async () => {
    const h = createHarness();
    const wire = newTradeWire();
    await h.submit(wire);
    const entries = h.journal.entries.filter((e) => e.flow_id === wire.directive_id);
    expect(entries[0]!.event_type).toBe('DIRECTIVE_ACCEPTED');
    const opened = h.journal.ofType('TRADE_OPENED');
    expect(opened).toHaveLength(1);
    const body = opened[0]!.body;
    for (const field of [
      'event_type',
      'directive_id',
      'strategy_id',
      'timestamp',
      'trigger_context',
      'entry_plan',
      'size_plan',
      'exit_plan',
      'routing_plan',
      'order_result',
      'fill_price',
      'order_id',
      'position',
      'rationale',
    ]) {
      expect(body, field).toHaveProperty(field);
    }
    expect(body).toMatchObject({
      event_type: 'TRADE_OPENED',
      directive_id: wire.directive_id,
      timestamp: '2026-11-24T10:15:00Z',
      trigger_context: wire.trigger_context,
      entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'MARKET' },
      size_plan: { position_size: '0.015' },
      fill_price: '65000',
      order_id: 'V1',
      rationale: 'breakout above 20-bar high',
      position: { trade_id: wire.directive_id, filled_size: '0.015', status: 'OPEN' },
    });
    expect(opened[0]!.correlation_id).toBe(wire.directive_id);
    // every entry of the flow points at its predecessor
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.causation_id).toBe(entries[i - 1]!.entry_id);
  });

  it('journals the order intent with its client order id before the connector is called (write-ahead)', async () => {
    const h = createHarness();
    const seen: string[] = [];
    h.connector.beforePlace = (request) => {
      const intent = h.journal.ofType('ORDER_INTENT').find((e) => e.body['client_order_id'] === request.client_order_id);
      expect(intent, `intent for ${request.client_order_id}`).toBeDefined();
      expect(h.ledger.orders.get(request.client_order_id)?.status).toBe('PENDING');
      seen.push(request.client_order_id);
    };
    const wire = newTradeWire();
    await h.submit(wire);
    expect(seen).toEqual([clientOrderId(wire.directive_id, 'E'), clientOrderId(wire.directive_id, 'SL'), clientOrderId(wire.directive_id, 'TP')]);
  });

  it('places protective stop-loss and take-profit legs for the filled size', async () => {
    const h = createHarness();
    const wire = newTradeWire();
    await h.submit(wire);
    const [entry, sl, tp] = h.connector.placed();
    expect(entry).toMatchObject({ side: 'BUY', order_type: 'MARKET', reduce_only: false, time_in_force: 'GTC' });
    expect(entry!.max_slippage_pct?.toFixed()).toBe('0.002');
    expect(sl).toMatchObject({ side: 'SELL', order_type: 'STOP_MARKET', reduce_only: true });
    expect(sl!.stop_price?.toFixed()).toBe('64000');
    expect(sl!.quantity.toFixed()).toBe('0.015');
    expect(tp).toMatchObject({ side: 'SELL', order_type: 'LIMIT', reduce_only: true });
    expect(tp!.limit_price?.toFixed()).toBe('67000');
    expect(h.ledger.orders.get(clientOrderId(wire.directive_id, 'SL'))).toMatchObject({ purpose: 'STOP_LOSS', status: 'OPEN', trade_id: wire.directive_id });
  });

  it('rounds quantity down to the lot and prices to the tick, each the way that is never worse than asked, before checking and sending', async () => {
    const h = createHarness();
    const wire = newTradeWire({
      entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '64000.06' },
      size_plan: { position_size: '0.0159' },
      exit_plan: { stop_loss_price: '63000.04' },
    });
    await h.submit(wire);
    const entry = h.connector.placed()[0]!;
    expect(entry.quantity.toFixed()).toBe('0.015');
    // a BUY limit rounds down (never pays more); the long's SELL stop rounds up (never loses more)
    expect(entry.limit_price?.toFixed()).toBe('64000');
    expect(h.ledger.positions.get(wire.directive_id)?.stop_loss?.toFixed()).toBe('63000.1');
  });

  it('denies locally below min_quantity: nothing is sent, the flow stops with RiskDenied', async () => {
    const h = createHarness();
    const result = await h.submit(newTradeWire({ size_plan: { position_size: '0.0009' } }));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'MIN_QUANTITY' });
    expect(h.connector.placed()).toHaveLength(0);
    expect(h.stops()[0]!.payload.error_details).toMatchObject({ error_type: 'RiskDenied', error_code: 'MIN_QUANTITY' });
  });

  it('denies locally below min_notional using the reference price for a market order', async () => {
    const h = createHarness();
    h.connector.setPrice('BTC_USDT', '5000');
    const result = await h.submit(newTradeWire({ size_plan: { position_size: '0.001' }, exit_plan: undefined }));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'MIN_NOTIONAL' });
    expect(result.reason).toContain('[min_notional]');
    expect(h.connector.placed()).toHaveLength(0);
  });

  it('denies a market entry whose stop loss is on the wrong side of the reference price', async () => {
    const h = createHarness();
    h.connector.setPrice('BTC_USDT', '63000');
    const result = await h.submit(newTradeWire());
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'STOP_LOSS_SIDE' });
    expect(result.reason).toContain('exit_plan.stop_loss_price');
    expect(h.connector.placed()).toHaveLength(0);
  });

  it('leaves a resting limit entry OPEN with nothing filled and places the protective legs when it fills', async () => {
    const h = createHarness();
    const wire = newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '64500' } });
    const result = await h.submit(wire);
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.connector.placed()).toHaveLength(1);
    expect(h.ledger.positions.get(wire.directive_id)?.filled_size.toFixed()).toBe('0');

    h.connector.trigger(clientOrderId(wire.directive_id, 'E'), { price: '64500' });
    await h.settle(h.orchestrator.drain());
    const position = h.ledger.positions.get(wire.directive_id)!;
    expect(position.filled_size.toFixed()).toBe('0.015');
    expect(position.entry_price?.toFixed()).toBe('64500');
    expect(h.connector.placed().map((r) => r.client_order_id)).toEqual([
      clientOrderId(wire.directive_id, 'E'),
      clientOrderId(wire.directive_id, 'SL'),
      clientOrderId(wire.directive_id, 'TP'),
    ]);
    expect(h.journal.ofType('FILL_RECORDED')[0]).toMatchObject({ correlation_id: wire.directive_id });
    // venue events are not flows: still exactly one stop
    expect(h.stops()).toHaveLength(1);
  });

  it('records stop loss and take profit on the position only when the venue has no native stops', async () => {
    const h = createHarness({ capabilities: { nativeStops: false } });
    const wire = newTradeWire();
    await h.submit(wire);
    expect(h.connector.placed()).toHaveLength(1);
    expect(h.ledger.positions.get(wire.directive_id)?.take_profit?.toFixed()).toBe('67000');
  });
});

describe('NEW_TRADE: max_slippage_pct is hard on every venue', () => {
  it('a capped MARKET entry on a venue that cannot cap a market fill (ccxt) goes out as a LIMIT IOC at the decision price + the cap', async () => {
    const h = createHarness({ capabilities: { marketSlippageCap: false } });
    const wire = newTradeWire({ routing_plan: { execution_urgency: '0.9', max_slippage_pct: '0.002', time_in_force: 'GTC' } });
    expect((await h.submit(wire)).outcome).toBe('SUCCEEDED');
    const [entry] = h.connector.placed();
    // 65000 × 1.002 = 65130, the worst price the fill may have
    expect([entry?.order_type, entry?.time_in_force, entry?.limit_price?.toFixed(), entry?.max_slippage_pct]).toEqual(['LIMIT', 'IOC', '65130', undefined]);
  });

  it('a venue that caps market fills itself (the paper venue) gets the MARKET order with its cap, as before', async () => {
    const h = createHarness({ capabilities: { marketSlippageCap: true } });
    const wire = newTradeWire();
    await h.submit(wire);
    const [entry] = h.connector.placed();
    expect([entry?.order_type, entry?.time_in_force, entry?.max_slippage_pct?.toFixed()]).toEqual(['MARKET', 'GTC', '0.002']);
  });
});
