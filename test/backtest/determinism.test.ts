import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { saveStoreCopy } from '../../src/app/open-store.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { bar, chunks, lines, MINUTE, newTrade, silentLogger, T0, tempDir, testConfig } from './backtest-world.js';

const BTC = { tick_size: '0.01', lot_size: '0.001', min_quantity: '0.001', min_notional: '1', reference_price: '100' };

/** A wandering market with trades that stop out, take profit and stay open; faults make retries (and their jittered waits) happen. */
function market() {
  const bars = [];
  let price = 100;
  for (let i = 0; i < 240; i += 1) {
    const drift = Math.sin(i / 7) * 2 + Math.cos(i / 3);
    const open = price;
    const close = Math.max(50, Math.round((price + drift) * 100) / 100);
    bars.push(bar('BTC_USDT', T0 + i * MINUTE, open, Math.max(open, close) + 1, Math.min(open, close) - 1, close));
    price = close;
  }
  const directives = [];
  for (let i = 0; i < 40; i += 1) {
    const atMs = T0 + (i * 5 + 1) * MINUTE + 7_000;
    directives.push(newTrade(`D${i}`, atMs, { size: '0.5', stop: String(Math.round(price * 0.5)), target: String(Math.round(price * 2)), direction: i % 2 === 0 ? 'BUY' : 'SELL' }));
  }
  return { bars, directives };
}

async function journalOf(dir: string, seed = 42): Promise<{ entry_id: string }[]> {
  const { bars, directives } = market();
  const config = testConfig({
    connector: { paper: { slippage_bps: '3', instruments: { BTC_USDT: BTC }, faults: { seed: 7, transient_error_rate: 0.2 } } },
    backtest: { seed },
  });
  const run = await runBacktest({ config, bars: chunks(bars, 50), directives: lines(directives), logger: silentLogger });
  const file = join(dir, 'backtest.db');
  try {
    await saveStoreCopy(run.platform.store, file);
  } finally {
    await run.platform.close();
    run.release();
  }
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare<[], { entry_id: string }>('SELECT seq, entry_id, event_type, flow_id, timestamp, body, prev_hash, hash FROM journal ORDER BY seq').all();
  } finally {
    db.close();
  }
}

describe('a backtest is deterministic', () => {
  it('gives byte-identical journal entries, ids and hashes for the same inputs and seed, retries included', async () => {
    const dir = tempDir();
    const first = await journalOf(join(dir, 'a'));
    const second = await journalOf(join(dir, 'b'));
    expect(first.length).toBeGreaterThan(100);
    expect(JSON.stringify(first)).toContain('ORDER_RESULT');
    expect(second).toEqual(first);
  });

  it('draws its ids from the seed: another seed, other entry ids', async () => {
    const dir = tempDir();
    const [a, b] = [await journalOf(join(dir, 'a'), 1), await journalOf(join(dir, 'b'), 2)];
    expect(a.map((e) => e.entry_id)).not.toEqual(b.map((e) => e.entry_id));
  });
});
