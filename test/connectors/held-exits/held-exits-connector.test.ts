import { describe, expect, it } from 'vitest';
import type { ExecutionReport, OrderRequest } from '../../../src/ports/connector.js';
import { HeldExitsConnector, withHeldExits } from '../../../src/connectors/held-exits/held-exits-connector.js';
import { Decimal } from '../../../src/domain/decimal.js';
import { TransientError, UnknownOutcomeError } from '../../../src/domain/errors.js';
import type { OrderRecord } from '../../../src/domain/trading.js';
import { StaticPriceSource } from '../../../src/market-data/static-price-source.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeConnector, silentLogger } from '../../support/fakes.js';

const SYMBOL = 'BTC_USDT';

function world(options: { idempotentSubmit?: boolean } = {}) {
  const clock = new FakeClock();
  const inner = new FakeConnector({ clock, capabilities: { nativeStops: false, idempotentSubmit: options.idempotentSubmit ?? false } });
  const prices = new StaticPriceSource({ clock });
  const followed: string[] = [];
  const venue = new HeldExitsConnector(inner, prices, { clock, logger: silentLogger, follow: (s) => followed.push(s) });
  const reports: ExecutionReport[] = [];
  venue.onExecution((r) => reports.push(r));
  const price = async (value: string): Promise<void> => {
    inner.movePrice(SYMBOL, value);
    await prices.set(SYMBOL, new Decimal(value));
  };
  const sends = (id: string) => inner.calls.filter((c) => c.method === 'placeOrder' && (c.args[0] as OrderRequest).client_order_id === id);
  return { clock, inner, prices, venue, reports, price, sends, followed };
}

function order(overrides: Partial<OrderRequest>): OrderRequest {
  return { client_order_id: 'PX00000000000000a1-SL', symbol: SYMBOL, side: 'SELL', order_type: 'STOP_MARKET', quantity: new Decimal('0.01'), time_in_force: 'GTC', reduce_only: true, position_id: 'T1', ...overrides };
}

async function entry(w: ReturnType<typeof world>, side: 'BUY' | 'SELL', position = 'T1'): Promise<void> {
  await w.venue.placeOrder({ client_order_id: `PX00000000000000e0-${position}`, symbol: SYMBOL, side, order_type: 'MARKET', quantity: new Decimal('0.01'), time_in_force: 'GTC', reduce_only: false, position_id: position });
}

