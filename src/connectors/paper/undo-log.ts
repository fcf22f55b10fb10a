/**
 * Transactions for state kept in plain objects: each change made inside one records how to undo
 * itself, and a transaction that throws undoes its changes newest first. A nested transaction is
 * a savepoint (as better-sqlite3 nests them): its failure undoes only what it changed, and the
 * caller may catch the error and carry on.
 */
export class UndoLog {
  readonly #undos: (() => void)[] = [];
  #depth = 0;

  /** Outside a transaction a change is final, so nothing is kept. */
  record(undo: () => void): void {
    if (this.#depth > 0) this.#undos.push(undo);
  }

  run<T>(fn: () => T): T {
    const mark = this.#undos.length;
    this.#depth += 1;
    try {
      const result = fn();
      // the changes after the first await would land outside the transaction (better-sqlite3 refuses too)
      if (isThenable(result)) throw new TypeError('Transaction function cannot return a promise');
      return result;
    } catch (error) {
      while (this.#undos.length > mark) this.#undos.pop()!();
      throw error;
    } finally {
      this.#depth -= 1;
      if (this.#depth === 0) this.#undos.length = 0;
    }
  }
}

function isThenable(value: unknown): boolean {
  return Boolean(value) && typeof (value as { then?: unknown }).then === 'function';
}
