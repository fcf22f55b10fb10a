import type { Clock } from '../../domain/clock.js';
import type { Decimal } from '../../domain/decimal.js';

interface Entry {
  readonly price: Decimal;
  readonly atMs: number;
}

/**
 * The last ticker price per symbol, reused while younger than `maxAgeMs`. A market order's
 * reference (minimum notional, slippage bound) needs a recent price, not one fetched for every
 * order: without this each directive costs a second venue round trip. Callers asking at once
 * share one fetch. maxAgeMs 0 asks the venue every time.
 */
export class ReferencePrices {
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<Decimal>>();

  constructor(
    private readonly clock: Clock,
    private readonly maxAgeMs: number,
  ) {}

  get(symbol: string, fetch: () => Promise<Decimal>): Promise<Decimal> {
    const entry = this.#entries.get(symbol);
    if (entry !== undefined && this.clock.now() - entry.atMs < this.maxAgeMs) return Promise.resolve(entry.price);
    const pending = this.#inFlight.get(symbol);
    if (pending !== undefined) return pending;
    const asked = this.clock.now();
    const fetched = fetch()
      .then((price) => {
        this.#entries.set(symbol, { price, atMs: asked });
        return price;
      })
      .finally(() => this.#inFlight.delete(symbol));
    this.#inFlight.set(symbol, fetched);
    return fetched;
  }
}
