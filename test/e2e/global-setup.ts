import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const STAMP = join(ROOT, 'dist', '.build-stamp');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The end-to-end tests spawn the built CLI (`node dist/cli/main.js`), so dist must match src:
 * build once per test run, skipped when nothing under src/ (or the tsconfigs) changed since the last build.
 */
export default function setup(): void {
  const sources = Math.max(newestMtime(join(ROOT, 'src')), statSync(join(ROOT, 'tsconfig.json')).mtimeMs, statSync(join(ROOT, 'tsconfig.build.json')).mtimeMs);
  if (existsSync(MAIN) && existsSync(STAMP) && statSync(STAMP).mtimeMs >= sources) return;
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  // tsc emits despite type errors; those belong to `npm run typecheck`, but an unbuilt CLI stops the e2e tests here.
  if (!existsSync(MAIN)) throw new Error(`build failed: dist/cli/main.js missing\n${result.stdout}${result.stderr}`);
  if (result.status !== 0) process.stderr.write(`warning: tsc -p tsconfig.build.json reported errors:\n${result.stdout}${result.stderr}\n`);
  else writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}
