/**
 * Top self-time functions of a V8 CPU profile (`node --cpu-prof`):
 *
 *   npx tsx bench/profile-summary.ts FILE.cpuprofile [--top 25] [--json]
 *
 * Self time of a node = its samples × the sampling interval; nodes of the same function
 * (name + url + line) are summed. Also prints the time per source area (src/…, node_modules/…,
 * node: internals, native/GC), which says what bounds a run faster than any single function.
 *
 * Under tsx, a .ts file runs as esbuild output (whitespace-minified, often one line), so the
 * profile's line:column are positions in that output. They are mapped back to the .ts source by
 * transforming the file again with tsx's esbuild options and reading the source map.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface SelfTime {
  readonly function: string;
  readonly location: string;
  readonly self_ms: number;
  readonly self_pct: number;
}

export interface ProfileSummary {
  readonly total_ms: number;
  readonly top: readonly SelfTime[];
  /** Self time by area: the project's src/, each package, node internals, native/GC/idle. */
  readonly areas: readonly { readonly area: string; readonly self_ms: number; readonly self_pct: number }[];
  /** Self time by script file, largest first. */
  readonly files: readonly { readonly file: string; readonly self_ms: number; readonly self_pct: number }[];
}

/** Shorten a script url to a path relative to the repo (or the package inside node_modules). */
function shortUrl(url: string): string {
  if (url === '') return '';
  let path = url;
  if (url.startsWith('file://')) {
    try {
      path = fileURLToPath(url);
    } catch {
      path = url;
    }
  }
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm);
  const cwd = `${process.cwd()}/`;
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Source-map `mappings` → per generated line, segments [generatedColumn, sourceLine, sourceColumn] (0-based). */
function decodeMappings(mappings: string): number[][][] {
  const lines: number[][][] = [];
  let sourceLine = 0;
  let sourceColumn = 0;
  let sourceIndex = 0;
  let nameIndex = 0;
  for (const lineText of mappings.split(';')) {
    const segments: number[][] = [];
    let column = 0;
    for (const segmentText of lineText.split(',')) {
      if (segmentText === '') continue;
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segmentText) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0] ?? 0;
      if (values.length >= 4) {
        sourceIndex += values[1]!;
        sourceLine += values[2]!;
        sourceColumn += values[3]!;
        if (values.length >= 5) nameIndex += values[4]!;
        segments.push([column, sourceLine, sourceColumn]);
      }
    }
    lines.push(segments);
  }
  void sourceIndex;
  void nameIndex;
  return lines;
}

type Transform = (code: string, options: Record<string, unknown>) => { map: string };

/** Maps a position in tsx's output of a .ts file back to the file; null when it cannot. */
class TsPositionMapper {
  readonly #maps = new Map<string, number[][][] | null>();
  #transform: Transform | null | undefined;

  map(path: string, line: number, column: number): { line: number; column: number } | null {
    if (!path.endsWith('.ts')) return null;
    let mappings = this.#maps.get(path);
    if (mappings === undefined) {
      mappings = this.#load(path);
      this.#maps.set(path, mappings);
    }
    const segments = mappings?.[line];
    if (!segments || segments.length === 0) return null;
    let best: number[] | undefined;
    for (const segment of segments) {
      if (segment[0]! > column) break;
      best = segment;
    }
    best ??= segments[0]!;
    return { line: best[1]!, column: best[2]! };
  }

  #load(path: string): number[][][] | null {
    const transform = this.#esbuild();
    if (!transform) return null;
    try {
      const result = transform(readFileSync(path, 'utf8'), {
        loader: 'ts',
        format: 'esm',
        target: `node${process.versions.node}`,
        sourcemap: true,
        minifyWhitespace: true,
        keepNames: true,
        sourcefile: path,
      });
      return decodeMappings((JSON.parse(result.map) as { mappings: string }).mappings);
    } catch {
      return null;
    }
  }

  #esbuild(): Transform | null {
    if (this.#transform !== undefined) return this.#transform;
    try {
      // esbuild comes with tsx (a devDependency); without it positions stay as profiled
      const require = createRequire(import.meta.url);
      this.#transform = (require('esbuild') as { transformSync: Transform }).transformSync;
    } catch {
      this.#transform = null;
    }
    return this.#transform;
  }
}

function areaOf(url: string, name: string): string {
  const short = shortUrl(url);
  if (short === '') return name.startsWith('(') ? name : '(native)';
  if (short.startsWith('node:')) return 'node: internals';
  if (short.startsWith('node_modules/')) {
    const parts = short.split('/');
    return parts[1]?.startsWith('@') ? `${parts[1]}/${parts[2]}` : (parts[1] ?? short);
  }
  const dir = short.split('/').slice(0, 2).join('/');
  return dir;
}

export function summariseProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const mapper = new TsPositionMapper();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // timeDeltas[i] is the time before sample i; the sample's own duration is the next delta
  for (let i = 0; i < samples.length; i += 1) {
    const duration = deltas[i + 1] ?? 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, duration));
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0) || profile.endTime - profile.startTime;
  const byFunction = new Map<string, { name: string; location: string; us: number }>();
  const byArea = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    let location = '';
    if (url) {
      const path = url.startsWith('file://') ? fileURLToPath(url) : url;
      const mapped = mapper.map(path, lineNumber, columnNumber);
      location = mapped ? `${shortUrl(url)}:${mapped.line + 1}` : `${shortUrl(url)}:${lineNumber + 1}:${columnNumber + 1}`;
    }
    const key = `${name}\u0000${location}`;
    const entry = byFunction.get(key) ?? { name, location, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
    const area = areaOf(url, name);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const file = url ? shortUrl(url) : name;
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const pct = (us: number): number => Math.round((us / totalUs) * 1000) / 10;
  return {
    total_ms: Math.round(totalUs / 1000),
    top: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ function: f.name, location: f.location, self_ms: Math.round(f.us / 100) / 10, self_pct: pct(f.us) })),
    areas: [...byArea.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, self_ms: Math.round(us / 100) / 10, self_pct: pct(us) })),
    files: [...byFile.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([file, us]) => ({ file, self_ms: Math.round(us / 100) / 10, self_pct: pct(us) })),
  };
}

export function formatSummary(summary: ProfileSummary): string {
  const out: string[] = [`profile: ${summary.total_ms} ms sampled`, '', 'self ms   self %  function  (file:line:col)'];
  for (const f of summary.top) {
    out.push(`${f.self_ms.toFixed(1).padStart(8)} ${f.self_pct.toFixed(1).padStart(7)}%  ${f.function}  ${f.location}`);
  }
  out.push('', 'self ms   self %  area');
  for (const a of summary.areas.slice(0, 15)) out.push(`${a.self_ms.toFixed(1).padStart(8)} ${a.self_pct.toFixed(1).padStart(7)}%  ${a.area}`);
  out.push('', 'self ms   self %  file');
  for (const f of summary.files.slice(0, 15)) out.push(`${f.self_ms.toFixed(1).padStart(8)} ${f.self_pct.toFixed(1).padStart(7)}%  ${f.file}`);
  return out.join('\n');
}

function main(argv: readonly string[]): void {
  const file = argv.find((a) => !a.startsWith('--') && argv[argv.indexOf(a) - 1] !== '--top');
  if (!file) {
    console.error('usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [--top 25] [--json]');
    process.exitCode = 2;
    return;
  }
  const topIndex = argv.indexOf('--top');
  const top = topIndex >= 0 ? Number(argv[topIndex + 1]) : 25;
  const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top);
  console.log(argv.includes('--json') ? JSON.stringify(summary, null, 2) : formatSummary(summary));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
