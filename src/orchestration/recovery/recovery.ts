import type { Logger } from 'pino';
import type { IAPIConnector, VenueOrder } from '../../ports/connector.js';
import type { PlanExecutionConfig } from '../../config/schema.js';
import { isoTime, type Clock } from '../../domain/clock.js';
import { errorMessage } from '../../domain/errors.js';
import { sendAlert } from '../alerting.js';
import { JournalFallback } from '../journal-fallback.js';
import type { FlowResult } from '../plan-execution-orchestrator.js';
import type { IAlertSink } from '../../ports/alerts.js';
import type { FlowRecord, IFlowStore } from '../../ports/flow-store.js';
import type { IJournalWriter } from '../../ports/journal.js';
import type { ILedgerProvider } from '../../ports/ledger.js';
import { replayFallback, type FallbackReplayReport } from './fallback-replay.js';
import { VenueSync, type VenueSyncReport } from './venue-sync.js';

/** What the orchestrator lends recovery (PlanExecutionOrchestrator implements it). */
export interface RecoveryHost {
  resume(flow: FlowRecord): Promise<FlowResult>;
  rebuild(flowId: string): Promise<boolean>;
  applyVenueOrder(order: VenueOrder): Promise<void>;
  /** Every submission and venue report received so far is finished. */
  drain(): Promise<void>;
}

export interface RecoveryDeps {
  readonly host: RecoveryHost;
  readonly flows: IFlowStore;
  readonly journal: IJournalWriter;
  readonly ledger: ILedgerProvider;
  readonly connector: IAPIConnector;
  readonly config: PlanExecutionConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly alerts: IAlertSink;
  /** storage.journal_fallback_path */
  readonly journalFallbackPath: string;
  /** Resolves once every stop published so far is persisted (FlowTerminationHandler.drain). */
  readonly stopsPersisted: () => Promise<void>;
}

/** One interrupted flow and how recovery ended it. */
export interface RecoveredFlow {
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly outcome: FlowResult['outcome'] | 'UNFINISHED';
  readonly error_code: string | null;
  readonly reason: string;
}

export interface RecoveryReport {
  /** The journal fallback file replayed into the journal; `error` when the journal still refused it (the file is kept). */
  readonly fallback: FallbackReplayReport & { readonly error: string | null };
  /** Flows found begun and never stopped (a crash interrupted them). */
  readonly interrupted: number;
  /** How recovery ended them: each now has its one stop. */
  readonly succeeded: number;
  readonly failed: number;
  readonly in_doubt: number;
  /** Interrupted flows still without a stop (their journal could not be read): a later recovery retries them. */
  readonly unfinished: number;
  /** The first MAX_LISTED flows recovery ended (or could not). */
  readonly flows: readonly RecoveredFlow[];
  /** Orders compared with the venue, and what changed. */
  readonly orders: VenueSyncReport;
  readonly duration_ms: number;
  /** Every interrupted flow finished and the fallback replayed. */
  readonly ok: boolean;
}

const MAX_LISTED = 100;

/**
 * Crash recovery (docs/reliability.md). Run at start-up before any directive is taken (the
 * composition root awaits it) and by `planexec recover`:
 * (a) replay the journal fallback file into the journal;
 * (b) finish every flow begun and never stopped: the orchestrator resumes it on its strategy's
 *     queue (RESUME mode: legs that may have reached the venue are looked up, never re-sent) and
 *     it ends with exactly one stop;
 * (c) compare every order that may still rest at the venue with the venue and apply what happened
 *     while planexec was down, exactly once, through the venue-event path;
 * (d) rebuild trades the ledger lost after a ledger failure (on_ledger_failure) from the venue.
 * Each step is idempotent: a crash during recovery is recovered by the next one.
 */
export class Recovery {
  readonly #deps: RecoveryDeps;

  constructor(deps: RecoveryDeps) {
    this.#deps = deps;
  }

