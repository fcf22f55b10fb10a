import type { Clock } from '../domain/clock.js';
import { isoTime } from '../domain/clock.js';
import type { Decimal } from '../domain/decimal.js';
import { PriceHub } from './price-hub.js';
import type { IPriceSource, PriceListener, PriceTick } from '../ports/price-source.js';

/**
 * Prices that move only when something sets them (the paper venue's own market, the demo, a
 * test): latest() is what was set last. Nothing to poll, so start() resolves at once.
 */
export class StaticPriceSource implements IPriceSource {
  readonly name = 'static';
  readonly #hub: PriceHub;
  readonly #clock: Clock;

  constructor(options: { readonly clock: Clock; readonly onListenerError?: (error: unknown, tick: PriceTick) => void }) {
    this.#clock = options.clock;
    this.#hub = new PriceHub(options.onListenerError);
  }

  /** Record a price and tell the listeners; resolves when they are done with it. */
  set(symbol: string, price: Decimal): Promise<void> {
    return this.#hub.publish({ symbol, price, at: isoTime(this.#clock.now()) });
  }

  latest(symbol: string): PriceTick | undefined {
    return this.#hub.latest(symbol);
  }

  onPrice(listener: PriceListener): () => void {
    return this.#hub.onPrice(listener);
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#hub.clear();
    return Promise.resolve();
  }
}
