import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../../src/app/create-platform.js';
import { EXPORT_COLUMNS } from '../../src/app/export/index.js';
import { withExistingStore } from '../../src/cli/open-store.js';
import { defaultConfig } from '../../src/config/schema.js';
import { orderRecordToWire } from '../../src/domain/wire.js';
import { parseCsv } from '../support/csv-reader.js';
import { closeWire, ethSwingShortWire, newTradeWire } from '../support/directives.js';
import { silentLogger } from '../support/fakes.js';
import { explain, jsonLines, planexec, runSession } from './run-cli.js';

let dir: string;
let db: string;

const btc = newTradeWire({ strategy_id: 'btc_trend' });
const eth = ethSwingShortWire();
const session = [btc, eth, closeWire([eth.directive_id], { strategy_id: 'eth_swing' })];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-export-cli-'));
  db = join(dir, 'world.db');
  await runSession(dir, db, session);
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('planexec export', () => {
  it('prints CSV by default: the fixed header, then one record per trade', async () => {
    const result = await planexec(['export', 'trades', '--db', db]);
    expect(result.code, explain(result)).toBe(0);
    const [header, ...rows] = parseCsv(result.stdout);
    expect(header).toEqual(EXPORT_COLUMNS.trades);
    expect(rows.map((r) => r[0]).sort()).toEqual([btc.directive_id, eth.directive_id].sort());
    expect(rows.find((r) => r[0] === eth.directive_id)?.[header!.indexOf('status')]).toBe('CLOSED');
  });

  it('--format jsonl gives the Order wire objects the ledger holds', async () => {
    const exported = await planexec(['export', 'orders', '--db', db, '--format', 'jsonl']);
    expect(exported.code, explain(exported)).toBe(0);
    const listed = await withExistingStore({ type: 'sqlite', path: db }, (store) => store.ledger.listOrders());
    const byId = (a: Record<string, unknown>, b: Record<string, unknown>): number => String(a['client_order_id']).localeCompare(String(b['client_order_id']));
    expect(jsonLines(exported.stdout).sort(byId)).toEqual((listed.map(orderRecordToWire) as unknown as Record<string, unknown>[]).sort(byId));
  });

  it('--out writes the file whole and nothing to stdout; --from/--to keep a window', async () => {
    const out = join(dir, 'journal.jsonl');
    const result = await planexec(['export', 'journal', '--db', db, '--format', 'jsonl', '--out', out]);
    expect(result.code, explain(result)).toBe(0);
    expect(result.stdout).toBe('');
    const entries = jsonLines(readFileSync(out, 'utf8'));
    expect(entries.map((e) => e['seq'])).toEqual(entries.map((_, i) => i + 1));
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);

    const middle = String(entries[Math.floor(entries.length / 2)]!['timestamp']);
    const windowed = await planexec(['export', 'journal', '--db', db, '--format', 'jsonl', '--from', middle]);
    const kept = jsonLines(windowed.stdout);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((e) => String(e['timestamp']) >= middle)).toBe(true);
    expect(kept.length).toBeLessThan(entries.length);
  });

  it('a bad kind, format or time is a usage error (exit 2) naming the allowed values', async () => {
    const result = await planexec(['export', 'positions', '--db', db, '--format', 'xml', '--to', 'tomorrow']);
    expect(result.code, explain(result)).toBe(2);
    expect(result.stderr).toContain('the kind must be one of trades, orders, fills, journal; got "positions"');
    expect(result.stderr).toContain('--format must be one of csv, jsonl; got "xml"');
    expect(result.stderr).toContain('--to must be an ISO-8601 timestamp with a time zone');
    expect(result.stdout).toBe('');
  });

  it('a missing database is a usage error and creates no file', async () => {
    const missing = join(dir, 'nothing-here.db');
    const result = await planexec(['export', 'fills', '--db', missing]);
    expect(result.code, explain(result)).toBe(2);
    expect(result.stderr).toContain('no planexec database');
    expect(existsSync(missing)).toBe(false);
  });

  it('reads beside a running writer that holds the database', async () => {
    const platform = await createPlatform({ config: defaultConfig(), dbPath: db, logger: silentLogger, recover: false });
    try {
      const result = await planexec(['export', 'fills', '--db', db, '--format', 'jsonl']);
      expect(result.code, explain(result)).toBe(0);
      expect(jsonLines(result.stdout).length).toBe(3);
    } finally {
      await platform.close();
    }
  });
});
