import type { Decimal } from '../../domain/decimal.js';
import type { Direction, OrderType } from '../../domain/enums.js';

/**
 * How a bar is walked when it reaches more than one resting order of a symbol: a bar gives only
 * its open, high, low and close, not the order in which its prices traded. `pessimistic` (the
 * default) lets the adverse orders (stops) fill before the favourable ones (limits, take
 * profits), so a trade whose stop and target both lie inside one bar is stopped out.
 * `optimistic` is the reverse, for comparing how much a result depends on the rule.
 */
export type IntrabarRule = 'pessimistic' | 'optimistic';

export interface BarPrices {
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
}

export interface RestingLevels {
  readonly side: Direction;
  readonly order_type: OrderType;
  readonly limit_price: Decimal | null;
  readonly stop_price: Decimal | null;
  /** A stop-limit whose stop fired rests as its limit. */
  readonly triggered: boolean;
}

/** The price inside [low, high] at which `order` would act (its stop, else its limit), or undefined when the bar never reaches it. */
export function levelReached(order: RestingLevels, bar: BarPrices): Decimal | undefined {
  const isStop = order.order_type === 'STOP_MARKET' || order.order_type === 'STOP_LIMIT';
  if (isStop && !order.triggered) {
    const stop = order.stop_price;
    if (stop === null) return undefined;
    // a BUY stop fires when the price rises to it, a SELL stop when it falls to it
    return (order.side === 'BUY' ? bar.high.gte(stop) : bar.low.lte(stop)) ? stop : undefined;
  }
  const limit = order.limit_price;
  if (limit === null) return undefined;
  // a BUY limit trades when the price falls to it, a SELL limit when it rises to it
  return (order.side === 'BUY' ? bar.low.lte(limit) : bar.high.gte(limit)) ? limit : undefined;
}

/** Visit order inside a bar: 0 first. Stops are the adverse orders; everything else fills at its limit. */
export function intrabarRank(order: RestingLevels, rule: IntrabarRule): number {
  const adverse = (order.order_type === 'STOP_MARKET' || order.order_type === 'STOP_LIMIT') && !order.triggered;
  return adverse === (rule === 'pessimistic') ? 0 : 1;
}
