import { afterEach } from 'vitest';
import { loopbackExchange, startLoopbackVenue, type LoopbackVenue, type LoopbackVenueOptions } from './index.js';

export const BTC = 'BTC/USDT';

/**
 * A fresh loopback venue and a ccxt binance on it, for each test that asks (`open`), closed after
 * the test. Call once at the top of a test file.
 */
export function useLoopbackVenue(): (options?: LoopbackVenueOptions, timeout?: number) => Promise<{
  venue: LoopbackVenue;
  exchange: ReturnType<typeof loopbackExchange>;
  client: LoopbackVenue['client'];
}> {
  let venue: LoopbackVenue | undefined;
  afterEach(async () => {
    await venue?.close();
    venue = undefined;
  });
  return async (options = {}, timeout) => {
    venue = await startLoopbackVenue(options);
    const exchange = loopbackExchange(venue.url, timeout === undefined ? {} : { timeout });
    await exchange.loadMarkets();
    return { venue, exchange, client: venue.client };
  };
}

/** The error `promise` fails with; fails the test when it succeeds. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, the call succeeded');
}

/** The venue's id of an order ccxt returned. */
export function idOf(order: { id?: string | undefined }): string {
  if (order.id === undefined) throw new Error('the venue answered an order without an id');
  return order.id;
}
