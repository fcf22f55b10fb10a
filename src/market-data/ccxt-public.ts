import ccxt, { type Exchange, type Market, type Ticker } from 'ccxt';
import { retryFailedMarketLoads } from '../connectors/ccxt/market-loads.js';
import { Decimal } from '../domain/decimal.js';
import { PlanexecError } from '../domain/errors.js';
import type { InstrumentRules } from '../ports/connector.js';

/** planexec symbol (BTC_USDT) -> ccxt unified spot symbol (BTC/USDT). */
export function toCcxtSymbol(symbol: string): string {
  return symbol.replace('_', '/');
}

/** ccxt unified spot symbol (BTC/USDT) -> planexec symbol (BTC_USDT). */
export function fromCcxtSymbol(symbol: string): string {
  return symbol.replace('/', '_');
}

/** `url` with its scheme and host (and port) replaced by `base`'s; the path and query kept. */
function rebase(url: string, base: URL): string {
  const parsed = new URL(url);
  const prefix = base.pathname.replace(/\/$/, '');
  return `${base.protocol}//${base.host}${prefix}${parsed.pathname}${parsed.search}`;
}

function rebaseAll(value: unknown, base: URL): unknown {
  if (typeof value === 'string') return /^https?:\/\//.test(value) ? rebase(value, base) : value;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rebaseAll(v, base)]));
  }
  return value;
}

/** ccxt options that keep an exchange on its spot market and off endpoints public spot prices never need. */
const SPOT_ONLY = { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false } as const;

/**
 * A ccxt exchange for public spot market data only (no keys). `apiBaseUrl` replaces the scheme
 * and host of every REST endpoint in `urls.api` (a proxy, or a local venue in tests); `options`
 * go to the exchange as its ccxt `options`, with the spot-only settings over them.
 */
export function openPublicExchange(exchangeId: string, apiBaseUrl?: string, options: Readonly<Record<string, unknown>> = {}): Exchange {
  const classes = ccxt as unknown as Record<string, new (config: object) => Exchange>;
  const Klass = (ccxt.exchanges as readonly string[]).includes(exchangeId) ? classes[exchangeId] : undefined;
  if (Klass === undefined) {
    throw new PlanexecError(`"${exchangeId}" is not a ccxt exchange id (e.g. binance, kraken, okx)`, { code: 'UNKNOWN_EXCHANGE', details: { exchange: exchangeId } });
  }
  const exchange = new Klass({ enableRateLimit: true, options: { ...options, ...SPOT_ONLY } });
  if (apiBaseUrl !== undefined) exchange.urls.api = rebaseAll(exchange.urls.api, new URL(apiBaseUrl)) as typeof exchange.urls.api;
  return retryFailedMarketLoads(exchange);
}

const LAST_KEYS = ['lastPrice', 'last', 'last_price', 'price', 'c', 'close'];

/**
 * The ticker's last price, exactly as the exchange wrote it: the raw string in `ticker.info`
 * whose value ccxt parsed into `last` (never float arithmetic); else ccxt's number as printed.
 * undefined when the ticker has no last price.
 */
export function tickerLast(ticker: Ticker): Decimal | undefined {
  const last = ticker.last ?? ticker.close;
  if (last === undefined || last === null || !Number.isFinite(last) || last <= 0) return undefined;
  const info = (ticker.info ?? {}) as Record<string, unknown>;
  const raw = [...LAST_KEYS.map((k) => info[k]), ...Object.values(info)].find(
    (v): v is string => typeof v === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(v) && Number(v) === last,
  );
  return new Decimal(raw ?? String(last));
}

/** A number ccxt parsed (a limit, a step) as a Decimal from its printed form; no arithmetic. */
function dec(value: number | string | undefined | null): Decimal | null {
  if (value === undefined || value === null || value === '') return null;
  const text = String(value);
  return Number.isFinite(Number(text)) ? new Decimal(text) : null;
}

/** A precision ccxt reports, as a step: a tick size itself, or 10^-places. */
function step(exchange: Exchange, precision: number | undefined): Decimal | null {
  const value = dec(precision);
  if (value === null) return null;
  return exchange.precisionMode === ccxt.TICK_SIZE ? value : new Decimal(10).pow(value.neg());
}

/** The trading rules of one spot market, from the exchange's public market list. */
export function marketRules(exchange: Exchange, market: NonNullable<Market>): InstrumentRules {
  const symbol = fromCcxtSymbol(market.symbol);
  const tick = step(exchange, market.precision.price);
  const lot = step(exchange, market.precision.amount);
  if (tick === null || lot === null || tick.lte(0) || lot.lte(0)) {
    throw new PlanexecError(`${exchange.id} market ${market.symbol} reports no price/amount precision`, { code: 'MARKET_RULES_MISSING', details: { symbol } });
  }
  const minQty = dec(market.limits.amount?.min);
  return {
    symbol,
    base_asset: market.base,
    quote_asset: market.quote,
    tick_size: tick,
    lot_size: lot,
    min_quantity: minQty !== null && minQty.gt(0) ? minQty : lot,
    min_notional: dec(market.limits.cost?.min) ?? new Decimal(0),
    max_quantity: dec(market.limits.amount?.max),
  };
}
