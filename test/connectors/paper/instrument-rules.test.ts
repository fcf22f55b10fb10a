import { describe, expect, it } from 'vitest';
import { VenueRejected } from '../../../src/domain/errors.js';
import { dec, openVenue, orderRequest, rejectionOf } from './paper-fixture.js';

async function rejectedCode(promise: Promise<unknown>): Promise<string> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(VenueRejected);
  return (error as VenueRejected).code;
}

describe('paper venue instruments', () => {
  it('lists BTC_USDT, ETH_USDT and SOL_USDT with exchange-like rules and reference prices when unconfigured', async () => {
    const { venue } = openVenue();
    const btc = await venue.getInstrument('BTC_USDT');
    expect(btc.base_asset).toBe('BTC');
    expect(btc.quote_asset).toBe('USDT');
    expect(btc.tick_size.toString()).toBe('0.01');
    expect(btc.lot_size.toString()).toBe('0.00001');
    expect(btc.min_quantity.toString()).toBe('0.00001');
    expect(btc.min_notional.toString()).toBe('5');
    expect((await venue.getReferencePrice('BTC_USDT')).toString()).toBe('65000');
    expect((await venue.getInstrument('ETH_USDT')).lot_size.toString()).toBe('0.0001');
    expect((await venue.getReferencePrice('ETH_USDT')).toString()).toBe('3500');
    expect((await venue.getInstrument('SOL_USDT')).lot_size.toString()).toBe('0.001');
    expect((await venue.getReferencePrice('SOL_USDT')).toString()).toBe('150');
    await venue.close();
  });

  it('lets config replace a built-in instrument and add new ones', async () => {
    const { venue } = openVenue({
      instruments: {
        BTC_USDT: { tick_size: '0.1', lot_size: '0.001', min_quantity: '0.001', min_notional: '10', reference_price: '70000' },
        DOGE_USDT: { tick_size: '0.00001', lot_size: '1', min_quantity: '10', min_notional: '1', reference_price: '0.15' },
      },
    });
    expect((await venue.getInstrument('BTC_USDT')).tick_size.toString()).toBe('0.1');
    expect((await venue.getReferencePrice('BTC_USDT')).toString()).toBe('70000');
    expect((await venue.getInstrument('DOGE_USDT')).min_quantity.toString()).toBe('10');
    expect((await venue.getReferencePrice('ETH_USDT')).toString()).toBe('3500');
    await venue.close();
  });

  it('has no max_quantity on the built-ins; a configured one is reported and enforced', async () => {
    const { venue } = openVenue({
      instruments: { ADA_USDT: { tick_size: '0.0001', lot_size: '1', min_quantity: '1', min_notional: '1', max_quantity: '1000', reference_price: '0.5' } },
    });
    expect((await venue.getInstrument('BTC_USDT')).max_quantity).toBeNull();
    expect((await venue.getInstrument('ADA_USDT')).max_quantity?.toString()).toBe('1000');
    expect(await rejectedCode(venue.placeOrder(orderRequest({ symbol: 'ADA_USDT', quantity: dec('1001') })))).toBe('LOT_SIZE');
    expect((await venue.placeOrder(orderRequest({ symbol: 'ADA_USDT', quantity: dec('1000') }))).status).toBe('FILLED');
    await venue.close();
  });

  it('answers an unknown symbol with UNKNOWN_SYMBOL for look-ups and orders alike', async () => {
    const { venue } = openVenue();
    expect(await rejectedCode(venue.getInstrument('XRP_USDT'))).toBe('UNKNOWN_SYMBOL');
    expect(await rejectedCode(venue.getReferencePrice('XRP_USDT'))).toBe('UNKNOWN_SYMBOL');
    expect(await rejectedCode(venue.placeOrder(orderRequest({ symbol: 'XRP_USDT' })))).toBe('UNKNOWN_SYMBOL');
    await venue.close();
  });
});

