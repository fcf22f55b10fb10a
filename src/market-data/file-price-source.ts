import type { Clock } from '../domain/clock.js';
import { PlanexecError } from '../domain/errors.js';
import { PriceHub } from './price-hub.js';
import { priceFileSourceName, readPriceFile, type PriceRow } from './price-file.js';
import type { IPriceSource, PriceListener, PriceTick } from '../ports/price-source.js';

export interface FilePriceSourceOptions {
  readonly path: string;
  /** Only these symbols' rows are replayed; empty or absent = every row. */
  readonly symbols?: readonly string[];
  /** Pause between rows; 0 = the next row as soon as every listener is done with the last. */
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly onListenerError?: (error: unknown, tick: PriceTick) => void;
}

/**
 * Replays a price file (see readPriceFile), one row per `intervalMs`. The whole file is checked
 * by start(), so a bad row fails the start, not a replay half-way. start() resolves once the
 * first row has been delivered; `replayed` once the last has (or the source was closed).
 */
export class FilePriceSource implements IPriceSource {
  readonly name: string;
  readonly #options: FilePriceSourceOptions;
  readonly #hub: PriceHub;
  readonly #stop = new AbortController();
  #started: Promise<void> | undefined;
  #replayed: Promise<void> = Promise.resolve();

  constructor(options: FilePriceSourceOptions) {
    this.#options = options;
    this.name = priceFileSourceName(options.path);
    this.#hub = new PriceHub(options.onListenerError);
  }

  latest(symbol: string): PriceTick | undefined {
    return this.#hub.latest(symbol);
  }

  onPrice(listener: PriceListener): () => void {
    return this.#hub.onPrice(listener);
  }

  /** Resolves when every row has been delivered, or the source closed. */
  get replayed(): Promise<void> {
    return this.#replayed;
  }

  start(): Promise<void> {
    this.#started ??= this.#begin();
    return this.#started;
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#replayed;
    this.#hub.clear();
  }

  async #begin(): Promise<void> {
    const wanted = this.#options.symbols ?? [];
    const rows = readPriceFile(this.#options.path).filter((r) => wanted.length === 0 || wanted.includes(r.symbol));
    const [first, ...rest] = rows;
    if (first === undefined) throw new PlanexecError(`price file ${this.#options.path} has no rows for ${wanted.join(', ')}`, { code: 'PRICE_FILE_EMPTY' });
    await this.#deliver(first);
    this.#replayed = this.#replay(rest);
  }

  async #replay(rows: readonly PriceRow[]): Promise<void> {
    const signal = this.#stop.signal;
    for (const row of rows) {
      if (signal.aborted) return;
      if (this.#options.intervalMs > 0) {
        try {
          await this.#options.clock.sleep(this.#options.intervalMs, signal);
        } catch {
          return;
        }
      }
      await this.#deliver(row);
    }
  }

  #deliver(row: PriceRow): Promise<void> {
    return this.#hub.publish({ symbol: row.symbol, price: row.price, at: row.at });
  }
}

