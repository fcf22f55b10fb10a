import type { Database, Statement } from 'better-sqlite3';
import type { Clock } from '../../domain/clock.js';
import { JournalEventType } from '../../domain/enums.js';
import { JournalError } from '../../domain/errors.js';
import type { CommitQueue } from './commit-queue.js';
import type { JournalEntry, JournalEntryInput } from '../../ports/journal.js';
import { canonicalJson } from '../canonical-json.js';
import { nextJournalEntryId } from '../../domain/journal-entry-ids.js';
import { entryHash, type JournalHead } from '../journal-chain.js';

const EVENT_TYPES: ReadonlySet<string> = new Set(Object.values(JournalEventType));

/**
 * Appends entries to the hash chain. Synchronous and not transactional by itself: call it only
 * inside a CommitQueue unit, so seq assignment and the chain move together and several callers in
 * one batch still get a gapless chain. The recorded head (journal_head, which `verify` compares
 * the tail with) is moved once per batch, right before its COMMIT, to the batch's last entry: so
 * every committed state has head = tail, at one row update per commit instead of one per append.
 */
export class JournalAppender {
  readonly #clock: Clock;
  readonly #insert: Statement;
  readonly #readHead: Statement<[], JournalHead>;
  readonly #readTip: Statement<[], JournalHead>;
  readonly #writeHead: Statement;
  #headBehind = false;

  constructor(db: Database, clock: Clock, queue: CommitQueue) {
    this.#clock = clock;
    this.#insert = db.prepare(
      `INSERT INTO journal (seq, entry_id, event_type, flow_id, directive_id, strategy_id, timestamp, correlation_id, causation_id, body, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#readHead = db.prepare('SELECT seq, hash FROM journal_head WHERE id = 1');
    this.#readTip = db.prepare('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1');
    // EXISTS: the flag may outlive a rolled-back batch; with the journal still empty the head stays at genesis
    this.#writeHead = db.prepare(
      'UPDATE journal_head SET (seq, hash) = (SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1) WHERE id = 1 AND EXISTS (SELECT 1 FROM journal)',
    );
    // Reading the tip from the table (not from memory) keeps this right when a batch is rolled back and replayed.
    queue.beforeCommit(() => {
      if (!this.#headBehind) return;
      this.#writeHead.run();
      this.#headBehind = false;
    });
  }

  /** The recorded head (journal_head): what `verify` checks the chain's tail against. */
  head(): JournalHead {
    const head = this.#readHead.get();
    if (head === undefined) throw new JournalError('journal head row is missing');
    return head;
  }

  /** The chain's last entry inside the running batch (the recorded head until the batch commits). */
  #tip(): JournalHead {
    return this.#readTip.get() ?? this.head();
  }

  /** Must run inside a unit of work; inputs come from `prepareInput` (checked before enqueueing). */
  append(prepared: readonly PreparedEntry[]): JournalEntry[] {
    let { seq, hash } = this.#tip();
    const out: JournalEntry[] = [];
    for (const { input, body } of prepared) {
      seq += 1;
      const fields = {
        seq,
        entry_id: input.entry_id ?? nextJournalEntryId(this.#clock.now()),
        event_type: input.event_type,
        flow_id: input.flow_id,
        directive_id: input.directive_id ?? null,
        strategy_id: input.strategy_id ?? null,
        timestamp: input.timestamp,
        correlation_id: input.correlation_id,
        causation_id: input.causation_id ?? null,
        body,
      };
      const prevHash = hash;
      hash = entryHash(prevHash, fields);
      this.#insert.run(
        seq, fields.entry_id, fields.event_type, fields.flow_id, fields.directive_id, fields.strategy_id,
        fields.timestamp, fields.correlation_id, fields.causation_id, body, prevHash, hash,
      );
      out.push({ ...fields, body: input.body, prev_hash: prevHash, hash });
    }
    if (out.length > 0) this.#headBehind = true;
    return out;
  }
}

export interface PreparedEntry {
  readonly input: JournalEntryInput;
  /** Canonical JSON of input.body: what is hashed and stored. */
  readonly body: string;
}

/** Check an input and serialise its body once, before it is enqueued (a bad entry costs no transaction). */
export function prepareInput(input: JournalEntryInput): PreparedEntry {
  if (!EVENT_TYPES.has(input.event_type)) throw invalid(`unknown event_type "${String(input.event_type)}"`);
  if (typeof input.flow_id !== 'string' || input.flow_id === '') throw invalid('flow_id must be a non-empty string');
  if (typeof input.correlation_id !== 'string' || input.correlation_id === '') throw invalid('correlation_id must be a non-empty string');
  if (typeof input.timestamp !== 'string' || input.timestamp === '') throw invalid('timestamp must be an ISO-8601 string');
  if (input.body === null || typeof input.body !== 'object' || Array.isArray(input.body)) throw invalid('body must be a JSON object');
  try {
    return { input, body: canonicalJson(input.body) };
  } catch (error) {
    throw new JournalError(`journal entry body is not JSON-safe: ${(error as Error).message}`, { flow_id: input.flow_id }, error);
  }
}

function invalid(message: string): JournalError {
  return new JournalError(`invalid journal entry: ${message}`, { rule: 'journal_entry_shape' });
}
