// Loaded by the test suite in its own process and, through NODE_OPTIONS=--import, in every planexec
// process a test spawns: keeps a copy of each planexec database a writer closes, so that after the
// test file the journal can be replayed and compared with the tables (projection-check.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import process from 'node:process';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
const STATE = Symbol.for('planexec.test.closedDatabases');

/** @typedef {{ name: string, bytes: Buffer, source: object }} ClosedDatabase */

/**
 * Every later close of a writable planexec database hands a copy of it to `sink`; called again,
 * only the sink changes (the suite's worker keeps its modules from one test file to the next).
 * @param {(db: ClosedDatabase) => void} sink
 */
export function captureClosedDatabases(sink) {
  const installed = globalThis[STATE];
  if (installed) {
    installed.sink = sink;
    return;
  }
  const state = { sink };
  globalThis[STATE] = state;
  const close = Database.prototype.close;
  Database.prototype.close = function closeKeepingACopy() {
    let copy = null;
    try {
      copy = copyOf(this);
    } catch {
      // a database that cannot be copied is not checked; closing it must not change
    }
    if (copy) state.sink(copy);
    return close.call(this);
  };
}

/** @returns {ClosedDatabase | null} */
function copyOf(db) {
  if (!db.open || db.readonly || db.inTransaction) return null;
  // readers (verify, the CLI's read commands) open query_only: only the writer's close is the world's state
  if (db.pragma('query_only', { simple: true }) === 1) return null;
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('journal', 'flows', 'positions')").get();
  if (tables.n !== 3) return null;
  const bytes = db.serialize();
  return { name: db.memory ? db.name : resolve(db.name), bytes, source: db };
}

// In a spawned process: copies go to the directory the test file's setup named (in the suite's
// own process the setup then hands them to its own sink instead).
const dir = process.env.PLANEXEC_TEST_CLOSED_DATABASES;
if (dir) {
  let n = 0;
  captureClosedDatabases((db) => {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${process.pid}-${++n}`);
    writeFileSync(`${file}.db`, db.bytes);
    writeFileSync(`${file}.json`, JSON.stringify({ name: db.name }));
  });
}
