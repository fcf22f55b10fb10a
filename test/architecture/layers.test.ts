import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildImportGraph, findCycles, importsOf, outwardImports, partOf, type ImportGraph } from './import-graph.js';

/**
 * The parts of src/ from the innermost rank out (docs/architecture.md, "Layers"). A part imports
 * only itself and parts of lower ranks; parts of one rank do not import each other.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['domain'],
  ['ports'],
  ['config'],
  ['bus', 'logging'],
  ['orchestration'],
  ['connectors', 'store', 'metrics', 'alerts'],
  // the ccxt price source shares the ccxt connector's market loading
  ['market-data'],
  ['app'],
  ['server', 'demo', 'backtest'],
  // `planexec serve`, `demo` and `backtest`; the library entry (src/index.ts: docs/library.md) beside the CLI
  ['cli', 'index.ts'],
];

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

const arrow = (files: readonly string[]): string => files.join(' → ');

describe('the import graph of src/', () => {
  const graph = buildImportGraph(SRC);

  it('is read from every part and sees type-only imports (orchestration reaches the ledger port)', () => {
    expect(new Set([...graph.keys()].map(partOf))).toEqual(new Set(LAYERS.flat()));
    expect(graph.get('orchestration/ledger-writer.ts')).toContain('ports/ledger.ts');
  });

  it('has no import cycle', () => {
    expect(findCycles(graph).map(arrow)).toEqual([]);
  });

  it('has no part importing a part of its own or an outer rank', () => {
    expect(outwardImports(graph, LAYERS).map(({ from, to }) => arrow([from, to]))).toEqual([]);
  });

  it('keeps the ports free of everything but the domain', () => {
    const ports = [...graph].filter(([file]) => partOf(file) === 'ports');
    expect(ports.length).toBeGreaterThan(10);
    for (const [file, targets] of ports) expect({ file, outside: targets.map(partOf).filter((p) => p !== 'ports' && p !== 'domain') }).toEqual({ file, outside: [] });
  });
});

describe('importsOf', () => {
  it('resolves imports, type imports, re-exports, side-effect and dynamic imports; skips packages and comments', () => {
    const text = [
      "import type { A } from './a.js';",
      "import { b, type B } from '../domain/b.js';",
      "export type { C } from './sub/c.js';",
      "export * from './d.js';",
      "import './e.js';",
      "const f = await import('../ports/f.js');",
      "import ts from 'typescript';",
      "// import { g } from './g.js';",
    ].join('\n');
    expect(importsOf('orchestration/x.ts', text)).toEqual(['domain/b.ts', 'orchestration/a.ts', 'orchestration/d.ts', 'orchestration/e.ts', 'orchestration/sub/c.ts', 'ports/f.ts']);
  });
});

describe('findCycles', () => {
  const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

  it('names the files of a planted cycle in import order', () => {
    const graph = graphOf({
      'orchestration/a.ts': ['orchestration/b.ts', 'domain/x.ts'],
      'orchestration/b.ts': ['orchestration/c.ts'],
      'orchestration/c.ts': ['orchestration/a.ts'],
      'domain/x.ts': [],
    });
    expect(findCycles(graph)).toEqual([['orchestration/a.ts', 'orchestration/b.ts', 'orchestration/c.ts', 'orchestration/a.ts']]);
  });

  it('finds a file importing itself and each separate cycle once', () => {
    const graph = graphOf({
      'a/self.ts': ['a/self.ts'],
      'b/one.ts': ['b/two.ts'],
      'b/two.ts': ['b/one.ts'],
      'c/acyclic.ts': ['b/one.ts', 'a/self.ts'],
    });
    expect(findCycles(graph)).toEqual([
      ['a/self.ts', 'a/self.ts'],
      ['b/one.ts', 'b/two.ts', 'b/one.ts'],
    ]);
  });

  it('finds none in a graph where files share imports without a loop', () => {
    const graph = graphOf({ 'a/top.ts': ['a/left.ts', 'a/right.ts'], 'a/left.ts': ['a/base.ts'], 'a/right.ts': ['a/base.ts'], 'a/base.ts': [] });
    expect(findCycles(graph)).toEqual([]);
  });
});

describe('outwardImports', () => {
  const layers = [['domain'], ['ports'], ['orchestration'], ['store', 'connectors']];
  const graph: ImportGraph = new Map([
    ['domain/ids.ts', ['domain/decimal.ts', 'orchestration/flow.ts']],
    ['orchestration/flow.ts', ['ports/ledger.ts', 'domain/ids.ts']],
    ['store/ledger.ts', ['ports/ledger.ts', 'connectors/paper.ts']],
    ['ports/ledger.ts', ['domain/ids.ts']],
    ['newpart/thing.ts', ['domain/ids.ts']],
  ]);

  it('reports an inner part importing an outer one, a peer import and an unplaced part, nothing else', () => {
    expect(outwardImports(graph, layers)).toEqual([
      { from: 'domain/ids.ts', to: 'orchestration/flow.ts' },
      { from: 'store/ledger.ts', to: 'connectors/paper.ts' },
      { from: 'newpart/thing.ts', to: 'domain/ids.ts' },
    ]);
  });
});
