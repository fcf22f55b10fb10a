import type { Clock } from '../domain/clock.js';
import { JournalEventType } from '../domain/enums.js';
import { JournalError } from '../domain/errors.js';
import { nextJournalEntryId } from '../domain/journal-entry-ids.js';
import type { JournalEntry, JournalEntryInput } from '../ports/journal.js';
import { bodyJson } from './body-json.js';
import type { HashedFields } from './journal-chain.js';

/** An entry as every store hashes and stores it, but for its place in the chain. */
export type EntryRow = Omit<HashedFields, 'seq'>;

/** Where an appended entry landed: its seq and its links. */
export interface ChainLink {
  readonly seq: number;
  readonly prev_hash: string;
  readonly hash: string;
}

const EVENT_TYPES: ReadonlySet<string> = new Set(Object.values(JournalEventType));

/**
 * The event loop's side of appending: an entry is checked, named and serialised once before it
 * is enqueued (a bad entry costs no transaction), the writer chains and stores it (write-ops.ts),
 * and the caller gets it back with its place in the chain.
 */
export interface PreparedEntry {
  readonly input: JournalEntryInput;
  /** What is hashed and stored: the id fixed, the body as its JSON text. */
  readonly row: EntryRow;
}

/** Check an input, fix its id (the caller's, or the next from the process's sequence) and serialise its body. */
export function prepareInput(input: JournalEntryInput, clock: Clock): PreparedEntry {
  if (!EVENT_TYPES.has(input.event_type)) throw invalid(`unknown event_type "${String(input.event_type)}"`);
  if (typeof input.flow_id !== 'string' || input.flow_id === '') throw invalid('flow_id must be a non-empty string');
  if (typeof input.correlation_id !== 'string' || input.correlation_id === '') throw invalid('correlation_id must be a non-empty string');
  if (typeof input.timestamp !== 'string' || input.timestamp === '') throw invalid('timestamp must be an ISO-8601 string');
  if (input.body === null || typeof input.body !== 'object' || Array.isArray(input.body)) throw invalid('body must be a JSON object');
  let body: string;
  try {
    body = bodyJson(input.body);
  } catch (error) {
    throw new JournalError(`journal entry body is not JSON-safe: ${(error as Error).message}`, { flow_id: input.flow_id }, error);
  }
  return {
    input,
    row: {
      entry_id: input.entry_id ?? nextJournalEntryId(clock.now()),
      event_type: input.event_type,
      flow_id: input.flow_id,
      directive_id: input.directive_id ?? null,
      strategy_id: input.strategy_id ?? null,
      timestamp: input.timestamp,
      correlation_id: input.correlation_id,
      causation_id: input.causation_id ?? null,
      body,
    },
  };
}

/** The stored entry: the prepared row with its place in the chain, the body as the caller gave it. */
export function appendedEntry({ input, row }: PreparedEntry, link: ChainLink): JournalEntry {
  return {
    seq: link.seq,
    entry_id: row.entry_id,
    event_type: input.event_type,
    flow_id: row.flow_id,
    directive_id: row.directive_id,
    strategy_id: row.strategy_id,
    timestamp: row.timestamp,
    correlation_id: row.correlation_id,
    causation_id: row.causation_id,
    body: input.body,
    prev_hash: link.prev_hash,
    hash: link.hash,
  };
}

function invalid(message: string): JournalError {
  return new JournalError(`invalid journal entry: ${message}`, { rule: 'journal_entry_shape' });
}
