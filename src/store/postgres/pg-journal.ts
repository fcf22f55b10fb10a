import type { Pool, PoolClient } from 'pg';
import type { Clock } from '../../domain/clock.js';
import { errorMessage, JournalError } from '../../domain/errors.js';
import type { IJournalWriter, JournalEntry, JournalEntryInput, JournalFilter, JournalVerifyResult } from '../../ports/journal.js';
import { entryHash, GENESIS_HASH, JournalChainVerifier, type StoredJournalRow } from '../journal-chain.js';
import { appendedEntry, type PreparedEntry, prepareInput } from '../journal-input.js';
import { PgWriter } from './pg-writer.js';

/** The chain of entries that belong to no strategy (the kill switch, venue reports of unknown orders). */
export const PLATFORM_CHAIN = '_platform';

/** Every schema object the journal needs; idempotent, run at open. */
export const JOURNAL_SCHEMA = `
CREATE SEQUENCE IF NOT EXISTS journal_seq;
CREATE TABLE IF NOT EXISTS journal_chains (
  chain TEXT PRIMARY KEY,
  chain_seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (
  seq BIGINT PRIMARY KEY,
  chain TEXT NOT NULL,
  chain_seq BIGINT NOT NULL,
  entry_id TEXT NOT NULL UNIQUE,
  event_type TEXT NOT NULL,
  flow_id TEXT NOT NULL,
  directive_id TEXT,
  strategy_id TEXT,
  timestamp TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  causation_id TEXT,
  body TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (chain, chain_seq)
);
CREATE INDEX IF NOT EXISTS journal_directive ON journal (directive_id, seq);
CREATE INDEX IF NOT EXISTS journal_flow ON journal (flow_id, seq);
`;

interface JournalRow {
  readonly seq: string;
  readonly chain: string;
  readonly chain_seq: string;
  readonly entry_id: string;
  readonly event_type: string;
  readonly flow_id: string;
  readonly directive_id: string | null;
  readonly strategy_id: string | null;
  readonly timestamp: string;
  readonly correlation_id: string;
  readonly causation_id: string | null;
  readonly body: string;
  readonly prev_hash: string;
  readonly hash: string;
}

const VERIFY_CHUNK = 2_000;

/**
 * The journal in PostgreSQL (distributed mode, DESIGN §6). One hash chain per strategy, not one
 * for the whole journal: workers appending for different strategies lock different chain rows,
 * so they never queue behind one another; a strategy's entries are written by the one worker
 * that owns its flows. Each entry is hashed with its place in its chain (`chain_seq`); `seq` is a
 * global order (a sequence: gaps where a transaction rolled back, none within a committed batch
 * of one chain). `verify` walks every chain against the head `journal_chains` records.
 */
export class PgJournal implements IJournalWriter {
  readonly #pool: Pool;
  readonly #clock: Clock;
  readonly #writer: PgWriter;
  #closed = false;

  constructor(pool: Pool, clock: Clock, writer: PgWriter = new PgWriter(pool)) {
    this.#pool = pool;
    this.#clock = clock;
    this.#writer = writer;
  }

  /** Create the schema objects (idempotent). */
  static async migrate(pool: Pool): Promise<void> {
    await pool.query(JOURNAL_SCHEMA);
  }

  logEntry(entry: JournalEntryInput): Promise<JournalEntry> {
    return this.append([entry]).then((written) => written[0]!);
  }

  logError(entry: JournalEntryInput): Promise<JournalEntry> {
    return this.logEntry({ ...entry, event_type: 'EXECUTION_FAILED' });
  }

