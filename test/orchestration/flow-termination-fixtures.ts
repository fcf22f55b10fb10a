import type { FlowCompletionDTO } from '../../src/domain/dto.js';
import type { FlowOutcome } from '../../src/domain/enums.js';
import type { Alert, IAlertSink } from '../../src/ports/alerts.js';
import type { BeginFlowResult, FlowRecord, IFlowStore } from '../../src/ports/flow-store.js';

/** A completion as the orchestrator publishes it with _flow_stop_success. */
export function successCompletion(flowId: string, overrides: Partial<FlowCompletionDTO> = {}): FlowCompletionDTO {
  return {
    flow_id: flowId,
    directive_id: flowId,
    strategy_id: 'btc_momentum',
    completion_time: '2026-11-24T10:15:00.250Z',
    started_at: '2026-11-24T10:15:00.000Z',
    duration_ms: 250,
    reason: 'Execution completed successfully',
    final_state: 'SUCCESS',
    outcome: 'SUCCEEDED',
    error_details: null,
    ...overrides,
  };
}

/** A completion as the orchestrator publishes it with _flow_stop_error. */
export function errorCompletion(flowId: string, outcome: Exclude<FlowOutcome, 'SUCCEEDED'> = 'FAILED', overrides: Partial<FlowCompletionDTO> = {}): FlowCompletionDTO {
  const inDoubt = outcome === 'IN_DOUBT';
  return {
    flow_id: flowId,
    directive_id: flowId,
    strategy_id: 'btc_momentum',
    completion_time: '2026-11-24T10:15:03.000Z',
    started_at: '2026-11-24T10:15:00.000Z',
    duration_ms: 3000,
    reason: inDoubt ? 'Execution failed: order outcome unknown after 8 checks' : 'Execution failed: insufficient funds',
    final_state: 'ERROR',
    outcome,
    error_details: inDoubt
      ? { error_type: 'UnknownOutcomeError', error_code: 'IN_DOUBT_UNRESOLVED', error_message: 'order outcome unknown after 8 checks' }
      : { error_type: 'VenueRejected', error_code: 'INSUFFICIENT_FUNDS', error_message: 'insufficient funds' },
    ...overrides,
  };
}

/** An IFlowStore whose finish() records the completions (or only counts them, for memory tests). */
export class FakeFlowStore implements IFlowStore {
  readonly finished: FlowCompletionDTO[] = [];
  finishCount = 0;
  /** Set to make finish() reject (or throw synchronously with `throwSync`). */
  failWith: Error | null = null;
  throwSync = false;
  /** Set to hold every finish() until released. */
  #gate: Promise<void> | null = null;
  #release: (() => void) | null = null;

  constructor(private readonly keepRows = true) {}

  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  release(): void {
    this.#release?.();
    this.#gate = null;
    this.#release = null;
  }

  finish(completion: FlowCompletionDTO): Promise<void> {
    if (this.throwSync && this.failWith !== null) throw this.failWith;
    this.finishCount++;
    if (this.keepRows) this.finished.push(completion);
    const failure = this.failWith;
    const gate = this.#gate;
    if (gate === null) return failure === null ? Promise.resolve() : Promise.reject(failure);
    return gate.then(() => {
      if (failure !== null) throw failure;
    });
  }

  begin(): Promise<BeginFlowResult> {
    return Promise.reject(new Error('not used by FlowTerminationHandler'));
  }

  get(): Promise<FlowRecord | undefined> {
    return Promise.resolve(undefined);
  }

  listUnfinished(): Promise<FlowRecord[]> {
    return Promise.resolve([]);
  }

  counts(): Promise<Readonly<Record<'RUNNING' | FlowOutcome, number>>> {
    return Promise.resolve({ RUNNING: 0, SUCCEEDED: 0, FAILED: 0, IN_DOUBT: 0 });
  }

  list(): Promise<FlowRecord[]> {
    return Promise.resolve([]);
  }
}

export class RecordingAlertSink implements IAlertSink {
  readonly alerts: Alert[] = [];
  failWith: Error | null = null;

  send(alert: Alert): Promise<void> {
    this.alerts.push(alert);
    return this.failWith === null ? Promise.resolve() : Promise.reject(this.failWith);
  }
}
