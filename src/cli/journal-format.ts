import type { JournalEntry } from '../orchestration/ports.js';
import { renderTable } from './table.js';

const HEAD = ['seq', 'entry_id', 'event_type', 'flow_id', 'directive_id', 'strategy_id', 'timestamp', 'correlation_id', 'causation_id'] as const;
const TAIL = ['prev_hash', 'hash'] as const;

/**
 * One journal entry as a JSON object: the envelope, the body's fields spread at the top level,
 * then the chain. A body field named like an envelope field is kept as `body_<name>`.
 */
export function journalEntryJson(entry: JournalEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of HEAD) out[key] = entry[key];
  const reserved = new Set<string>([...HEAD, ...TAIL]);
  for (const [key, value] of Object.entries(entry.body)) {
    Object.defineProperty(out, reserved.has(key) ? `body_${key}` : key, { value, enumerable: true, writable: true, configurable: true });
  }
  for (const key of TAIL) out[key] = entry[key];
  return out;
}

function scalar(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The body in one line: `key=value` for each field. */
export function journalDetail(body: Readonly<Record<string, unknown>>): string {
  return Object.entries(body)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${scalar(v)}`)
    .join(' ');
}

export function journalTable(entries: readonly JournalEntry[]): string {
  return renderTable<JournalEntry>(
    [
      { header: 'SEQ', value: (e) => String(e.seq), align: 'right' },
      { header: 'TIME', value: (e) => e.timestamp },
      { header: 'EVENT', value: (e) => e.event_type },
      { header: 'FLOW', value: (e) => e.directive_id ?? e.flow_id },
      { header: 'STRATEGY', value: (e) => e.strategy_id ?? '-' },
      { header: 'DETAIL', value: (e) => journalDetail(e.body), maxWidth: 100 },
    ],
    entries,
  );
}
