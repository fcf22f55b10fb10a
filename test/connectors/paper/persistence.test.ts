import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { PaperConnector } from '../../../src/connectors/paper/paper-connector.js';
import { VenueRejected } from '../../../src/domain/errors.js';
import { FakeClock } from '../../support/fake-clock.js';
import { dec, orderRequest, paperConfig, rejectionOf, scratchDir } from './paper-fixture.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function venueFile(): string {
  const scratch = scratchDir();
  cleanups.push(scratch.remove);
  return join(scratch.dir, 'venue.db');
}

function open(path: string, overrides: Record<string, unknown> = {}, clock = new FakeClock()): PaperConnector {
  return new PaperConnector(paperConfig({ path, slippage_bps: '0', ...overrides }), { clock });
}

describe('paper venue persistence', () => {
  it('restores resting orders, protective orders, prices and positions from its file, and they trigger after reopening', async () => {
    const path = venueFile();
    const first = open(path);
    await first.placeOrder(orderRequest({ client_order_id: 'PXentry-E', quantity: dec('0.01') }));
    await first.placeOrder(
      orderRequest({ client_order_id: 'PXentry-SL', side: 'SELL', order_type: 'STOP_MARKET', stop_price: dec('64000'), reduce_only: true }),
    );
    await first.placeOrder(
      orderRequest({ client_order_id: 'PXentry-TP', side: 'SELL', order_type: 'LIMIT', limit_price: dec('67000'), reduce_only: true }),
    );
    await first.placeOrder(orderRequest({ client_order_id: 'PXdip-E', order_type: 'LIMIT', limit_price: dec('63000'), quantity: dec('0.02') }));
    await first.setPrice('BTC_USDT', dec('65500'));
    const before = first.allOrders();
    await first.close();

    const second = open(path);
    expect(second.allOrders()).toEqual(before);
    expect((await second.getReferencePrice('BTC_USDT')).toString()).toBe('65500');
    expect(second.netPositions().get('BTC_USDT')?.toString()).toBe('0.01');
    expect((await second.fetchOpenOrders()).map((o) => o.client_order_id)).toEqual(['PXentry-SL', 'PXentry-TP', 'PXdip-E']);

    const reports = await second.setPrice('BTC_USDT', dec('62900'));
    expect(reports.map((r) => [r.order.client_order_id, r.order.status])).toEqual([
      ['PXentry-SL', 'FILLED'],
      ['PXdip-E', 'FILLED'],
    ]);
    const tradeIds = second.allFills().map((f) => f.venue_trade_id);
    expect(new Set(tradeIds).size).toBe(tradeIds.length);
    expect(second.netPositions().get('BTC_USDT')?.toString()).toBe('0.02');
    expect(await rejectionOf(second.placeOrder(orderRequest({ client_order_id: 'PXentry-E' })))).toBeInstanceOf(VenueRejected);
    expect(second.submitAttempts('PXentry-E')).toBe(2);
    const next = await second.placeOrder(orderRequest());
    expect(next.venue_order_id).toBe('V5');
    await second.close();
  });

  it('continues the seeded fault sequence after a reopen instead of replaying it', async () => {
    const faults = { transient_error_rate: 0.3, rejection_rate: 0.2, timeout_rate: 0.2, seed: 11 };
    const run = async (venue: PaperConnector, from: number, count: number): Promise<string[]> => {
      const codes: string[] = [];
      for (let i = from; i < from + count; i++) {
        codes.push(await venue.placeOrder(orderRequest({ client_order_id: `PXfault${i}-E` })).then(() => 'ok', (e: { code: string }) => e.code));
      }
      return codes;
    };
    const straight = open(venueFile(), { faults });
    const expected = await run(straight, 0, 20);
    await straight.close();

    const path = venueFile();
    const before = open(path, { faults });
    const head = await run(before, 0, 10);
    await before.close();
    const after = open(path, { faults });
    const tail = await run(after, 10, 10);
    await after.close();
    expect([...head, ...tail]).toEqual(expected);
  });

  it('refuses calls once closed with CONNECTOR_CLOSED, and closing twice is harmless', async () => {
    const venue = open(venueFile());
    await venue.close();
    await venue.close();
    const error = await rejectionOf(venue.placeOrder(orderRequest()));
    expect((error as { code: string }).code).toBe('CONNECTOR_CLOSED');
    expect(((await rejectionOf(venue.setPrice('BTC_USDT', dec('1')))) as { code: string }).code).toBe('CONNECTOR_CLOSED');
    expect(() => venue.netPositions()).toThrow(/closed/);
  });

  it('keeps its file in WAL mode', async () => {
    const path = venueFile();
    const venue = open(path);
    await venue.placeOrder(orderRequest());
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await venue.close();
  });

  it('keeps a committed order when the process is killed without closing', async () => {
    const path = venueFile();
    const script = join(path, '..', 'kill.mts');
    const connector = resolve('src/connectors/paper/paper-connector.ts');
    const schema = resolve('src/config/schema.ts');
    const decimal = resolve('src/domain/decimal.ts');
    writeFileSync(
      script,
      `import { PaperConnector } from ${JSON.stringify(connector)};
import { PaperConnectorSchema } from ${JSON.stringify(schema)};
import { Decimal } from ${JSON.stringify(decimal)};
const clock = { now: () => Date.UTC(2026, 10, 24), sleep: () => Promise.resolve() };
const venue = new PaperConnector(PaperConnectorSchema.parse({ path: ${JSON.stringify(path)} }), { clock });
await venue.placeOrder({ client_order_id: 'PXkilled-E', symbol: 'BTC_USDT', side: 'BUY', order_type: 'LIMIT',
  limit_price: new Decimal('60000'), quantity: new Decimal('0.01'), time_in_force: 'GTC', reduce_only: false });
process.kill(process.pid, 'SIGKILL');
`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 20_000 });
    expect(child.stderr).toBe('');
    expect(child.signal).toBe('SIGKILL');
    expect(existsSync(path)).toBe(true);
    const venue = open(path);
    const [order] = await venue.fetchOpenOrders();
    expect(order?.client_order_id).toBe('PXkilled-E');
    expect(venue.submitAttempts('PXkilled-E')).toBe(1);
    await venue.close();
  });
});
