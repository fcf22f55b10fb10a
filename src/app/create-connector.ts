import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { PlatformConfig } from '../config/schema.js';
import type { IAPIConnector } from '../ports/connector.js';
import { withHeldExits } from '../connectors/held-exits/held-exits-connector.js';
import { PaperConnector } from '../connectors/paper/paper-connector.js';
import type { Clock } from '../domain/clock.js';
import { VenueErrorMetrics } from '../metrics/venue-error-metrics.js';
import { ConfigError, PlanexecError } from '../domain/errors.js';
import { openPaperPrices } from './paper-prices.js';
import { IN_MEMORY, type PlatformPaths } from './platform-paths.js';
import { PaperPriceFeed, plainFeed, type PriceFeed } from './price-feed.js';
import { exitTriggerSource } from './exit-trigger-source.js';

export interface ConnectorDeps {
  readonly clock: Clock;
  readonly paths: PlatformPaths;
  readonly logger: Logger;
  /** Named in config errors found while opening the venue. */
  readonly configFile?: string | null;
  /** The caller only reads (no order is sent): a live venue then needs no trading keys. */
  readonly readOnly?: boolean;
}

export interface BuiltConnector {
  /** What the platform trades through. */
  readonly connector: IAPIConnector;
  /**
   * The same object when the venue is the paper simulator, else null: its price feed, books and
   * ownership record are simulator-only and must not widen the port.
   */
  readonly paper: PaperConnector | null;
  /** Where the venue's prices come from, not yet started (the platform starts it after recovery); null when nothing watches prices. */
  readonly prices: PriceFeed | null;
  /** The venue's own metrics (a live venue's unmapped errors), for the platform's registry; null when it has none. */
  readonly venueMetrics: VenueErrorMetrics | null;
}

/**
 * The venue `config.connector.type` names, opened (the one place that knows connector classes).
 * A venue that cannot rest stops (a spot market) is wrapped so planexec holds its stop losses and
 * take profits and fires them from a price source on the same exchange (withHeldExits).
 */
export async function createConnector(config: PlatformConfig, deps: ConnectorDeps): Promise<BuiltConnector> {
  const built = await openVenue(config, deps);
  if (built.connector.capabilities.nativeStops) return built;
  const logger = deps.logger.child({ component: 'held-exits' });
  const trigger = await exitTriggerSource(config, { clock: deps.clock, logger });
  const connector = withHeldExits(built.connector, trigger.source, { clock: deps.clock, logger, follow: trigger.follow });
  return { ...built, connector, prices: plainFeed(trigger.source) };
}

/**
 * The venue itself. The paper venue's price source is opened with it: a ccxt source already
 * loads the exchange's markets and first prices, for the instruments the paper config does not define.
 */
async function openVenue(config: PlatformConfig, deps: ConnectorDeps): Promise<BuiltConnector> {
  const type = config.connector.type;
  switch (type) {
    case 'paper': {
      const { paths, logger } = deps;
      const prices = await openPaperPrices(config.connector.paper, { clock: deps.clock, logger: logger.child({ component: 'prices' }), configFile: deps.configFile ?? null });
      try {
        if (paths.venue !== IN_MEMORY) mkdirSync(dirname(paths.venue), { recursive: true });
        const paper = new PaperConnector(
          { ...config.connector.paper, path: paths.venue, instruments: { ...prices.instruments, ...config.connector.paper.instruments } },
          {
            clock: deps.clock,
            onListenerError: (error, report) => logger.error({ err: error, client_order_id: report.order.client_order_id }, 'venue execution listener failed'),
          },
        );
        const feed = new PaperPriceFeed(prices.source, paper, { symbols: prices.symbols, logger: logger.child({ component: 'prices' }), ...(prices.replayed ? { replayed: prices.replayed } : {}) });
        return { connector: paper, paper, prices: feed, venueMetrics: null };
      } catch (error) {
        await prices.source.close().catch(() => undefined);
        throw error;
      }
    }
    case 'ccxt': {
      const settings = config.connector.ccxt;
      const file = deps.configFile ?? '(defaults)';
      const required: readonly ('exchange' | 'api_key' | 'api_secret')[] = deps.readOnly === true ? ['exchange'] : ['exchange', 'api_key', 'api_secret'];
      const missing = required.filter((key) => settings[key] === undefined || settings[key] === '');
      if (missing.length > 0) {
        throw new ConfigError(
          missing.map((key) => ({
            file,
            line: null,
            column: null,
            keyPath: `connector.ccxt.${key}`,
            rule: key === 'exchange' ? 'required_for_ccxt' : 'required_to_trade',
            message: key === 'exchange' ? 'connector.type ccxt needs the exchange id' : `trading on ${settings.exchange ?? 'the exchange'} needs ${key} (write it as \${ENV_VAR})`,
          })),
        );
      }
      // loaded only for a live venue: ccxt takes about a second to import, which every command would pay
      const [{ createCcxtExchange }, { CcxtConnector }] = await Promise.all([import('../connectors/ccxt/create-ccxt-exchange.js'), import('../connectors/ccxt/ccxt-connector.js')]);
      let exchange: ReturnType<typeof createCcxtExchange>;
      try {
        exchange = createCcxtExchange({ ...settings, exchange: settings.exchange as string });
      } catch (error) {
        if (error instanceof ConfigError) throw new ConfigError(error.issues.map((issue) => ({ ...issue, file })));
        throw error;
      }
      const venueMetrics = new VenueErrorMetrics();
      const connector = new CcxtConnector({ exchange, clock: deps.clock, logger: deps.logger, pollIntervalMs: settings.poll_interval_ms, referencePriceMaxAgeMs: settings.reference_price_max_age_ms, errorMetrics: venueMetrics });
      return { connector, paper: null, prices: null, venueMetrics };
    }
  }
}

/** The paper simulator, for what only it can do (move prices, show its books); throws for a live venue. */
export function paperVenue(built: { readonly paper: PaperConnector | null }, purpose: string): PaperConnector {
  if (built.paper === null) throw new PlanexecError(`${purpose} needs the paper venue (connector.type: paper)`, { code: 'NOT_PAPER_VENUE' });
  return built.paper;
}
