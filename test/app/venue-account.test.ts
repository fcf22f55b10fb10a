import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createPlatform } from '../../src/app/create-platform.js';
import { PaperConnector } from '../../src/connectors/paper/paper-connector.js';
import { platformPaths } from '../../src/app/platform-paths.js';
import { compareLedgerWithAccount } from '../../src/app/venue-account-check.js';
import { recordVenueBaseline } from '../../src/app/venue-baseline.js';
import { verifyWorld } from '../../src/app/verify.js';
import { openVerifyVenue } from '../../src/app/verify-venue.js';
import { defaultConfig } from '../../src/config/schema.js';
import type { VenueBalance, VenueOrder } from '../../src/ports/connector.js';
import { Decimal } from '../../src/domain/decimal.js';
import { ConfigError } from '../../src/domain/errors.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { openReadOnlyStore } from '../../src/store/sqlite/open-read-only-store.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createHarness, type Harness } from '../orchestration/harness.js';
import { newTradeWire } from '../support/directives.js';
import { FakeClock } from '../support/fake-clock.js';
import { silentLogger } from '../support/fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-venue-account-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const d = (s: string): Decimal => new Decimal(s);
const balance = (asset: string, free: string, locked = '0'): VenueBalance => ({ asset, free: d(free), locked: d(locked) });

let counter = 0;
const open: { store: SqliteStore; path: string }[] = [];
afterEach(async () => {
  for (const { store } of open.splice(0)) await store.close();
});

/**
 * A spot account (BTC 1, USDT 10000, BNB 0.5) whose baseline planexec records at start, then one
 * BUY of 0.01 BTC at 65000 whose 0.1 % fee the venue takes in BTC; its stop and target rest.
 */
async function spotWorld(): Promise<{ h: Harness; store: SqliteStore; path: string; trade: string }> {
  const path = join(dir, `ledger-${++counter}.db`);
  const store = openSqliteStore(path);
  open.push({ store, path });
  const h = createHarness({ store });
  h.connector.feeModel = 'spot';
  h.connector.setLot('BTC_USDT', '0.00001');
  h.connector.balances = [balance('BTC', '1'), balance('USDT', '10000'), balance('BNB', '0.5')];
  expect(await recordVenueBaseline({ connector: h.connector, store, clock: h.clock, logger: silentLogger })).toBe('recorded');
  const wire = newTradeWire({ size_plan: { position_size: '0.01', position_value: '650', risk_amount: '10', leverage: '1' } });
  expect((await h.submit(wire)).outcome).toBe('SUCCEEDED');
  // what the venue's account then holds: 0.00999 BTC more (locked by the target), 650 USDT less
  h.connector.balances = [balance('BTC', '1', '0.00999'), balance('USDT', '9350'), balance('BNB', '0.5')];
  return { h, store, path, trade: wire.directive_id };
}

async function verify(h: Harness, path: string) {
  const reader = openReadOnlyStore(path);
  try {
    return await verifyWorld({ store: reader, connector: h.connector });
  } finally {
    await reader.close();
  }
}

