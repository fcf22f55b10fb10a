import ccxt, { type Exchange } from 'ccxt';
import { retryFailedMarketLoads } from './market-loads.js';
import type { CcxtConnectorConfig } from '../../config/schema.js';
import { ConfigError } from '../../domain/errors.js';

/** Options that keep ccxt on the spot market and off endpoints a spot connector never needs. */
const SPOT_ONLY = {
  defaultType: 'spot',
  fetchMarkets: { types: ['spot'] },
  fetchCurrencies: false,
  fetchMargins: false,
  // fetchOpenOrders() for every symbol is a normal call here, not a mistake to warn about
  warnOnFetchOpenOrdersWithoutSymbol: false,
} as const;

/** Option keys under which ccxt keeps a broker id it would put on our orders. */
const BROKER_OPTION_KEYS = ['broker', 'brokerId'] as const;

function configIssue(keyPath: string, rule: string, message: string): ConfigError {
  return new ConfigError([{ file: '(config)', line: null, column: null, keyPath, rule, message }]);
}

export function isCcxtExchange(id: string): boolean {
  return (ccxt.exchanges as readonly string[]).includes(id);
}

/** Replace the scheme and host of every http(s) URL in `urls.api` (nested maps included) with `base`. */
export function rebaseApiUrls(api: unknown, base: string): unknown {
  const root = base.replace(/\/+$/, '');
  if (typeof api === 'string') return api.replace(/^https?:\/\/[^/]+/, root);
  if (api !== null && typeof api === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(api)) out[key] = rebaseApiUrls(value, root);
    return out;
  }
  return api;
}

/**
 * The exact text we send for an amount already on the venue's grid. ccxt's own
 * amountToPrecision/priceToPrecision round through floats (ccxt #4853); planexec validates and
 * rounds with decimal.js first and passes strings, which go out untouched. A number (ccxt's own
 * internal use) still takes ccxt's path.
 */
function passThroughPrecision(exchange: Exchange): void {
  const amountToPrecision = exchange.amountToPrecision.bind(exchange);
  const priceToPrecision = exchange.priceToPrecision.bind(exchange);
  exchange.amountToPrecision = (symbol: string, amount: unknown) => (typeof amount === 'string' ? amount : amountToPrecision(symbol, amount as number));
  exchange.priceToPrecision = (symbol: string, price: unknown) => (typeof price === 'string' ? price : priceToPrecision(symbol, price as number));
}

export type CcxtExchangeSettings = Pick<CcxtConnectorConfig, 'sandbox' | 'api_key' | 'api_secret' | 'password' | 'options' | 'api_base_url' | 'rate_limit'> & {
  readonly exchange: string;
};

/**
 * A ccxt exchange instance for a spot connector: keys, sandbox, the spot-only options over the
 * configured ones, no broker id, REST endpoints rebased on `api_base_url`, and exact amounts.
 * Throws ConfigError naming the key for an exchange ccxt does not know or a sandbox it lacks.
 */
export function createCcxtExchange(settings: CcxtExchangeSettings): Exchange {
  if (!isCcxtExchange(settings.exchange)) {
    throw configIssue('connector.ccxt.exchange', 'unknown_exchange', `${settings.exchange} is not an exchange ccxt ${ccxt.version} knows (e.g. binance, kraken, okx)`);
  }
  const ExchangeClass = (ccxt as unknown as Record<string, new (config: Record<string, unknown>) => Exchange>)[settings.exchange];
  if (ExchangeClass === undefined) throw configIssue('connector.ccxt.exchange', 'unknown_exchange', `${settings.exchange} is not an exchange ccxt knows`);
  const exchange = new ExchangeClass({
    ...(settings.api_key === undefined ? {} : { apiKey: settings.api_key }),
    ...(settings.api_secret === undefined ? {} : { secret: settings.api_secret }),
    ...(settings.password === undefined ? {} : { password: settings.password }),
    enableRateLimit: settings.rate_limit,
    options: { ...settings.options, ...SPOT_ONLY },
  });
  for (const key of BROKER_OPTION_KEYS) delete (exchange.options as Record<string, unknown>)[key];
  if (settings.sandbox) {
    // ccxt keeps a testnet under urls.test; some exchanges have the key with nothing in it
    const test = (exchange.urls as { test?: unknown }).test;
    if (test === undefined || test === null || (typeof test === 'object' && Object.keys(test).length === 0)) {
      throw configIssue('connector.ccxt.sandbox', 'sandbox_unsupported', `${settings.exchange} has no sandbox in ccxt; set sandbox: false to trade on the live exchange (or a local venue named by api_base_url)`);
    }
    exchange.setSandboxMode(true);
  }
  if (settings.api_base_url !== undefined) exchange.urls.api = rebaseApiUrls(exchange.urls.api, settings.api_base_url) as typeof exchange.urls.api;
  passThroughPrecision(exchange);
  return retryFailedMarketLoads(exchange);
}
