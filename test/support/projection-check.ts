import { resolve } from 'node:path';
import DatabaseConstructor, { type Database } from 'better-sqlite3';
import { verifyWorld } from '../../src/app/verify.js';
import type { VerifyDifference } from '../../src/app/verify-differences.js';
import { readOnlyStoreOn } from '../../src/store/sqlite/open-read-only-store.js';

const CORRUPTED = Symbol.for('planexec.test.corruptedDatabases');

interface Corrupted {
  readonly paths: Set<string>;
  connections: WeakSet<object>;
}

function corrupted(): Corrupted {
  const holder = globalThis as { [CORRUPTED]?: Corrupted };
  return (holder[CORRUPTED] ??= { paths: new Set(), connections: new WeakSet() });
}

/**
 * This test tampers with the journal, the ledger or the flows table on purpose (or injects a fault
 * the real store cannot have): the projection check after the test file leaves that database out.
 * A path covers every copy of the file the test file closes; an in-memory database is named by its
 * connection (`store.database`).
 */
export function expectCorrupted(database: string | Database): void {
  if (typeof database === 'string') corrupted().paths.add(resolve(database));
  else corrupted().connections.add(database);
}

/** Forget the opt-outs: each test file states its own. */
export function resetCorrupted(): void {
  corrupted().paths.clear();
  corrupted().connections = new WeakSet();
}

export function isExpectedCorrupted(db: { readonly name: string; readonly source: object }): boolean {
  const c = corrupted();
  return c.paths.has(db.name) || c.connections.has(db.source);
}

/**
 * The journal of a copy of a planexec database replayed and compared with its ledger and flows
 * table, as `planexec verify` does without a venue: the chain, entries the replay cannot read,
 * and every trade, order, fill and flow that differs.
 */
export async function projectionDifferences(bytes: Buffer): Promise<{ readonly differences: readonly VerifyDifference[]; readonly unfinishedFlows: number }> {
  const db = new DatabaseConstructor(bytes);
  try {
    const report = await verifyWorld({ store: readOnlyStoreOn(db), connector: null });
    return { differences: report.differences, unfinishedFlows: report.checked.unfinished_flows };
  } finally {
    db.close();
  }
}
