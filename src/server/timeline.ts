import type { JournalEntry } from '../ports/journal.js';
import type { TIMELINE_KINDS } from './api-schemas.js';

export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** Where each journal entry type sits in a flow's causality: directive → plans → orders → fills → ledger → events. */
const KIND_OF: Readonly<Record<string, TimelineKind>> = {
  DIRECTIVE_ACCEPTED: 'directive',
  ORDER_INTENT: 'plan',
  ORDER_RESULT: 'order',
  ORDER_IN_DOUBT: 'order',
  PROTECTIVE_TRIGGERED: 'order',
  FILL_RECORDED: 'fill',
  TRADE_OPENED: 'ledger',
  POSITION_MODIFIED: 'ledger',
  TRADE_CLOSED: 'ledger',
  EXECUTION_FAILED: 'error',
  ANOMALY: 'error',
  FLOW_STOPPED: 'stop',
};

/** The kind of a journal entry; types this list does not know (policy decisions, state changes) are events. */
export function timelineKind(eventType: string): TimelineKind {
  return KIND_OF[eventType] ?? 'event';
}

export function timelineItem(entry: JournalEntry) {
  return {
    seq: entry.seq,
    entry_id: entry.entry_id,
    event_type: entry.event_type,
    kind: timelineKind(entry.event_type),
    timestamp: entry.timestamp,
    causation_id: entry.causation_id,
    body: entry.body,
  };
}
