import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/decimal.js';
import { dec, openVenue, orderRequest } from './paper-fixture.js';

const sum = (values: readonly Decimal[]): Decimal => values.reduce((a, b) => a.plus(b), new Decimal(0));

describe('paper venue market orders', () => {
  it('fills a BUY above and a SELL below the reference by slippage_bps, on the tick grid', async () => {
    const { venue } = openVenue({ slippage_bps: '2' });
    const buy = await venue.placeOrder(orderRequest({ side: 'BUY', quantity: dec('0.01') }));
    expect(buy.status).toBe('FILLED');
    expect(buy.filled_quantity.toString()).toBe('0.01');
    expect(buy.average_fill_price?.toString()).toBe('65013');
    const sell = await venue.placeOrder(orderRequest({ side: 'SELL', quantity: dec('0.01') }));
    expect(sell.fills[0]?.price.toString()).toBe('64987');
    await venue.setPrice('SOL_USDT', dec('151.37'));
    // 151.37 × 1.0002 = 151.400274 → 151.40 on a 0.01 tick
    const sol = await venue.placeOrder(orderRequest({ symbol: 'SOL_USDT', quantity: dec('1') }));
    expect(sol.fills[0]?.price.toString()).toBe('151.4');
    await venue.close();
  });

  it('charges the taker fee on quantity × price in the quote asset', async () => {
    const { venue } = openVenue({ slippage_bps: '0', taker_fee_rate: '0.001' });
    const order = await venue.placeOrder(orderRequest({ quantity: dec('0.02') }));
    expect(order.fills).toHaveLength(1);
    expect(order.fills[0]?.fee.toString()).toBe('1.3');
    expect(order.fills[0]?.fee_asset).toBe('USDT');
    await venue.close();
  });

  it('splits a market order above partial_fill_threshold into fills of at most the threshold that sum to the quantity', async () => {
    const { venue } = openVenue({ partial_fill_threshold: '0.004', slippage_bps: '0', taker_fee_rate: '0.001' });
    const order = await venue.placeOrder(orderRequest({ quantity: dec('0.01') }));
    expect(order.status).toBe('FILLED');
    expect(order.fills.map((f) => f.quantity.toString())).toEqual(['0.004', '0.004', '0.002']);
    expect(sum(order.fills.map((f) => f.quantity)).toString()).toBe('0.01');
    expect(sum(order.fills.map((f) => f.fee)).toString()).toBe('0.65');
    const ids = order.fills.map((f) => f.venue_trade_id);
    expect(new Set(ids).size).toBe(3);
    const next = await venue.placeOrder(orderRequest({ quantity: dec('0.001') }));
    expect(ids).not.toContain(next.fills[0]?.venue_trade_id);
    await venue.close();
  });

  it('gives venue order ids V<n> and trade ids T<n> in sequence', async () => {
    const { venue } = openVenue();
    const first = await venue.placeOrder(orderRequest());
    const second = await venue.placeOrder(orderRequest());
    expect([first.venue_order_id, second.venue_order_id]).toEqual(['V1', 'V2']);
    expect([first.fills[0]?.venue_trade_id, second.fills[0]?.venue_trade_id]).toEqual(['T1', 'T2']);
    await venue.close();
  });
});

