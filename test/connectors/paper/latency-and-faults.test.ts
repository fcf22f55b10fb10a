import { describe, expect, it } from 'vitest';
import { PaperConnector } from '../../../src/connectors/paper/paper-connector.js';
import { TransientError, UnknownOutcomeError, VenueRejected } from '../../../src/domain/errors.js';
import { FakeClock } from '../../support/fake-clock.js';
import { dec, openVenue, orderRequest, paperConfig, rejectionOf } from './paper-fixture.js';

function track<T>(promise: Promise<T>): { readonly settled: () => boolean; readonly promise: Promise<T> } {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  // the tests await `promise` themselves; this copy only watches
  tracked.catch(() => undefined);
  return { settled: () => settled, promise };
}

describe('paper venue latency', () => {
  it('takes latency_ms of the clock per call: the order exists half way, the answer comes at the end', async () => {
    const { venue, clock } = openVenue({ latency_ms: 100 });
    const call = track(venue.placeOrder(orderRequest()));
    await clock.advance(49);
    expect(venue.allOrders()).toHaveLength(0);
    await clock.advance(1);
    expect(venue.allOrders()).toHaveLength(1);
    expect(call.settled()).toBe(false);
    await clock.advance(50);
    expect(call.settled()).toBe(true);
    expect((await call.promise).status).toBe('FILLED');
    await venue.close();
  });

  it('applies latency to reads too', async () => {
    const { venue, clock } = openVenue({ latency_ms: 40 });
    const call = track(venue.getReferencePrice('BTC_USDT'));
    await clock.advance(39);
    expect(call.settled()).toBe(false);
    await clock.advance(1);
    expect((await call.promise).toString()).toBe('65000');
    await venue.close();
  });

  it('answers an abort before the request arrived with an unknown outcome, and the venue has nothing', async () => {
    const { venue, clock } = openVenue({ latency_ms: 100 });
    const controller = new AbortController();
    const call = venue.placeOrder(orderRequest(), { signal: controller.signal });
    await clock.advance(30);
    controller.abort(new Error('attempt timed out'));
    const error = await rejectionOf(call);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).code).toBe('ABORTED_IN_FLIGHT');
    expect(venue.allOrders()).toHaveLength(0);
    await venue.close();
  });

  it('keeps the order when the abort comes after the request took effect: the caller has an unknown outcome', async () => {
    const { venue, clock } = openVenue({ latency_ms: 100 });
    const controller = new AbortController();
    const request = orderRequest();
    const call = venue.placeOrder(request, { signal: controller.signal });
    await clock.advance(70);
    controller.abort(new Error('attempt timed out'));
    expect(await rejectionOf(call)).toBeInstanceOf(UnknownOutcomeError);
    expect(venue.allOrders().map((o) => [o.client_order_id, o.status])).toEqual([[request.client_order_id, 'FILLED']]);
    expect(venue.submitAttempts(request.client_order_id)).toBe(1);
    await venue.close();
  });

  it('answers an aborted read with a transient error and a signal aborted before the call without sending anything', async () => {
    const { venue, clock } = openVenue({ latency_ms: 100 });
    const controller = new AbortController();
    const read = venue.fetchOpenOrders(undefined, { signal: controller.signal });
    await clock.advance(80);
    controller.abort();
    expect(await rejectionOf(read)).toBeInstanceOf(TransientError);
    const early = await rejectionOf(venue.placeOrder(orderRequest(), { signal: controller.signal }));
    expect(early).toBeInstanceOf(TransientError);
    expect((early as TransientError).code).toBe('ABORTED_BEFORE_SEND');
    expect(venue.allOrders()).toHaveLength(0);
    expect(clock.pendingSleeps).toBe(0);
    await venue.close();
  });
});

describe('paper venue not-found window', () => {
  it('reports a fresh order as not found for not_found_window_ms while it exists and fills meanwhile', async () => {
    const { venue, clock } = openVenue({ not_found_window_ms: 5000 });
    const request = orderRequest({ order_type: 'LIMIT', limit_price: dec('64000') });
    const placed = await venue.placeOrder(request);
    expect(placed.status).toBe('OPEN');
    expect(await venue.fetchOrder(request.client_order_id, 'BTC_USDT')).toBeUndefined();
    const [fill] = await venue.setPrice('BTC_USDT', dec('63000'));
    expect(fill?.order.status).toBe('FILLED');
    await clock.advance(4999);
    expect(await venue.fetchOrder(request.client_order_id, 'BTC_USDT')).toBeUndefined();
    await clock.advance(1);
    expect((await venue.fetchOrder(request.client_order_id, 'BTC_USDT'))?.status).toBe('FILLED');
    await venue.close();
  });

  it('reports an order it never had as not found, and one on another symbol too', async () => {
    const { venue } = openVenue();
    expect(await venue.fetchOrder('PXnever-E', 'BTC_USDT')).toBeUndefined();
    const request = orderRequest();
    await venue.placeOrder(request);
    expect(await venue.fetchOrder(request.client_order_id, 'ETH_USDT')).toBeUndefined();
    expect((await venue.fetchOrder(request.client_order_id, 'BTC_USDT'))?.filled_quantity.toString()).toBe('0.01');
    await venue.close();
  });
});

