import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTradeWire } from '../support/directives.js';
import { MAIN, planexec, ROOT } from './run-cli.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-serve-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('planexec serve', () => {
  it('prints one "listening on" line, executes directives over HTTP, and exits 0 on SIGTERM after draining', async () => {
    const db = join(dir, 'serve.db');
    const child = spawn(process.execPath, [MAIN, 'serve', '--db', db, '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, PLANEXEC_ENV: '', PLANEXEC_API_TOKEN: 'e2e-token' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      void exited.then((code) => reject(new Error(`serve exited ${code} before listening\n${stderr}`)));
    });
    expect(url).not.toMatch(/:0$/);

    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    const directive = newTradeWire();
    const response = await fetch(`${url}/api/directives?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(directive) });
    expect(response.status).toBe(202);
    expect(((await response.json()) as { flows: { status: string }[] }).flows[0]?.status).toBe('SUCCEEDED');

    // the writer lock is held: a run on the same database is refused
    const other = await planexec(['run', '--db', db, '-'], { input: '' });
    expect(other.code).toBe(3);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toBe(`listening on ${url}\n`);
  });

  it('refuses to listen on a non-loopback host without a token (exit 2, naming server.auth_token_env)', async () => {
    const result = await planexec(['serve', '--db', join(dir, 'open.db'), '--host', '0.0.0.0', '--port', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('server.auth_token_env');
  });
});
