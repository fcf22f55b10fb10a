import { describe, expect, it } from 'vitest';
import { VenueRejected } from '../../../src/domain/errors.js';
import { dec, openVenue, orderRequest, rejectionOf } from './paper-fixture.js';

async function rejectedCode(promise: Promise<unknown>): Promise<string> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(VenueRejected);
  return (error as VenueRejected).code;
}

describe('paper venue cancel', () => {
  it('cancels a resting order, which then neither rests nor fills', async () => {
    const { venue } = openVenue();
    const request = orderRequest({ order_type: 'LIMIT', limit_price: dec('64000') });
    await venue.placeOrder(request);
    const cancelled = await venue.cancelOrder(request.client_order_id, 'BTC_USDT');
    expect(cancelled.status).toBe('CANCELLED');
    expect(await venue.fetchOpenOrders()).toEqual([]);
    expect(await venue.setPrice('BTC_USDT', dec('60000'))).toEqual([]);
    expect(venue.netPositions().get('BTC_USDT')).toBeUndefined();
    await venue.close();
  });

  it('cancels the rest of a partially filled order and keeps what filled', async () => {
    const { venue } = openVenue({ partial_fill_threshold: '0.004' });
    const request = orderRequest({ order_type: 'LIMIT', limit_price: dec('64000'), quantity: dec('0.01') });
    await venue.placeOrder(request);
    await venue.setPrice('BTC_USDT', dec('63999'));
    const cancelled = await venue.cancelOrder(request.client_order_id, 'BTC_USDT');
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.filled_quantity.toString()).toBe('0.004');
    expect(cancelled.fills).toHaveLength(1);
    await venue.close();
  });

  it('returns an order that is already final unchanged instead of failing', async () => {
    const { venue } = openVenue();
    const request = orderRequest();
    const filled = await venue.placeOrder(request);
    expect(await venue.cancelOrder(request.client_order_id, 'BTC_USDT')).toEqual(filled);
    const resting = orderRequest({ order_type: 'LIMIT', limit_price: dec('60000') });
    await venue.placeOrder(resting);
    const once = await venue.cancelOrder(resting.client_order_id, 'BTC_USDT');
    expect(await venue.cancelOrder(resting.client_order_id, 'BTC_USDT')).toEqual(once);
    await venue.close();
  });

  it('answers UNKNOWN_ORDER for an order it does not have on that symbol', async () => {
    const { venue } = openVenue();
    expect(await rejectedCode(venue.cancelOrder('PXnothing-E', 'BTC_USDT'))).toBe('UNKNOWN_ORDER');
    const request = orderRequest({ order_type: 'LIMIT', limit_price: dec('60000') });
    await venue.placeOrder(request);
    expect(await rejectedCode(venue.cancelOrder(request.client_order_id, 'ETH_USDT'))).toBe('UNKNOWN_ORDER');
    await venue.close();
  });
});

describe('paper venue amend', () => {
  it('moves a resting stop so that it triggers at the new price, not the old one', async () => {
    const { venue } = openVenue({ slippage_bps: '0' });
    await venue.placeOrder(orderRequest({ quantity: dec('0.01') }));
    const stop = orderRequest({ side: 'SELL', order_type: 'STOP_MARKET', stop_price: dec('64000'), quantity: dec('0.01'), reduce_only: true });
    await venue.placeOrder(stop);
    const amended = await venue.amendOrder(stop.client_order_id, 'BTC_USDT', { stop_price: dec('64500') });
    expect(amended.stop_price?.toString()).toBe('64500');
    const [report] = await venue.setPrice('BTC_USDT', dec('64400'));
    expect(report?.order.client_order_id).toBe(stop.client_order_id);
    expect(report?.new_fills[0]?.price.toString()).toBe('64400');
    await venue.close();
  });

  it('changes the limit price and quantity of a resting limit', async () => {
    const { venue } = openVenue();
    const request = orderRequest({ order_type: 'LIMIT', limit_price: dec('63000'), quantity: dec('0.01') });
    await venue.placeOrder(request);
    const amended = await venue.amendOrder(request.client_order_id, 'BTC_USDT', { limit_price: dec('64000'), quantity: dec('0.02') });
    expect(amended.status).toBe('OPEN');
    expect(amended.quantity.toString()).toBe('0.02');
    const [report] = await venue.setPrice('BTC_USDT', dec('63900'));
    expect(report?.new_fills[0]?.price.toString()).toBe('64000');
    expect(report?.order.filled_quantity.toString()).toBe('0.02');
    await venue.close();
  });

  it('fills a limit at once as a taker when the amend makes it marketable', async () => {
    const { venue } = openVenue();
    const request = orderRequest({ order_type: 'LIMIT', limit_price: dec('63000') });
    await venue.placeOrder(request);
    const amended = await venue.amendOrder(request.client_order_id, 'BTC_USDT', { limit_price: dec('65500') });
    expect(amended.status).toBe('FILLED');
    expect(amended.fills[0]?.price.toString()).toBe('65000');
    await venue.close();
  });

  it('checks amended prices and quantities against tick, lot and filled quantity', async () => {
    const { venue } = openVenue({ partial_fill_threshold: '0.004' });
    const request = orderRequest({ order_type: 'LIMIT', limit_price: dec('64000'), quantity: dec('0.01') });
    await venue.placeOrder(request);
    await venue.setPrice('BTC_USDT', dec('63999'));
    const amend = (changes: Parameters<typeof venue.amendOrder>[2]) => venue.amendOrder(request.client_order_id, 'BTC_USDT', changes);
    expect(await rejectedCode(amend({ limit_price: dec('64000.001') }))).toBe('TICK_SIZE');
    expect(await rejectedCode(amend({ quantity: dec('0.0100001') }))).toBe('LOT_SIZE');
    expect(await rejectedCode(amend({ quantity: dec('0.003') }))).toBe('QUANTITY_BELOW_FILLED');
    // shrinking the order to what already filled completes it
    const done = await amend({ quantity: dec('0.004') });
    expect(done.status).toBe('FILLED');
    expect(await rejectedCode(amend({ quantity: dec('0.005') }))).toBe('ORDER_NOT_OPEN');
    await venue.close();
  });

  it('refuses a stop moved past the current price, a limit price on a stop-market, and an unknown order', async () => {
    const { venue } = openVenue();
    await venue.placeOrder(orderRequest({ quantity: dec('0.01') }));
    const stop = orderRequest({ side: 'SELL', order_type: 'STOP_MARKET', stop_price: dec('64000'), quantity: dec('0.01'), reduce_only: true });
    await venue.placeOrder(stop);
    expect(await rejectedCode(venue.amendOrder(stop.client_order_id, 'BTC_USDT', { stop_price: dec('65500') }))).toBe(
      'WOULD_TRIGGER_IMMEDIATELY',
    );
    expect(await rejectedCode(venue.amendOrder(stop.client_order_id, 'BTC_USDT', { limit_price: dec('63000') }))).toBe('INVALID_ORDER');
    expect(await rejectedCode(venue.amendOrder(stop.client_order_id, 'BTC_USDT', { quantity: dec('0.02') }))).toBe('REDUCE_ONLY');
    expect(await rejectedCode(venue.amendOrder('PXnothing-E', 'BTC_USDT', { quantity: dec('0.02') }))).toBe('UNKNOWN_ORDER');
    const unchanged = venue.allOrders().find((o) => o.client_order_id === stop.client_order_id);
    expect(unchanged?.stop_price?.toString()).toBe('64000');
    expect(unchanged?.quantity.toString()).toBe('0.01');
    await venue.close();
  });
});
