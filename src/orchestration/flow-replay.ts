import { recordedNotes, successReasonWith } from './causality.js';
import type { FlowRecord } from '../ports/flow-store.js';
import type { JournalEntry } from '../ports/journal.js';
import { denialReason, isTradingStateDenial } from './trading-state-gate.js';
import { ExecutionErrorCode } from './execution-errors.js';

/**
 * The flows table rebuilt from the journal alone (DESIGN §3b: the journal is the record, the
 * flows table a projection of it). Pure: entries in, flow rows out.
 *
 * - DIRECTIVE_ACCEPTED begins a flow: RUNNING, with its directive and strategy.
 * - The directive's causality entry (TRADE_OPENED / POSITION_MODIFIED / TRADE_CLOSED) ends it
 *   SUCCEEDED; the reason is the one the stop gives (its notes appended).
 * - EXECUTION_FAILED ends it FAILED, or IN_DOUBT for IN_DOUBT_UNRESOLVED, with the reason and
 *   error details the stop gives; a later entry wins (a failure after the causality entry, when a
 *   critical TRADE_EXECUTED subscriber failed). An EXECUTION_FAILED of a flow never begun is the
 *   rejected input's own begin: its row has no directive id (the id of an invalid directive is not
 *   reserved).
 *
 * What the journal does not carry, so the rebuilt row only approximates it: `started_at` (the
 * flows table has the submission's arrival, the journal the acceptance), `completed_at` and
 * `duration_ms` (the stop itself is not journaled: here the deciding entry's time). A stop made
 * without a journal entry (an internal error escaping a flow, or an EXECUTION_FAILED that could
 * not be written) leaves the rebuilt row RUNNING or SUCCEEDED.
 */
export class FlowReplayer {
  readonly #flows = new Map<string, FlowRecord>();

  get flows(): ReadonlyMap<string, FlowRecord> {
    return this.#flows;
  }

  apply(entry: JournalEntry): void {
    switch (entry.event_type) {
      case 'DIRECTIVE_ACCEPTED':
        if (!this.#flows.has(entry.flow_id)) this.#flows.set(entry.flow_id, begun(entry, entry.directive_id));
        return;
      case 'TRADE_OPENED':
      case 'POSITION_MODIFIED':
      case 'TRADE_CLOSED': {
        // a venue event's TRADE_CLOSED (a stop or target filled) carries the opening directive's flow
        // id but is not that flow's causality entry, which alone names the directive's scope
        const flow = this.#flows.get(entry.flow_id);
        if (flow && entry.body['scope'] !== undefined) this.#flows.set(entry.flow_id, stopped(flow, entry, { status: 'SUCCEEDED', final_state: 'SUCCESS', reason: successReasonWith(recordedNotes(entry.body)), error_details: null }));
        return;
      }
      case 'EXECUTION_FAILED': {
        const flow = this.#flows.get(entry.flow_id) ?? begun(entry, null);
        this.#flows.set(entry.flow_id, stopped(flow, entry, failure(entry)));
        return;
      }
      default:
        return;
    }
  }
}

type Stop = Pick<FlowRecord, 'status' | 'final_state' | 'reason' | 'error_details'>;

function begun(entry: JournalEntry, directiveId: string | null): FlowRecord {
  return {
    flow_id: entry.flow_id,
    directive_id: directiveId,
    strategy_id: entry.strategy_id,
    status: 'RUNNING',
    final_state: null,
    reason: null,
    error_details: null,
    started_at: entry.timestamp,
    completed_at: null,
    duration_ms: null,
  };
}

function stopped(flow: FlowRecord, entry: JournalEntry, stop: Stop): FlowRecord {
  const duration = Date.parse(entry.timestamp) - Date.parse(flow.started_at);
  return { ...flow, ...stop, completed_at: entry.timestamp, duration_ms: Number.isFinite(duration) ? Math.max(0, duration) : null };
}

/** As PlanExecutionOrchestrator builds the stop of a failed flow from the same facts. */
function failure(entry: JournalEntry): Stop {
  const body = entry.body;
  const code = text(body['error_code']) ?? 'INTERNAL';
  const message = text(body['error_message']) ?? '';
  const line = typeof body['line'] === 'number' ? body['line'] : null;
  return {
    status: code === ExecutionErrorCode.IN_DOUBT_UNRESOLVED ? 'IN_DOUBT' : 'FAILED',
    final_state: 'ERROR',
    reason: isTradingStateDenial(code) ? denialReason(message, line) : `Execution failed: ${message}`,
    error_details: { error_type: text(body['error_type']) ?? 'Error', error_code: code, error_message: message },
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
