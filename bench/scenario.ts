/**
 * What every bench scenario shares: its result shape, argument parsing, and the entry point that
 * runs it as a child process of bench/run.ts (result JSON written to the file named by
 * BENCH_RESULT_FILE, or printed when run by hand).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Figure {
  readonly value: number;
  readonly unit: string;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly figures: Readonly<Record<string, Figure>>;
  /** Counts, settings and anything that explains the figures. */
  readonly details: Readonly<Record<string, unknown>>;
}

export type ScenarioArgs = ReadonlyMap<string, string>;

/** `--key value` pairs (a bare `--flag` is "true"). */
export function parseArgs(argv: readonly string[]): ScenarioArgs {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i]!;
    if (!token.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) args.set(token.slice(2), 'true');
    else {
      args.set(token.slice(2), next);
      i += 1;
    }
  }
  return args;
}

export function numberArg(args: ScenarioArgs, name: string, fallback: number): number {
  const text = args.get(name);
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(value)) throw new RangeError(`--${name} must be a number, got "${text}"`);
  return value;
}

export function memory(): { rss_bytes: number; heap_used_bytes: number; external_bytes: number } {
  const m = process.memoryUsage();
  return { rss_bytes: m.rss, heap_used_bytes: m.heapUsed, external_bytes: m.external };
}

/** Full collections until the heap stops shrinking (needs --expose-gc; a no-op without it). */
export async function settleHeap(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  let last = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    const used = process.memoryUsage().heapUsed;
    if (used >= last * 0.99) break;
    last = used;
  }
}

/** How a directive count names its figure (`rss_after_100k_bytes`): `1m`, `100k`, or the number. */
export function checkpointLabel(count: number): string {
  if (count % 1_000_000 === 0) return `${count / 1_000_000}m`;
  if (count % 1000 === 0) return `${count / 1000}k`;
  return String(count);
}

/** Progress on stderr (not under vitest: the smoke test stays quiet). */
export function log(message: string): void {
  if (process.env['VITEST'] === undefined) process.stderr.write(`  ${message}\n`);
}

/** When `moduleUrl` is the script node was started with: run `scenario` and deliver its result. */
export function runIfMain(moduleUrl: string, scenario: (args: ScenarioArgs) => Promise<ScenarioResult>): void {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  scenario(parseArgs(process.argv.slice(2)))
    .then((result) => {
      const text = JSON.stringify(result);
      const file = process.env['BENCH_RESULT_FILE'];
      if (file) writeFileSync(file, text);
      else console.log(JSON.stringify(result, null, 2));
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
