import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { PlatformConfig } from '../config/schema.js';
import { resolveInstruments } from '../connectors/paper/paper-instruments.js';
import { readVenuePrices } from '../connectors/paper/venue-prices.js';
import type { Clock } from '../domain/clock.js';
import type { Decimal } from '../domain/decimal.js';
import { errorMessage } from '../domain/errors.js';
import type { Position } from '../domain/trading.js';
import type { CcxtPriceSource } from '../market-data/ccxt-price-source.js';
import { IN_MEMORY, type PlatformPaths } from './platform-paths.js';

/** The price an open trade is marked at, or why there is none. */
export type Mark = { readonly price: Decimal; readonly unknown: null } | { readonly price: null; readonly unknown: string };

export interface MarkDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a live exchange's tickers are waited for. @default 3000 */
  readonly timeoutMs?: number;
}

const unknown = (why: string): Mark => ({ price: null, unknown: why });

/**
 * Unrealised PnL of an open trade at `mark`, in the quote asset: (mark − entry) × held for a
 * BUY, (entry − mark) × held for a SELL; nothing else netted. null for a closed trade or one with
 * nothing filled.
 */
export function unrealizedPnl(position: Position, mark: Decimal): Decimal | null {
  const entry = position.average_entry_price ?? position.entry_price;
  if (position.status !== 'OPEN' || entry === null || position.filled_size.isZero()) return null;
  const move = position.direction === 'BUY' ? mark.minus(entry) : entry.minus(mark);
  return move.mul(position.filled_size);
}

/**
 * Marks for `symbols`, read-only. The paper venue: the last price its file holds for the symbol
 * (the last one its price source delivered), else the price it starts at. A live exchange: one
 * public ticker poll with a short timeout. A symbol with no price gets the reason instead.
 */
export async function loadMarks(config: PlatformConfig, paths: PlatformPaths, symbols: readonly string[], deps: MarkDeps): Promise<Map<string, Mark>> {
  const wanted = [...new Set(symbols)];
  if (wanted.length === 0) return new Map();
  return config.connector.type === 'paper' ? paperMarks(config, paths, wanted) : exchangeMarks(config, wanted, deps);
}

function paperMarks(config: PlatformConfig, paths: PlatformPaths, symbols: readonly string[]): Map<string, Mark> {
  if (paths.venue === IN_MEMORY) return new Map(symbols.map((s) => [s, unknown('the paper venue kept its state in memory only (connector.paper.path :memory:)')]));
  if (!existsSync(paths.venue)) return new Map(symbols.map((s) => [s, unknown(`no paper venue file at ${paths.venue}`)]));
  let last: Map<string, Decimal>;
  try {
    last = readVenuePrices(paths.venue);
  } catch (error) {
    return new Map(symbols.map((s) => [s, unknown(`the paper venue file ${paths.venue} cannot be read: ${errorMessage(error)}`)]));
  }
  // no price delivered yet: the venue still trades at the price the instrument starts at
  const listed = resolveInstruments(config.connector.paper.instruments);
  return new Map(
    symbols.map((symbol): [string, Mark] => {
      const price = last.get(symbol) ?? listed.get(symbol)?.reference_price;
      return [symbol, price === undefined ? unknown(`the paper venue has no price for ${symbol}`) : { price, unknown: null }];
    }),
  );
}

/** The keys of connector.ccxt a public ticker needs. */
interface ExchangeKeys {
  readonly exchange?: string;
  readonly api_base_url?: string;
  readonly options?: Readonly<Record<string, unknown>>;
}

async function exchangeMarks(config: PlatformConfig, symbols: readonly string[], deps: MarkDeps): Promise<Map<string, Mark>> {
  const keys: ExchangeKeys = config.connector.ccxt;
  const timeoutMs = deps.timeoutMs ?? 3000;
  // loaded only for a live venue: ccxt takes about a second to import, which every command would pay
  const { CcxtPriceSource } = await import('../market-data/ccxt-price-source.js');
  let source: CcxtPriceSource;
  try {
    source = new CcxtPriceSource({
      exchange: keys.exchange ?? '',
      symbols,
      intervalMs: timeoutMs,
      startTimeoutMs: timeoutMs,
      ...(keys.api_base_url === undefined ? {} : { apiBaseUrl: keys.api_base_url }),
      ...(keys.options === undefined ? {} : { exchangeOptions: keys.options }),
      clock: deps.clock,
      logger: deps.logger,
    });
  } catch (error) {
    return new Map(symbols.map((s) => [s, unknown(errorMessage(error))]));
  }
  try {
    await source.start();
  } catch (error) {
    return new Map(symbols.map((s) => [s, unknown(errorMessage(error))]));
  } finally {
    await source.close();
  }
  return new Map(symbols.map((s): [string, Mark] => {
    const tick = source.latest(s);
    return [s, tick === undefined ? unknown(`${source.name} sent no ticker for ${s}`) : { price: tick.price, unknown: null }];
  }));
}