describe('verify against a venue account: open orders and balances', () => {
  it('agrees when the venue holds the baseline plus what the ledger’s fills did, fees in the base asset included', async () => {
    const { h, path } = await spotWorld();
    const report = await verify(h, path);
    expect(report.differences).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checked.venue_balances).toBe(2);
  });

  it('names the asset, the expected and the actual balance when the venue took a fee the ledger does not know', async () => {
    const { h, path } = await spotWorld();
    h.connector.balances = [balance('BTC', '1', '0.00998'), balance('USDT', '9350'), balance('BNB', '0.5')];
    const report = await verify(h, path);
    expect(report.ok).toBe(false);
    expect(report.differences).toEqual([expect.objectContaining({ check: 'venue_balance', subject: 'asset', id: 'BTC', field: 'total', ledger: '1.00999', expected: '1.00998' })]);
    expect(report.differences[0]!.message).toMatch(/^BTC: expected 1\.00999 \(baseline 1 \+ 0\.00999 from the ledger's fills\), venue has 1\.00998 \(free 1 \+ locked 0\.00998\)/);
  });

  it('a fill whose fee the ledger lost shows as the fee asset’s difference', async () => {
    const { h, store, trade } = await spotWorld();
    const fills = (await store.ledger.listFills({ trade_id: trade })).map((f) => ({ ...f, fee: d('0') }));
    const result = await compareLedgerWithAccount({ orders: await store.ledger.listOrders(), fills, baseline: store.baseline.list('fake'), connector: h.connector });
    expect(result?.differences).toEqual([expect.objectContaining({ id: 'BTC', ledger: '1.01', expected: '1.00999' })]);
  });

  it('reports an order open at the venue that the ledger does not know, by its client order id', async () => {
    const { h, path } = await spotWorld();
    const stranger: VenueOrder = {
      client_order_id: 'PX00000000000000ff-E',
      venue_order_id: 'V999',
      symbol: 'BTC_USDT',
      side: 'BUY',
      order_type: 'LIMIT',
      quantity: d('0.002'),
      limit_price: d('60000'),
      stop_price: null,
      status: 'OPEN',
      filled_quantity: d('0'),
      average_fill_price: null,
      fills: [],
      reject_reason: null,
      created_at: '2026-11-24T10:15:00.000Z',
      updated_at: '2026-11-24T10:15:00.000Z',
    };
    h.connector.orders.set(stranger.client_order_id, stranger);
    const report = await verify(h, path);
    expect(report.differences).toEqual([expect.objectContaining({ check: 'ledger_venue', subject: 'order', id: 'PX00000000000000ff-E', field: 'exists' })]);
    expect(report.differences[0]!.message).toContain('open at the venue (BUY 0.002 BTC_USDT) but not in the ledger');
  });

  it('reports an order the ledger shows resting that is missing from the venue’s open orders, by its client order id', async () => {
    const { h, path, trade } = await spotWorld();
    const target = clientOrderId(trade, 'TP');
    h.connector.hiddenFromOpenOrders.add(target);
    const report = await verify(h, path);
    expect(report.differences).toEqual([expect.objectContaining({ check: 'ledger_venue', subject: 'order', id: target, trade_id: trade, field: 'open', ledger: 'OPEN' })]);
    expect(report.differences[0]!.message).toContain(`order ${target} (trade ${trade}): OPEN in the ledger (SELL 0.00999 BTC_USDT) but not among the venue's open orders`);
  });

  it('reports a missing open order once when the venue no longer knows it at all', async () => {
    const { h, path, trade } = await spotWorld();
    const target = clientOrderId(trade, 'TP');
    h.connector.orders.delete(target);
    const report = await verify(h, path);
    expect(report.differences.filter((x) => x.id === target)).toEqual([expect.objectContaining({ field: 'exists', ledger: 'OPEN', expected: null })]);
  });

  it('says balances cannot be checked when the ledger has fills on the venue but no baseline was recorded', async () => {
    const { h, store } = await spotWorld();
    const result = await compareLedgerWithAccount({ orders: [], fills: await store.ledger.listFills(), baseline: [], connector: h.connector });
    expect(result?.differences).toEqual([expect.objectContaining({ check: 'venue_balance', subject: 'venue', id: 'fake', field: 'baseline' })]);
  });

  it('skips open orders and balances for a venue that keeps no account (fetchBalances null, the paper venue)', async () => {
    const { h, store, path } = await spotWorld();
    h.connector.balances = null;
    expect(await compareLedgerWithAccount({ orders: await store.ledger.listOrders(), fills: await store.ledger.listFills(), baseline: [], connector: h.connector })).toBeNull();
    expect((await verify(h, path)).checked.venue_balances).toBeNull();
  });
});

describe('venue balance baseline', () => {
  it('is recorded once per venue: later starts keep the first one', async () => {
    const { h, store } = await spotWorld();
    expect(await recordVenueBaseline({ connector: h.connector, store, clock: h.clock, logger: silentLogger })).toBe('exists');
    expect(store.baseline.list('fake').map((b) => [b.asset, b.total.toFixed()])).toEqual([
      ['BNB', '0.5'],
      ['BTC', '1'],
      ['USDT', '10000'],
    ]);
  });

  it('is not recorded for a venue without an account, and takes off what the ledger’s fills did when recorded late', async () => {
    const { h, store } = await spotWorld();
    const other = openSqliteStore(join(dir, `ledger-${++counter}.db`));
    open.push({ store: other, path: '' });
    h.connector.balances = null;
    expect(await recordVenueBaseline({ connector: h.connector, store: other, clock: h.clock, logger: silentLogger })).toBe('no_balances');
    expect(other.baseline.list('fake')).toEqual([]);

    // the first store's baseline removed, as in a database from before baselines: recorded now, it is the account before the trade
    store.database.prepare('DELETE FROM venue_baseline').run();
    h.connector.balances = [balance('BTC', '1', '0.00999'), balance('USDT', '9350'), balance('BNB', '0.5')];
    expect(await recordVenueBaseline({ connector: h.connector, store, clock: h.clock, logger: silentLogger })).toBe('recorded');
    expect(store.baseline.list('fake').map((b) => [b.asset, b.total.toFixed()])).toEqual([
      ['BNB', '0.5'],
      ['BTC', '1'],
      ['USDT', '10000'],
    ]);
  });
});

describe('the platform at start', () => {
  it('records the baseline when its venue has an account, once: a later start keeps the first', async () => {
    const db = join(dir, `platform-${++counter}.db`);
    const balances = vi.spyOn(PaperConnector.prototype, 'fetchBalances');
    try {
      balances.mockResolvedValue([balance('USDT', '5000', '100')]);
      const first = await createPlatform({ config: defaultConfig(), dbPath: db, logger: silentLogger, recover: false });
      await first.close();
      balances.mockResolvedValue([balance('USDT', '1')]);
      const second = await createPlatform({ config: defaultConfig(), dbPath: db, logger: silentLogger, recover: false });
      try {
        expect(balances).toHaveBeenCalledTimes(1);
        expect(second.store.baseline.list('paper').map((b) => [b.asset, b.total.toFixed()])).toEqual([['USDT', '5100']]);
      } finally {
        await second.close();
      }
    } finally {
      balances.mockRestore();
    }
  });

  it('records none for the paper venue, which keeps positions rather than an account', async () => {
    const platform = await createPlatform({ config: defaultConfig(), dbPath: join(dir, `platform-${++counter}.db`), logger: silentLogger, recover: false });
    try {
      expect(platform.store.baseline.list('paper')).toEqual([]);
    } finally {
      await platform.close();
    }
  });
});

describe('the venue verify opens', () => {
  it('a live venue needs the account’s keys: a clear message names the keys before anything is opened', async () => {
    const config = defaultConfig();
    const live = { ...config, connector: { ...config.connector, type: 'ccxt' as const, ccxt: { ...config.connector.ccxt, exchange: 'binance' } } };
    const run = (): Promise<unknown> => openVerifyVenue(live, platformPaths(live, join(dir, 'live.db')), { clock: new FakeClock(), logger: silentLogger, liveOrders: async () => [] });
    await expect(run()).rejects.toThrow(ConfigError);
    await expect(run()).rejects.toThrow(/connector\.ccxt\.api_key: verify against a live venue \(connector\.type ccxt\) needs the account's keys/);
    await expect(run()).rejects.toThrow(/connector\.ccxt\.api_secret/);
  });
});