  /** Several entries atomically and in order; each chain they touch is locked, in name order (no deadlock between workers). */
  async append(entries: readonly JournalEntryInput[]): Promise<JournalEntry[]> {
    this.#assertOpen();
    const prepared = entries.map((e) => prepareInput(e, this.#clock));
    if (prepared.length === 0) return [];
    try {
      return await this.#writer.run((client) => appendIn(client, prepared));
    } catch (error) {
      throw asJournalError(error, 'append');
    }
  }

  /** Entries prepared (checked, named) for `appendIn`, in another store's transaction. */
  prepare(entries: readonly JournalEntryInput[]): PreparedEntry[] {
    this.#assertOpen();
    return entries.map((e) => prepareInput(e, this.#clock));
  }

  async read(filter: JournalFilter = {}): Promise<JournalEntry[]> {
    this.#assertOpen();
    try {
      const { rows } = await this.#pool.query<JournalRow>(
        `SELECT * FROM journal WHERE seq > $1 AND ($2::text IS NULL OR directive_id = $2) AND ($3::text IS NULL OR flow_id = $3)
         ORDER BY seq LIMIT $4`,
        [filter.after_seq ?? 0, filter.directive_id ?? null, filter.flow_id ?? null, filter.limit ?? null],
      );
      return rows.map(entryOf);
    } catch (error) {
      throw asJournalError(error, 'read');
    }
  }

  /**
   * Every chain walked in its own order against its recorded head. The first break found is
   * reported with the global seq of the entry where it is (or the chain position, when the
   * entry itself is gone), prefixed with the chain's name.
   */
  async verify(): Promise<JournalVerifyResult> {
    this.#assertOpen();
    try {
      const { rows: chains } = await this.#pool.query<{ chain: string; chain_seq: string; hash: string }>('SELECT chain, chain_seq, hash FROM journal_chains ORDER BY chain');
      const extra = await this.#pool.query<{ chain: string }>('SELECT DISTINCT chain FROM journal WHERE chain NOT IN (SELECT chain FROM journal_chains)');
      let entries = 0;
      const stray = extra.rows[0];
      if (stray) return { ok: false, entries, first_bad_seq: 1, reason: `chain ${stray.chain}: entries written outside the journal writer (no recorded head)` };
      for (const chain of chains) {
        const verifier = new JournalChainVerifier();
        let after = 0;
        let lastGlobal = 0;
        for (;;) {
          const { rows } = await this.#pool.query<JournalRow>('SELECT * FROM journal WHERE chain = $1 AND chain_seq > $2 ORDER BY chain_seq LIMIT $3', [chain.chain, after, VERIFY_CHUNK]);
          let broken = false;
          for (const row of rows) {
            if (!verifier.push(hashedRowOf(row))) {
              broken = true;
              break;
            }
            after = Number(row.chain_seq);
            lastGlobal = Number(row.seq);
          }
          if (broken || rows.length < VERIFY_CHUNK) break;
        }
        const verdict = verifier.finish({ seq: Number(chain.chain_seq), hash: chain.hash });
        entries += verdict.entries;
        if (!verdict.ok) {
          const at = await this.#pool.query<{ seq: string }>('SELECT seq FROM journal WHERE chain = $1 AND chain_seq = $2', [chain.chain, verdict.first_bad_seq]);
          const seq = at.rows[0] ? Number(at.rows[0].seq) : lastGlobal + 1;
          return { ok: false, entries, first_bad_seq: seq, reason: `chain ${chain.chain}: ${verdict.reason}` };
        }
      }
      return { ok: true, entries };
    } catch (error) {
      throw asJournalError(error, 'verify');
    }
  }

  /** The pool belongs to the store that opened it; the journal only stops taking calls. */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }


  #assertOpen(): void {
    if (this.#closed) throw new JournalError('journal is closed', { operation: 'closed' });
  }
}

function chainOf(entry: PreparedEntry): string {
  return entry.row.strategy_id ?? PLATFORM_CHAIN;
}

/**
 * Append prepared entries inside the caller's open transaction (the flow store begins a flow and
 * journals its DIRECTIVE_ACCEPTED in one): each chain's head locked, the entries linked and
 * inserted, the heads moved.
 */
export async function appendIn(client: PoolClient, prepared: readonly PreparedEntry[]): Promise<JournalEntry[]> {
  const heads = await lockChains(client, [...new Set(prepared.map(chainOf))].sort());
  const written: JournalEntry[] = [];
  for (const entry of prepared) {
    const chain = chainOf(entry);
    const head = heads.get(chain)!;
    const chainSeq = head.chainSeq + 1;
    const fields = { ...entry.row, seq: chainSeq };
    const hash = entryHash(head.hash, fields);
    const { rows } = await client.query<{ seq: string }>(
      `INSERT INTO journal (seq, chain, chain_seq, entry_id, event_type, flow_id, directive_id, strategy_id, timestamp, correlation_id, causation_id, body, prev_hash, hash)
       VALUES (nextval('journal_seq'), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING seq`,
      [chain, chainSeq, fields.entry_id, fields.event_type, fields.flow_id, fields.directive_id, fields.strategy_id, fields.timestamp, fields.correlation_id, fields.causation_id, fields.body, head.hash, hash],
    );
    written.push(appendedEntry(entry, { seq: Number(rows[0]!.seq), prev_hash: head.hash, hash }));
    heads.set(chain, { chainSeq, hash });
  }
  for (const [chain, head] of heads) await client.query('UPDATE journal_chains SET chain_seq = $2, hash = $3 WHERE chain = $1', [chain, head.chainSeq, head.hash]);
  return written;
}

/** Each chain's head, its row locked until the transaction ends (created at genesis when new). */
async function lockChains(client: PoolClient, chains: readonly string[]): Promise<Map<string, { chainSeq: number; hash: string }>> {
  const heads = new Map<string, { chainSeq: number; hash: string }>();
  for (const chain of chains) {
    await client.query('INSERT INTO journal_chains (chain, chain_seq, hash) VALUES ($1, 0, $2) ON CONFLICT (chain) DO NOTHING', [chain, GENESIS_HASH]);
    const { rows } = await client.query<{ chain_seq: string; hash: string }>('SELECT chain_seq, hash FROM journal_chains WHERE chain = $1 FOR UPDATE', [chain]);
    heads.set(chain, { chainSeq: Number(rows[0]!.chain_seq), hash: rows[0]!.hash });
  }
  return heads;
}

/** A stored row as its chain hashed it: its place in the chain is the hashed seq. */
function hashedRowOf(row: JournalRow): StoredJournalRow {
  return { ...row, seq: Number(row.chain_seq) };
}

function entryOf(row: JournalRow): JournalEntry {
  return {
    seq: Number(row.seq),
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

function asJournalError(error: unknown, operation: string): JournalError {
  if (error instanceof JournalError) return error;
  return new JournalError(`journal ${operation} failed in PostgreSQL: ${errorMessage(error)}`, { operation }, error);
}
