import type { JournalReplay } from '../orchestration/journal-replay.js';
import type { FlowRecord } from '../ports/flow-store.js';
import { sameValue, valueText, type VerifyDifference } from './verify-differences.js';

/**
 * Every field of a flow row the journal determines. started_at, completed_at and duration_ms are
 * not compared: the journal has the acceptance, not the submission's arrival, and does not record
 * the stop itself (flow-replay.ts).
 */
export const FLOW_FIELDS = ['directive_id', 'strategy_id', 'status', 'final_state', 'reason', 'error_details'] as const satisfies readonly (keyof FlowRecord)[];

/** The flows table against the flows rebuilt from the journal. Pure. */
export function compareFlowsWithJournal(flows: readonly FlowRecord[], replay: JournalReplay): VerifyDifference[] {
  const out: VerifyDifference[] = [];
  const diff = (id: string, field: string, ledgerValue: string | null, journalValue: string | null): void => {
    const message =
      field === 'exists'
        ? `flow ${id}: ${ledgerValue === null ? 'in the journal but not in the flows table' : 'in the flows table but not in the journal'}`
        : `flow ${id}: ${field}: flows table ${ledgerValue ?? 'null'}, journal ${journalValue ?? 'null'}`;
    out.push({ check: 'journal_flows', subject: 'flow', id, trade_id: null, field, ledger: ledgerValue, expected: journalValue, message });
  };
  const stored = new Set<string>();
  for (const flow of flows) {
    stored.add(flow.flow_id);
    const rebuilt = replay.flows.get(flow.flow_id);
    if (!rebuilt) {
      diff(flow.flow_id, 'exists', flow.status, null);
      continue;
    }
    for (const field of FLOW_FIELDS) {
      const a = field === 'error_details' ? detailsText(flow.error_details) : flow[field];
      const b = field === 'error_details' ? detailsText(rebuilt.error_details) : rebuilt[field];
      if (!sameValue(a, b)) diff(flow.flow_id, field, valueText(a), valueText(b));
    }
  }
  for (const [id, rebuilt] of replay.flows) {
    if (!stored.has(id)) diff(id, 'exists', null, rebuilt.status);
  }
  return out;
}

/** Error details as one comparable text, keys in a fixed order. */
function detailsText(details: FlowRecord['error_details']): string | null {
  return details === null ? null : JSON.stringify({ error_type: details.error_type, error_code: details.error_code, error_message: details.error_message });
}
