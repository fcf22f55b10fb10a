import ccxt, { type Exchange, type Ticker } from 'ccxt';
import type { Logger } from 'pino';
import { isoTime, type Clock } from '../domain/clock.js';
import { errorMessage, PlanexecError } from '../domain/errors.js';
import type { InstrumentRules } from '../ports/connector.js';
import { marketRules, openPublicExchange, tickerLast, toCcxtSymbol } from './ccxt-public.js';
import { PriceHub } from './price-hub.js';
import type { IPriceSource, PriceListener, PriceTick } from '../ports/price-source.js';

export interface CcxtPriceSourceOptions {
  /** ccxt exchange id, e.g. binance. */
  readonly exchange: string;
  /** planexec symbols (BTC_USDT); more can be added with follow(). Empty: start() waits for nothing. */
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  /** Replaces the scheme and host of every REST endpoint (a proxy, a local venue). */
  readonly apiBaseUrl?: string;
  /** The exchange's ccxt `options` (ignored with `client`). */
  readonly exchangeOptions?: Readonly<Record<string, unknown>>;
  /** An exchange already opened with openPublicExchange (its markets may be loaded); else one is opened. */
  readonly client?: Exchange;
  /** How long start() waits for a first successful poll. @default max(10 s, 3 intervals) */
  readonly startTimeoutMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onListenerError?: (error: unknown, tick: PriceTick) => void;
}

/**
 * A real exchange's public tickers, polled every `intervalMs` without API keys: one
 * fetchTickers call for every symbol where the exchange has it, else one fetchTicker per symbol.
 * A failed poll is logged and counted, the last prices stay, and the next interval tries again.
 * Polling rather than ccxt's watchTicker: websocket streams cannot be pointed at a local venue
 * through api_base_url, and a poll every interval is what the paper venue needs.
 */
export class CcxtPriceSource implements IPriceSource {
  readonly name: string;
  readonly #options: CcxtPriceSourceOptions;
  readonly #exchange: Exchange;
  readonly #hub: PriceHub;
  readonly #stop = new AbortController();
  readonly #symbols: Set<string>;
  #started: Promise<void> | undefined;
  #failures = 0;
  #lastError: unknown;

  constructor(options: CcxtPriceSourceOptions) {
    this.#options = options;
    this.#exchange = options.client ?? openPublicExchange(options.exchange, options.apiBaseUrl, options.exchangeOptions);
    this.#symbols = new Set(options.symbols);
    this.name = `ccxt:${options.exchange}`;
    this.#hub = new PriceHub(options.onListenerError);
  }

  /** Polls that failed so far. */
  get failedPolls(): number {
    return this.#failures;
  }

  latest(symbol: string): PriceTick | undefined {
    return this.#hub.latest(symbol);
  }

  /** Poll `symbol` too from the next interval on (exits held for it, a mark asked for). */
  follow(symbol: string): void {
    this.#symbols.add(symbol);
  }

  onPrice(listener: PriceListener): () => void {
    return this.#hub.onPrice(listener);
  }

  start(): Promise<void> {
    this.#started ??= this.#begin();
    return this.#started;
  }

  close(): Promise<void> {
    this.#stop.abort();
    this.#hub.clear();
    return Promise.resolve();
  }

  /** The exchange's trading rules for `symbols` (public market list); an unlisted symbol is an error naming it. */
  async instruments(symbols: readonly string[] = [...this.#symbols]): Promise<InstrumentRules[]> {
    const markets = await this.#exchange.loadMarkets();
    const missing = symbols.filter((s) => markets[toCcxtSymbol(s)] === undefined);
    if (missing.length > 0) {
      throw new PlanexecError(`${this.#options.exchange} lists no spot market ${missing.map(toCcxtSymbol).join(', ')}`, {
        code: 'UNKNOWN_SYMBOL',
        details: { exchange: this.#options.exchange, symbols: missing },
      });
    }
    return symbols.map((s) => marketRules(this.#exchange, markets[toCcxtSymbol(s)]!));
  }

  async #begin(): Promise<void> {
    const { intervalMs, clock } = this.#options;
    const symbols = [...this.#symbols];
    if (symbols.length === 0) {
      // nothing to wait for yet: polling begins with the first symbol followed
      void this.#loop();
      return;
    }
    const timeoutMs = this.#options.startTimeoutMs ?? Math.max(10_000, 3 * intervalMs);
    const deadline = clock.now() + timeoutMs;
    for (;;) {
      if (this.#stop.signal.aborted) throw new PlanexecError(`${this.name}: closed before the first prices arrived`, { code: 'PRICE_SOURCE_CLOSED' });
      if (await this.#poll()) break;
      if (this.#lastError instanceof ccxt.BadSymbol || clock.now() >= deadline) {
        throw new PlanexecError(
          `${this.name}: no prices for ${symbols.join(', ')} from ${this.#options.exchange} within ${timeoutMs} ms: ${errorMessage(this.#lastError)}`,
          { code: 'PRICE_SOURCE_UNAVAILABLE', details: { exchange: this.#options.exchange, symbols: [...symbols] }, cause: this.#lastError },
        );
      }
      await this.#pause(Math.min(Math.max(intervalMs, 100), Math.max(deadline - clock.now(), 0)));
    }
    void this.#loop();
  }

  async #loop(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      if (!(await this.#pause(this.#options.intervalMs))) return;
      await this.#poll();
    }
  }

  /** false when closed meanwhile. */
  async #pause(ms: number): Promise<boolean> {
    try {
      await this.#options.clock.sleep(ms, this.#stop.signal);
      return true;
    } catch {
      return false;
    }
  }

  /** One poll; true when at least one price was read. Never throws. */
  async #poll(): Promise<boolean> {
    if (this.#symbols.size === 0) return false;
    let tickers: (readonly [string, Ticker])[];
    try {
      tickers = await this.#fetch();
    } catch (error) {
      this.#failures++;
      this.#lastError = error;
      this.#options.logger.warn({ err: error, exchange: this.#options.exchange, failed_polls: this.#failures }, `${this.name}: ticker poll failed: ${errorMessage(error)}`);
      return false;
    }
    let read = false;
    for (const [symbol, ticker] of tickers) {
      const price = tickerLast(ticker);
      if (price === undefined || this.#stop.signal.aborted) continue;
      read = true;
      if (this.#hub.latest(symbol)?.price.eq(price)) continue;
      await this.#hub.publish({ symbol, price, at: ticker.datetime ?? isoTime(this.#options.clock.now()) });
    }
    if (!read) this.#lastError = new Error('the tickers carried no last price');
    return read;
  }

  /** [planexec symbol, ticker] for each symbol the exchange answered for. */
  async #fetch(): Promise<(readonly [string, Ticker])[]> {
    const symbols = [...this.#symbols];
    if (this.#exchange.has.fetchTickers === true) {
      const all = await this.#exchange.fetchTickers(symbols.map(toCcxtSymbol));
      return symbols.flatMap((s) => {
        const ticker = all[toCcxtSymbol(s)];
        return ticker === undefined ? [] : [[s, ticker] as const];
      });
    }
    const out: (readonly [string, Ticker])[] = [];
    for (const symbol of symbols) out.push([symbol, await this.#exchange.fetchTicker(toCcxtSymbol(symbol))]);
    return out;
  }
}
