import type { AmendRequest, ConnectorCapabilities, InstrumentRules, OrderRequest } from '../ports/connector.js';
import { type Decimal, decimalToWire, floorToStep, roundToStep } from '../domain/decimal.js';
import type { Direction, OrderType } from '../domain/enums.js';
import { RiskDenied } from '../domain/errors.js';

/**
 * The venue's trading rules applied to one order as it is about to be sent: prices on the tick
 * grid, the quantity floored to the lot, then min/max quantity and min notional checked. Every
 * leg (entry, protective, close, resize, amend) passes here, so nothing off-grid or too small
 * ever leaves; a leg that cannot satisfy a rule is denied locally (RiskDenied), naming the field,
 * the value, the rule and the venue's figure.
 */

/** Round a price to the tick in the direction that never makes the order worse than asked. */
export function roundPrice(price: Decimal, tick: Decimal, how: PriceRounding): Decimal {
  if (tick.isZero()) return price;
  switch (how) {
    case 'down':
      return price.div(tick).floor().mul(tick);
    case 'up':
      return price.div(tick).ceil().mul(tick);
    case 'nearest':
      return roundToStep(price, tick);
  }
}

export type PriceRounding = 'down' | 'up' | 'nearest';

/**
 * Which way a price goes onto the grid. A limit BUY rounds down and a limit SELL up: the order
 * never pays more or sells for less than asked. A protective stop (reduce-only) rounds towards
 * the market (a long's SELL stop up, a short's BUY stop down): it fires no later than asked, so
 * the loss it caps is never larger. An entry stop has no better side: nearest.
 */
export function priceRounding(field: 'limit_price' | 'stop_price', side: Direction, reduceOnly: boolean): PriceRounding {
  if (field === 'limit_price') return side === 'BUY' ? 'down' : 'up';
  if (!reduceOnly) return 'nearest';
  return side === 'SELL' ? 'up' : 'down';
}

/** The request on the instrument's grid (an amount already on it is left as it is). */
export function fitOrderToGrid<T extends Omit<OrderRequest, 'client_order_id'>>(request: T, rules: InstrumentRules): T {
  const limit = request.limit_price && roundPrice(request.limit_price, rules.tick_size, priceRounding('limit_price', request.side, request.reduce_only));
  const stop = request.stop_price && roundPrice(request.stop_price, rules.tick_size, priceRounding('stop_price', request.side, request.reduce_only));
  return {
    ...request,
    quantity: floorToStep(request.quantity, rules.lot_size),
    ...(limit ? { limit_price: limit } : {}),
    ...(stop ? { stop_price: stop } : {}),
  };
}

/** An amend's new amounts on the grid, rounded as the order they change (side, reduce-only). */
export function fitAmendToGrid(changes: AmendRequest, side: Direction, reduceOnly: boolean, rules: InstrumentRules): AmendRequest {
  return {
    ...(changes.quantity ? { quantity: floorToStep(changes.quantity, rules.lot_size) } : {}),
    ...(changes.limit_price ? { limit_price: roundPrice(changes.limit_price, rules.tick_size, priceRounding('limit_price', side, reduceOnly)) } : {}),
    ...(changes.stop_price ? { stop_price: roundPrice(changes.stop_price, rules.tick_size, priceRounding('stop_price', side, reduceOnly)) } : {}),
  };
}

/** The price an order's notional is measured at: its limit, else its trigger, else the market's reference. */
export function notionalPrice(orderType: OrderType, limit: Decimal | null | undefined, stop: Decimal | null | undefined, reference: Decimal | null): Decimal | null {
  if ((orderType === 'LIMIT' || orderType === 'STOP_LIMIT') && limit) return limit;
  if (orderType === 'STOP_MARKET' && stop) return stop;
  return reference;
}

/**
 * Denies (RiskDenied MIN_QUANTITY / MAX_QUANTITY / MIN_NOTIONAL) an order the venue would refuse.
 * `quantity` is already floored to the lot; `price` is the one its notional is measured at.
 */
export function checkVenueRules(rules: InstrumentRules, quantity: Decimal, price: Decimal, what: string): void {
  const symbol = rules.symbol;
  if (quantity.isZero() || quantity.lt(rules.min_quantity)) {
    throw new RiskDenied(
      `${what}: quantity ${quantity.toFixed()} (rounded down to lot ${rules.lot_size.toFixed()}) is below the minimum ${rules.min_quantity.toFixed()} for ${symbol} [min_quantity]`,
      'MIN_QUANTITY',
      { field: 'quantity', quantity: decimalToWire(quantity), rule: 'min_quantity', min_quantity: decimalToWire(rules.min_quantity), symbol },
    );
  }
  if (rules.max_quantity !== null && quantity.gt(rules.max_quantity)) {
    throw new RiskDenied(`${what}: quantity ${quantity.toFixed()} is above the maximum ${rules.max_quantity.toFixed()} for ${symbol} [max_quantity]`, 'MAX_QUANTITY', {
      field: 'quantity',
      quantity: decimalToWire(quantity),
      rule: 'max_quantity',
      max_quantity: decimalToWire(rules.max_quantity),
      symbol,
    });
  }
  const notional = quantity.mul(price);
  if (notional.lt(rules.min_notional)) {
    throw new RiskDenied(
      `${what}: notional ${notional.toFixed()} (${quantity.toFixed()} × ${price.toFixed()}) is below the minimum ${rules.min_notional.toFixed()} for ${symbol} [min_notional]`,
      'MIN_NOTIONAL',
      { field: 'notional', notional: decimalToWire(notional), price: decimalToWire(price), rule: 'min_notional', min_notional: decimalToWire(rules.min_notional), symbol },
    );
  }
}

/** A zero or negative price after rounding (a price below one tick): the venue would refuse it. */
export function checkPricePositive(field: string, price: Decimal | null | undefined, rules: InstrumentRules, what: string): void {
  if (!price || price.gt(0)) return;
  throw new RiskDenied(`${what}: ${field} ${price.toFixed()} is not above zero on the tick grid ${rules.tick_size.toFixed()} of ${rules.symbol} [tick_size]`, 'PRICE_NOT_POSITIVE', {
    field,
    price: decimalToWire(price),
    rule: 'tick_size',
    tick_size: decimalToWire(rules.tick_size),
    symbol: rules.symbol,
  });
}

/**
 * A spot venue (capabilities.shortSelling false) can only sell what the account holds: a SELL
 * that is not reduce-only would open a short, so it is denied (SHORT_NOT_ALLOWED) before sending.
 */
export function checkShortAllowed(capabilities: ConnectorCapabilities, side: Direction, reduceOnly: boolean, symbol: string, what: string): void {
  if (capabilities.shortSelling || side !== 'SELL' || reduceOnly) return;
  throw new RiskDenied(`${what}: the venue is a spot market and cannot open a short: a SELL entry on ${symbol} is not allowed (only a reduce-only SELL of what is held) [short_selling]`, 'SHORT_NOT_ALLOWED', {
    field: 'entry_plan.direction',
    direction: side,
    rule: 'short_selling',
    short_selling: false,
    symbol,
  });
}
