import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { explain, planexec, ROOT, runNode, type CliResult } from '../e2e/run-cli.js';

const EXAMPLE = join(ROOT, 'examples', 'embed.ts');
// by location, since the child runs in a folder with no node_modules
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const dir = mkdtempSync(join(tmpdir(), 'planexec-embed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * `node --import tsx examples/embed.ts DB` in a folder outside the checkout, as a strategy process:
 * no tsconfig there, so 'planexec' resolves through package.json `exports` to dist/ (built by the test setup).
 */
function runExample(db: string): Promise<CliResult> {
  return runNode(['--import', TSX, EXAMPLE, db], { cwd: dir });
}

describe('examples/embed.ts (docs/library.md)', () => {
  it('opens a trade, lists it open, closes it and exits 0, leaving the trade closed in its database', async () => {
    const db = join(dir, 'strategy.db');
    const run = await runExample(db);
    expect(run.code, explain(run)).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0], explain(run)).toMatch(/^TRADE_EXECUTED NEW_TRADE (DIR_\w+): FILLED 0\.01 at \d+/);
    const tradeId = /^TRADE_EXECUTED NEW_TRADE (DIR_\w+)/.exec(lines[0] ?? '')?.[1] as string;
    expect(lines[1]).toBe(`stop ${tradeId}: SUCCESS (Execution completed successfully)`);
    expect(lines[2]).toMatch(/^OPEN \{/);
    expect(JSON.parse((lines[2] ?? '').slice('OPEN '.length))).toMatchObject({
      trade_id: tradeId,
      strategy_id: 'embedded_breakout',
      status: 'OPEN',
      position_size: '0.01',
      stop_loss: '60000',
      take_profit: '70000',
      protection: 'LIVE',
    });
    expect(lines[3]).toMatch(/^TRADE_EXECUTED CLOSE_EXISTING DIR_\w+: FILLED 0\.01 at \d+/);
    expect(lines[4]).toBe('stop close: SUCCESS');
    expect(lines[5]).toMatch(new RegExp(`^CLOSED ${tradeId} exit \\d+ realized_pnl -?[\\d.]+ fees [\\d.]+$`));
    expect(lines).toHaveLength(6);

    // an ordinary planexec database: the CLI reads what the embedded platform wrote
    const positions = await planexec(['positions', '--db', db, '--json']);
    expect(positions.code, explain(positions)).toBe(0);
    expect(JSON.parse(positions.stdout)).toEqual([expect.objectContaining({ trade_id: tradeId, strategy_id: 'embedded_breakout', status: 'CLOSED' })]);
    const journal = await planexec(['journal', '--db', db, '--verify']);
    expect(journal.code, explain(journal)).toBe(0);
  }, 60_000);

  it('is shown in docs/library.md exactly as the file is', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'library.md'), 'utf8');
    const example = readFileSync(EXAMPLE, 'utf8');
    expect(doc).toContain(`\`\`\`ts\n${example}\`\`\`\n`);
  });
});
