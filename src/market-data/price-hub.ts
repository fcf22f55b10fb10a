import type { PriceListener, PriceTick } from '../ports/price-source.js';

/**
 * The bookkeeping every price source shares: the latest tick per symbol and the listeners. A
 * listener that throws or rejects is reported to `onListenerError` and the others still hear.
 */
export class PriceHub {
  readonly #latest = new Map<string, PriceTick>();
  readonly #listeners = new Set<PriceListener>();
  readonly #onListenerError: (error: unknown, tick: PriceTick) => void;

  constructor(onListenerError: (error: unknown, tick: PriceTick) => void = () => undefined) {
    this.#onListenerError = onListenerError;
  }

  latest(symbol: string): PriceTick | undefined {
    return this.#latest.get(symbol);
  }

  symbols(): string[] {
    return [...this.#latest.keys()];
  }

  onPrice(listener: PriceListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Record `tick` and tell every listener; resolves once each listener's promise (if any) settled. */
  async publish(tick: PriceTick): Promise<void> {
    this.#latest.set(tick.symbol, tick);
    const pending: Promise<void>[] = [];
    for (const listener of [...this.#listeners]) {
      try {
        const result: unknown = listener(tick);
        if (result instanceof Promise) pending.push(result.then(() => undefined, (error: unknown) => this.#failed(error, tick)));
      } catch (error) {
        this.#failed(error, tick);
      }
    }
    await Promise.all(pending);
  }

  clear(): void {
    this.#listeners.clear();
  }

  #failed(error: unknown, tick: PriceTick): void {
    try {
      this.#onListenerError(error, tick);
    } catch {
      // the hook itself failed: the source goes on
    }
  }
}
