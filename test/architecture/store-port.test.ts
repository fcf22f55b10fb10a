import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildImportGraph, partOf, type ImportGraph } from './import-graph.js';

/**
 * The composition root and everything built on it (docs/architecture.md, "Layers": app, server,
 * demo, cli, the library entry) see the store and the bus only through their ports; the engine
 * behind them is chosen by the factories alone. A file that imports the SQLite store (or the
 * in-process bus) directly ties itself to that engine again: this test names it.
 */
const PORT_USERS: readonly string[] = ['app', 'server', 'demo', 'cli', 'index.ts'];

interface Adapter {
  /** Every file under this folder of src/ is concrete. */
  readonly folder: string;
  /** The files of PORT_USERS that may import from it, with what (null: anything), and why. */
  readonly factories: Readonly<Record<string, readonly string[] | null>>;
}

const ADAPTERS: readonly Adapter[] = [
  {
    folder: 'store/',
    factories: {
      // openStore, openStoreForReading, acquireWriterLease
      'app/open-store.ts': null,
      // a file-system check, not the store: the venue's and the journal fallback's files, before anything opens
      'app/create-platform.ts': ['store/sqlite/database-location.ts'],
    },
  },
  { folder: 'bus/', factories: { 'app/create-bus.ts': null } },
  {
    folder: 'metrics/',
    factories: {
      'app/create-metrics.ts': null,
      // the ccxt connector counts the venue errors its table does not know; createMetrics serves the counter
      'app/create-connector.ts': ['metrics/venue-error-metrics.ts'],
      // its type only: the composition root hands the counter from createConnector to createMetrics
      'app/create-platform.ts': ['metrics/venue-error-metrics.ts'],
    },
  },
];

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** `from → to` for every import of an adapter's file by a port user that is not its factory (or imports more than the factory may). */
function concreteImports(graph: ImportGraph, users: readonly string[], adapters: readonly Adapter[]): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) {
    if (!users.includes(partOf(from))) continue;
    for (const to of targets) {
      for (const { folder, factories } of adapters) {
        if (!to.startsWith(folder)) continue;
        const allowed = factories[from];
        if (allowed === null || allowed?.includes(to)) continue;
        found.push(`${from} → ${to}`);
      }
    }
  }
  return found.sort();
}

describe('the store and the bus behind their ports', () => {
  it('are imported by no file of app, server, demo, cli or the library entry but their factories', () => {
    const graph = buildImportGraph(SRC);
    // the rule is read from files that exist: a renamed factory must be renamed here
    for (const { factories } of ADAPTERS) for (const factory of Object.keys(factories)) expect(graph.has(factory), factory).toBe(true);
    expect(concreteImports(graph, PORT_USERS, ADAPTERS)).toEqual([]);
  });

  it('names a file that reaches for the concrete store, and a factory importing more than it may', () => {
    const graph: ImportGraph = new Map([
      ['server/routes/export.ts', ['store/sqlite/sqlite-read-models.ts', 'ports/store.ts']],
      ['cli/open-store.ts', ['app/open-store.ts', 'store/index.ts']],
      ['app/open-store.ts', ['store/sqlite/sqlite-store.ts', 'store/sqlite/writer-lock.ts']],
      ['app/create-platform.ts', ['store/sqlite/database-location.ts', 'store/sqlite/sqlite-store.ts', 'bus/in-memory-event-bus.ts']],
      ['app/create-bus.ts', ['bus/in-memory-event-bus.ts']],
      // an adapter itself is no port user
      ['orchestration/flow.ts', ['store/sqlite/sqlite-store.ts']],
    ]);
    expect(concreteImports(graph, PORT_USERS, ADAPTERS)).toEqual([
      'app/create-platform.ts → bus/in-memory-event-bus.ts',
      'app/create-platform.ts → store/sqlite/sqlite-store.ts',
      'cli/open-store.ts → store/index.ts',
      'server/routes/export.ts → store/sqlite/sqlite-read-models.ts',
    ]);
  });
});
