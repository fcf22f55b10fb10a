import { describe, expect, it } from 'vitest';
import { DryRunConnector } from '../../src/connectors/dry-run-connector.js';
import { Decimal } from '../../src/domain/decimal.js';
import { VenueRejected } from '../../src/domain/errors.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeConnector } from '../support/fakes.js';

function world() {
  const clock = new FakeClock();
  const venue = new FakeConnector({ clock });
  return { venue, dry: new DryRunConnector(venue, clock) };
}

const order = (overrides: Record<string, unknown> = {}) => ({
  client_order_id: 'PX0000000000000001-E',
  symbol: 'BTC_USDT',
  side: 'BUY' as const,
  order_type: 'MARKET' as const,
  quantity: new Decimal('0.015'),
  time_in_force: 'GTC' as const,
  reduce_only: false,
  ...overrides,
});

describe('DryRunConnector', () => {
  it('passes reads to the venue and never a write; records each write', async () => {
    const { venue, dry } = world();
    expect((await dry.getInstrument('BTC_USDT')).tick_size.toFixed()).toBe('0.1');
    expect((await dry.getReferencePrice('BTC_USDT')).toFixed()).toBe('65000');
    await dry.placeOrder(order());
    await dry.placeOrder(order({ client_order_id: 'PX0000000000000001-TP', order_type: 'LIMIT', limit_price: new Decimal('67000'), side: 'SELL', reduce_only: true }));
    await dry.amendOrder('PX0000000000000001-TP', 'BTC_USDT', { limit_price: new Decimal('68000') });
    await dry.cancelOrder('PX0000000000000001-TP', 'BTC_USDT');
    expect(venue.calls.map((c) => c.method)).toEqual(['getInstrument', 'getReferencePrice', 'getReferencePrice', 'getInstrument']);
    expect(dry.writes.map((w) => w.action)).toEqual(['PLACE', 'PLACE', 'AMEND', 'CANCEL']);
  });

  it('answers a market order as filled at the reference price, any other as resting, and knows its own orders afterwards', async () => {
    const { dry } = world();
    const filled = await dry.placeOrder(order());
    expect(filled).toMatchObject({ status: 'FILLED' });
    expect([filled.filled_quantity.toFixed(), filled.average_fill_price?.toFixed(), filled.fills[0]?.fee_asset]).toEqual(['0.015', '65000', 'USDT']);
    const resting = await dry.placeOrder(order({ client_order_id: 'PX0000000000000002-E', order_type: 'LIMIT', limit_price: new Decimal('60000') }));
    expect(resting).toMatchObject({ status: 'OPEN' });
    expect((await dry.fetchOrder('PX0000000000000002-E', 'BTC_USDT'))?.status).toBe('OPEN');
    expect((await dry.cancelOrder('PX0000000000000002-E', 'BTC_USDT')).status).toBe('CANCELLED');
  });

  it('cancels an order the venue holds only in its answer; an order nobody knows is refused as the venue would', async () => {
    const { venue, dry } = world();
    await venue.placeOrder(order({ client_order_id: 'PX0000000000000003-E', order_type: 'LIMIT', limit_price: new Decimal('60000') }));
    expect((await dry.cancelOrder('PX0000000000000003-E', 'BTC_USDT')).status).toBe('CANCELLED');
    expect(venue.orders.get('PX0000000000000003-E')?.status).toBe('OPEN');
    await expect(dry.cancelOrder('PX00000000000000ff-E', 'BTC_USDT')).rejects.toBeInstanceOf(VenueRejected);
  });
});
