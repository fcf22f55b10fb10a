import type { PaperConnector } from '../connectors/paper/paper-connector.js';
import type { Bar } from '../market-data/bar.js';

/** The extremes a bar must reach to touch any resting order of a symbol. */
interface Reach {
  /** The bar touches an order when its low is at or below this (BUY limits, SELL stops)… */
  readonly lowAtOrBelow: number;
  /** …or its high at or above this (SELL limits, BUY stops). */
  readonly highAtOrAbove: number;
}

const NOTHING: Reach = { lowAtOrBelow: Number.NEGATIVE_INFINITY, highAtOrAbove: Number.POSITIVE_INFINITY };

/**
 * Whether a bar can touch a resting order, by comparing numbers: most bars of a backtest touch
 * none, and asking the venue (Decimals, a store transaction) for each of millions of bars would
 * cost more than the rest of the run. A yes is then walked exactly by the venue. Rebuilt per
 * symbol after anything that may change the resting orders.
 */
export class RestingLevelCache {
  readonly #venue: PaperConnector;
  readonly #reach = new Map<string, Reach>();

  constructor(venue: PaperConnector) {
    this.#venue = venue;
  }

  reaches(bar: Bar): boolean {
    const reach = this.#reach.get(bar.symbol) ?? this.#build(bar.symbol);
    return bar.l <= reach.lowAtOrBelow || bar.h >= reach.highAtOrAbove;
  }

  invalidate(): void {
    this.#reach.clear();
  }

  #build(symbol: string): Reach {
    let lowAtOrBelow = Number.NEGATIVE_INFINITY;
    let highAtOrAbove = Number.POSITIVE_INFINITY;
    for (const order of this.#venue.restingOrders(symbol)) {
      const stop = (order.order_type === 'STOP_MARKET' || order.order_type === 'STOP_LIMIT') && !order.triggered;
      const level = stop ? order.stop_price : order.limit_price;
      if (level === null) continue;
      const price = level.toNumber();
      // a BUY limit and a SELL stop wait for the price to fall; a SELL limit and a BUY stop for it to rise
      if ((order.side === 'BUY') !== stop) lowAtOrBelow = Math.max(lowAtOrBelow, price);
      else highAtOrAbove = Math.min(highAtOrAbove, price);
    }
    const reach = lowAtOrBelow === Number.NEGATIVE_INFINITY && highAtOrAbove === Number.POSITIVE_INFINITY ? NOTHING : { lowAtOrBelow, highAtOrAbove };
    this.#reach.set(symbol, reach);
    return reach;
  }
}