describe('exits held by planexec', () => {
  it('declares native stops over a venue without them, and leaves a venue with them unwrapped', () => {
    const w = world();
    expect(w.inner.capabilities.nativeStops).toBe(false);
    expect(w.venue.capabilities.nativeStops).toBe(true);
    expect(w.venue.venue).toBe('fake');
    const native = new FakeConnector({ clock: w.clock });
    expect(withHeldExits(native, w.prices, { clock: w.clock, logger: silentLogger })).toBe(native);
    expect(withHeldExits(w.inner, w.prices, { clock: w.clock, logger: silentLogger })).toBeInstanceOf(HeldExitsConnector);
  });

  it('holds a reduce-only stop instead of sending it (OPEN, venue id held:<id>), and passes a reduce-only MARKET straight through', async () => {
    const w = world();
    await entry(w, 'BUY');
    const held = await w.venue.placeOrder(order({ stop_price: new Decimal('64000') }));
    expect(held).toMatchObject({ status: 'OPEN', venue_order_id: 'held:PX00000000000000a1-SL', order_type: 'STOP_MARKET' });
    expect(w.sends('PX00000000000000a1-SL')).toEqual([]);
    expect(w.followed).toEqual([SYMBOL]);
    const close = await w.venue.placeOrder(order({ client_order_id: 'PX00000000000000a1-C', order_type: 'MARKET', quantity: new Decimal('0.005') }));
    expect(close.status).toBe('FILLED');
    expect(w.sends('PX00000000000000a1-C')).toHaveLength(1);
  });

  it('a SELL stop (protecting a BUY) fires when the price falls to it: a reduce-only MARKET under the same client order id, its fills reported as the stop’s', async () => {
    const w = world();
    await entry(w, 'BUY');
    await w.venue.placeOrder(order({ stop_price: new Decimal('64000') }));
    await w.price('64000.1');
    expect(w.sends('PX00000000000000a1-SL')).toEqual([]);
    await w.price('64000');
    const [sent] = w.sends('PX00000000000000a1-SL');
    expect(sent?.args[0]).toMatchObject({ order_type: 'MARKET', side: 'SELL', reduce_only: true, position_id: 'T1' });
    const report = w.reports.find((r) => r.order.client_order_id === 'PX00000000000000a1-SL');
    expect(report?.order).toMatchObject({ status: 'FILLED', order_type: 'STOP_MARKET' });
    expect(report?.order.stop_price?.toFixed()).toBe('64000');
    expect(report?.new_fills.length).toBeGreaterThan(0);
    expect((await w.venue.fetchOrder('PX00000000000000a1-SL', SYMBOL))?.status).toBe('FILLED');
    expect(await w.venue.fetchOpenOrders(SYMBOL)).toEqual([]);
  });

  it('a BUY stop (protecting a SELL) fires when the price rises to it', async () => {
    const w = world();
    await entry(w, 'SELL');
    await w.venue.placeOrder(order({ side: 'BUY', stop_price: new Decimal('66000') }));
    await w.price('65999.9');
    expect(w.sends('PX00000000000000a1-SL')).toEqual([]);
    await w.price('66000.5');
    expect(w.sends('PX00000000000000a1-SL')).toHaveLength(1);
    expect((await w.venue.fetchOrder('PX00000000000000a1-SL', SYMBOL))?.status).toBe('FILLED');
  });

  it('a take profit fires when the price reaches its limit: SELL at or above, BUY at or below', async () => {
    const w = world();
    await entry(w, 'BUY', 'T1');
    await entry(w, 'SELL', 'T2');
    await w.venue.placeOrder(order({ client_order_id: 'PX00000000000000a1-TP', order_type: 'LIMIT', limit_price: new Decimal('67000') }));
    await w.venue.placeOrder(order({ client_order_id: 'PX00000000000000a2-TP', order_type: 'LIMIT', side: 'BUY', limit_price: new Decimal('63000'), position_id: 'T2' }));
    await w.price('66999.9');
    await w.price('63000.1');
    expect(w.sends('PX00000000000000a1-TP')).toEqual([]);
    expect(w.sends('PX00000000000000a2-TP')).toEqual([]);
    await w.price('67000');
    expect(w.sends('PX00000000000000a1-TP')).toHaveLength(1);
    expect(w.sends('PX00000000000000a2-TP')).toEqual([]);
    await w.price('62999');
    expect(w.sends('PX00000000000000a2-TP')).toHaveLength(1);
    expect(w.reports.filter((r) => r.order.order_type === 'LIMIT').map((r) => r.order.status)).toEqual(['FILLED', 'FILLED']);
  });

  it('cancelling a held exit is CANCELLED without a venue call, and it never fires afterwards', async () => {
    const w = world();
    await entry(w, 'BUY');
    await w.venue.placeOrder(order({ stop_price: new Decimal('64000') }));
    const cancelled = await w.venue.cancelOrder('PX00000000000000a1-SL', SYMBOL);
    expect(cancelled.status).toBe('CANCELLED');
    expect(w.inner.calls.filter((c) => c.method === 'cancelOrder')).toEqual([]);
    await w.price('60000');
    expect(w.sends('PX00000000000000a1-SL')).toEqual([]);
    expect((await w.venue.cancelOrder('PX00000000000000a1-SL', SYMBOL)).status).toBe('CANCELLED');
    expect((await w.venue.fetchOrder('PX00000000000000a1-SL', SYMBOL))?.status).toBe('CANCELLED');
  });

  it('amending a held exit moves its trigger and size: it fires at the new price, with the new quantity', async () => {
    const w = world();
    await entry(w, 'BUY');
    await w.venue.placeOrder(order({ stop_price: new Decimal('64000') }));
    const amended = await w.venue.amendOrder('PX00000000000000a1-SL', SYMBOL, { stop_price: new Decimal('63000'), quantity: new Decimal('0.005') });
    expect(amended.stop_price?.toFixed()).toBe('63000');
    expect(amended.quantity.toFixed()).toBe('0.005');
    expect(w.inner.calls.filter((c) => c.method === 'amendOrder')).toEqual([]);
    await w.price('63500');
    expect(w.sends('PX00000000000000a1-SL')).toEqual([]);
    await w.price('62900');
    expect((w.sends('PX00000000000000a1-SL')[0]?.args[0] as OrderRequest).quantity.toFixed()).toBe('0.005');
  });

  it('refuses a held exit the venue’s rules would refuse, and a repeated client order id', async () => {
    const w = world();
    await expect(w.venue.placeOrder(order({ stop_price: new Decimal('64000'), quantity: new Decimal('0.0001') }))).rejects.toMatchObject({ code: 'QUANTITY_BELOW_MINIMUM' });
    await expect(w.venue.placeOrder(order({ symbol: 'NOPE_USDT', stop_price: new Decimal('1') }))).rejects.toThrow();
    await w.venue.placeOrder(order({ stop_price: new Decimal('64000') }));
    await expect(w.venue.placeOrder(order({ stop_price: new Decimal('64000') }))).rejects.toMatchObject({ code: 'DUPLICATE_CLIENT_ORDER_ID' });
  });

  it('a send that fails transiently stays held and fires again at the next price', async () => {
    const w = world();
    await entry(w, 'BUY');
    await w.venue.placeOrder(order({ stop_price: new Decimal('64000') }));
    w.inner.script('placeOrder', { kind: 'throw', error: new TransientError('busy') });
    await w.price('63900');
    expect((await w.venue.fetchOrder('PX00000000000000a1-SL', SYMBOL))?.status).toBe('OPEN');
    await w.price('63800');
    expect(w.sends('PX00000000000000a1-SL')).toHaveLength(2);
    expect((await w.venue.fetchOrder('PX00000000000000a1-SL', SYMBOL))?.status).toBe('FILLED');
  });

  it('a send whose answer was lost is looked up, never sent twice: the venue’s order under the same id is adopted and its fills reported', async () => {
    const w = world();
    await entry(w, 'BUY');
    await w.venue.placeOrder(order({ stop_price: new Decimal('64000') }));
    w.inner.script('placeOrder', { kind: 'accept_then_throw', error: new UnknownOutcomeError('timeout after send') });
    await w.price('63900');
    expect(w.reports.filter((r) => r.order.client_order_id === 'PX00000000000000a1-SL')).toEqual([]);
    await w.price('63800');
    expect(w.sends('PX00000000000000a1-SL')).toHaveLength(1);
    const report = w.reports.find((r) => r.order.client_order_id === 'PX00000000000000a1-SL');
    expect(report?.order.status).toBe('FILLED');
    expect(report?.new_fills.length).toBeGreaterThan(0);
  });

  it('a fired exit the venue refuses (nothing left to reduce) is reported REJECTED', async () => {
    const w = world();
    await w.venue.placeOrder(order({ stop_price: new Decimal('64000') }));
    await w.price('63000');
    const report = w.reports.find((r) => r.order.client_order_id === 'PX00000000000000a1-SL');
    expect(report?.order.status).toBe('REJECTED');
    expect(report?.order.reject_reason).not.toBeNull();
  });
});

