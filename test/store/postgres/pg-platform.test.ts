import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../../src/app/create-platform.js';
import { executionQuality } from '../../../src/app/execution-quality.js';
import { openStoreForReading } from '../../../src/app/open-store.js';
import { verifyWorld } from '../../../src/app/verify.js';
import { defaultConfig, type PlatformConfig } from '../../../src/config/schema.js';
import type { ExecutionDirectiveWire } from '../../../src/domain/directive.js';
import type { IReadOnlyStore } from '../../../src/ports/store.js';
import { closeWire, ethSwingShortWire, modifyWire, newTradeWire, solRestingDipWire } from '../../support/directives.js';
import { silentLogger } from '../../support/fakes.js';
import { postgresReachable, scratchSchema } from '../../support/postgres.js';

const reachable = await postgresReachable();

/** The same world on both stores: BTC opened, its stop moved, then closed; an ETH short; a resting SOL entry; a duplicate; an entry bounded by its slippage cap. */
function directives(): ExecutionDirectiveWire[] {
  const btc = newTradeWire({ strategy_id: 'btc_trend' });
  // urgency 0.5 with a cap: one marketable LIMIT IOC at the price bound
  const bounded = newTradeWire({ strategy_id: 'btc_bounded', routing_plan: { execution_urgency: '0.5', max_slippage_pct: '0.01', time_in_force: 'GTC' } });
  return [
    btc,
    ethSwingShortWire(),
    solRestingDipWire(),
    modifyWire([btc.directive_id], { strategy_id: 'btc_trend' }),
    btc,
    closeWire([btc.directive_id], { strategy_id: 'btc_trend' }),
    bounded,
  ];
}

/** What must not depend on the store: times, ids the venue or the clock makes, and the journal's own numbering left out. */
const TIMES = /_at$|^fill_id$|^venue_trade_id$|^venue_order_id$|^timestamp$|^seq$|^hash$|^prev_hash$|^entry_id$|latency_ms$/;
function timeless(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(timeless);
  if (value !== null && typeof value === 'object') {
    if ('toFixed' in value) return String(value);
    return Object.fromEntries(Object.entries(value).filter(([k]) => !TIMES.test(k)).map(([k, v]) => [k, timeless(v)]));
  }
  return value;
}

async function exported(store: IReadOnlyStore, kind: 'trades' | 'orders' | 'fills' | 'journal'): Promise<unknown[]> {
  const records: unknown[] = [];
  for (let after = 0; ; ) {
    const page = await store.readModels.readExportPage(kind, { from: null, to: null }, after, 3);
    records.push(...page.records);
    if (page.cursor === null) return records;
    after = page.cursor;
  }
}

describe.runIf(reachable)('the platform on PostgreSQL', () => {
  let dir: string;
  let scratch: Awaited<ReturnType<typeof scratchSchema>>;
  const worlds: { name: string; platform: Platform; config: PlatformConfig; db: string }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'planexec-pg-platform-'));
    scratch = await scratchSchema();
    const base = defaultConfig();
    const sqliteConfig: PlatformConfig = { ...base, connector: { ...base.connector, paper: { ...base.connector.paper, path: join(dir, 'sqlite-venue.db') } } };
    const pgConfig: PlatformConfig = {
      ...base,
      storage: { ...base.storage, type: 'postgres', url: scratch.url },
      connector: { ...base.connector, paper: { ...base.connector.paper, path: join(dir, 'pg-venue.db') } },
    };
    const lines = directives();
    for (const [name, config, dbPath] of [['sqlite', sqliteConfig, join(dir, 'planexec.db')], ['postgres', pgConfig, undefined]] as const) {
      const platform = await createPlatform({ config, ...(dbPath === undefined ? {} : { dbPath }), logger: silentLogger, recover: false });
      for (const directive of lines) {
        const result = await platform.orchestrator.submit({ input: directive, source: { kind: 'internal' }, received_at: Date.now() });
        if (result.outcome === 'FAILED') throw new Error(`${name}: ${directive.directive_id} failed: ${result.reason}`);
      }
      worlds.push({ name, platform, config, db: platform.paths.db });
    }
  }, 120_000);

  afterAll(async () => {
    for (const world of worlds) await world.platform.close();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the ledger SQLite keeps for the same directives: positions, orders and fills', async () => {
    const [sqlite, postgres] = worlds.map((w) => w.platform.store.ledger);
    expect(timeless(await postgres!.listPositions())).toEqual(timeless(await sqlite!.listPositions()));
    expect(timeless(await postgres!.listOrders())).toEqual(timeless(await sqlite!.listOrders()));
    expect(timeless(await postgres!.listFills())).toEqual(timeless(await sqlite!.listFills()));
    expect((await postgres!.listPositions()).length).toBe(4);
    expect((await postgres!.listOrders()).find((o) => o.purpose === 'ENTRY' && o.order_type === 'LIMIT' && o.time_in_force === 'IOC')).toBeDefined();
  });

  it('journals the same entries for each strategy, in the same order, and both chains verify', async () => {
    const byStrategy = async (platform: Platform) => {
      const grouped = new Map<string, string[]>();
      for (const entry of await platform.store.journal.read({})) {
        const key = entry.strategy_id ?? '_platform';
        grouped.set(key, [...(grouped.get(key) ?? []), entry.event_type]);
      }
      return Object.fromEntries([...grouped].sort(([a], [b]) => a.localeCompare(b)));
    };
    expect(await byStrategy(worlds[1]!.platform)).toEqual(await byStrategy(worlds[0]!.platform));
    for (const world of worlds) expect((await world.platform.store.journal.verify()).ok).toBe(true);
  });

  it('reads the same exports, page by page, through a read-only store opened from the URL', async () => {
    const readers = await Promise.all(worlds.map((w) => openStoreForReading(w.platform.paths.store)));
    try {
      for (const kind of ['trades', 'orders', 'fills', 'journal'] as const) {
        const [sqlite, postgres] = await Promise.all(readers.map((r) => exported(r, kind)));
        if (kind === 'journal') expect(postgres!.length).toBe(sqlite!.length);
        else expect(timeless(postgres)).toEqual(timeless(sqlite));
      }
    } finally {
      await Promise.all(readers.map((r) => r.close()));
    }
  });

  it('gives the same execution quality and shortfall by style', async () => {
    const [sqlite, postgres] = worlds.map((w) => w.platform.store.readModels);
    expect(timeless(await executionQuality(postgres!))).toEqual(timeless(await executionQuality(sqlite!)));
    const styled = await postgres!.readStyledEntries({});
    expect(styled.map((s) => s.style).sort()).toEqual(['SINGLE', 'SINGLE', 'SINGLE', 'SINGLE']);
    expect(timeless(styled)).toEqual(timeless(await sqlite!.readStyledEntries({})));
  });

  it('verifies journal → ledger → venue with no difference, in one snapshot of the database', async () => {
    const postgres = worlds[1]!.platform;
    const reader = await openStoreForReading(postgres.paths.store);
    try {
      const paper = postgres.paper!;
      const report = await verifyWorld({ store: reader, connector: postgres.connector, venueNetPositions: () => paper.netPositions() });
      expect(report.differences).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      await reader.close();
    }
  });
});
