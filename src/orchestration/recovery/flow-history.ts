import { parseDirective, type ExecutionDirective } from '../../domain/directive.js';
import { errorMessage } from '../../domain/errors.js';
import type { FlowRecord } from '../../ports/flow-store.js';
import type { IJournalWriter, JournalEntry } from '../../ports/journal.js';
import { ResumeLegs, type ResendPolicy } from './resume-legs.js';

const CAUSALITY_TYPES: ReadonlySet<string> = new Set(['TRADE_OPENED', 'POSITION_MODIFIED', 'TRADE_CLOSED']);

/** How far an interrupted flow got, read from its journal entries. */
export interface FlowHistory {
  /** The flow's own entries, oldest first (venue-event entries that share its correlation are left out). */
  readonly entries: readonly JournalEntry[];
  /** The directive as accepted (DIRECTIVE_ACCEPTED body); null for input that was not a valid directive. */
  readonly directive: ExecutionDirective | null;
  /** Why the accepted body could not be read back, when it could not. */
  readonly unreadable: string | null;
  /** The input line the directive came from. */
  readonly line: number | null;
  /** The flow's causality entry (TRADE_OPENED / POSITION_MODIFIED / TRADE_CLOSED): it succeeded. */
  readonly causality: JournalEntry | null;
  /** The flow's EXECUTION_FAILED entry: it was on its error path. */
  readonly failure: JournalEntry | null;
  /** A POLICY_APPLIED entry follows the failure: the error policy ran. */
  readonly policyApplied: boolean;
  /** Where what recovery writes attaches to the flow's causation chain. */
  readonly lastEntryId: string | null;
  readonly legs: ResumeLegs;
}

/** Read one flow's journal entries and work out where it stopped. `resend`: the rule a resumed flow sends unreceived legs by (none for a rebuild). */
export async function readFlowHistory(journal: IJournalWriter, flow: FlowRecord, resend: ResendPolicy | null = null): Promise<FlowHistory> {
  const all = await journal.read({ flow_id: flow.flow_id });
  // venue reports about a trade are journaled under its opening directive with directive_id null
  const entries = flow.directive_id === null ? all : all.filter((e) => e.directive_id === flow.directive_id);
  let directive: ExecutionDirective | null = null;
  let unreadable: string | null = null;
  let line: number | null = null;
  let causality: JournalEntry | null = null;
  let failure: JournalEntry | null = null;
  let policyApplied = false;
  for (const entry of entries) {
    switch (entry.event_type) {
      case 'DIRECTIVE_ACCEPTED':
        if (directive !== null) break;
        line = typeof entry.body['line'] === 'number' ? entry.body['line'] : null;
        try {
          directive = parseDirective(entry.body['directive']);
        } catch (error) {
          unreadable = errorMessage(error);
        }
        break;
      case 'EXECUTION_FAILED':
        failure ??= entry;
        if (line === null && typeof entry.body['line'] === 'number') line = entry.body['line'];
        break;
      case 'POLICY_APPLIED':
        if (failure !== null) policyApplied = true;
        break;
      default:
        if (CAUSALITY_TYPES.has(entry.event_type)) causality ??= entry;
    }
  }
  return {
    entries,
    directive,
    unreadable,
    line,
    causality,
    failure,
    policyApplied,
    lastEntryId: entries.at(-1)?.entry_id ?? null,
    legs: ResumeLegs.fromEntries(entries, resend, startedAt(flow)),
  };
}

function startedAt(flow: FlowRecord): number | null {
  const ms = Date.parse(flow.started_at);
  return Number.isFinite(ms) ? ms : null;
}
