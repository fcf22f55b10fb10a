import type { Logger } from 'pino';
import type { IntakeConfig, PlanExecutionConfig, RecoveryConfig, RiskConfig } from '../config/schema.js';
import type { Clock } from '../domain/clock.js';
import type { IAlertSink } from '../ports/alerts.js';
import type { IEventBus } from '../ports/bus.js';
import type { IAPIConnector } from '../ports/connector.js';
import type { PlanexecEvents } from '../ports/events.js';
import type { IFlowStore } from '../ports/flow-store.js';
import type { IJournalWriter } from '../ports/journal.js';
import type { ILedgerProvider } from '../ports/ledger.js';
import type { IMetricsCollector } from '../ports/metrics.js';
import type { IComponentRegistry } from '../ports/registry.js';
import type { ITradingStateControl } from '../ports/trading-state.js';

/** What the PlanExecutionOrchestrator is built from: the ports, its config sections and the clock. */
export interface PlanExecutionOrchestratorDeps {
  /** The spec's four interfaces … */
  readonly connector: IAPIConnector;
  readonly ledger: ILedgerProvider;
  readonly journal: IJournalWriter;
  readonly bus: IEventBus<PlanexecEvents>;
  /** … plus the flow store, for idempotent intake (a directive_id is executed once, ever). */
  readonly flows: IFlowStore;
  readonly config: PlanExecutionConfig;
  /** The `intake` section (max_directive_age_seconds). Default: no age limit. */
  readonly intake?: Pick<IntakeConfig, 'max_directive_age_seconds'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly alerts: IAlertSink;
  readonly metrics: IMetricsCollector;
  /** Where journal entries go while the journal cannot be written (storage.journal_fallback_path). */
  readonly journalFallbackPath: string;
  /** [0, 1) for backoff jitter. Default Math.random. */
  readonly random?: () => number;
  /**
   * Where flow-scoped resources (the flow's deadline timer) register, so the FlowTerminationHandler
   * disposes them at the flow's stop. Without one, the orchestrator disposes them itself.
   */
  readonly registry?: IComponentRegistry;
  /** The top-level `recovery` section (resend_within_seconds); its defaults without one. */
  readonly recovery?: RecoveryConfig;
  /** The top-level `risk` section (pre-trade limits); every limit off without one. */
  readonly risk?: RiskConfig;
  /**
   * The kill switch, read when each directive is accepted (before anything of it is sent): a
   * directive its state does not let through stops DENIED. Without one, always ACTIVE.
   */
  readonly tradingState?: ITradingStateControl;
}
