import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { newTradeWire } from '../support/directives.js';
import { explain, MAIN, planexec, type CliResult, until } from './run-cli.js';

/**
 * `planexec trading-state` beside another process: the writer lock is the operating system's,
 * so only a second process shows what an operator meets while `run` or `serve` writes the database.
 */

const dir = mkdtempSync(join(tmpdir(), 'planexec-trading-state-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function accepted(db: string): number {
  if (!existsSync(db)) return 0;
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare("SELECT count(*) AS n FROM journal WHERE event_type = 'DIRECTIVE_ACCEPTED'").get() as { n: number }).n;
  } catch {
    return 0; // the schema is being created
  } finally {
    conn.close();
  }
}


describe('planexec trading-state beside a running writer', () => {
  it('set exits 3 naming --url while another process writes the database, and showing works beside it', async () => {
    const db = join(dir, 'planexec.db');
    // `run -` with stdin left open holds the database until its input ends
    const child = spawn(process.execPath, [MAIN, 'run', '--db', db, '--json', '-'], { env: { ...process.env, PLANEXEC_ENV: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const done = new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.write(`${JSON.stringify(newTradeWire({ entry_plan: { symbol: 'SOL_USDT', direction: 'BUY', order_type: 'MARKET' }, size_plan: { position_size: '1' }, exit_plan: undefined, timestamp: new Date().toISOString() }))}\n`);
    try {
      await until('the run to accept its directive', () => accepted(db) === 1);

      const refused: CliResult = await planexec(['trading-state', 'set', 'HALTED', '--reason', 'venue incident', '--db', db]);
      expect(refused.code, explain(refused)).toBe(3);
      expect(refused.stderr).toContain('is in use by another writer');
      expect(refused.stderr).toContain('nothing was changed');
      expect(refused.stderr).toContain('--url http://HOST:PORT');

      const shown = await planexec(['trading-state', '--db', db, '--json']);
      expect(shown.code, explain(shown)).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({ state: 'ACTIVE', changed_at: null });
    } finally {
      child.stdin.end();
    }
    expect(await done, stdout).toBe(0);
  });
});
