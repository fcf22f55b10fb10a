import type { Logger } from 'pino';
import type { PaperConnector } from '../connectors/paper/paper-connector.js';
import { errorMessage } from '../domain/errors.js';
import type { IPriceSource, PriceTick } from '../ports/price-source.js';

/** A running price source as the platform sees it: started after recovery, closed first. */
export interface PriceFeed {
  readonly source: IPriceSource;
  /** Start the source; resolves once its first prices are known. */
  start(): Promise<void>;
  /** Resolves when a finite source (a price file) has delivered every row and its effects are applied; at once for an endless one. */
  replayed(): Promise<void>;
  close(): Promise<void>;
}

/** A source others subscribe to themselves (exits held by planexec, marks). */
export function plainFeed(source: IPriceSource): PriceFeed {
  return {
    source,
    start: () => source.start(),
    replayed: () => Promise.resolve(),
    close: () => source.close(),
  };
}

/**
 * Applies a source's ticks to the paper venue one after another (PaperConnector.setPrice, which
 * triggers stops, take-profits and resting limits and reports executions to the orchestrator).
 * A tick the venue cannot apply is logged; the next one still goes.
 */
export class PaperPriceFeed implements PriceFeed {
  readonly source: IPriceSource;
  readonly #venue: PaperConnector;
  readonly #symbols: readonly string[];
  readonly #logger: Logger;
  readonly #replayed: () => Promise<void>;
  #applied: Promise<void> = Promise.resolve();
  #unsubscribe: (() => void) | undefined;

  /**
   * `symbols`: whose latest price is applied once at start (a source started earlier, e.g. to
   * price the instruments it lists). `replayed`: the source's own end, for a finite one.
   */
  constructor(source: IPriceSource, venue: PaperConnector, options: { readonly symbols: readonly string[]; readonly logger: Logger; readonly replayed?: () => Promise<void> }) {
    this.source = source;
    this.#venue = venue;
    this.#symbols = options.symbols;
    this.#logger = options.logger;
    this.#replayed = options.replayed ?? (() => Promise.resolve());
  }

  async start(): Promise<void> {
    this.#unsubscribe ??= this.source.onPrice((tick) => this.#apply(tick));
    await this.source.start();
    for (const symbol of this.#symbols) {
      const tick = this.source.latest(symbol);
      if (tick !== undefined && !this.#venueHas(tick)) await this.#apply(tick);
    }
  }

  async replayed(): Promise<void> {
    await this.#replayed();
    await this.#applied;
  }

  async close(): Promise<void> {
    this.#unsubscribe?.();
    await this.source.close();
    await this.#applied;
  }

  #venueHas(tick: PriceTick): boolean {
    return this.#venue.lastPrice(tick.symbol)?.eq(tick.price) === true;
  }

  #apply(tick: PriceTick): Promise<void> {
    const done = this.#applied.then(async () => {
      try {
        await this.#venue.setPrice(tick.symbol, tick.price);
      } catch (error) {
        this.#logger.error({ err: error, symbol: tick.symbol, price: tick.price.toFixed(), source: this.source.name }, `price not applied to the paper venue: ${errorMessage(error)}`);
      }
    });
    this.#applied = done;
    return done;
  }
}
