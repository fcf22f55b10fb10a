import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastJsonLine, planexec } from './run-cli.js';

const doc = readFileSync(new URL('../../docs/directives.md', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'planexec-directives-doc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docs/directives.md examples', () => {
  it('run as written: the trade is opened, grown, closed, and the other entries are accepted', async () => {
    const lines = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].flatMap((m) => (m[1] as string).split('\n').filter((l) => l.trim() !== ''));
    const db = join(dir, 'doc.db');
    const run = await planexec(['run', '--db', db, '--json', '-'], { input: `${lines.join('\n')}\n` });
    expect(run.code, run.stderr).toBe(0);
    expect(lastJsonLine(run.stdout)).toMatchObject({ processed: lines.length, succeeded: lines.length, failed: 0 });
    const positions = JSON.parse((await planexec(['positions', '--db', db, '--json'])).stdout) as Record<string, unknown>[];
    expect(positions.find((p) => p.trade_id === 'DIR_20261124_101500_a1b2c3d4')).toMatchObject({
      status: 'CLOSED',
      position_size: '0.02',
      close_reason: 'momentum faded',
    });
  });
});
