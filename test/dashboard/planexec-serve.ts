import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIN } from '../e2e/run-cli.js';
import { buildDashboard } from './build-dashboard.js';
import type { ServerUnderTest } from './server-under-test.js';

const TOKEN_ENV = 'PLANEXEC_DASHBOARD_TEST_TOKEN';
const START_TIMEOUT_MS = 20_000;

/** Resolves with the URL of the `listening on http://HOST:PORT` line `serve` prints when ready. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`planexec serve did not print "listening on" within ${START_TIMEOUT_MS} ms\n${stdout}${stderr}`)), START_TIMEOUT_MS);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /^listening on (http:\/\/\S+)$/m.exec(stdout);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      resolve(match[1]);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`planexec serve exited with ${code} before listening\n${stdout}${stderr}`));
    });
  });
}

/**
 * The built `planexec serve` on a fresh database and a free port, its API behind a random token
 * (paper venue, every other key at its default).
 */
export async function startPlanexecServe(): Promise<ServerUnderTest> {
  buildDashboard();
  const dir = mkdtempSync(join(tmpdir(), 'planexec-dashboard-'));
  const config = join(dir, 'platform.yaml');
  writeFileSync(config, `server:\n  auth_token_env: ${TOKEN_ENV}\n`);
  const token = randomBytes(16).toString('hex');
  const child = spawn(process.execPath, [MAIN, 'serve', '--config', config, '--db', join(dir, 'planexec.db'), '--host', '127.0.0.1', '--port', '0'], {
    cwd: dir,
    env: { ...process.env, PLANEXEC_ENV: '', [TOKEN_ENV]: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await listeningUrl(child);
    return {
      url: `${url}/`,
      token,
      close: async () => {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
