import type { Logger } from 'pino';
import type { IEventBus } from '../ports/bus.js';
import type { PlanexecEvents } from '../ports/events.js';
import type { PlanExecutionConfig } from '../config/schema.js';
import type { Clock } from '../domain/clock.js';
import { Deadline } from './deadline.js';
import type { ErrorPolicy } from './error-policy.js';
import type { ExecutionContext, ExecutionContextInit } from './execution-context.js';
import type { FlowState, FlowStopper } from './flow-stopper.js';
import type { JournalRecorder } from './journal-recorder.js';
import type { IAlertSink } from '../ports/alerts.js';
import type { IComponentRegistry } from '../ports/registry.js';
import type { IFlowStore } from '../ports/flow-store.js';
import type { IJournalWriter } from '../ports/journal.js';
import type { ILedgerProvider } from '../ports/ledger.js';
import type { ITradingStateControl } from '../ports/trading-state.js';
import type { ResumeDeps } from './recovery/leg-recovery.js';
import type { ResendPolicy } from './recovery/resume-legs.js';

/** What every stage of a flow works with: wired once by the PlanExecutionOrchestrator. */
export interface FlowServices {
  readonly bus: IEventBus<PlanexecEvents>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly alerts: IAlertSink;
  readonly flows: IFlowStore;
  readonly journal: IJournalWriter;
  readonly ledger: ILedgerProvider;
  readonly config: PlanExecutionConfig;
  /** 0: no age limit. */
  readonly maxDirectiveAgeSeconds: number;
  readonly registry: IComponentRegistry | undefined;
  readonly tradingState: ITradingStateControl | undefined;
  readonly recorder: JournalRecorder;
  /** The scope handlers' deps; recovery's look-ups of the legs a crash left behind too. */
  readonly scopeDeps: ResumeDeps;
  readonly policy: ErrorPolicy;
  readonly stopper: FlowStopper;
  readonly resend: ResendPolicy;
  readonly context: (init: ExecutionContextInit) => ExecutionContext;
}

/** The execution context of one flow: its flow id is its correlation id. */
export function flowContext(services: FlowServices, state: FlowState, logger: Logger, causationId: string | null, signal: AbortSignal): ExecutionContext {
  return services.context({
    flowId: state.flowId,
    directiveId: state.directiveId,
    strategyId: state.strategyId,
    correlationId: state.flowId,
    causationId,
    logger,
    signal,
  });
}

/** The flow's timeout_seconds, registered so the FlowTerminationHandler disposes it at the flow's stop. */
export function flowDeadline(services: FlowServices, flowId: string): Deadline {
  const deadline = new Deadline(services.clock, services.config.timeout_seconds);
  services.registry?.register(flowId, { dispose: () => deadline.cancel() });
  return deadline;
}