/** The ledger row the orchestrator keeps of a held exit. */
function ledgerRow(overrides: Partial<OrderRecord> = {}): OrderRecord {
  return {
    client_order_id: 'PX00000000000000a1-SL',
    venue_order_id: 'held:PX00000000000000a1-SL',
    trade_id: 'T1',
    directive_id: null,
    purpose: 'STOP_LOSS',
    symbol: SYMBOL,
    side: 'SELL',
    order_type: 'STOP_MARKET',
    time_in_force: 'GTC',
    quantity: new Decimal('0.01'),
    limit_price: null,
    stop_price: new Decimal('64000'),
    reduce_only: true,
    status: 'OPEN',
    filled_quantity: new Decimal(0),
    average_fill_price: null,
    reject_reason: null,
    created_at: '2026-11-24T10:00:00.000Z',
    updated_at: '2026-11-24T10:00:00.000Z',
    ...overrides,
  } as OrderRecord;
}

describe('held exits across a restart', () => {
  it('restore rebuilds the live held exits from ledger rows (not final ones, not the venue’s own) and they fire from the price', async () => {
    const w = world();
    await entry(w, 'BUY');
    await w.venue.restore([
      ledgerRow(),
      ledgerRow({ client_order_id: 'PX00000000000000a1-TP', venue_order_id: 'held:PX00000000000000a1-TP', status: 'CANCELLED', order_type: 'LIMIT', limit_price: new Decimal('67000'), stop_price: null }),
      ledgerRow({ client_order_id: 'PX00000000000000b1-SL', venue_order_id: 'V123' }),
    ]);
    expect(w.venue.heldOrders().map((o) => o.client_order_id)).toEqual(['PX00000000000000a1-SL']);
    expect((await w.venue.fetchOpenOrders(SYMBOL)).map((o) => o.venue_order_id)).toEqual(['held:PX00000000000000a1-SL']);
    await w.price('63999');
    expect((w.sends('PX00000000000000a1-SL')[0]?.args[0] as OrderRequest)).toMatchObject({ order_type: 'MARKET', position_id: 'T1', reduce_only: true });
    expect((await w.venue.fetchOrder('PX00000000000000a1-SL', SYMBOL))?.status).toBe('FILLED');
  });

  it('trigger, lose the answer, restart from the ledger rows: the venue’s order is adopted and no second order is sent', async () => {
    const first = world();
    await entry(first, 'BUY');
    await first.venue.placeOrder(order({ stop_price: new Decimal('64000') }));
    first.inner.script('placeOrder', { kind: 'accept_then_throw', error: new UnknownOutcomeError('connection reset after send') });
    await first.price('63900');
    // planexec dies here: the ledger still has the stop as held and OPEN

    const restarted = new HeldExitsConnector(first.inner, first.prices, { clock: first.clock, logger: silentLogger });
    const reports: ExecutionReport[] = [];
    restarted.onExecution((r) => reports.push(r));
    await restarted.restore([ledgerRow()]);
    expect(reports.map((r) => [r.order.client_order_id, r.order.status, r.order.order_type])).toEqual([['PX00000000000000a1-SL', 'FILLED', 'STOP_MARKET']]);
    expect(restarted.heldOrders()).toEqual([]);
    await first.price('63000');
    expect(first.sends('PX00000000000000a1-SL')).toHaveLength(1);
    expect((await restarted.fetchOrder('PX00000000000000a1-SL', SYMBOL))?.status).toBe('FILLED');
  });
});

