import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import { compareFlowsWithJournal } from '../../src/app/journal-flow-check.js';
import { compareLedgerWithJournal } from '../../src/app/journal-ledger-check.js';
import { verifyWorld } from '../../src/app/verify.js';
import type { VerifyDifference } from '../../src/app/verify-differences.js';
import { replayJournal } from '../../src/orchestration/journal-replay.js';
import type { IFlowStore } from '../../src/ports/flow-store.js';
import type { IJournalWriter } from '../../src/ports/journal.js';
import type { ILedgerProvider } from '../../src/ports/ledger.js';
import { openReadOnlyStore } from '../../src/store/sqlite/open-read-only-store.js';

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
 * connection (`store.database`), an orchestrator harness world by its journal (`h.journal`).
 */
export function expectCorrupted(database: string | Database | object): void {
  if (typeof database === 'string') corrupted().paths.add(resolve(database));
  else corrupted().connections.add(database);
}

/** Forget the opt-outs: each test file states its own. */
export function resetCorrupted(): void {
  corrupted().paths.clear();
  corrupted().connections = new WeakSet();
}

const WORLDS = Symbol.for('planexec.test.inMemoryWorlds');

/** Ports of a world kept in memory (the orchestrator harness): checked after the test file like a closed database. */
export interface InMemoryWorld {
  readonly ledger: ILedgerProvider;
  readonly journal: IJournalWriter;
  readonly flows: IFlowStore;
  /** A fault was injected into one of its ports: its tables and journal may disagree by design. */
  readonly faulted: () => boolean;
}

function worlds(): InMemoryWorld[] {
  const holder = globalThis as { [WORLDS]?: InMemoryWorld[] };
  return (holder[WORLDS] ??= []);
}

/** Check this world after the test file (the test support that builds worlds calls it). */
export function checkAfterFile(world: InMemoryWorld): void {
  worlds().push(world);
}

/** The worlds registered since the last call (none when the file's setup does not check). */
export function takeInMemoryWorlds(): InMemoryWorld[] {
  return worlds().splice(0);
}

/** As projectionDifferences, for a world in memory. */
export async function inMemoryDifferences(world: InMemoryWorld): Promise<{ readonly differences: readonly VerifyDifference[]; readonly unfinishedFlows: number }> {
  const replay = replayJournal(await world.journal.read({}));
  const flows = await world.flows.list({ limit: Number.MAX_SAFE_INTEGER });
  const ledger = { positions: await world.ledger.listPositions(), orders: await world.ledger.listOrders(), fills: await world.ledger.listFills() };
  const problems: VerifyDifference[] = replay.problems.map((p) => ({
    check: 'journal_replay',
    subject: 'journal',
    id: String(p.seq),
    trade_id: null,
    field: p.event_type,
    ledger: null,
    expected: null,
    message: `journal seq ${p.seq} (${p.event_type}): ${p.message}`,
  }));
  return {
    differences: [...problems, ...compareLedgerWithJournal(ledger, replay), ...compareFlowsWithJournal(flows, replay)],
    unfinishedFlows: flows.filter((f) => f.status === 'RUNNING').length,
  };
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
  // a WAL database's header says WAL, which a copy without its -wal file cannot open: say rollback journal
  bytes[18] = 1;
  bytes[19] = 1;
  const dir = mkdtempSync(join(tmpdir(), 'planexec-projection-'));
  const path = join(dir, 'copy.db');
  writeFileSync(path, bytes);
  // opened as `planexec verify` opens it: read-only, so its close is not captured again
  const store = openReadOnlyStore(path);
  try {
    const report = await verifyWorld({ store, connector: null });
    return { differences: report.differences, unfinishedFlows: report.checked.unfinished_flows };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
