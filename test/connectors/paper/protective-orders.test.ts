import { describe, expect, it } from 'vitest';
import type { ExecutionListener, ExecutionReport } from '../../../src/ports/connector.js';
import { PaperConnector } from '../../../src/connectors/paper/paper-connector.js';
import { FakeClock } from '../../support/fake-clock.js';
import { dec, openVenue, orderRequest, paperConfig } from './paper-fixture.js';

describe('paper venue protective orders', () => {
  it('triggers a SELL stop loss when the price falls to it and fills at that price less slippage, as a taker', async () => {
    const { venue } = openVenue({ slippage_bps: '10', taker_fee_rate: '0.001' });
    await venue.placeOrder(orderRequest({ quantity: dec('0.01') }));
    const stop = orderRequest({ side: 'SELL', order_type: 'STOP_MARKET', stop_price: dec('64000'), quantity: dec('0.01'), reduce_only: true });
    expect((await venue.placeOrder(stop)).status).toBe('OPEN');
    expect(await venue.setPrice('BTC_USDT', dec('64000.01'))).toEqual([]);
    const [report] = await venue.setPrice('BTC_USDT', dec('63900'));
    expect(report?.order.client_order_id).toBe(stop.client_order_id);
    expect(report?.order.status).toBe('FILLED');
    // 63900 × (1 − 0.001) = 63836.1
    expect(report?.new_fills[0]?.price.toString()).toBe('63836.1');
    expect(report?.new_fills[0]?.fee.toString()).toBe('0.638361');
    expect(venue.netPositions().get('BTC_USDT')?.toString()).toBe('0');
    await venue.close();
  });

  it('triggers a BUY stop loss (protecting a short) when the price rises to it', async () => {
    const { venue } = openVenue({ slippage_bps: '0' });
    await venue.placeOrder(orderRequest({ side: 'SELL', quantity: dec('0.01') }));
    const stop = orderRequest({ side: 'BUY', order_type: 'STOP_MARKET', stop_price: dec('66000'), quantity: dec('0.01'), reduce_only: true });
    await venue.placeOrder(stop);
    expect(await venue.setPrice('BTC_USDT', dec('65999.99'))).toEqual([]);
    const [report] = await venue.setPrice('BTC_USDT', dec('66000'));
    expect(report?.order.status).toBe('FILLED');
    expect(report?.new_fills[0]?.price.toString()).toBe('66000');
    expect(venue.netPositions().get('BTC_USDT')?.toString()).toBe('0');
    await venue.close();
  });

  it('holds a take profit as a resting reduce-only limit that fills at its price', async () => {
    const { venue } = openVenue({ maker_fee_rate: '0.0008' });
    await venue.placeOrder(orderRequest({ quantity: dec('0.01') }));
    const takeProfit = orderRequest({ side: 'SELL', order_type: 'LIMIT', limit_price: dec('67000'), quantity: dec('0.01'), reduce_only: true });
    await venue.placeOrder(takeProfit);
    const [report] = await venue.setPrice('BTC_USDT', dec('67250'));
    expect(report?.new_fills[0]?.price.toString()).toBe('67000');
    expect(report?.new_fills[0]?.fee.toString()).toBe('0.536');
    expect(venue.netPositions().get('BTC_USDT')?.toString()).toBe('0');
    await venue.close();
  });

  it('expires the sibling protective order once the position it reduced is gone', async () => {
    const { venue } = openVenue();
    await venue.placeOrder(orderRequest({ quantity: dec('0.01') }));
    const stop = orderRequest({ side: 'SELL', order_type: 'STOP_MARKET', stop_price: dec('64000'), quantity: dec('0.01'), reduce_only: true });
    const takeProfit = orderRequest({ side: 'SELL', order_type: 'LIMIT', limit_price: dec('67000'), quantity: dec('0.01'), reduce_only: true });
    await venue.placeOrder(stop);
    await venue.placeOrder(takeProfit);
    await venue.setPrice('BTC_USDT', dec('67000'));
    const [report] = await venue.setPrice('BTC_USDT', dec('63000'));
    expect(report?.order.client_order_id).toBe(stop.client_order_id);
    expect(report?.order.status).toBe('EXPIRED');
    expect(report?.order.reject_reason).toMatch(/REDUCE_ONLY/);
    expect(report?.new_fills).toEqual([]);
    expect(venue.netPositions().get('BTC_USDT')?.toString()).toBe('0');
    await venue.close();
  });

  it('turns a triggered STOP_LIMIT into a resting limit that fills when the price comes back to it', async () => {
    const { venue } = openVenue();
    await venue.placeOrder(orderRequest({ quantity: dec('0.01') }));
    const stopLimit = orderRequest({
      side: 'SELL',
      order_type: 'STOP_LIMIT',
      stop_price: dec('64000'),
      limit_price: dec('63800'),
      quantity: dec('0.01'),
    });
    await venue.placeOrder(stopLimit);
    // gaps through both prices: the stop fires, the limit is not marketable at 63500 and rests
    const [triggered] = await venue.setPrice('BTC_USDT', dec('63500'));
    expect(triggered?.order.status).toBe('OPEN');
    expect(triggered?.new_fills).toEqual([]);
    expect(venue.allOrders().find((o) => o.client_order_id === stopLimit.client_order_id)?.triggered).toBe(true);
    // back above the stop: still a resting limit, no re-trigger needed
    const [filled] = await venue.setPrice('BTC_USDT', dec('63900'));
    expect(filled?.order.status).toBe('FILLED');
    expect(filled?.new_fills[0]?.price.toString()).toBe('63800');
    await venue.close();
  });

  it('fills a triggered STOP_LIMIT at once at the market price when its limit is marketable', async () => {
    const { venue } = openVenue({ taker_fee_rate: '0.001' });
    const stopLimit = orderRequest({
      side: 'BUY',
      order_type: 'STOP_LIMIT',
      stop_price: dec('66000'),
      limit_price: dec('66200'),
      quantity: dec('0.01'),
    });
    await venue.placeOrder(stopLimit);
    const [report] = await venue.setPrice('BTC_USDT', dec('66050'));
    expect(report?.order.status).toBe('FILLED');
    expect(report?.new_fills[0]?.price.toString()).toBe('66050');
    expect(report?.new_fills[0]?.fee.toString()).toBe('0.6605');
    await venue.close();
  });
});

