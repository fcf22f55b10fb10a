import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { notInThisBuildMessage, NOT_IN_THIS_BUILD } from '../config/build-support.js';
import type { PlatformConfig } from '../config/schema.js';
import type { IAPIConnector } from '../connectors/connector.js';
import { PaperConnector } from '../connectors/paper/paper-connector.js';
import type { Clock } from '../domain/clock.js';
import { ConfigError, PlanexecError } from '../domain/errors.js';
import { MEMORY_DATABASE } from '../store/sqlite/open-database.js';
import type { PlatformPaths } from './platform-paths.js';

export interface ConnectorDeps {
  readonly clock: Clock;
  readonly paths: PlatformPaths;
  readonly logger: Logger;
}

export interface BuiltConnector {
  /** What the platform trades through. */
  readonly connector: IAPIConnector;
  /**
   * The same object when the venue is the paper simulator, else null: its price feed, books and
   * ownership record are simulator-only and must not widen the port.
   */
  readonly paper: PaperConnector | null;
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
      return { connector: paper, paper };
    }
    case 'ccxt':
      // the loader and createPlatform refuse it first; this keeps the switch honest
      throw new ConfigError([
        { file: '(config)', line: null, column: null, keyPath: 'connector.type', rule: NOT_IN_THIS_BUILD, message: notInThisBuildMessage(['connector', 'type'], type) },
      ]);
  }
}

/** The paper simulator, for what only it can do (move prices, show its books); throws for a live venue. */
export function paperVenue(built: { readonly paper: PaperConnector | null }, purpose: string): PaperConnector {
  if (built.paper === null) throw new PlanexecError(`${purpose} needs the paper venue (connector.type: paper)`, { code: 'NOT_PAPER_VENUE' });
  return built.paper;
}
