import type { MarketInterface as Market } from 'ccxt';
import { Decimal } from '../../domain/decimal.js';
import { VenueRejected } from '../../domain/errors.js';
import type { InstrumentRules } from '../../ports/connector.js';
import { fromCcxtSymbol } from './ccxt-symbols.js';
import { firstDecimal, venueDecimal } from './decimal-from-venue.js';

/** ccxt's precision modes (ccxt exports them as DECIMAL_PLACES, SIGNIFICANT_DIGITS, TICK_SIZE). */
export const PrecisionMode = { DECIMAL_PLACES: 2, SIGNIFICANT_DIGITS: 3, TICK_SIZE: 4 } as const;

type Filter = Readonly<Record<string, unknown>>;

/** Binance-style raw filters (`info.filters[]` with `filterType`): the venue's own strings, when the market has them. */
function rawFilters(market: Market): ReadonlyMap<string, Filter> {
  const filters = (market.info as { filters?: unknown } | undefined)?.filters;
  const out = new Map<string, Filter>();
  if (!Array.isArray(filters)) return out;
  for (const filter of filters) {
    if (filter !== null && typeof filter === 'object' && typeof (filter as Filter).filterType === 'string') out.set((filter as Filter).filterType as string, filter as Filter);
  }
  return out;
}

/** A ccxt precision value as a step: a tick itself in TICK_SIZE mode, 10^-n in DECIMAL_PLACES mode. */
function stepOf(precision: number | undefined, precisionMode: number, field: string, symbol: string): Decimal {
  const value = venueDecimal(precision);
  if (value !== undefined) {
    if (precisionMode === PrecisionMode.TICK_SIZE && value.gt(0)) return value;
    if (precisionMode === PrecisionMode.DECIMAL_PLACES && value.isInteger()) return new Decimal(10).pow(value.neg());
  }
  throw new VenueRejected(`instrument ${symbol}: the venue gives no usable ${field} step (precision ${String(precision)}, precision mode ${precisionMode})`, 'INSTRUMENT_RULES_MISSING', {
    symbol,
    field,
  });
}

const positive = (value: Decimal | undefined): Decimal | undefined => (value !== undefined && value.gt(0) ? value : undefined);

/**
 * InstrumentRules of a ccxt market, as Decimal. The venue's raw filters win where present (exact
 * strings); else ccxt's unified precision read in the exchange's precision mode (ccxt 4 keeps
 * Binance in TICK_SIZE mode, where `precision.amount` is the step itself, not a number of places).
 */
export function instrumentRules(market: Market, precisionMode: number): InstrumentRules {
  const symbol = fromCcxtSymbol(market.symbol);
  const filters = rawFilters(market);
  const priceFilter = filters.get('PRICE_FILTER');
  const lotFilter = filters.get('LOT_SIZE');
  const notional = filters.get('NOTIONAL') ?? filters.get('MIN_NOTIONAL');

  const tick = positive(venueDecimal(priceFilter?.tickSize)) ?? stepOf(market.precision.price, precisionMode, 'price', symbol);
  const lot = positive(venueDecimal(lotFilter?.stepSize)) ?? stepOf(market.precision.amount, precisionMode, 'amount', symbol);
  const minQuantity = positive(firstDecimal(lotFilter?.minQty, market.limits.amount?.min)) ?? lot;
  const maxQuantity = positive(firstDecimal(lotFilter?.maxQty, market.limits.amount?.max)) ?? null;
  const minNotional = firstDecimal(notional?.minNotional, market.limits.cost?.min) ?? new Decimal(0);
  return {
    symbol,
    base_asset: market.base,
    quote_asset: market.quote,
    tick_size: tick,
    lot_size: lot,
    min_quantity: minQuantity,
    min_notional: minNotional,
    max_quantity: maxQuantity,
  };
}
