import type { Exchange } from 'ccxt';
import type { Clock } from '../../domain/clock.js';
import { VenueRejected } from '../../domain/errors.js';
import type { InstrumentRules } from '../../ports/connector.js';
import { toCcxtSymbol } from './ccxt-symbols.js';
import { instrumentRules } from './instrument-rules.js';

/** A symbol the cache lacks triggers at most one reload per this long (a listing added since). */
const RELOAD_AFTER_MS = 60_000;

/**
 * The venue's spot instruments: markets loaded once, lazily, and reloaded when asked for a
 * symbol they lack (at most once a minute) or on `refresh()`.
 */
export class CcxtInstruments {
  readonly #exchange: Exchange;
  readonly #clock: Clock;
  #loadedAtMs: number | undefined;
  #loading: Promise<void> | undefined;

  constructor(exchange: Exchange, clock: Clock) {
    this.#exchange = exchange;
    this.#clock = clock;
  }

  async rules(symbol: string): Promise<InstrumentRules> {
    const ccxtSymbol = toCcxtSymbol(symbol);
    await this.#ensureLoaded(false);
    if (!this.#has(ccxtSymbol) && this.#clock.now() - (this.#loadedAtMs ?? 0) >= RELOAD_AFTER_MS) await this.#ensureLoaded(true);
    const market = this.#has(ccxtSymbol) ? this.#exchange.markets?.[ccxtSymbol] : undefined;
    if (market === undefined || market.spot === false) {
      throw new VenueRejected(`symbol ${symbol} is not a spot market at ${this.#exchange.id}`, 'UNKNOWN_SYMBOL', { symbol, venue: this.#exchange.id });
    }
    return instrumentRules(market, this.#exchange.precisionMode ?? 0);
  }

  /** Load the markets again (new listings, changed filters). */
  async refresh(): Promise<void> {
    await this.#ensureLoaded(true);
  }

  #has(ccxtSymbol: string): boolean {
    return this.#exchange.markets !== undefined && Object.hasOwn(this.#exchange.markets, ccxtSymbol);
  }

  async #ensureLoaded(reload: boolean): Promise<void> {
    if (!reload && this.#loadedAtMs !== undefined) return;
    // concurrent first calls share one load
    this.#loading ??= this.#exchange
      .loadMarkets(reload)
      .then(() => {
        this.#loadedAtMs = this.#clock.now();
      })
      .finally(() => {
        this.#loading = undefined;
      });
    await this.#loading;
  }
}
