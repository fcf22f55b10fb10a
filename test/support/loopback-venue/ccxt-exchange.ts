import ccxt from 'ccxt';

export interface LoopbackExchangeOptions {
  readonly apiKey?: string;
  readonly secret?: string;
  /** ccxt's per-request timeout in ms (its default is 10000). */
  readonly timeout?: number;
}

/**
 * A ccxt `binance` (spot) whose every API base URL points at the loopback venue, with the options
 * that keep loadMarkets off the margin and currency endpoints the venue does not serve.
 */
export function loopbackExchange(url: string, options: LoopbackExchangeOptions = {}): InstanceType<typeof ccxt.binance> {
  const exchange = new ccxt.binance({
    apiKey: options.apiKey ?? 'loopback-key',
    secret: options.secret ?? 'loopback-secret',
    enableRateLimit: false,
    timeout: options.timeout ?? 10_000,
    options: {
      defaultType: 'spot',
      fetchMarkets: { types: ['spot'] },
      fetchCurrencies: false,
      fetchMargins: false,
      adjustForTimeDifference: false,
      // the venue serves openOrders for all symbols; ccxt refuses that call by default
      warnOnFetchOpenOrdersWithoutSymbol: false,
    },
  });
  const api = exchange.urls['api'] as Record<string, string>;
  for (const key of Object.keys(api)) api[key] = (api[key] as string).replace(/^https:\/\/[^/]+/, url);
  return exchange;
}