  async recover(): Promise<RecoveryReport> {
    const { clock, flows, host, logger } = this.#deps;
    const startedAt = clock.now();
    const fallback = await this.#replayFallback();

    const { interrupted, recovered } = await this.resumeInterrupted();
    const stillRunning = new Set((await flows.listUnfinished()).map((f) => f.directive_id ?? f.flow_id));

    const orders = await new VenueSync({
      ledger: this.#deps.ledger,
      journal: this.#deps.journal,
      connector: this.#deps.connector,
      config: this.#deps.config,
      clock,
      logger,
      apply: (order) => host.applyVenueOrder(order),
      rebuild: (flowId) => host.rebuild(flowId),
    }).run(stillRunning);
    await host.drain();
    await this.#deps.stopsPersisted();

    const count = (outcome: RecoveredFlow['outcome']): number => recovered.filter((r) => r.outcome === outcome).length;
    const unfinished = (await flows.listUnfinished()).filter((f) => interrupted.some((i) => i.flow_id === f.flow_id)).length;
    const report: RecoveryReport = {
      fallback,
      interrupted: interrupted.length,
      succeeded: count('SUCCEEDED'),
      failed: count('FAILED'),
      in_doubt: count('IN_DOUBT'),
      unfinished,
      flows: recovered.slice(0, MAX_LISTED),
      orders,
      duration_ms: Math.max(0, clock.now() - startedAt),
      ok: unfinished === 0 && fallback.error === null,
    };
    if (interrupted.length > 0 || fallback.replayed > 0 || orders.updated + orders.not_placed + orders.rebuilt_trades > 0) {
      logger.warn({ recovery: { ...report, flows: undefined } }, 'recovery finished interrupted work');
    }
    if (!report.ok) await this.#alert('RECOVERY_INCOMPLETE', `recovery left ${unfinished} interrupted flow(s) unfinished${fallback.error ? `; journal fallback not replayed: ${fallback.error}` : ''}`);
    return report;
  }

  /**
   * Finish the interrupted flows this process may take (all of them on the embedded store; a dead
   * worker's on a shared one), each resumed on its strategy's queue, and wait for their stops.
   * A live worker runs this again whenever it may find a dead worker's flows.
   */
  async resumeInterrupted(options: { readonly drain?: boolean } = {}): Promise<{ interrupted: FlowRecord[]; recovered: RecoveredFlow[] }> {
    const { flows, host } = this.#deps;
    const interrupted = flows.takeInterrupted ? await flows.takeInterrupted() : await flows.listUnfinished();
    if (interrupted.length === 0) return { interrupted, recovered: [] };
    const recovered = await Promise.all(interrupted.map((flow) => this.#resume(flow)));
    // at start-up, everything they set off settles before directives are taken; a live worker goes on
    if (options.drain !== false) await host.drain();
    await this.#deps.stopsPersisted();
    return { interrupted, recovered };
  }

  async #replayFallback(): Promise<RecoveryReport['fallback']> {
    const { journal, logger } = this.#deps;
    try {
      const replay = await replayFallback(new JournalFallback(this.#deps.journalFallbackPath), journal, (line) =>
        logger.error({ line }, 'recovery: journal fallback line is not an entry; dropped'),
      );
      if (replay.replayed > 0) logger.warn({ ...replay, path: this.#deps.journalFallbackPath }, 'recovery: journal fallback replayed into the journal');
      return { ...replay, error: null };
    } catch (error) {
      logger.error({ err: error }, 'recovery: journal fallback could not be replayed; the file is kept');
      return { replayed: 0, already_journaled: 0, malformed: 0, error: errorMessage(error) };
    }
  }

  async #resume(flow: FlowRecord): Promise<RecoveredFlow> {
    try {
      const result = await this.#deps.host.resume(flow);
      return { flow_id: result.flow_id, directive_id: result.directive_id, outcome: result.outcome, error_code: result.error_code, reason: result.reason };
    } catch (error) {
      this.#deps.logger.error({ err: error, flow_id: flow.flow_id }, 'recovery: an interrupted flow could not be resumed');
      return { flow_id: flow.flow_id, directive_id: flow.directive_id, outcome: 'UNFINISHED', error_code: 'RECOVERY_FAILED', reason: errorMessage(error) };
    }
  }

  #alert(code: string, message: string): Promise<void> {
    return sendAlert(this.#deps.alerts, this.#deps.logger, { severity: 'critical', code, message, timestamp: isoTime(this.#deps.clock.now()) });
  }
}
