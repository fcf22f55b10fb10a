import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { PaperConnectorConfig, PlatformConfig } from '../config/schema.js';
import type { IAPIConnector } from '../ports/connector.js';
import { PaperConnector } from '../connectors/paper/paper-connector.js';
import type { Clock } from '../domain/clock.js';
import type { Decimal } from '../domain/decimal.js';
import { ConfigError, errorMessage } from '../domain/errors.js';
import { createConnector } from './create-connector.js';
import { HeldExitsConnector } from '../connectors/held-exits/held-exits-connector.js';
import type { OrderRecord } from '../domain/trading.js';
import { IN_MEMORY, type PlatformPaths } from './platform-paths.js';

/** The venue `planexec verify` compares the ledger with. */
export interface VerifyVenue {
  /** null when there is none to ask (then `venueMissing` says why). */
  readonly connector: IAPIConnector | null;
  readonly venueNetPositions?: () => ReadonlyMap<string, Decimal>;
  readonly venueMissing: string | null;
  /** How the venue is named in verify's output: the paper venue's file, or `ccxt:<exchange>`. */
  readonly name: string;
  close(): Promise<void>;
}

/** The paper venue as verify looks at it: read-only, no simulated faults or latency, no "not found" window (it must tell the truth, now). */
function lookingPaperVenue(paper: PaperConnectorConfig, path: string, clock: Clock): PaperConnector {
  return new PaperConnector(
    { ...paper, path, latency_ms: 0, not_found_window_ms: 0, faults: { ...paper.faults, transient_error_rate: 0, rejection_rate: 0, timeout_rate: 0 } },
    { clock, readonly: true },
  );
}

/** The keys a live venue wants before it shows the account's orders and balances. */
const LIVE_KEYS = ['api_key', 'api_secret'] as const satisfies readonly (keyof PlatformConfig['connector']['ccxt'])[];

/** A live venue answers only with the account's keys: say so before trying. */
function requireLiveKeys(config: PlatformConfig): void {
  const ccxt = config.connector.ccxt;
  const missing = LIVE_KEYS.filter((key) => ccxt[key] === undefined || ccxt[key] === '');
  if (missing.length === 0) return;
  throw new ConfigError(
    missing.map((key) => ({
      file: '(config)',
      line: null,
      column: null,
      keyPath: `connector.ccxt.${key}`,
      rule: 'required_for_verify',
      message: `verify against a live venue (connector.type ${config.connector.type}) needs the account's keys: set connector.ccxt.${key} (as \${ENV_VAR}) and its variable; verify only reads (orders, balances)`,
    })),
  );
}

/**
 * The configured venue, opened for reading: the paper venue's file read-only (as it was), any
 * other venue through createConnector, as `run` builds it. Throws ConfigError when a live venue's
 * keys are not set.
 */
export async function openVerifyVenue(
  config: PlatformConfig,
  paths: PlatformPaths,
  deps: { readonly clock: Clock; readonly logger: Logger; readonly liveOrders: () => Promise<readonly OrderRecord[]> },
): Promise<VerifyVenue> {
  if (config.connector.type !== 'paper') {
    requireLiveKeys(config);
    const { connector } = await createConnector(config, { clock: deps.clock, paths, logger: deps.logger });
    // exits planexec holds are its own book, not the venue's: known as the platform knows them at start
    if (connector instanceof HeldExitsConnector) await connector.restore(await deps.liveOrders());
    return { connector, venueMissing: null, name: `${config.connector.type}:${connector.venue}`, close: () => connector.close() };
  }
  // a paper venue in memory ended with its run: there is nothing to compare, which is not a difference
  if (paths.venue === IN_MEMORY) return { connector: null, venueMissing: null, name: `${IN_MEMORY}: the paper venue kept its state in memory only`, close: async () => undefined };
  if (!existsSync(paths.venue)) return { connector: null, venueMissing: `venue file ${paths.venue} does not exist, but the ledger has orders`, name: paths.venue, close: async () => undefined };
  let paper: PaperConnector;
  try {
    paper = lookingPaperVenue(config.connector.paper, paths.venue, deps.clock);
  } catch (error) {
    return { connector: null, venueMissing: `venue file ${paths.venue} cannot be read: ${errorMessage(error)}`, name: paths.venue, close: async () => undefined };
  }
  return { connector: paper, venueNetPositions: () => paper.netPositions(), venueMissing: null, name: paths.venue, close: () => paper.close() };
}
