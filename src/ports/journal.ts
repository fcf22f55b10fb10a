import type { JournalEventType } from '../domain/enums.js';

/** The causality journal: append-only, hash-chained; the record the ledger and flows tables are projections of. Writes resolve once durable. */

/** What a caller hands the journal; seq and the hash chain are the journal's, entry_id too unless the caller named it. */
export interface JournalEntryInput {
  /** Named by the caller (nextJournalEntryId) when it must point at the entry before it is appended; else the journal names it. */
  readonly entry_id?: string;
  readonly event_type: JournalEventType;
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly strategy_id: string | null;
  /** ISO-8601 UTC: when planexec recorded it. */
  readonly timestamp: string;
  /** The directive (workflow) this belongs to; = flow_id for directive flows. */
  readonly correlation_id: string;
  /** entry_id of the direct parent entry; null for the first entry of a flow. */
  readonly causation_id: string | null;
  /** The spec's causality fields and the rest, JSON-safe wire form (decimals as strings). */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface JournalEntry extends JournalEntryInput {
  readonly seq: number;
  readonly entry_id: string;
  readonly prev_hash: string;
  readonly hash: string;
}

export interface JournalFilter {
  readonly directive_id?: string;
  readonly flow_id?: string;
  readonly after_seq?: number;
  readonly limit?: number;
}

export type JournalVerifyResult =
  | { readonly ok: true; readonly entries: number }
  | { readonly ok: false; readonly entries: number; readonly first_bad_seq: number; readonly reason: string };

/** The journal's reads: all a reader of a database it does not write may call. */
export interface IJournalReader {
  read(filter?: JournalFilter): Promise<JournalEntry[]>;
  /** Walk the hash chain from seq 1: any altered, inserted or removed entry is found. */
  verify(): Promise<JournalVerifyResult>;
}

export interface IJournalWriter extends IJournalReader {
  /** Append one entry; durable when resolved. */
  logEntry(entry: JournalEntryInput): Promise<JournalEntry>;
  /** Append an EXECUTION_FAILED entry; durable when resolved. */
  logError(entry: JournalEntryInput): Promise<JournalEntry>;
  /** Append several entries atomically, in order; durable when resolved. */
  append(entries: readonly JournalEntryInput[]): Promise<JournalEntry[]>;
  close(): Promise<void>;
}
