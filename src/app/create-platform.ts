import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { createAlertSink } from '../alerts/create-alert-sink.js';
import { InMemoryEventBus } from '../bus/in-memory-event-bus.js';
import type { PlanexecEvents } from '../bus/events.js';
import type { PlatformConfig } from '../config/schema.js';
import { PaperConnector } from '../connectors/paper/paper-connector.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { ConfigError, errorMessage } from '../domain/errors.js';
import { NoopMetrics } from '../metrics/noop-metrics.js';
import { PrometheusMetrics } from '../metrics/prometheus-metrics.js';
import { InMemoryComponentRegistry } from '../orchestration/component-registry.js';
import { FlowCompletionStream } from '../orchestration/flow-completion-stream.js';
import { FlowTerminationHandler } from '../orchestration/flow-termination-handler.js';
import { PlanExecutionOrchestrator } from '../orchestration/plan-execution-orchestrator.js';
import { Recovery, type RecoveryReport } from '../orchestration/recovery/recovery.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite-store.js';
import { type PlatformPaths, platformPaths } from './platform-paths.js';

export interface PlatformOptions {
  readonly config: PlatformConfig;
  /** Overrides `storage.path`; see platformPaths for where the venue file goes then. */
  readonly dbPath?: string;
  /** @default systemClock */
  readonly clock?: Clock;
  readonly logger: Logger;
  /** Named in errors about the config (e.g. a connector this build lacks). */
  readonly configFile?: string | null;
  /** Run crash recovery before returning (docs/reliability.md). @default true */
  readonly recover?: boolean;
}

/** One running planexec: every concrete part, wired. */
export interface Platform {
  readonly config: PlatformConfig;
  readonly paths: PlatformPaths;
  readonly bus: InMemoryEventBus<PlanexecEvents>;
  readonly orchestrator: PlanExecutionOrchestrator;
  readonly termination: FlowTerminationHandler;
  readonly connector: PaperConnector;
  readonly store: SqliteStore;
  readonly metrics: PrometheusMetrics | NoopMetrics;
  readonly stream: FlowCompletionStream;
  readonly logger: Logger;
  /** What start-up recovery did (null when it was not asked for). */
  readonly recovery: RecoveryReport | null;
  /** Finish in-flight flows and their terminations, then release the venue and the store. Idempotent. */
  close(): Promise<void>;
}

function notAvailable(configFile: string | null | undefined, keyPath: string, value: string): ConfigError {
  return new ConfigError([
    {
      file: configFile ?? '(defaults)',
      line: null,
      column: null,
      keyPath,
      rule: 'not_available',
      message: `${keyPath} ${value} is not available in this build`,
    },
  ]);
}

/** Refuse, before opening anything, what this build cannot run. */
function checkAvailable(config: PlatformConfig, configFile: string | null | undefined): void {
  if (config.connector.type !== 'paper') throw notAvailable(configFile, 'connector.type', config.connector.type);
  if (config.storage.type !== 'sqlite') throw notAvailable(configFile, 'storage.type', config.storage.type);
  if (config.bus.type !== 'memory') throw notAvailable(configFile, 'bus.type', config.bus.type);
}

/**
 * The composition root: the only place that knows every concrete class. Opens the store and the
 * paper venue, then wires bus, orchestrator and termination handler. Throws ConfigError for a
 * config this build cannot run.
 */
export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  checkAvailable(config, options.configFile);
  const paths = platformPaths(config, options.dbPath);

  const store = openSqliteStore(paths.db, { clock });
  let connector: PaperConnector;
  try {
    if (paths.venue !== ':memory:') mkdirSync(dirname(paths.venue), { recursive: true });
    connector = new PaperConnector(
      { ...config.connector.paper, path: paths.venue },
      {
        clock,
        onListenerError: (error, report) =>
          logger.error({ err: error, client_order_id: report.order.client_order_id }, 'venue execution listener failed'),
      },
    );
  } catch (error) {
    await store.close();
    throw error;
  }

  try {
    const bus = new InMemoryEventBus<PlanexecEvents>({ logger: logger.child({ component: 'bus' }) });
    const metrics = config.orchestration.plan_execution.monitoring.metrics_enabled ? new PrometheusMetrics() : new NoopMetrics();
    const alerts = createAlertSink(config.alerts, logger);
    const stream = new FlowCompletionStream({ bufferSize: config.orchestration.flow_termination.ui_buffer_size });
    const registry = new InMemoryComponentRegistry();
    // The termination handler subscribes first, so a stop is persisted before anyone else reacts to it.
    const termination = new FlowTerminationHandler({
      bus,
      registry,
      metrics,
      flows: store.flows,
      alerts,
      stream,
      config: config.orchestration.flow_termination,
      logger: logger.child({ component: 'flow-termination' }),
      clock,
    });
    const orchestrator = new PlanExecutionOrchestrator({
      connector,
      ledger: store.ledger,
      journal: store.journal,
      bus,
      flows: store.flows,
      config: config.orchestration.plan_execution,
      clock,
      logger: logger.child({ component: 'orchestrator' }),
      alerts,
      metrics,
      journalFallbackPath: paths.journalFallback,
      registry,
      recovery: config.recovery,
    });

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= shutDown(logger, [
        ['drain flows', () => orchestrator.drain()],
        ['drain terminations', () => termination.drain()],
        ['dispose orchestrator', () => orchestrator.dispose()],
        ['dispose termination handler', () => termination.dispose()],
        ['close completion stream', () => stream.close()],
        ['close venue', () => connector.close()],
        ['close store', () => store.close()],
      ]));

    // interrupted flows are finished and the venue's news applied before any directive is taken
    let recovery: RecoveryReport | null = null;
    if (options.recover !== false) {
      try {
        recovery = await new Recovery({
          host: orchestrator,
          flows: store.flows,
          journal: store.journal,
          ledger: store.ledger,
          connector,
          config: config.orchestration.plan_execution,
          clock,
          logger: logger.child({ component: 'recovery' }),
          alerts,
          journalFallbackPath: paths.journalFallback,
          stopsPersisted: () => termination.drain(),
        }).recover();
      } catch (error) {
        await close().catch(() => undefined);
        throw error;
      }
    }

    return { config, paths, bus, orchestrator, termination, connector, store, metrics, stream, logger, recovery, close };
  } catch (error) {
    await connector.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}

/** Run every step even when one fails (the store must close whatever happened), then report the first failure. */
async function shutDown(logger: Logger, steps: readonly (readonly [string, () => unknown])[]): Promise<void> {
  let first: unknown;
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      logger.error({ err: error, step: name }, `shutdown: ${name} failed: ${errorMessage(error)}`);
      first ??= error;
    }
  }
  if (first !== undefined) throw first;
}
