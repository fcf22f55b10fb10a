import { Decimal, floorToStep, roundToStep } from '../../domain/decimal.js';
import type { Direction } from '../../domain/enums.js';

/**
 * The paper venue's price and fill rules, as pure functions. There is no order book: every
 * price level has unlimited depth, a taker pays the configured slippage, a maker gets its limit.
 */

const BPS = new Decimal(10_000);

/** A taker's price: the reference moved against the taker by `slippageBps`, on the tick grid. */
export function takerPrice(side: Direction, reference: Decimal, slippageBps: Decimal, tick: Decimal): Decimal {
  const factor = slippageBps.div(BPS);
  const raw = side === 'BUY' ? reference.mul(new Decimal(1).plus(factor)) : reference.mul(new Decimal(1).minus(factor));
  const rounded = roundToStep(raw, tick);
  return rounded.gt(0) ? rounded : tick;
}

/** Whether a fill at `price` is worse than `maxSlippage` (a fraction) away from the reference. */
export function exceedsSlippage(side: Direction, price: Decimal, reference: Decimal, maxSlippage: Decimal): boolean {
  const one = new Decimal(1);
  return side === 'BUY' ? price.gt(reference.mul(one.plus(maxSlippage))) : price.lt(reference.mul(one.minus(maxSlippage)));
}

/** A limit order trades at `price` when a BUY's limit is at or above it, a SELL's at or below. */
export function isMarketable(side: Direction, limit: Decimal, price: Decimal): boolean {
  return side === 'BUY' ? price.lte(limit) : price.gte(limit);
}

/** A SELL stop fires when the price falls to it, a BUY stop when the price rises to it. */
export function isStopTriggered(side: Direction, stop: Decimal, price: Decimal): boolean {
  return side === 'BUY' ? price.gte(stop) : price.lte(stop);
}

export function fee(quantity: Decimal, price: Decimal, rate: Decimal): Decimal {
  return quantity.mul(price).mul(rate);
}

/**
 * The most one fill may carry: partial_fill_threshold rounded down to the lot (never below one
 * lot); undefined when the threshold is 0 (no limit).
 */
export function fillChunk(threshold: Decimal, lot: Decimal): Decimal | undefined {
  if (threshold.isZero()) return undefined;
  const onGrid = floorToStep(threshold, lot);
  return onGrid.gt(0) ? onGrid : lot.gt(0) ? lot : threshold;
}

/** The parts a fill of `quantity` is executed in: at most one chunk each, the last the remainder. */
export function splitQuantity(quantity: Decimal, threshold: Decimal, lot: Decimal): Decimal[] {
  const chunk = fillChunk(threshold, lot);
  if (chunk === undefined || quantity.lte(chunk)) return [quantity];
  const parts: Decimal[] = [];
  let left = quantity;
  while (left.gt(chunk)) {
    parts.push(chunk);
    left = left.minus(chunk);
  }
  if (left.gt(0)) parts.push(left);
  return parts;
}

/** Whether `value` lies on the grid of `step` (a zero step accepts everything). */
export function isOnStep(value: Decimal, step: Decimal): boolean {
  return step.isZero() || value.mod(step).isZero();
}
