import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
export const DASHBOARD_DIST = join(ROOT, 'dist', 'dashboard');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Build dist/dashboard with Vite unless it is newer than every source file of the dashboard. */
export function buildDashboard(): string {
  const index = join(DASHBOARD_DIST, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(join(ROOT, 'dashboard'))) return DASHBOARD_DIST;
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'dashboard/vite.config.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0 || !existsSync(index)) throw new Error(`vite build of the dashboard failed:\n${result.stdout}${result.stderr}`);
  return DASHBOARD_DIST;
}
