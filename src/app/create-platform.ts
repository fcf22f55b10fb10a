import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { createAlertSink } from '../alerts/create-alert-sink.js';
import { alertTradingStateChanges } from '../alerts/trading-state-alerts.js';
import type { IEventBus } from '../ports/bus.js';
import type { PlanexecEvents } from '../ports/events.js';
import { incompleteTelegram, TELEGRAM_TOKEN_AND_CHAT } from '../config/alerts-check.js';
import { notInThisBuildIssue, unbuiltChoices } from '../config/build-support.js';
import type { PlatformConfig } from '../config/schema.js';
import type { IAPIConnector } from '../ports/connector.js';
import { HeldExitsConnector } from '../connectors/held-exits/held-exits-connector.js';
import type { PaperConnector } from '../connectors/paper/paper-connector.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { ConfigError, errorMessage } from '../domain/errors.js';
import type { VenueErrorMetrics } from '../metrics/venue-error-metrics.js';
import { InMemoryComponentRegistry } from '../orchestration/component-registry.js';
import { FlowCompletionStream } from '../orchestration/flow-completion-stream.js';
import { FlowTerminationHandler } from '../orchestration/flow-termination-handler.js';
import { PlanExecutionOrchestrator } from '../orchestration/plan-execution-orchestrator.js';
import type { IManagedAlertSink } from '../ports/alerts.js';
import type { IPlatformMetrics } from '../ports/metrics.js';
import type { IPlatformStore } from '../ports/store.js';
import type { ITradingStateControl } from '../ports/trading-state.js';
import type { WriterLease } from '../ports/writer-lock.js';
import { WorkerPresence } from './worker-presence.js';
import { Recovery, type RecoveryReport } from '../orchestration/recovery/recovery.js';
import { JournaledTradingState } from '../orchestration/trading-state.js';
// a file-system check, not the store: the venue's and the fallback's files are checked before anything opens
import { assertWritableFile } from '../store/sqlite/database-location.js';
import { createBus } from './create-bus.js';
import { createMetrics } from './create-metrics.js';
import { createConnector } from './create-connector.js';
import { acquireWriterLease, openStore, type WriterLockRequest } from './open-store.js';
import { IN_MEMORY, type PlatformPaths, platformPaths } from './platform-paths.js';
import { heldExitsToRestore } from './held-exits-to-restore.js';
import { recordVenueBaseline } from './venue-baseline.js';
import type { PriceFeed } from './price-feed.js';

export interface PlatformOptions {
  readonly config: PlatformConfig;
  /** Overrides `storage.path`; see platformPaths for where the venue file goes then. */
  readonly dbPath?: string;
  /** @default systemClock */
  readonly clock?: Clock;
  /** [0, 1) for the jitter of retry waits (a backtest seeds it). @default Math.random */
  readonly random?: () => number;
  readonly logger: Logger;
  /** Named in errors about the config (e.g. a connector this build lacks). */
  readonly configFile?: string | null;
  /** Run crash recovery before returning (docs/reliability.md). @default true */
  readonly recover?: boolean;
  /** The database's writer lease, already taken with acquireWriterLease; the platform releases it on close. */
  readonly lease?: WriterLease | null;
  /** How to take the writer lease when `lease` is not given. @default refuse at once when another process holds it */
  readonly writerLock?: WriterLockRequest;
  /** Put something between the orchestrator and the venue (`run --dry-run`: a DryRunConnector). @default none */
  readonly wrapConnector?: (connector: IAPIConnector) => IAPIConnector;
  /** A shared store: called once if this worker could not renew its leases for a whole lease (WorkerPresence). @default alert only */
  readonly onWorkerLeaseLost?: (reason: string) => void;
}

/** One running planexec, wired: its parts typed by their ports (the paper simulator, which has no port, aside). */
export interface Platform {
  readonly config: PlatformConfig;
  readonly paths: PlatformPaths;
  readonly bus: IEventBus<PlanexecEvents>;
  readonly orchestrator: PlanExecutionOrchestrator;
  readonly termination: FlowTerminationHandler;
  readonly connector: IAPIConnector;
  /** The paper simulator behind `connector` (its price feed and books), null for a live venue. */
  readonly paper: PaperConnector | null;
  /** The running price source (the paper venue's market, the trigger of exits planexec holds); null when none. */
  readonly prices: PriceFeed | null;
  readonly store: IPlatformStore;
  readonly metrics: IPlatformMetrics;
  readonly stream: FlowCompletionStream;
  /** The kill switch (docs/kill-switch.md): read at every directive's acceptance; changes are journaled and published as TRADING_STATE_CHANGED. */
  readonly tradingState: ITradingStateControl;
  /** Every configured alert sink behind its delivery policy (e.g. for `alertVerifyDifferences`); drained by close. */
  readonly alerts: IManagedAlertSink;
  readonly logger: Logger;
  /** The platform's time (flows, retries, leases). */
  readonly clock: Clock;
  /** What start-up recovery did (null when it was not asked for). */
  readonly recovery: RecoveryReport | null;
  /** Finish in-flight flows and their terminations, then release the venue and the store. Idempotent. */
  close(): Promise<void>;
}

