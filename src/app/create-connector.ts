import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { PlatformConfig } from '../config/schema.js';
import { CcxtConnector } from '../connectors/ccxt/ccxt-connector.js';
import { createCcxtExchange } from '../connectors/ccxt/create-ccxt-exchange.js';
import type { IAPIConnector } from '../connectors/connector.js';
import { PaperConnector } from '../connectors/paper/paper-connector.js';
import type { Clock } from '../domain/clock.js';
import { VenueErrorMetrics } from '../metrics/venue-error-metrics.js';
import { ConfigError, PlanexecError } from '../domain/errors.js';
import { MEMORY_DATABASE } from '../store/sqlite/open-database.js';
import type { PlatformPaths } from './platform-paths.js';

export interface ConnectorDeps {
  readonly clock: Clock;
  readonly paths: PlatformPaths;
  readonly logger: Logger;
  /** The caller only reads (no order is sent): a live venue then needs no trading keys. */
  readonly readOnly?: boolean;
  /** The config file, named in a start-up config error. */
  readonly configFile?: string | null;
}

export interface BuiltConnector {
  /** What the platform trades through. */
  readonly connector: IAPIConnector;
  /**
   * The same object when the venue is the paper simulator, else null: its price feed, books and
   * ownership record are simulator-only and must not widen the port.
   */
  readonly paper: PaperConnector | null;
  /** The venue's own metrics (a live venue's unmapped errors), for the platform's registry; null when it has none. */
  readonly venueMetrics: VenueErrorMetrics | null;
}

/** The venue `config.connector.type` names, opened (the one place that knows connector classes). */
export function createConnector(config: PlatformConfig, deps: ConnectorDeps): BuiltConnector {
  const type = config.connector.type;
  switch (type) {
    case 'paper': {
      const { paths, logger } = deps;
      if (paths.venue !== MEMORY_DATABASE) mkdirSync(dirname(paths.venue), { recursive: true });
      const paper = new PaperConnector(
        { ...config.connector.paper, path: paths.venue },
        {
          clock: deps.clock,
          onListenerError: (error, report) => logger.error({ err: error, client_order_id: report.order.client_order_id }, 'venue execution listener failed'),
        },
      );
      return { connector: paper, paper, venueMetrics: null };
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
      let exchange: ReturnType<typeof createCcxtExchange>;
      try {
        exchange = createCcxtExchange({ ...settings, exchange: settings.exchange as string });
      } catch (error) {
        if (error instanceof ConfigError) throw new ConfigError(error.issues.map((issue) => ({ ...issue, file })));
        throw error;
      }
      const venueMetrics = new VenueErrorMetrics();
      const connector = new CcxtConnector({ exchange, clock: deps.clock, logger: deps.logger, pollIntervalMs: settings.poll_interval_ms, errorMetrics: venueMetrics });
      return { connector, paper: null, venueMetrics };
    }
  }
}

/** The paper simulator, for what only it can do (move prices, show its books); throws for a live venue. */
export function paperVenue(built: { readonly paper: PaperConnector | null }, purpose: string): PaperConnector {
  if (built.paper === null) throw new PlanexecError(`${purpose} needs the paper venue (connector.type: paper)`, { code: 'NOT_PAPER_VENUE' });
  return built.paper;
}
