import { describe, expect, it } from 'vitest';
import { HeldExitsConnector } from '../../src/connectors/held-exits/held-exits-connector.js';
import { Decimal } from '../../src/domain/decimal.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { StaticPriceSource } from '../../src/market-data/static-price-source.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { silentLogger } from '../support/fakes.js';
import { createHarness } from './harness.js';

describe('a venue without native stops, its exits held by planexec', () => {
  function heldHarness() {
    let prices!: StaticPriceSource;
    let held!: HeldExitsConnector;
    const h = createHarness({
      capabilities: { nativeStops: false },
      venue: (fake, clock) => {
        prices = new StaticPriceSource({ clock });
        held = new HeldExitsConnector(fake, prices, { clock, logger: silentLogger });
        return held;
      },
    });
    const movePrice = async (price: string): Promise<void> => {
      h.connector.movePrice('BTC_USDT', price);
      await h.settle(prices.set('BTC_USDT', new Decimal(price)));
      await h.settle(h.orchestrator.drain());
    };
    return { h, held, movePrice };
  }

  it('a NEW_TRADE with a stop loss gets protection LIVE, held not sent; the stop fires from the price source and closes the trade (STOP_LOSS), its take profit cancelled', async () => {
    const { h, held, movePrice } = heldHarness();
    const wire = newTradeWire({ exit_plan: { stop_loss_price: '64000', take_profit_price: '67000' } });
    const result = await h.submit(wire);
    expect(result.outcome).toBe('SUCCEEDED');
    const sl = clientOrderId(wire.directive_id, 'SL');
    const tp = clientOrderId(wire.directive_id, 'TP');

    expect(h.ledger.positions.get(wire.directive_id)).toMatchObject({ status: 'OPEN', protection: 'LIVE' });
    expect(h.ledger.orders.get(sl)).toMatchObject({ purpose: 'STOP_LOSS', status: 'OPEN', venue_order_id: `held:${sl}` });
    expect(h.ledger.orders.get(tp)).toMatchObject({ purpose: 'TAKE_PROFIT', status: 'OPEN', venue_order_id: `held:${tp}` });
    // only the entry reached the venue
    expect(h.connector.placed().map((p) => p.client_order_id)).toEqual([clientOrderId(wire.directive_id, 'E')]);
    expect(held.heldOrders().map((o) => o.client_order_id).sort()).toEqual([sl, tp].sort());

    await movePrice('64500');
    expect(h.ledger.positions.get(wire.directive_id)?.status).toBe('OPEN');

    await movePrice('63950');
    const sent = h.connector.placed().filter((p) => p.client_order_id === sl);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ order_type: 'MARKET', reduce_only: true, side: 'SELL' });
    expect(h.ledger.orders.get(sl)?.status).toBe('FILLED');
    expect(h.ledger.positions.get(wire.directive_id)).toMatchObject({ status: 'CLOSED', close_reason: 'STOP_LOSS' });
    expect(h.ledger.orders.get(tp)?.status).toBe('CANCELLED');
    // the take profit was only ever held: cancelled without a venue call, and it never fires
    expect(h.connector.calls.filter((c) => c.method === 'cancelOrder')).toEqual([]);
    await movePrice('68000');
    expect(h.connector.placed().filter((p) => p.client_order_id === tp)).toEqual([]);
  });

  it('MODIFY moves a held stop without a venue call; CLOSE cancels the held exits locally and sells at market', async () => {
    const { h, held, movePrice } = heldHarness();
    const wire = newTradeWire({ exit_plan: { stop_loss_price: '64000', take_profit_price: '67000' } });
    await h.submit(wire);
    const sl = clientOrderId(wire.directive_id, 'SL');

    const modified = await h.submit(modifyWire([wire.directive_id], { strategy_id: wire.strategy_id, exit_plan: { stop_loss_price: '64500' } }));
    expect(modified.outcome).toBe('SUCCEEDED');
    expect(h.connector.calls.filter((c) => ['amendOrder', 'cancelOrder'].includes(c.method))).toEqual([]);
    expect(held.heldOrders().find((o) => o.stop_price !== null)?.stop_price?.toFixed()).toBe('64500');
    expect(h.ledger.positions.get(wire.directive_id)).toMatchObject({ status: 'OPEN', protection: 'LIVE' });

    const closed = await h.submit(closeWire([wire.directive_id], { strategy_id: wire.strategy_id }));
    expect(closed.outcome).toBe('SUCCEEDED');
    expect(held.heldOrders()).toEqual([]);
    expect(h.connector.calls.filter((c) => c.method === 'cancelOrder')).toEqual([]);
    expect(h.ledger.positions.get(wire.directive_id)?.status).toBe('CLOSED');
    expect(h.ledger.orders.get(sl)?.status).toBe('CANCELLED');
    // nothing held fires any more
    await movePrice('60000');
    expect(h.connector.placed().filter((p) => p.client_order_id === sl)).toEqual([]);
  });
});
