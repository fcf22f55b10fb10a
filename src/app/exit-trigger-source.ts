import type { Logger } from 'pino';
import type { PlatformConfig } from '../config/schema.js';
import type { Clock } from '../domain/clock.js';
import type { IPriceSource } from '../ports/price-source.js';
import { StaticPriceSource } from '../market-data/static-price-source.js';

/** The price source exits held by planexec fire from, and how to make it follow a symbol. */
export interface ExitTriggerSource {
  readonly source: IPriceSource;
  readonly follow: (symbol: string) => void;
}

/** The keys of `connector.ccxt` this needs (the exchange, where its API is, how often to poll). */
interface CcxtVenueKeys {
  readonly exchange?: string;
  readonly api_base_url?: string;
  readonly options?: Readonly<Record<string, unknown>>;
  readonly poll_interval_ms?: number;
}

const DEFAULT_TRIGGER_POLL_MS = 1000;

/**
 * For a live venue: its own exchange's public tickers (same exchange id and api_base_url as the
 * connector, polled every connector.ccxt.poll_interval_ms, else 1 s), following each symbol an
 * exit is held for. Otherwise a static source, moved only by whoever sets it.
 */
export async function exitTriggerSource(config: PlatformConfig, deps: { readonly clock: Clock; readonly logger: Logger }): Promise<ExitTriggerSource> {
  if (config.connector.type === 'ccxt') {
    // loaded only for a live venue: ccxt takes about a second to import, which every command would pay
    const { CcxtPriceSource } = await import('../market-data/ccxt-price-source.js');
    const keys: CcxtVenueKeys = config.connector.ccxt;
    const source = new CcxtPriceSource({
      exchange: keys.exchange ?? '',
      symbols: [],
      intervalMs: keys.poll_interval_ms ?? DEFAULT_TRIGGER_POLL_MS,
      ...(keys.api_base_url === undefined ? {} : { apiBaseUrl: keys.api_base_url }),
      ...(keys.options === undefined ? {} : { exchangeOptions: keys.options }),
      clock: deps.clock,
      logger: deps.logger,
      onListenerError: (error, tick) => deps.logger.error({ err: error, symbol: tick.symbol }, 'held exit trigger failed'),
    });
    return { source, follow: (symbol) => source.follow(symbol) };
  }
  const source = new StaticPriceSource({ clock: deps.clock });
  return { source, follow: () => undefined };
}
