import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { captureClosedDatabases } from './capture-closed-databases.mjs';
import { inMemoryDifferences, isExpectedCorrupted, projectionDifferences, resetCorrupted, takeInMemoryWorlds } from './projection-check.js';

/**
 * Every test file's worlds are checked like `planexec verify` checks a database: each planexec
 * database a writer closes during the file (here, or in a planexec process the file spawned) is
 * copied at its close, and after the file its journal is replayed and compared with its ledger and
 * flows table; so is every in-memory world of the orchestrator harness. Any difference fails the
 * file. A test that tampers with a database on purpose says so with expectCorrupted (projection-check.ts).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PRELOAD = `--import=${pathToFileURL(join(ROOT, 'test/support/capture-closed-databases.mjs')).href}`;
/** Test directories whose worlds are checked. */
const CHECKED = ['test/e2e/', 'test/crash/', 'test/orchestration/', 'test/server/', 'test/cli/', 'test/app/'];

interface Closed {
  readonly name: string;
  readonly bytes: Buffer;
  readonly source: object;
}

let closed: Closed[] = [];
let spawnedDir: string | null = null;
let checked = false;

// vitest reads the hook's first parameter as fixtures to inject and needs it destructured; none are wanted
// eslint-disable-next-line no-empty-pattern
beforeAll(({}, suite) => {
  const file = relative(ROOT, suite.file.filepath);
  closed = [];
  resetCorrupted();
  takeInMemoryWorlds();
  checked = CHECKED.some((dir) => file.startsWith(dir)) && process.env.PLANEXEC_TEST_PROJECTION_CHECK !== '0';
  if (!checked) {
    captureClosedDatabases(() => undefined);
    return;
  }
  captureClosedDatabases((db) => closed.push(db));
  spawnedDir = mkdtempSync(join(tmpdir(), 'planexec-closed-'));
  process.env.PLANEXEC_TEST_CLOSED_DATABASES = spawnedDir;
  const options = process.env.NODE_OPTIONS ?? '';
  if (!options.includes(PRELOAD)) process.env.NODE_OPTIONS = `${options} ${PRELOAD}`.trim();
});

afterAll(async () => {
  const startedAt = performance.now();
  captureClosedDatabases(() => undefined);
  const databases = lastOfEach([...closed, ...spawned()]).map((db) => ({ name: db.name, source: db.source, check: () => projectionDifferences(db.bytes) }));
  const inMemory = (checked ? takeInMemoryWorlds() : []).filter((world) => !world.faulted()).map((world, i) => ({ name: `in-memory world ${i + 1}`, source: world.journal, check: () => inMemoryDifferences(world) }));
  const all = [...databases, ...inMemory];
  closed = [];
  const failures: string[] = [];
  let unfinished = 0;
  for (const db of all) {
    if (isExpectedCorrupted(db)) continue;
    const { differences, unfinishedFlows } = await db.check();
    // a world left with flows in flight is a crash not yet recovered: its tables may lag the journal until recovery
    if (unfinishedFlows > 0) {
      unfinished++;
      continue;
    }
    if (differences.length > 0) failures.push(`${db.name}:\n${differences.map((d) => `  ${d.check}  ${d.message}`).join('\n')}`);
  }
  if (process.env.PLANEXEC_TEST_PROJECTION_DEBUG) console.log(`projection check: ${all.length} worlds, ${unfinished} with unfinished flows, ${Math.round(performance.now() - startedAt)} ms`);
  if (failures.length > 0) throw new Error(`the journal does not rebuild what the tables hold (${failures.length} of ${all.length} worlds):\n${failures.join('\n')}`);
});

/**
 * A database file closed several times (a crash simulated, then recovery) is checked as the test
 * left it: its last copy. In-memory databases are each their own world.
 */
function lastOfEach(all: readonly Closed[]): Closed[] {
  const last = new Map<string, Closed>();
  const out: Closed[] = [];
  for (const db of all) {
    if (db.name === ':memory:' || db.name === '') out.push(db);
    else last.set(db.name, db);
  }
  return [...out, ...last.values()];
}

function spawned(): Closed[] {
  const dir = spawnedDir;
  if (dir === null) return [];
  spawnedDir = null;
  delete process.env.PLANEXEC_TEST_CLOSED_DATABASES;
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.db'))
      .sort()
      .map((f) => ({ name: (JSON.parse(readFileSync(join(dir, f.replace(/\.db$/, '.json')), 'utf8')) as { name: string }).name, bytes: readFileSync(join(dir, f)), source: {} }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
