import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');
export const MAIN = resolve(ROOT, 'dist/cli/main.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Written to stdin, which is then closed. */
  readonly input?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs the built `planexec` as a user would: `node dist/cli/main.js ARGS`. */
export function planexec(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return runNode([MAIN, ...args], options);
}

/** `node ARGS` (this node), stdin given then closed, stdout and stderr collected. */
export function runNode(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const env = { ...process.env, PLANEXEC_ENV: '', ...options.env };
    const child = spawn(process.execPath, args, { cwd: options.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // the CLI may exit (bad usage) before reading stdin
    child.stdin.end(options.input ?? '');
  });
}

/** The last non-empty line of stdout, parsed. */
export function lastJsonLine<T = Record<string, unknown>>(stdout: string): T {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  return JSON.parse(lines[lines.length - 1] ?? 'null') as T;
}

export function jsonLines<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/** A CLI result for an assertion message: exit code, then the ends of stdout and stderr. */
export function explain(result: CliResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`;
}

/** Poll `condition` every 25 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `planexec run` of `directives` (as a JSON Lines file in `dir`) on `db`; fails the test unless every one succeeded. */
export async function runSession(dir: string, db: string, directives: readonly unknown[]): Promise<void> {
  const file = join(dir, 'session.jsonl');
  writeFileSync(file, directives.map((d) => `${JSON.stringify(d)}\n`).join(''));
  const run = await planexec(['run', '--db', db, '--directives', file, '--json']);
  expect(run.code, explain(run)).toBe(0);
  expect(lastJsonLine<{ succeeded: number }>(run.stdout).succeeded).toBe(directives.length);
}
