import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

const MAIN = join(import.meta.dirname, 'main.ts');

describe('loopback venue as its own process', () => {
  it('prints its url once listening, serves the configured instruments, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopback-venue-'));
    const configFile = join(dir, 'venue.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        instruments: [
          { symbol: 'XRPUSDT', base: 'XRP', quote: 'USDT', tickSize: '0.0001', stepSize: '1', minQty: '1', maxQty: '100000', minNotional: '5', price: '0.5' },
        ],
        balances: { USDT: '250' },
      }),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--config', configFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, 'line')) as [string];
      const { url } = JSON.parse(first) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const ticker = (await (await fetch(`${url}/api/v3/ticker/price?symbol=XRPUSDT`)).json()) as { price: string };
      expect(ticker.price).toBe('0.50000000');
      const state = (await (await fetch(`${url}/__loopback/state`)).json()) as { balances: unknown[] };
      expect(state.balances).toEqual([{ asset: 'USDT', free: '250.00000000', locked: '0.00000000' }]);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('refuses an invalid config with the field and the rule, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopback-venue-'));
    const configFile = join(dir, 'bad.json');
    writeFileSync(configFile, JSON.stringify({ commissionRate: 'ten percent' }));
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('commissionRate: must be a non-negative decimal');
  });
});