describe('cancelling an exit whose send was lost', () => {
  it('cancels at the venue what the venue has, reporting its fills; cancels locally what it never got', async () => {
    const w = world();
    await entry(w, 'BUY');
    await w.venue.placeOrder(order({ stop_price: new Decimal('64000') }));
    w.inner.script('placeOrder', { kind: 'accept_then_throw', error: new UnknownOutcomeError('timeout after send') });
    await w.price('63900');
    const cancelled = await w.venue.cancelOrder('PX00000000000000a1-SL', SYMBOL);
    // the market order had filled at the venue: its final state, and its fills reported once
    expect(cancelled.status).toBe('FILLED');
    expect(w.reports.filter((r) => r.order.client_order_id === 'PX00000000000000a1-SL').map((r) => r.order.status)).toEqual(['FILLED']);

    await w.venue.placeOrder(order({ client_order_id: 'PX00000000000000a2-SL', stop_price: new Decimal('63000'), position_id: 'T1' }));
    w.inner.script('placeOrder', { kind: 'throw', error: new UnknownOutcomeError('timeout before the venue got it') });
    await w.price('62900');
    expect((await w.venue.cancelOrder('PX00000000000000a2-SL', SYMBOL)).status).toBe('CANCELLED');
    await w.price('62000');
    expect(w.sends('PX00000000000000a2-SL')).toHaveLength(1);
  });
});
