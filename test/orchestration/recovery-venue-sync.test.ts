import { describe, expect, it } from 'vitest';
import { clientOrderId } from '../../src/domain/ids.js';
import { newTradeWire } from '../support/directives.js';
import { expectCorrupted } from '../support/projection-check.js';
import { useWorlds, type World } from './recovery-world.js';

const worlds = useWorlds('venue-sync');
const world = (): World => worlds.world();
/** Down a minute: long enough for the venue to have moved on. */
const restart = (w: World): Promise<World> => worlds.restart(w, 60_000);

async function whileDown(w: World, symbol: string, price: string): Promise<void> {
  w.orchestrator.dispose();
  await w.setPrice(symbol, price);
}

describe('recovery applies what the venue did while planexec was down, exactly once', () => {
  it('a resting entry that filled while down is booked and gets its protective orders', async () => {
    const w = world();
    const wire = newTradeWire({
      entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '64000' },
      exit_plan: { stop_loss_price: '60000', take_profit_price: '70000' },
    });
    expect((await w.submit(wire)).outcome).toBe('SUCCEEDED');
    await whileDown(w, 'BTC_USDT', '63900');

    const r = await restart(w);
    const report = await r.recover();
    expect(report).toMatchObject({ interrupted: 0, orders: { updated: 1 } });
    const trade = await r.store.ledger.getPosition(wire.directive_id);
    expect(trade!.filled_size.toFixed()).toBe('0.015');
    expect(trade!.entry_price?.toFixed()).toBe('64000');
    expect((await r.venue.fetchOpenOrders('BTC_USDT')).map((o) => o.client_order_id).sort()).toEqual(
      [clientOrderId(wire.directive_id, 'SL'), clientOrderId(wire.directive_id, 'TP')].sort(),
    );
    expect(await r.netPositions('BTC_USDT')).toEqual({ ledger: '0.015', venue: '0.015' });
    expect((await r.store.journal.read({ flow_id: wire.directive_id })).some((e) => e.event_type === 'FILL_RECORDED')).toBe(true);
  });

  it('a stop loss triggered while down closes the trade (STOP_LOSS, its fill price) and cancels the take profit', async () => {
    const w = world();
    const wire = newTradeWire({ exit_plan: { stop_loss_price: '60000', take_profit_price: '70000' } });
    await w.submit(wire);
    await whileDown(w, 'BTC_USDT', '59000');

    const r = await restart(w);
    await r.recover();
    const trade = await r.store.ledger.getPosition(wire.directive_id);
    expect(trade).toMatchObject({ status: 'CLOSED', close_reason: 'STOP_LOSS' });
    expect(trade!.realized_pnl.lt(0)).toBe(true);
    expect(await r.venue.fetchOpenOrders('BTC_USDT')).toEqual([]);
    expect(await r.netPositions('BTC_USDT')).toEqual({ ledger: '0', venue: '0' });
  });

  it('fills are applied once: recovering again, or a late report of the same fill, books nothing more', async () => {
    const w = world();
    const wire = newTradeWire({
      entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '64000' },
      exit_plan: undefined,
    });
    await w.submit(wire);
    await whileDown(w, 'BTC_USDT', '63000');
    const r = await restart(w);
    await r.recover();
    const fills = await r.store.ledger.listFills({ trade_id: wire.directive_id });
    expect(fills).toHaveLength(1);

    const again = await restart(r);
    expect((await again.recover()).orders).toMatchObject({ updated: 0 });
    const entry = await again.venue.fetchOrder(clientOrderId(wire.directive_id, 'E'), 'BTC_USDT');
    await again.settle(again.orchestrator.applyVenueOrder(entry!));
    expect(await again.store.ledger.listFills({ trade_id: wire.directive_id })).toHaveLength(1);
    expect((await again.store.ledger.getPosition(wire.directive_id))!.filled_size.toFixed()).toBe('0.015');
  });

  it('an order left PENDING by a finished flow that the venue never got is recorded as never placed', async () => {
    const w = world();
    const wire = newTradeWire({ exit_plan: undefined });
    await w.submit(wire);
    // a leg row left PENDING with nothing at the venue (the flow's outcome is already recorded)
    const row = (await w.store.ledger.getOrder(clientOrderId(wire.directive_id, 'E')))!;
    await w.store.ledger.apply({ directive_id: null, orders: [{ ...row, client_order_id: clientOrderId(wire.directive_id, 'Z9'), status: 'PENDING', filled_quantity: row.filled_quantity.mul(0) }] });
    expectCorrupted(w.files.db);

    const r = await restart(w);
    const report = await r.recover();
    expect(report.orders).toMatchObject({ not_placed: 1 });
    expect(await r.store.ledger.getOrder(clientOrderId(wire.directive_id, 'Z9'))).toMatchObject({ status: 'REJECTED' });
    expect(r.venue.submitAttempts()).toBe(1);
  });
});
