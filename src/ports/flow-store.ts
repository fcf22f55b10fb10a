import type { FinalState, FlowOutcome } from '../domain/enums.js';
import type { FlowCompletionDTO } from '../domain/dto.js';
import type { JournalEntryInput } from './journal.js';

/** A flow's row in the flows table. */
export interface FlowRecord {
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly strategy_id: string | null;
  readonly status: 'RUNNING' | FlowOutcome;
  readonly final_state: FinalState | null;
  readonly reason: string | null;
  readonly error_details: FlowCompletionDTO['error_details'];
  readonly started_at: string;
  readonly completed_at: string | null;
  readonly duration_ms: number | null;
}

export type BeginFlowResult =
  | {
      readonly status: 'started';
      /** The DIRECTIVE_ACCEPTED entry's id: the flow's first causation. */
      readonly entry_id: string;
      /**
       * Resolves once the RUNNING row and DIRECTIVE_ACCEPTED are durable (rejects if they could not be
       * made so). Writes the flow enqueues after `begin` commit with it or later, so a flow awaits this
       * only where it must (its first write-ahead, which shares the commit: DESIGN §3b).
       */
      readonly durable: Promise<void>;
    }
  | { readonly status: 'duplicate'; readonly flow: FlowRecord };

/** Which flows `IFlowStore.list` returns: newest first (started_at, then flow_id, descending). */
export interface FlowListFilter {
  readonly status?: FlowRecord['status'];
  readonly strategy_id?: string;
  /** Flows started at or after this ISO-8601 time. */
  readonly since?: string;
  /** Only flows older than this one in the list's order (a page's last row: the next page). */
  readonly before?: { readonly started_at: string; readonly flow_id: string };
  readonly limit: number;
}

/**
 * The flows table: idempotent intake (a flow id begins once, ever) and final-state persistence.
 * `begin` decides at once whether the flow id is new (the store is its database's one writer:
 * invariant 9) and enqueues the RUNNING row with the DIRECTIVE_ACCEPTED entry as one unit; it does
 * not wait for their commit (`durable` does).
 */
export interface IFlowStore extends IFlowReader {
  begin(flow: { readonly flow_id: string; readonly directive_id: string | null; readonly strategy_id: string | null; readonly started_at: string }, accepted: JournalEntryInput): Promise<BeginFlowResult>;
  finish(completion: FlowCompletionDTO): Promise<void>;
  /**
   * The unfinished flows this process may finish, now its own. Absent: every unfinished flow
   * (the embedded store's one writer holds the database). A shared store gives only flows whose
   * worker's lease expired, each to one taker, never a live worker's.
   */
  takeInterrupted?(): Promise<FlowRecord[]>;
}

/** The flows table's reads: all a reader of a database it does not write may call. */
export interface IFlowReader {
  get(flowId: string): Promise<FlowRecord | undefined>;
  /** Flows begun and never finished (interrupted by a crash): recovery finishes them. */
  listUnfinished(): Promise<FlowRecord[]>;
  counts(): Promise<Readonly<Record<'RUNNING' | FlowOutcome, number>>>;
  /** A page of flows, newest first (the HTTP API's flow list). */
  list(filter: FlowListFilter): Promise<FlowRecord[]>;
}
