import type { JournalEntry } from '../ports/journal.js';
import { renderTable } from './table.js';

const HEAD = ['seq', 'entry_id', 'event_type', 'flow_id', 'directive_id', 'strategy_id', 'timestamp', 'correlation_id', 'causation_id'] as const;
const TAIL = ['prev_hash', 'hash'] as const;

/**
 * One journal entry as a JSON object: the envelope, the body's fields spread at the top level,
 * then the chain. A body field named like an envelope field is dropped when it repeats the
 * envelope's value, and kept as `body_<name>` when it differs (nothing is lost, nothing overwritten).
 */
export function journalEntryJson(entry: JournalEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of HEAD) out[key] = entry[key];
  const reserved = new Map<string, unknown>([...HEAD, ...TAIL].map((k) => [k, entry[k]]));
  for (const [key, value] of Object.entries(entry.body)) {
    if (reserved.has(key) && reserved.get(key) === value) continue;
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

/**
 * The body in one line: `key=value` for each field the envelope does not already show, plain
 * values first (a status or an error message says more in a narrow column than a nested object),
 * empty ones (null) left out: `journal --json` has every field.
 */
export function journalDetail(entry: JournalEntry): string {
  const fields = Object.entries(entry.body).filter(([k, v]) => v !== undefined && v !== null && !((HEAD as readonly string[]).includes(k) && entry[k as (typeof HEAD)[number]] === v));
  const nested = (v: unknown): boolean => v !== null && typeof v === 'object';
  return [...fields.filter(([, v]) => !nested(v)), ...fields.filter(([, v]) => nested(v))].map(([k, v]) => `${k}=${scalar(v)}`).join(' ');
}

export function journalTable(entries: readonly JournalEntry[]): string {
  return renderTable<JournalEntry>(
    [
      { header: 'SEQ', value: (e) => String(e.seq), align: 'right' },
      { header: 'TIME', value: (e) => e.timestamp },
      { header: 'EVENT', value: (e) => e.event_type },
      { header: 'FLOW', value: (e) => e.directive_id ?? e.flow_id },
      { header: 'STRATEGY', value: (e) => e.strategy_id ?? '-' },
      { header: 'DETAIL', value: (e) => journalDetail(e), maxWidth: 100 },
    ],
    entries,
  );
}