/** Refuse, before opening anything, what this build cannot run (the loader already refuses it in a file, located), and alert sinks set up by half. */
function checkAvailable(config: PlatformConfig, configFile: string | null | undefined): void {
  const issues = unbuiltChoices(config).map((c) => notInThisBuildIssue(c, configFile));
  const telegram = incompleteTelegram(config.alerts);
  // a config built in code, which the loader did not check
  if (telegram !== null) issues.push({ file: configFile ?? '(defaults)', line: null, column: null, keyPath: telegram.present.join('.'), rule: TELEGRAM_TOKEN_AND_CHAT, message: telegram.message });
  if (issues.length > 0) throw new ConfigError(issues);
}

/**
 * One venue file serves one ledger database: a second database would see the first one's orders
 * as its own (client order ids collide, recovery "finds" fills it never asked for). The venue
 * records the database's identity the first time; another database is refused before anything
 * is sent (docs/paper-venue.md says how to move or reset a venue on purpose).
 */
function claimVenue(store: IPlatformStore, paper: PaperConnector | null, paths: PlatformPaths, configFile: string | null | undefined): void {
  if (paper === null || paths.db === IN_MEMORY || paths.venue === IN_MEMORY) return;
  const ledger = { ledger_id: store.identity(), ledger_path: resolve(paths.db) };
  const owner = paper.claimOwner(ledger);
  if (owner.ledger_id === ledger.ledger_id) return;
  const other =
    owner.ledger_path === ledger.ledger_path
      ? `another database that was at ${owner.ledger_path} before (deleted or replaced since; ledger id ${owner.ledger_id})`
      : `the database ${owner.ledger_path}`;
  throw new ConfigError([
    {
      file: configFile ?? '(defaults)',
      line: null,
      column: null,
      keyPath: 'connector.paper.path',
      rule: 'venue_owned_by_other_database',
      message:
        `the paper venue file ${resolve(paths.venue)} belongs to ${other}, not to ${ledger.ledger_path}: two databases must not share a venue. ` +
        `Give this database its own venue (leave connector.paper.path unset so it goes beside the database, or name another file); ` +
        `to move or reset a venue see docs/paper-venue.md`,
    },
  ]);
}

/**
 * The composition root: the one place that wires the concrete parts, each built by its factory
 * (openStore, createConnector, createBus). Opens the store and the venue, then wires bus,
 * orchestrator and termination handler. Throws ConfigError for a config this build cannot run.
 */
