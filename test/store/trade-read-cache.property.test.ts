import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/decimal.js';
import type { OrderStatus } from '../../src/domain/enums.js';
import type { OrderRecord, Position } from '../../src/domain/trading.js';
import { openSqliteStore } from '../../src/store/index.js';
import { TradeReadCache } from '../../src/store/trade-read-cache.js';
import { FakeClock } from '../support/fake-clock.js';
import { order, position } from './contract/builders.js';

const TRADES = ['T_A', 'T_B', 'T_C'];
const STATUSES: readonly OrderStatus[] = ['PENDING', 'OPEN', 'FILLED', 'CANCELLED'];
const LIVE: readonly OrderStatus[] = ['PENDING', 'OPEN'];

/** One write of the random sequence: a position, some orders (new or again), or a rollback. */
type Step =
  | { readonly kind: 'position'; readonly trade: number; readonly size: number; readonly status: 'OPEN' | 'CLOSED' }
  | { readonly kind: 'orders'; readonly items: readonly { readonly trade: number; readonly id: number; readonly status: number; readonly minute: number }[]; readonly directive: number }
  | { readonly kind: 'rollback'; readonly directive: number }
  | { readonly kind: 'read'; readonly trade: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('position' as const), trade: fc.nat(2), size: fc.integer({ min: 1, max: 50 }), status: fc.constantFrom('OPEN' as const, 'CLOSED' as const) }),
  fc.record({
    kind: fc.constant('orders' as const),
    items: fc.array(fc.record({ trade: fc.nat(2), id: fc.nat(5), status: fc.nat(3), minute: fc.nat(3) }), { minLength: 1, maxLength: 3 }),
    directive: fc.nat(2),
  }),
  fc.record({ kind: fc.constant('rollback' as const), directive: fc.nat(2) }),
  fc.record({ kind: fc.constant('read' as const), trade: fc.nat(2) }),
);

function orderOf(item: { trade: number; id: number; status: number; minute: number }): OrderRecord {
  const trade = TRADES[item.trade]!;
  return order({
    client_order_id: `PX_${trade}_${item.id}`,
    trade_id: trade,
    directive_id: trade,
    status: STATUSES[item.status]!,
    // created_at is fixed per order (as the platform writes it); the minute varies the order between orders
    created_at: `2026-11-24T10:${String(10 + ((item.id * 7 + item.trade) % 4)).padStart(2, '0')}:00.000Z`,
    updated_at: `2026-11-24T11:0${item.minute}:00.000Z`,
    filled_quantity: new Decimal(item.status === 2 ? '0.015' : '0'),
  });
}

function positionOf(s: Extract<Step, { kind: 'position' }>): Position {
  const trade = TRADES[s.trade]!;
  return position({ trade_id: trade, opened_by: trade, last_directive_id: trade, position_size: new Decimal(s.size).div(1000), status: s.status });
}

describe('the ledger read cache', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'planexec-trade-cache-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['on the event loop', false],
    ['on the writer thread', true],
  ])('gives after any sequence of writes, failed writes and rollbacks what a reader without a cache reads from the same database (commits %s)', async (_mode, writerThread) => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        const path = join(dir, `cache-${run++}.db`);
        const writer = openSqliteStore(path, { clock: new FakeClock(), writerThread });
        const reader = openSqliteStore(path, { clock: new FakeClock(), readOnly: true });
        try {
          for (const s of steps) {
            if (s.kind === 'position') await writer.ledger.apply({ directive_id: TRADES[s.trade]!, positions: [positionOf(s)] });
            else if (s.kind === 'orders') {
              // a duplicate id inside one change is refused by the store: the write fails as a whole
              await writer.ledger.apply({ directive_id: TRADES[s.directive]!, orders: s.items.map(orderOf) }).catch(() => undefined);
            } else if (s.kind === 'rollback') await writer.ledger.rollbackDirective(TRADES[s.directive]!);
            else await writer.ledger.listOrders({ trade_id: TRADES[s.trade]! });
            for (const trade of TRADES) {
              expect(await writer.ledger.getPosition(trade)).toEqual(await reader.ledger.getPosition(trade));
              expect(await writer.ledger.listOrders({ trade_id: trade })).toEqual(await reader.ledger.listOrders({ trade_id: trade }));
              expect(await writer.ledger.listOrders({ trade_id: trade, statuses: LIVE })).toEqual(await reader.ledger.listOrders({ trade_id: trade, statuses: LIVE }));
            }
          }
        } finally {
          await reader.close();
          await writer.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('keeps at most its limit of trades, dropping the least recently read', async () => {
    const cache = new TradeReadCache(2);
    let loads = 0;
    const load = (id: string) => async () => {
      loads += 1;
      return position({ trade_id: id });
    };
    await cache.position('A', load('A'));
    await cache.position('B', load('B'));
    await cache.position('A', load('A')); // A is now the most recent
    await cache.position('C', load('C')); // B goes
    expect(loads).toBe(3);
    await cache.position('A', load('A'));
    expect(loads).toBe(3);
    await cache.position('B', load('B'));
    expect(loads).toBe(4);
  });

  it('does not keep a load that a write overlapped', async () => {
    const cache = new TradeReadCache();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const stale = position({ trade_id: 'A', status: 'OPEN' });
    const reading = cache.orders('A', undefined, async () => {
      await gate;
      return [order({ trade_id: 'A', status: 'OPEN' })];
    });
    cache.written({ orders: [order({ trade_id: 'A', status: 'FILLED' })], positions: [stale] });
    release();
    await reading;
    let loaded = false;
    await cache.orders('A', undefined, async () => {
      loaded = true;
      return [];
    });
    expect(loaded).toBe(true);
  });
});
