import { Decimal as DecimalJs } from 'decimal.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryPaperStore } from '../../../src/connectors/paper/memory-paper-store.js';
import { openPaperStore } from '../../../src/connectors/paper/open-paper-store.js';
import type { PaperStore } from '../../../src/connectors/paper/paper-store.js';
import { SqlitePaperStore } from '../../../src/connectors/paper/sqlite-paper-store.js';
import { Decimal } from '../../../src/domain/decimal.js';
import { dec, scratchDir } from './paper-fixture.js';
import { fillRow, observe, orderRow, plain, refusedRow, STORES, type Keys, type OpenedStore } from './paper-store-fixture.js';

/** What a store call threw: its constructor's name aside, the code is what callers can tell apart. */
function failure(call: () => unknown): { readonly code: unknown; readonly message: string } {
  try {
    call();
  } catch (error) {
    return { code: (error as { code?: unknown }).code, message: (error as Error).message };
  }
  throw new Error('expected the call to throw');
}

const KEYS: Keys = {
  symbols: ['BTC_USDT', 'ETH_USDT'],
  positionIds: ['', 'P1'],
  clientOrderIds: ['C1', 'C2', 'C3', 'R1'],
  counters: ['venue_order', 'other'],
  settings: ['position_mode'],
};

describe.each(STORES)('%s', (_name, open) => {
  let opened: OpenedStore;
  let store: PaperStore;
  beforeEach(() => {
    opened = open();
    store = opened.store;
  });
  afterEach(() => opened.dispose());

  it('is open for writing until closed, then refuses every call', () => {
    expect(store.readonly).toBe(false);
    expect(store.isOpen).toBe(true);
    store.close();
    expect(store.isOpen).toBe(false);
    expect(() => store.counter('x')).toThrow(TypeError);
    expect(() => store.insertOrder(orderRow())).toThrow(TypeError);
    expect(() => store.transaction(() => 1)).toThrow(TypeError);
    store.close();
  });

  describe('counters', () => {
    it('start unset, count from 1 and take a set value', () => {
      expect(store.counter('venue_order')).toBeUndefined();
      expect(store.next('venue_order')).toBe(1);
      expect(store.next('venue_order')).toBe(2);
      store.setCounter('venue_order', 40);
      expect(store.counter('venue_order')).toBe(40);
      expect(store.next('venue_order')).toBe(41);
      expect(store.counter('other')).toBeUndefined();
    });
  });

  describe('orders', () => {
    it('are given back as inserted', () => {
      const order = orderRow({ position_id: 'P1', reduce_only: true, stop_price: dec('99.5'), triggered: true, reject_reason: 'why' });
      store.insertOrder(order);
      expect(plain(store.order('C1')!)).toEqual(plain(order));
      expect(store.order('nope')).toBeUndefined();
    });

    it('refuse a second order with a taken seq, client order id or venue order id, changing nothing', () => {
      store.insertOrder(orderRow({ seq: 1 }));
      const before = observe(store, KEYS);
      expect(failure(() => store.insertOrder(orderRow({ seq: 1, client_order_id: 'C2', venue_order_id: 'V2' })))).toEqual({
        code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
        message: 'UNIQUE constraint failed: orders.seq',
      });
      expect(failure(() => store.insertOrder(orderRow({ seq: 2, client_order_id: 'C1' })))).toEqual({
        code: 'SQLITE_CONSTRAINT_UNIQUE',
        message: 'UNIQUE constraint failed: orders.client_order_id',
      });
      expect(failure(() => store.insertOrder(orderRow({ seq: 2, venue_order_id: 'V1' })))).toEqual({
        code: 'SQLITE_CONSTRAINT_UNIQUE',
        message: 'UNIQUE constraint failed: orders.venue_order_id',
      });
      // both ids taken: SQLite names the venue's
      expect(failure(() => store.insertOrder(orderRow({ seq: 2, client_order_id: 'C1', venue_order_id: 'V1' }))).message).toBe(
        'UNIQUE constraint failed: orders.venue_order_id',
      );
      expect(failure(() => store.insertOrder(orderRow({ seq: 2.5 }))).code).toBe('SQLITE_MISMATCH');
      expect(observe(store, KEYS)).toEqual(before);
    });

    it('change only their terms and state on update; an unknown order is left alone', () => {
      const order = orderRow({ position_id: 'P1' });
      store.insertOrder(order);
      store.updateOrder({
        ...order,
        // identity: kept
        venue_order_id: 'V9',
        symbol: 'ETH_USDT',
        side: 'SELL',
        order_type: 'MARKET',
        time_in_force: 'IOC',
        reduce_only: true,
        position_id: 'P2',
        created_at_ms: 5,
        // terms and state: changed
        quantity: dec('0.75'),
        limit_price: null,
        stop_price: dec('98'),
        status: 'PARTIALLY_FILLED',
        filled_quantity: dec('0.25'),
        reject_reason: 'partly',
        triggered: true,
        updated_at_ms: 1500,
      });
      expect(plain(store.order('C1')!)).toEqual(
        plain({
          ...order,
          quantity: dec('0.75'),
          limit_price: null,
          stop_price: dec('98'),
          status: 'PARTIALLY_FILLED',
          filled_quantity: dec('0.25'),
          reject_reason: 'partly',
          triggered: true,
          updated_at_ms: 1500,
        }),
      );
      store.updateOrder(orderRow({ seq: 7, status: 'FILLED' }));
      expect(store.order('C7')).toBeUndefined();
      expect(store.allOrders()).toHaveLength(1);
    });

    it('list by seq, the resting ones (OPEN, PARTIALLY_FILLED) per symbol or all', () => {
      // inserted out of seq order on purpose
      store.insertOrder(orderRow({ seq: 3, symbol: 'ETH_USDT' }));
      store.insertOrder(orderRow({ seq: 1 }));
      store.insertOrder(orderRow({ seq: 5, status: 'FILLED' }));
      store.insertOrder(orderRow({ seq: 2, status: 'PARTIALLY_FILLED' }));
      store.insertOrder(orderRow({ seq: 4, symbol: 'ETH_USDT', status: 'CANCELLED' }));
      const seqs = (rows: readonly { readonly seq: number }[]): number[] => rows.map((r) => r.seq);
      expect(seqs(store.allOrders())).toEqual([1, 2, 3, 4, 5]);
      expect(seqs(store.restingOrders())).toEqual([1, 2, 3]);
      expect(seqs(store.restingOrders('BTC_USDT'))).toEqual([1, 2]);
      expect(seqs(store.restingOrders('ETH_USDT'))).toEqual([3]);
      expect(store.restingOrders('XRP_USDT')).toEqual([]);

      store.updateOrder({ ...store.order('C1')!, status: 'FILLED' });
      expect(seqs(store.restingOrders('BTC_USDT'))).toEqual([2]);
      // back to resting (no engine does this; the store must still keep seq order)
      store.updateOrder({ ...store.order('C5')!, status: 'OPEN' });
      store.updateOrder({ ...store.order('C1')!, status: 'OPEN' });
      expect(seqs(store.restingOrders('BTC_USDT'))).toEqual([1, 2, 5]);
      expect(seqs(store.restingOrders())).toEqual([1, 2, 3, 5]);
      expect(store.restingOrders('BTC_USDT').map((o) => o.status)).toEqual(['OPEN', 'PARTIALLY_FILLED', 'OPEN']);
    });

    it('are not changed through what the caller passed or was given', () => {
      const mine = { ...orderRow() };
      store.insertOrder(mine);
      (mine as { status: string }).status = 'FILLED';
      expect(store.order('C1')!.status).toBe('OPEN');
      const list = store.allOrders();
      list.pop();
      store.restingOrders('BTC_USDT').pop();
      expect(store.allOrders()).toHaveLength(1);
      expect(store.restingOrders('BTC_USDT')).toHaveLength(1);
    });
  });

  describe('fills', () => {
    it('are listed by seq, all or per order', () => {
      store.insertOrder(orderRow({ seq: 1 }));
      store.insertOrder(orderRow({ seq: 2 }));
      store.insertFill(fillRow({ seq: 3, client_order_id: 'C2' }));
      store.insertFill(fillRow({ seq: 1 }));
      store.insertFill(fillRow({ seq: 2, liquidity: 'TAKER', quantity: dec('0.4'), fee: dec('0') }));
      expect(store.allFills().map((f) => f.seq)).toEqual([1, 2, 3]);
      expect(store.fillsOf('C1').map((f) => f.seq)).toEqual([1, 2]);
      expect(store.fillsOf('C2').map((f) => f.seq)).toEqual([3]);
      expect(store.fillsOf('C3')).toEqual([]);
      expect(plain(store.fillsOf('C1')[1]!)).toEqual(plain(fillRow({ seq: 2, liquidity: 'TAKER', quantity: dec('0.4'), fee: dec('0') })));
      store.allFills().pop();
      store.fillsOf('C1').pop();
      expect(store.allFills()).toHaveLength(3);
      expect(store.fillsOf('C1')).toHaveLength(2);
    });

    it('refuse a taken seq or trade id, and an order the venue does not have', () => {
      store.insertOrder(orderRow({ seq: 1 }));
      store.insertFill(fillRow({ seq: 1 }));
      expect(failure(() => store.insertFill(fillRow({ seq: 1, venue_trade_id: 'T2' })))).toEqual({
        code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
        message: 'UNIQUE constraint failed: fills.seq',
      });
      expect(failure(() => store.insertFill(fillRow({ seq: 2, venue_trade_id: 'T1' })))).toEqual({
        code: 'SQLITE_CONSTRAINT_UNIQUE',
        message: 'UNIQUE constraint failed: fills.venue_trade_id',
      });
      expect(failure(() => store.insertFill(fillRow({ seq: 2, client_order_id: 'C9' })))).toEqual({
        code: 'SQLITE_CONSTRAINT_FOREIGNKEY',
        message: 'FOREIGN KEY constraint failed',
      });
      expect(store.allFills().map((f) => f.seq)).toEqual([1]);
      expect(store.fillsOf('C9')).toEqual([]);
    });
  });

  it('keeps the last price per symbol', () => {
    expect(store.price('BTC_USDT')).toBeUndefined();
    store.setPrice('BTC_USDT', dec('100.5'), 1);
    store.setPrice('BTC_USDT', dec('101'), 2);
    store.setPrice('ETH_USDT', dec('7'), 2);
    expect(store.price('BTC_USDT')!.toString()).toBe('101');
    expect(store.price('ETH_USDT')!.toString()).toBe('7');
  });

  it('keeps nets per symbol, listed by symbol, 0 when never set', () => {
    expect(store.netPosition('BTC_USDT').toString()).toBe('0');
    store.setNetPosition('ETH_USDT', dec('-2'));
    store.setNetPosition('BTC_USDT', dec('1.5'));
    store.setNetPosition('BTC_USDT', dec('0.5'));
    expect([...store.netPositions()].map(([s, n]) => [s, n.toString()])).toEqual([
      ['BTC_USDT', '0.5'],
      ['ETH_USDT', '-2'],
    ]);
  });

  it('keeps position sizes per (symbol, position), listed by symbol then position; a flat one is still held', () => {
    expect(store.positionSize('BTC_USDT', '').toString()).toBe('0');
    expect(store.hasPosition('BTC_USDT', '')).toBe(false);
    store.setPositionSize('ETH_USDT', '', dec('1'));
    store.setPositionSize('BTC_USDT', 'P2', dec('-3'));
    store.setPositionSize('BTC_USDT', 'P1', dec('2'));
    store.setPositionSize('BTC_USDT', 'P1', dec('0'));
    expect(store.hasPosition('BTC_USDT', 'P1')).toBe(true);
    expect(store.hasPosition('BTC_USDT', '')).toBe(false);
    expect(store.positionSizes().map(plain)).toEqual([
      { symbol: 'BTC_USDT', position_id: 'P1', size: '0' },
      { symbol: 'BTC_USDT', position_id: 'P2', size: '-3' },
      { symbol: 'ETH_USDT', position_id: '', size: '1' },
    ]);
  });

  it('sorts text as SQLite does (code points: a character beyond U+FFFF after U+FFFD)', () => {
    for (const symbol of ['b', '😀', '\uFFFD', 'a', 'B']) store.setNetPosition(symbol, dec(1));
    expect([...store.netPositions().keys()]).toEqual(['B', 'a', 'b', '\uFFFD', '😀']);
  });

  it('gives decimals back as text would: planexec Decimals, and 0 for −0', () => {
    store.setNetPosition('BTC_USDT', dec(0).neg());
    expect(store.netPosition('BTC_USDT').isNegative()).toBe(false);
    store.setNetPosition('ETH_USDT', new DecimalJs(1));
    const third = store.netPosition('ETH_USDT').div(3);
    expect(third.toString()).toBe(new Decimal(1).div(3).toString());
  });

  it('upserts settings', () => {
    expect(store.setting('position_mode')).toBeUndefined();
    store.setSetting('position_mode', 'hedge');
    store.setSetting('position_mode', 'netting');
    expect(store.setting('position_mode')).toBe('netting');
  });

  it('numbers submit attempts 1, 2, 3 and lists them oldest first, all or per order', () => {
    store.recordAttempt('C1', 'ACCEPTED', 10);
    store.recordAttempt('C2', 'TRANSIENT', 11);
    store.recordAttempt('C1', 'EXISTING', 12);
    expect(store.attempts().map(plain)).toEqual([
      { seq: 1, client_order_id: 'C1', outcome: 'ACCEPTED', at_ms: 10 },
      { seq: 2, client_order_id: 'C2', outcome: 'TRANSIENT', at_ms: 11 },
      { seq: 3, client_order_id: 'C1', outcome: 'EXISTING', at_ms: 12 },
    ]);
    expect(store.attempts('C1').map((a) => a.seq)).toEqual([1, 3]);
    expect(store.attempts('C3')).toEqual([]);
    store.attempts().pop();
    expect(store.attempts()).toHaveLength(3);
  });

  it('keeps a refusal; a repeat updates only its reason and time', () => {
    expect(store.refused('R1')).toBeUndefined();
    store.recordRefused(refusedRow());
    store.recordRefused(refusedRow({ symbol: 'ETH_USDT', quantity: dec(9), limit_price: null, reason: 'again', at_ms: 4000 }));
    expect(plain(store.refused('R1')!)).toEqual(plain(refusedRow({ reason: 'again', at_ms: 4000 })));
  });

  it('records the first ledger as owner and follows it to a new path', () => {
    expect(store.claimOwner({ ledger_id: 'L1', ledger_path: '/a.db' }, 1)).toEqual({ ledger_id: 'L1', ledger_path: '/a.db' });
    expect(store.claimOwner({ ledger_id: 'L2', ledger_path: '/b.db' }, 2)).toEqual({ ledger_id: 'L1', ledger_path: '/a.db' });
    expect(store.claimOwner({ ledger_id: 'L1', ledger_path: '/moved/a.db' }, 3)).toEqual({ ledger_id: 'L1', ledger_path: '/moved/a.db' });
    expect(store.claimOwner({ ledger_id: 'L2', ledger_path: '/a.db' }, 4)).toEqual({ ledger_id: 'L1', ledger_path: '/moved/a.db' });
  });

  describe('transactions', () => {
    class Boom extends Error {}

    /** A store with one of everything, some of it about to change. */
    function seed(): void {
      store.insertOrder(orderRow({ seq: 1 }));
      store.insertOrder(orderRow({ seq: 2, status: 'PARTIALLY_FILLED', filled_quantity: dec('0.1') }));
      store.insertFill(fillRow({ seq: 1, client_order_id: 'C2' }));
      store.setCounter('venue_order', 2);
      store.setPrice('BTC_USDT', dec('100'), 1);
      store.setNetPosition('BTC_USDT', dec('0.1'));
      store.setPositionSize('BTC_USDT', '', dec('0.1'));
      store.setSetting('position_mode', 'netting');
      store.recordAttempt('C1', 'ACCEPTED', 1);
      store.recordRefused(refusedRow());
    }

    /** One change of every kind. */
    function changeEverything(): void {
      store.updateOrder({ ...store.order('C1')!, status: 'FILLED', filled_quantity: dec('0.5'), updated_at_ms: 9 });
      store.updateOrder({ ...store.order('C2')!, quantity: dec('0.3'), limit_price: dec('101'), updated_at_ms: 9 });
      store.insertOrder(orderRow({ seq: store.next('venue_order'), symbol: 'ETH_USDT' }));
      store.insertFill(fillRow({ seq: 2, client_order_id: 'C1' }));
      store.insertFill(fillRow({ seq: 3, client_order_id: 'C3' }));
      store.setCounter('other', 5);
      store.setPrice('BTC_USDT', dec('90'), 9);
      store.setPrice('ETH_USDT', dec('5'), 9);
      store.setNetPosition('BTC_USDT', dec('0.6'));
      store.setNetPosition('ETH_USDT', dec('-1'));
      store.setPositionSize('BTC_USDT', '', dec('0.6'));
      store.setPositionSize('BTC_USDT', 'P1', dec('1'));
      store.setSetting('position_mode', 'hedge');
      store.recordAttempt('C3', 'ACCEPTED', 9);
      store.recordRefused(refusedRow({ reason: 'later', at_ms: 9 }));
      store.recordRefused(refusedRow({ client_order_id: 'C2' }));
      store.claimOwner({ ledger_id: 'L1', ledger_path: '/a.db' }, 9);
    }

    it('commit what fn did and return its value', () => {
      seed();
      expect(store.transaction(() => (changeEverything(), 'done'))).toBe('done');
      expect(store.order('C1')!.status).toBe('FILLED');
      expect(store.restingOrders('BTC_USDT').map((o) => o.seq)).toEqual([2]);
      expect(store.claimOwner({ ledger_id: 'L2', ledger_path: '/b.db' }, 10).ledger_id).toBe('L1');
    });

    it('undo everything fn changed when it throws, and rethrow', () => {
      seed();
      const before = observe(store, KEYS);
      const boom = new Boom('late');
      expect(() =>
        store.transaction(() => {
          changeEverything();
          throw boom;
        }),
      ).toThrow(boom);
      expect(observe(store, KEYS)).toEqual(before);
      // the resting index is back too: C1 rests again, ETH has nothing
      expect(store.restingOrders().map((o) => o.seq)).toEqual([1, 2]);
      expect(store.restingOrders('ETH_USDT')).toEqual([]);
      // the owner claimed inside was undone: another ledger can claim
      expect(store.claimOwner({ ledger_id: 'L2', ledger_path: '/b.db' }, 10).ledger_id).toBe('L2');
      // attempt seqs go on from the last committed one, as AUTOINCREMENT does after a rollback
      store.recordAttempt('C1', 'EXISTING', 11);
      expect(store.attempts().map((a) => a.seq)).toEqual([1, 2]);
      // the undone ids are free again
      store.insertOrder(orderRow({ seq: 3 }));
      store.insertFill(fillRow({ seq: 2 }));
    });

    it('undo what fn changed before a constraint failed', () => {
      seed();
      const before = observe(store, KEYS);
      const error = failure(() =>
        store.transaction(() => {
          store.setPrice('BTC_USDT', dec('1'), 5);
          store.updateOrder({ ...store.order('C2')!, status: 'CANCELLED' });
          store.insertOrder(orderRow({ seq: 9, client_order_id: 'C1' }));
        }),
      );
      expect(error.code).toBe('SQLITE_CONSTRAINT_UNIQUE');
      expect(observe(store, KEYS)).toEqual(before);
    });

    it('nest as savepoints: a failed inner one is undone alone, a failed outer one undoes both', () => {
      seed();
      store.transaction(() => {
        store.setPrice('BTC_USDT', dec('101'), 2);
        expect(() =>
          store.transaction(() => {
            store.setPrice('BTC_USDT', dec('102'), 3);
            store.updateOrder({ ...store.order('C1')!, status: 'CANCELLED' });
            throw new Boom('inner');
          }),
        ).toThrow(Boom);
        expect(store.price('BTC_USDT')!.toString()).toBe('101');
        expect(store.order('C1')!.status).toBe('OPEN');
        store.transaction(() => store.recordAttempt('C1', 'EXISTING', 4));
      });
      expect(store.price('BTC_USDT')!.toString()).toBe('101');
      expect(store.attempts().map((a) => a.seq)).toEqual([1, 2]);

      const before = observe(store, KEYS);
      expect(() =>
        store.transaction(() => {
          store.transaction(() => changeEverything());
          throw new Boom('outer');
        }),
      ).toThrow(Boom);
      expect(observe(store, KEYS)).toEqual(before);
    });

    it('refuse a fn that returns a promise, undoing what it did', async () => {
      seed();
      const before = observe(store, KEYS);
      let pending: Promise<void> | undefined;
      expect(() =>
        store.transaction(() => {
          store.setCounter('other', 1);
          pending = Promise.resolve();
          return pending;
        }),
      ).toThrow(new TypeError('Transaction function cannot return a promise'));
      await pending;
      expect(observe(store, KEYS)).toEqual(before);
    });

    it('leave changes made outside any transaction in place when a later call fails', () => {
      store.setPrice('BTC_USDT', dec('100'), 1);
      expect(() => store.insertFill(fillRow())).toThrow();
      expect(store.price('BTC_USDT')!.toString()).toBe('100');
    });
  });
});

describe('openPaperStore', () => {
  it("keeps ':memory:' in maps and any other path in a SQLite file", () => {
    const memory = openPaperStore(':memory:');
    expect(memory).toBeInstanceOf(MemoryPaperStore);
    memory.close();
    const { dir, remove } = scratchDir();
    try {
      const file = openPaperStore(`${dir}/venue.db`);
      expect(file).toBeInstanceOf(SqlitePaperStore);
      file.close();
      const reader = openPaperStore(`${dir}/venue.db`, { readonly: true });
      expect(reader.readonly).toBe(true);
      reader.close();
    } finally {
      remove();
    }
  });

  it("refuses to open ':memory:' read-only, as SQLite does", () => {
    expect(() => openPaperStore(':memory:', { readonly: true })).toThrow('In-memory/temporary databases cannot be readonly');
  });
});
