import type { Database, Statement } from 'better-sqlite3';
import { JournalError } from '../../domain/errors.js';
import type { IJournalWriter, JournalEntry, JournalEntryInput, JournalFilter, JournalVerifyResult } from '../../ports/journal.js';
import { JournalChainVerifier, type JournalHead, type StoredJournalRow } from '../journal-chain.js';
import type { Clock } from '../../domain/clock.js';
import { appendedEntry, JournalHeadReader, prepareInput, type PreparedEntry } from './journal-entries.js';
import type { StoreWriter } from './store-writer.js';
import { toJournalError } from './storage-errors.js';

const VERIFY_CHUNK = 4096;
const COLUMNS = 'seq, entry_id, event_type, flow_id, directive_id, strategy_id, timestamp, correlation_id, causation_id, body, prev_hash, hash';

/**
 * The append-only causality journal on SQLite. Writes go through the shared commit queue and
 * resolve once durable; reads see committed entries only. UPDATE and DELETE on the table are
 * refused by triggers, and `verify` walks the hash chain to catch anything done around them.
 */
export class SqliteJournal implements IJournalWriter {
  readonly #db: Database;
  /** Null for a read-only journal. */
  readonly #writer: StoreWriter | null;
  readonly #clock: Clock;
  readonly #heads: JournalHeadReader;
  /** One chunk of rows and the head, from the same read snapshot (another process may be appending). */
  readonly #readChunk: (after: number) => { rows: StoredJournalRow[]; head: JournalHead };
  readonly #reads = new Map<string, Statement>();
  #closed = false;

  constructor(db: Database, writer: StoreWriter | null, clock: Clock) {
    this.#db = db;
    this.#writer = writer;
    this.#clock = clock;
    const heads = new JournalHeadReader(db);
    this.#heads = heads;
    const chunk: Statement<[number, number], StoredJournalRow> = db.prepare(`SELECT ${COLUMNS} FROM journal WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.#readChunk = db.transaction((after: number) => ({ rows: chunk.all(after, VERIFY_CHUNK), head: heads.head() }));
  }

  logEntry(entry: JournalEntryInput): Promise<JournalEntry> {
    return this.#enqueue([entry], 'logEntry', (written) => written[0]!);
  }

  /** Always journaled as EXECUTION_FAILED, whatever event_type the caller set: an error path must not fail on a label. */
  logError(entry: JournalEntryInput): Promise<JournalEntry> {
    return this.#enqueue([{ ...entry, event_type: 'EXECUTION_FAILED' }], 'logError', (written) => written[0]!);
  }

  append(entries: readonly JournalEntryInput[]): Promise<JournalEntry[]> {
    if (entries.length === 0) return this.#closed ? Promise.reject(this.#closedError()) : Promise.resolve([]);
    return this.#enqueue(entries, 'append', (written) => written);
  }

  async read(filter: JournalFilter = {}): Promise<JournalEntry[]> {
    this.#assertOpen();
    try {
      const rows = this.#readStatement(filter).all({
        after: filter.after_seq ?? 0,
        limit: filter.limit ?? -1,
        directive_id: filter.directive_id ?? null,
        flow_id: filter.flow_id ?? null,
      }) as StoredJournalRow[];
      return rows.map(rowToEntry);
    } catch (error) {
      throw toJournalError(error, 'read');
    }
  }

  /**
   * Streams the chain in chunks, yielding to the event loop between them, so memory stays flat
   * and other work goes on however long the journal is. Entries appended meanwhile are walked
   * too; each chunk is read with the head in one read transaction, so a writer in another
   * process cannot make the last chunk and the head disagree.
   */
  async verify(): Promise<JournalVerifyResult> {
    this.#assertOpen();
    try {
      const verifier = new JournalChainVerifier();
      let after = 0;
      for (;;) {
        const { rows, head } = this.#readChunk(after);
        for (const row of rows) {
          if (!verifier.push(row)) return verifier.finish(head);
          after = row.seq;
        }
        if (rows.length < VERIFY_CHUNK) return verifier.finish(head);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      throw toJournalError(error, 'verify');
    }
  }

  /** The chain's recorded tip (seq 0 and the genesis hash when empty). */
  async head(): Promise<JournalHead> {
    this.#assertOpen();
    try {
      return this.#heads.head();
    } catch (error) {
      throw toJournalError(error, 'head');
    }
  }

  /** Waits for this journal's pending writes and refuses new ones; the database is closed by SqliteStore.close(). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#writer?.flush();
  }

  #enqueue<T>(entries: readonly JournalEntryInput[], operation: string, pick: (written: JournalEntry[]) => T): Promise<T> {
    const writer = this.#writer;
    if (this.#closed || writer === null) return Promise.reject(this.#closedError());
    let prepared: PreparedEntry[];
    try {
      prepared = entries.map((entry) => prepareInput(entry, this.#clock));
    } catch (error) {
      return Promise.reject(toJournalError(error, operation));
    }
    return writer
      .run({ op: 'journal.append', entries: prepared.map((p) => p.row) }, (error) => toJournalError(error, operation))
      .then((links) => pick(links.map((link, i) => appendedEntry(prepared[i]!, link))));
  }

  #readStatement(filter: JournalFilter): Statement {
    const key = `${filter.directive_id === undefined ? 0 : 1}${filter.flow_id === undefined ? 0 : 1}`;
    let statement = this.#reads.get(key);
    if (statement === undefined) {
      const where = ['seq > @after'];
      if (filter.directive_id !== undefined) where.push('directive_id = @directive_id');
      if (filter.flow_id !== undefined) where.push('flow_id = @flow_id');
      statement = this.#db.prepare(`SELECT ${COLUMNS} FROM journal WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`);
      this.#reads.set(key, statement);
    }
    return statement;
  }

  #assertOpen(): void {
    if (this.#closed) throw this.#closedError();
  }

  #closedError(): JournalError {
    return new JournalError('journal is closed', { operation: 'closed' });
  }
}

/** A stored row as an entry, its body parsed (the read models read the table with their own queries). */
export function rowToEntry(row: StoredJournalRow): JournalEntry {
  return {
    seq: row.seq,
    entry_id: row.entry_id,
    event_type: row.event_type as JournalEntry['event_type'],
    flow_id: row.flow_id,
    directive_id: row.directive_id,
    strategy_id: row.strategy_id,
    timestamp: row.timestamp,
    correlation_id: row.correlation_id,
    causation_id: row.causation_id,
    body: JSON.parse(row.body) as JournalEntry['body'],
    prev_hash: row.prev_hash,
    hash: row.hash,
  };
}