describe('paper venue execution listeners', () => {
  it('tells every listener of each venue-initiated change after it is committed', async () => {
    const { venue } = openVenue();
    const request = orderRequest({ order_type: 'LIMIT', limit_price: dec('64000') });
    await venue.placeOrder(request);
    const seen: { report: ExecutionReport; statusInStore: string | undefined }[] = [];
    venue.onExecution((report) => {
      seen.push({ report, statusInStore: venue.allOrders().find((o) => o.client_order_id === report.order.client_order_id)?.status });
    });
    const returned = await venue.setPrice('BTC_USDT', dec('63000'));
    expect(seen.map((s) => s.report)).toEqual(returned);
    expect(seen[0]?.statusInStore).toBe('FILLED');
    await venue.close();
  });

  it('keeps working when a listener throws or rejects, and reports the errors to onListenerError', async () => {
    const errors: unknown[] = [];
    const venue = new PaperConnector(paperConfig(), { clock: new FakeClock(), onListenerError: (error) => errors.push(error) });
    const heard: string[] = [];
    venue.onExecution(() => {
      throw new Error('listener bug');
    });
    const asyncListener = (async () => {
      await Promise.resolve();
      throw new Error('async listener bug');
    }) as unknown as ExecutionListener;
    venue.onExecution(asyncListener);
    venue.onExecution((report) => heard.push(report.order.client_order_id));
    const first = orderRequest({ order_type: 'LIMIT', limit_price: dec('64000') });
    const second = orderRequest({ order_type: 'LIMIT', limit_price: dec('63000') });
    await venue.placeOrder(first);
    await venue.placeOrder(second);
    const reports = await venue.setPrice('BTC_USDT', dec('62000'));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(reports).toHaveLength(2);
    expect(heard).toEqual([first.client_order_id, second.client_order_id]);
    expect(errors.map((e) => (e as Error).message).sort()).toEqual(['async listener bug', 'async listener bug', 'listener bug', 'listener bug']);
    expect((await venue.placeOrder(orderRequest())).status).toBe('FILLED');
    await venue.close();
  });

  it('stops telling a listener once it unsubscribed', async () => {
    const { venue } = openVenue();
    const heard: string[] = [];
    const unsubscribe = venue.onExecution((report) => heard.push(report.order.client_order_id));
    await venue.placeOrder(orderRequest({ order_type: 'LIMIT', limit_price: dec('64000') }));
    unsubscribe();
    await venue.setPrice('BTC_USDT', dec('63000'));
    expect(heard).toEqual([]);
    await venue.close();
  });
});