export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  checkAvailable(config, options.configFile);
  const paths = platformPaths(config, options.dbPath);

  // before anything reads or writes the database, recovery included: only the lease holder may
  const lease = options.lease !== undefined ? options.lease : await acquireWriterLease(paths.store, options.writerLock);
  let store: IPlatformStore;
  try {
    if (paths.venue !== IN_MEMORY) assertWritableFile(paths.venue, 'venue file');
    assertWritableFile(paths.journalFallback, 'journal fallback file');
    store = await openStore(paths.store, config.storage, { clock });
  } catch (error) {
    lease?.release();
    throw error;
  }
  let connector: IAPIConnector;
  let paper: PaperConnector | null;
  let prices: PriceFeed | null;
  let venueMetrics: VenueErrorMetrics | null;
  /** The venue as built, under any wrapper the caller adds (a dry run's). */
  let built: IAPIConnector;
  try {
    ({ connector, paper, prices, venueMetrics } = await createConnector(config, { clock, paths, logger, configFile: options.configFile ?? null }));
    built = connector;
    if (options.wrapConnector) connector = options.wrapConnector(connector);
  } catch (error) {
    await store.close();
    lease?.release();
    throw error;
  }
  try {
    claimVenue(store, paper, paths, options.configFile);
  } catch (error) {
    await prices?.close().catch(() => undefined);
    await connector.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    lease?.release();
    throw error;
  }

  try {
    const bus = createBus(config.bus, logger.child({ component: 'bus' }));
    const metrics = createMetrics(config.orchestration.plan_execution.monitoring, venueMetrics);
    const alerts = createAlertSink(config.alerts, logger, { clock, metrics });
    // the kill switch's changes (published by the trading-state service) are alerted; by name, as the bus map allows any
    const tradingStateAlerts = alertTradingStateChanges(bus, alerts, clock, logger.child({ component: 'alerts' }));
    const stream = new FlowCompletionStream({ bufferSize: config.orchestration.flow_termination.ui_buffer_size });
    const registry = new InMemoryComponentRegistry();
    const tradingState = await JournaledTradingState.open({ journal: store.journal, clock, bus, logger: logger.child({ component: 'trading-state' }) });
    metrics.tradingState(tradingState.current().state);
    const tradingStateGauge = bus.subscribe('TRADING_STATE_CHANGED', (record) => metrics.tradingState(record.state));
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
      intake: config.intake,
      clock,
      logger: logger.child({ component: 'orchestrator' }),
      alerts,
      metrics,
      journalFallbackPath: paths.journalFallback,
      registry,
      recovery: config.recovery,
      risk: config.risk,
      tradingState,
      ...(options.random ? { random: options.random } : {}),
    });

    let closing: Promise<void> | undefined;
    // a shared store's heartbeat; it keeps the leases renewed while close drains the flows
    let presence: WorkerPresence | null = null;
    const close = (): Promise<void> =>
      (closing ??= shutDown(logger, [
        // no new prices once closing: what they triggered is then drained with the flows
        ['close price source', () => prices?.close()],
        ['drain flows', () => orchestrator.drain()],
        ['drain terminations', () => termination.drain()],
        ['dispose orchestrator', () => orchestrator.dispose()],
        ['dispose termination handler', () => termination.dispose()],
        ['stop trading-state alerts', () => bus.unsubscribe(tradingStateAlerts)],
        ['stop trading-state gauge', () => bus.unsubscribe(tradingStateGauge)],
        ['close completion stream', () => stream.close()],
        ['close venue', () => connector.close()],
        // after everything that may raise one; before the store, which alerts do not need
        ['close alerts', () => alerts.close()],
        ['stop worker heartbeat', () => presence?.stop()],
        ['close store', () => store.close()],
        ['release writer lease', () => lease?.release()],
      ]));

    // interrupted flows are finished and the venue's news applied before any directive is taken
    // exits held by planexec live in memory: rebuilt from the ledger (and the journal, for a leg a
    // kill caught between its result's entry and its ledger write) before recovery asks the venue about them
    if (built instanceof HeldExitsConnector) {
      try {
        await built.restore(await heldExitsToRestore(store.ledger, store.journal));
      } catch (error) {
        await close().catch(() => undefined);
        throw error;
      }
    }

    const recoveryRun = new Recovery({
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
    });
    let recovery: RecoveryReport | null = null;
    if (options.recover !== false) {
      try {
        recovery = await recoveryRun.recover();
      } catch (error) {
        await close().catch(() => undefined);
        throw error;
      }
    }

    if (store.workers !== undefined) {
      presence = new WorkerPresence({
        workers: store.workers,
        takeOver: async () => (await recoveryRun.resumeInterrupted({ drain: false })).interrupted.length,
        // a kill switch set on another worker is in the shared journal: followed within a heartbeat
        follow: async () => void (await tradingState.refresh()),
        clock,
        logger: logger.child({ component: 'worker' }),
        alerts,
        ...(options.onWorkerLeaseLost ? { onLeaseLost: options.onWorkerLeaseLost } : {}),
      });
      presence.start();
    }

    // after recovery: fills that arrived while planexec was down are in the ledger, so they are not taken for the baseline
    await recordVenueBaseline({ connector, store, clock, logger: logger.child({ component: 'venue-baseline' }) });

    // prices only after recovery: what they trigger is reported to an orchestrator that knows every order
    if (prices !== null) {
      try {
        await prices.start();
      } catch (error) {
        await close().catch(() => undefined);
        throw error;
      }
    }

    return { config, paths, bus, orchestrator, termination, connector, paper, prices, store, metrics, stream, tradingState, alerts, logger, clock, recovery, close };
  } catch (error) {
    await prices?.close().catch(() => undefined);
    await connector.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    lease?.release();
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
