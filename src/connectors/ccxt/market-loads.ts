import type { Exchange } from 'ccxt';

/**
 * ccxt keeps the promise of the first `loadMarkets()` and hands it to every later call, its own
 * internal ones too (fetchTickers, createOrder load markets first). When that first load failed
 * (one 503 from the exchange at start-up) the exchange object would fail every call for good:
 * forget a failed load, so the next call tries again.
 */
export function retryFailedMarketLoads(exchange: Exchange): Exchange {
  const load = exchange.loadMarkets.bind(exchange);
  exchange.loadMarkets = async (...args: Parameters<Exchange['loadMarkets']>) => {
    try {
      return await load(...args);
    } catch (error) {
      if (exchange.markets === undefined) (exchange as { marketsLoading?: unknown }).marketsLoading = undefined;
      throw error;
    }
  };
  return exchange;
}