describe('paper venue order validation', () => {
  it('rejects a quantity off the lot grid, below the minimum, or not positive with LOT_SIZE', async () => {
    const { venue } = openVenue({
      instruments: { ETH_USDT: { tick_size: '0.01', lot_size: '0.0001', min_quantity: '0.001', min_notional: '5', reference_price: '3500' } },
    });
    expect(await rejectedCode(venue.placeOrder(orderRequest({ quantity: dec('0.000015') })))).toBe('LOT_SIZE');
    expect(await rejectedCode(venue.placeOrder(orderRequest({ symbol: 'ETH_USDT', quantity: dec('0.0005') })))).toBe('LOT_SIZE');
    expect(await rejectedCode(venue.placeOrder(orderRequest({ quantity: dec('0') })))).toBe('LOT_SIZE');
    expect(await rejectedCode(venue.placeOrder(orderRequest({ quantity: dec('-0.01') })))).toBe('LOT_SIZE');
    expect((await venue.placeOrder(orderRequest({ symbol: 'ETH_USDT', quantity: dec('0.0021') }))).status).toBe('FILLED');
    await venue.close();
  });

  it('rejects a limit or stop price off the tick grid with TICK_SIZE', async () => {
    const { venue } = openVenue();
    const limit = orderRequest({ order_type: 'LIMIT', limit_price: dec('64000.005') });
    expect(await rejectedCode(venue.placeOrder(limit))).toBe('TICK_SIZE');
    const stop = orderRequest({ side: 'BUY', order_type: 'STOP_MARKET', stop_price: dec('66000.001') });
    expect(await rejectedCode(venue.placeOrder(stop))).toBe('TICK_SIZE');
    await venue.close();
  });

  it('rejects an order worth less than the minimum notional, measured at its limit price', async () => {
    const { venue } = openVenue();
    expect(await rejectedCode(venue.placeOrder(orderRequest({ quantity: dec('0.00007') })))).toBe('MIN_NOTIONAL');
    // 0.0001 × 65000 = 6.5 at the reference, but 0.0001 × 40000 = 4 at the limit
    const cheapLimit = orderRequest({ order_type: 'LIMIT', limit_price: dec('40000'), quantity: dec('0.0001') });
    expect(await rejectedCode(venue.placeOrder(cheapLimit))).toBe('MIN_NOTIONAL');
    expect((await venue.placeOrder(orderRequest({ quantity: dec('0.0001') }))).status).toBe('FILLED');
    await venue.close();
  });

  it('rejects a limit order without a limit price and a stop without a stop price as INVALID_ORDER', async () => {
    const { venue } = openVenue();
    expect(await rejectedCode(venue.placeOrder(orderRequest({ order_type: 'LIMIT' })))).toBe('INVALID_ORDER');
    expect(await rejectedCode(venue.placeOrder(orderRequest({ order_type: 'STOP_MARKET', side: 'SELL' })))).toBe('INVALID_ORDER');
    const noStop = orderRequest({ order_type: 'STOP_LIMIT', limit_price: dec('66000') });
    expect(await rejectedCode(venue.placeOrder(noStop))).toBe('INVALID_ORDER');
    await venue.close();
  });

  it('rejects a stop that the current price has already passed, as exchanges do', async () => {
    const { venue } = openVenue();
    const sellAbove = orderRequest({ side: 'SELL', order_type: 'STOP_MARKET', stop_price: dec('66000') });
    expect(await rejectedCode(venue.placeOrder(sellAbove))).toBe('WOULD_TRIGGER_IMMEDIATELY');
    const buyBelow = orderRequest({ side: 'BUY', order_type: 'STOP_MARKET', stop_price: dec('64000') });
    expect(await rejectedCode(venue.placeOrder(buyBelow))).toBe('WOULD_TRIGGER_IMMEDIATELY');
    await venue.close();
  });

  it('rejects a reduce-only order that would grow the net position', async () => {
    const { venue } = openVenue();
    const flatSell = orderRequest({ side: 'SELL', reduce_only: true });
    expect(await rejectedCode(venue.placeOrder(flatSell))).toBe('REDUCE_ONLY');
    await venue.placeOrder(orderRequest({ side: 'BUY', quantity: dec('0.01') }));
    expect(await rejectedCode(venue.placeOrder(orderRequest({ side: 'BUY', reduce_only: true })))).toBe('REDUCE_ONLY');
    expect(await rejectedCode(venue.placeOrder(orderRequest({ side: 'SELL', quantity: dec('0.02'), reduce_only: true })))).toBe(
      'REDUCE_ONLY',
    );
    const close = await venue.placeOrder(orderRequest({ side: 'SELL', quantity: dec('0.01'), reduce_only: true }));
    expect(close.status).toBe('FILLED');
    expect(venue.netPositions().get('BTC_USDT')?.toString()).toBe('0');
    await venue.close();
  });

  it('rejects a market order whose fill would slip further than max_slippage_pct', async () => {
    const { venue } = openVenue({ slippage_bps: '50' });
    const tight = orderRequest({ max_slippage_pct: dec('0.002') });
    expect(await rejectedCode(venue.placeOrder(tight))).toBe('SLIPPAGE_EXCEEDED');
    const tightSell = orderRequest({ side: 'SELL', max_slippage_pct: dec('0.004') });
    expect(await rejectedCode(venue.placeOrder(tightSell))).toBe('SLIPPAGE_EXCEEDED');
    const loose = await venue.placeOrder(orderRequest({ max_slippage_pct: dec('0.005') }));
    expect(loose.fills[0]?.price.toString()).toBe('65325');
    await venue.close();
  });

  it('creates no order for a refused submit, reports the refusal to a look-up and logs the attempt with its code', async () => {
    const { venue } = openVenue();
    const request = orderRequest({ quantity: dec('0.000015') });
    await rejectionOf(venue.placeOrder(request));
    // a look-up tells "refused" apart from "never received" (undefined): recovery must not send a refused leg again
    expect(await venue.fetchOrder(request.client_order_id, 'BTC_USDT')).toMatchObject({ status: 'REJECTED', venue_order_id: '', fills: [] });
    expect((await venue.fetchOrder(request.client_order_id, 'BTC_USDT'))?.reject_reason).toMatch(/^LOT_SIZE: /);
    expect(await venue.fetchOrder('PXnever-E', 'BTC_USDT')).toBeUndefined();
    expect(await venue.fetchOpenOrders()).toEqual([]);
    expect(venue.allOrders()).toHaveLength(0);
    expect(venue.submitAttemptLog(request.client_order_id).map((a) => a.outcome)).toEqual(['LOT_SIZE']);
    await venue.close();
  });
});