describe('paper venue limit orders', () => {
  it('fills a marketable limit at once at the reference price, paying the taker fee', async () => {
    const { venue } = openVenue({ taker_fee_rate: '0.001', maker_fee_rate: '0.0008' });
    const order = await venue.placeOrder(orderRequest({ order_type: 'LIMIT', limit_price: dec('66000'), quantity: dec('0.01') }));
    expect(order.status).toBe('FILLED');
    expect(order.fills[0]?.price.toString()).toBe('65000');
    expect(order.fills[0]?.fee.toString()).toBe('0.65');
    await venue.close();
  });

  it('rests a limit that is not marketable and fills it at its limit with the maker fee when the price reaches it', async () => {
    const { venue } = openVenue({ taker_fee_rate: '0.001', maker_fee_rate: '0.0008' });
    const request = orderRequest({ order_type: 'LIMIT', limit_price: dec('64000'), quantity: dec('0.01') });
    const resting = await venue.placeOrder(request);
    expect(resting.status).toBe('OPEN');
    expect(resting.fills).toHaveLength(0);
    expect(await venue.setPrice('BTC_USDT', dec('64500'))).toEqual([]);
    const reports = await venue.setPrice('BTC_USDT', dec('63900'));
    expect(reports).toHaveLength(1);
    const report = reports[0];
    expect(report?.order.status).toBe('FILLED');
    expect(report?.new_fills.map((f) => f.price.toString())).toEqual(['64000']);
    expect(report?.new_fills[0]?.fee.toString()).toBe('0.512');
    expect((await venue.fetchOrder(request.client_order_id, 'BTC_USDT'))?.status).toBe('FILLED');
    await venue.close();
  });

  it('fills a resting SELL limit when the price rises to it', async () => {
    const { venue } = openVenue();
    await venue.placeOrder(orderRequest({ quantity: dec('0.01') }));
    const request = orderRequest({ side: 'SELL', order_type: 'LIMIT', limit_price: dec('67000'), quantity: dec('0.01') });
    expect((await venue.placeOrder(request)).status).toBe('OPEN');
    const [report] = await venue.setPrice('BTC_USDT', dec('67000.5'));
    expect(report?.order.client_order_id).toBe(request.client_order_id);
    expect(report?.new_fills[0]?.price.toString()).toBe('67000');
    await venue.close();
  });

  it('fills a resting limit at most one partial_fill_threshold per price update, PARTIALLY_FILLED in between', async () => {
    const { venue } = openVenue({ partial_fill_threshold: '0.004' });
    const request = orderRequest({ order_type: 'LIMIT', limit_price: dec('64000'), quantity: dec('0.01') });
    await venue.placeOrder(request);
    const [first] = await venue.setPrice('BTC_USDT', dec('63950'));
    expect(first?.order.status).toBe('PARTIALLY_FILLED');
    expect(first?.order.filled_quantity.toString()).toBe('0.004');
    expect(first?.new_fills).toHaveLength(1);
    const [second] = await venue.setPrice('BTC_USDT', dec('63900'));
    expect(second?.order.filled_quantity.toString()).toBe('0.008');
    const [third] = await venue.setPrice('BTC_USDT', dec('63900'));
    expect(third?.order.status).toBe('FILLED');
    expect(third?.new_fills.map((f) => f.quantity.toString())).toEqual(['0.002']);
    expect(third?.order.fills).toHaveLength(3);
    expect(await venue.setPrice('BTC_USDT', dec('63000'))).toEqual([]);
    await venue.close();
  });

  it('expires an IOC or FOK limit that is not marketable, with nothing filled', async () => {
    const { venue } = openVenue();
    const ioc = await venue.placeOrder(orderRequest({ order_type: 'LIMIT', limit_price: dec('60000'), time_in_force: 'IOC' }));
    expect(ioc.status).toBe('EXPIRED');
    expect(ioc.filled_quantity.toString()).toBe('0');
    const fok = await venue.placeOrder(orderRequest({ order_type: 'LIMIT', limit_price: dec('60000'), time_in_force: 'FOK' }));
    expect(fok.status).toBe('EXPIRED');
    expect(await venue.fetchOpenOrders()).toEqual([]);
    expect(await venue.setPrice('BTC_USDT', dec('59000'))).toEqual([]);
    await venue.close();
  });

  it('fills a marketable IOC or FOK limit completely', async () => {
    const { venue } = openVenue({ partial_fill_threshold: '0.004' });
    const ioc = await venue.placeOrder(orderRequest({ order_type: 'LIMIT', limit_price: dec('65100'), time_in_force: 'IOC' }));
    expect(ioc.status).toBe('FILLED');
    expect(ioc.filled_quantity.toString()).toBe('0.01');
    const fok = await venue.placeOrder(orderRequest({ side: 'SELL', order_type: 'LIMIT', limit_price: dec('64900'), time_in_force: 'FOK' }));
    expect(fok.status).toBe('FILLED');
    await venue.close();
  });

  it('lists resting orders per symbol with fetchOpenOrders', async () => {
    const { venue } = openVenue();
    const btc = orderRequest({ order_type: 'LIMIT', limit_price: dec('60000') });
    const eth = orderRequest({ symbol: 'ETH_USDT', order_type: 'LIMIT', limit_price: dec('3000'), quantity: dec('0.01') });
    await venue.placeOrder(btc);
    await venue.placeOrder(eth);
    await venue.placeOrder(orderRequest());
    expect((await venue.fetchOpenOrders()).map((o) => o.client_order_id)).toEqual([btc.client_order_id, eth.client_order_id]);
    expect((await venue.fetchOpenOrders('ETH_USDT')).map((o) => o.client_order_id)).toEqual([eth.client_order_id]);
    await venue.close();
  });
});