describe('paper venue fault injection', () => {
  it('throws a transient error before doing anything, for submit, cancel, amend and fetch', async () => {
    const { venue } = openVenue({ faults: { transient_error_rate: 1 } });
    const request = orderRequest();
    const error = await rejectionOf(venue.placeOrder(request));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryable).toBe(true);
    expect(venue.allOrders()).toHaveLength(0);
    expect(venue.submitAttempts(request.client_order_id)).toBe(0);
    expect(venue.submitAttemptLog(request.client_order_id).map((a) => a.outcome)).toEqual(['TRANSIENT']);
    expect(await rejectionOf(venue.cancelOrder(request.client_order_id, 'BTC_USDT'))).toBeInstanceOf(TransientError);
    expect(await rejectionOf(venue.amendOrder(request.client_order_id, 'BTC_USDT', {}))).toBeInstanceOf(TransientError);
    expect(await rejectionOf(venue.fetchOrder(request.client_order_id, 'BTC_USDT'))).toBeInstanceOf(TransientError);
    // instrument and price look-ups and open-order listings are not faulted
    expect((await venue.getReferencePrice('BTC_USDT')).toString()).toBe('65000');
    expect(await venue.fetchOpenOrders()).toEqual([]);
    await venue.close();
  });

  it('rejects a submit with SIMULATED_REJECTION and keeps no order', async () => {
    const { venue } = openVenue({ faults: { rejection_rate: 1 } });
    const request = orderRequest();
    const error = await rejectionOf(venue.placeOrder(request));
    expect(error).toBeInstanceOf(VenueRejected);
    expect((error as VenueRejected).code).toBe('SIMULATED_REJECTION');
    expect(venue.allOrders()).toHaveLength(0);
    expect(venue.submitAttemptLog(request.client_order_id).map((a) => a.outcome)).toEqual(['SIMULATED_REJECTION']);
    expect(await venue.fetchOrder(request.client_order_id, request.symbol)).toMatchObject({ status: 'REJECTED', reject_reason: expect.stringMatching(/^SIMULATED_REJECTION: /) as unknown });
    await venue.close();
  });

  it('performs a timed-out submit: the caller gets an unknown outcome while the order lives at the venue', async () => {
    const { venue } = openVenue({ faults: { timeout_rate: 1 } });
    const request = orderRequest({ order_type: 'LIMIT', limit_price: dec('64000') });
    const error = await rejectionOf(venue.placeOrder(request));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).code).toBe('SIMULATED_TIMEOUT');
    expect((error as UnknownOutcomeError).retryable).toBe(false);
    const found = await venue.fetchOrder(request.client_order_id, 'BTC_USDT');
    expect(found?.status).toBe('OPEN');
    expect(await rejectionOf(venue.cancelOrder(request.client_order_id, 'BTC_USDT'))).toBeInstanceOf(UnknownOutcomeError);
    expect((await venue.fetchOrder(request.client_order_id, 'BTC_USDT'))?.status).toBe('CANCELLED');
    await venue.close();
  });

  it('gives the timeout precedence over a venue rejection: the caller cannot know until it looks the order up', async () => {
    const { venue } = openVenue({ faults: { timeout_rate: 1 } });
    const request = orderRequest({ quantity: dec('0.000015') });
    expect(await rejectionOf(venue.placeOrder(request))).toBeInstanceOf(UnknownOutcomeError);
    expect(await venue.fetchOrder(request.client_order_id, 'BTC_USDT')).toMatchObject({ status: 'REJECTED' });
    await venue.close();
  });

  it('draws the same faults from the same seed and different ones from another seed', async () => {
    const faults = { transient_error_rate: 0.25, rejection_rate: 0.25, timeout_rate: 0.25 };
    const outcomes = async (seed: number): Promise<string[]> => {
      const venue = new PaperConnector(paperConfig({ faults: { ...faults, seed } }), { clock: new FakeClock() });
      const result: string[] = [];
      for (let i = 0; i < 40; i++) {
        try {
          await venue.placeOrder(orderRequest({ client_order_id: `PXseed${i}-E` }));
          result.push('ok');
        } catch (error) {
          result.push((error as { code: string }).code);
        }
      }
      await venue.close();
      return result;
    };
    const first = await outcomes(7);
    expect(await outcomes(7)).toEqual(first);
    expect(await outcomes(8)).not.toEqual(first);
    expect(new Set(first)).toEqual(new Set(['ok', 'SIMULATED_TRANSIENT', 'SIMULATED_REJECTION', 'SIMULATED_TIMEOUT']));
  });
});
