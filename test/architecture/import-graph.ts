import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** File → the files it imports, both relative to the scanned root, with '/' separators. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/**
 * Every relative import of every .ts file under `root` (see importsOf).
 */
export function buildImportGraph(root: string): ImportGraph {
  const graph = new Map<string, readonly string[]>();
  for (const file of listTsFiles(root)) graph.set(file, importsOf(file, readFileSync(path.join(root, file), 'utf8')));
  return graph;
}

/**
 * The files `file`'s source imports, resolved against its folder: `import`, `import type`,
 * `export … from`, side-effect imports and dynamic `import()` alike (a type-only edge still ties
 * two files together). Packages are left out; `./x.js` means `./x.ts`.
 */
export function importsOf(file: string, text: string): string[] {
  const targets = new Set<string>();
  for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
    if (!fileName.startsWith('.')) continue;
    targets.add(path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName)).replace(/\.js$/, '.ts'));
  }
  return [...targets].sort();
}

function listTsFiles(root: string, dir = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) files.push(...listTsFiles(root, relative));
    else if (entry.name.endsWith('.ts')) files.push(relative);
  }
  return files.sort();
}

/**
 * One cycle per strongly connected component that has one (Tarjan), as the files in import
 * order with the first repeated at the end: `a.ts → b.ts → a.ts`.
 */
export function findCycles(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];

  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);

  return components
    .filter((component) => component.length > 1 || (graph.get(component[0]!) ?? []).includes(component[0]!))
    .map((component) => cycleWithin(graph, new Set(component)))
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A shortest cycle through the component's first file (breadth-first inside the component). */
function cycleWithin(graph: ImportGraph, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0]!;
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
        return [...path, start];
      }
      if (!parent.has(next)) {
        parent.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** The part a file belongs to: its top-level folder under src/ (`orchestration/scopes/x.ts` → `orchestration`). */
export function partOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? file : file.slice(0, slash);
}

export interface OutwardImport {
  readonly from: string;
  readonly to: string;
}

/**
 * Imports that point outwards. `layers` lists the parts from the innermost rank out; a part may
 * import itself and the parts of lower ranks only, so two parts of one rank do not import each
 * other. A part that is in no rank is outward of everything (a new part must be placed).
 */
export function outwardImports(graph: ImportGraph, layers: readonly (readonly string[])[]): OutwardImport[] {
  const rank = new Map<string, number>();
  layers.forEach((parts, i) => {
    for (const part of parts) rank.set(part, i);
  });
  const violations: OutwardImport[] = [];
  for (const [from, targets] of graph) {
    const fromRank = rank.get(partOf(from));
    for (const to of targets) {
      if (partOf(to) === partOf(from)) continue;
      const toRank = rank.get(partOf(to));
      if (fromRank === undefined || toRank === undefined || toRank >= fromRank) violations.push({ from, to });
    }
  }
  return violations;
}