describe('paper venue duplicate client order ids', () => {
  it('rejects a repeated client order id as DUPLICATE_CLIENT_ORDER_ID without idempotent submission', async () => {
    const { venue } = openVenue({ idempotent_submit: false });
    expect(venue.capabilities.idempotentSubmit).toBe(false);
    const request = orderRequest();
    await venue.placeOrder(request);
    const error = await rejectionOf(venue.placeOrder(request));
    expect(error).toBeInstanceOf(VenueRejected);
    expect((error as VenueRejected).code).toBe('DUPLICATE_CLIENT_ORDER_ID');
    expect(venue.allOrders()).toHaveLength(1);
    expect(venue.netPositions().get('BTC_USDT')?.toString()).toBe('0.01');
    expect(venue.submitAttempts(request.client_order_id)).toBe(2);
    await venue.close();
  });

  it('returns the existing order unchanged for a repeated client order id with idempotent submission', async () => {
    const { venue } = openVenue({ idempotent_submit: true });
    expect(venue.capabilities.idempotentSubmit).toBe(true);
    const request = orderRequest();
    const first = await venue.placeOrder(request);
    const again = await venue.placeOrder({ ...request, quantity: dec('0.5') });
    expect(again).toEqual(first);
    expect(venue.allOrders()).toHaveLength(1);
    expect(venue.netPositions().get('BTC_USDT')?.toString()).toBe('0.01');
    expect(venue.submitAttemptLog(request.client_order_id).map((a) => a.outcome)).toEqual(['ACCEPTED', 'EXISTING']);
    await venue.close();
  });
});
