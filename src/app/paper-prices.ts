import type { Logger } from 'pino';
import type { PaperConnectorConfig } from '../config/schema.js';
import { resolveInstruments } from '../connectors/paper/paper-instruments.js';
import type { Clock } from '../domain/clock.js';
import { ConfigError } from '../domain/errors.js';
import { FilePriceSource } from '../market-data/file-price-source.js';
import type { IPriceSource, PriceTick } from '../ports/price-source.js';
import { StaticPriceSource } from '../market-data/static-price-source.js';

type InstrumentConfig = PaperConnectorConfig['instruments'][string];

/** The paper venue's price source, opened, and what the venue needs from it before it opens. */
export interface PaperPrices {
  readonly source: IPriceSource;
  /** The symbols whose prices the source delivers (empty: whatever a file holds). */
  readonly symbols: readonly string[];
  /** Instruments the exchange lists that the paper config does not define, priced at their first tick. */
  readonly instruments: Readonly<Record<string, InstrumentConfig>>;
  /** A finite source's end (a price file), else undefined. */
  readonly replayed?: () => Promise<void>;
}

export interface PaperPricesDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly configFile?: string | null;
}

const DEFAULT_POLL_MS = 2000;

function listenerError(logger: Logger): (error: unknown, tick: PriceTick) => void {
  return (error, tick) => logger.error({ err: error, symbol: tick.symbol }, 'price listener failed');
}

/**
 * Open `connector.paper.prices`. For ccxt this already talks to the exchange (public calls only):
 * its market list gives the rules of every followed symbol the paper config does not define, and
 * a first poll the price those instruments start at; a symbol asked for that the exchange does
 * not list is a config error.
 */
export async function openPaperPrices(paper: PaperConnectorConfig, deps: PaperPricesDeps): Promise<PaperPrices> {
  const prices = paper.prices;
  const onListenerError = listenerError(deps.logger);
  switch (prices.source) {
    case 'static':
      return { source: new StaticPriceSource({ clock: deps.clock, onListenerError }), symbols: [], instruments: {} };
    case 'file': {
      const source = new FilePriceSource({ path: prices.path!, symbols: prices.symbols ?? [], intervalMs: prices.interval_ms ?? 0, clock: deps.clock, onListenerError });
      return { source, symbols: prices.symbols ?? [], instruments: {}, replayed: () => source.replayed };
    }
    case 'ccxt':
      return openCcxtPrices(paper, deps);
  }
}

async function openCcxtPrices(paper: PaperConnectorConfig, deps: PaperPricesDeps): Promise<PaperPrices> {
  const prices = paper.prices;
  const exchangeId = prices.exchange!;
  // loaded only when prices come from an exchange: ccxt takes about a second to import, which every command would pay
  const [{ CcxtPriceSource }, { marketRules, openPublicExchange, toCcxtSymbol }] = await Promise.all([import('../market-data/ccxt-price-source.js'), import('../market-data/ccxt-public.js')]);
  const client = openPublicExchange(exchangeId, prices.api_base_url, prices.options);
  const markets = await client.loadMarkets();
  const listed = (symbol: string): boolean => markets[toCcxtSymbol(symbol)] !== undefined;
  let symbols: string[];
  if (prices.symbols !== undefined) {
    const unlisted = prices.symbols.filter((s) => !listed(s));
    if (unlisted.length > 0) {
      throw new ConfigError([
        {
          file: deps.configFile ?? '(defaults)',
          line: null,
          column: null,
          keyPath: 'connector.paper.prices.symbols',
          rule: 'symbol_not_listed',
          message: `${exchangeId} lists no spot market ${unlisted.map(toCcxtSymbol).join(', ')}`,
        },
      ]);
    }
    symbols = [...prices.symbols];
  } else {
    // the venue's instruments, as far as the exchange trades them
    const known = [...resolveInstruments(paper.instruments).keys()];
    symbols = known.filter(listed);
    const skipped = known.filter((s) => !listed(s));
    if (skipped.length > 0) deps.logger.warn({ exchange: exchangeId, symbols: skipped }, `${exchangeId} lists no market for ${skipped.join(', ')}: their prices stay static`);
  }
  const source = new CcxtPriceSource({
    exchange: exchangeId,
    client,
    symbols,
    intervalMs: prices.interval_ms ?? DEFAULT_POLL_MS,
    clock: deps.clock,
    logger: deps.logger,
    onListenerError: listenerError(deps.logger),
  });
  await source.start();
  const instruments: Record<string, InstrumentConfig> = {};
  for (const symbol of symbols) {
    const tick = source.latest(symbol);
    if (Object.hasOwn(paper.instruments, symbol) || tick === undefined) continue;
    const { tick_size, lot_size, min_quantity, min_notional } = marketRules(client, markets[toCcxtSymbol(symbol)]!);
    instruments[symbol] = { tick_size, lot_size, min_quantity, min_notional, reference_price: tick.price };
  }
  return { source, symbols, instruments };
}
