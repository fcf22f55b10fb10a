import type { Database, Statement } from 'better-sqlite3';
import { JournalError } from '../../domain/errors.js';
import type { JournalHead } from '../journal-chain.js';

export { appendedEntry, type PreparedEntry, prepareInput } from '../journal-input.js';

/** The recorded head (journal_head): what `verify` checks the chain's tail against. */
export class JournalHeadReader {
  readonly #readHead: Statement<[], JournalHead>;

  constructor(db: Database) {
    this.#readHead = db.prepare('SELECT seq, hash FROM journal_head WHERE id = 1');
  }

  head(): JournalHead {
    const head = this.#readHead.get();
    if (head === undefined) throw new JournalError('journal head row is missing');
    return head;
  }
}

