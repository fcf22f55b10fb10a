import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PaperStore, VenueOrderStatus } from '../../../src/connectors/paper/paper-store.js';
import { Decimal } from '../../../src/domain/decimal.js';
import { fillRow, observe, openMemoryStore, openSqliteStore, orderRow, refusedRow, type Keys } from './paper-store-fixture.js';

/**
 * Random work on both stores, in transactions that throw at a random point (some nested and
 * caught, some outside any transaction): both must end every step alike, in what a caller can
 * read and in what each call threw. Keys come from small pools so constraints are hit.
 */

const SYMBOLS = ['BTC_USDT', 'ETH_USDT', 'XRP_USDT'];
const POSITIONS = ['', 'P1', 'P2'];
const IDS = ['C1', 'C2', 'C3', 'C4', 'C5'];
const COUNTERS = ['venue_order', 'venue_trade', 'fault_prng_state'];
const SETTINGS = ['position_mode', 'other'];
const STATUSES: readonly VenueOrderStatus[] = ['OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'EXPIRED', 'REJECTED'];
const KEYS: Keys = { symbols: SYMBOLS, positionIds: POSITIONS, clientOrderIds: IDS, counters: COUNTERS, settings: SETTINGS };

const decimalText = fc.constantFrom('0', '-0', '1', '0.5', '-2.25', '100.10', '0.000000000000000001', '123456789012345678901234.5');
const decimal = (text: string): Decimal => (text === '-0' ? new Decimal(0).neg() : new Decimal(text));

type Op =
  | { readonly kind: 'insertOrder'; readonly seq: number; readonly id: number; readonly venueId: number; readonly symbol: number; readonly status: number; readonly qty: string }
  | { readonly kind: 'updateOrder'; readonly id: number; readonly status: number; readonly filled: string; readonly price: string | null; readonly at: number }
  | { readonly kind: 'insertFill'; readonly seq: number; readonly trade: number; readonly id: number; readonly qty: string }
  | { readonly kind: 'next'; readonly counter: number }
  | { readonly kind: 'setCounter'; readonly counter: number; readonly value: number }
  | { readonly kind: 'setPrice'; readonly symbol: number; readonly price: string }
  | { readonly kind: 'setNet'; readonly symbol: number; readonly net: string }
  | { readonly kind: 'setSize'; readonly symbol: number; readonly position: number; readonly size: string }
  | { readonly kind: 'setSetting'; readonly name: number; readonly value: string }
  | { readonly kind: 'attempt'; readonly id: number; readonly outcome: string }
  | { readonly kind: 'refuse'; readonly id: number; readonly reason: string; readonly qty: string }
  | { readonly kind: 'claim'; readonly ledger: number; readonly path: number }
  | { readonly kind: 'nested'; readonly ops: readonly Op[]; readonly throwAt: number | null };

const index = (pool: readonly unknown[]): fc.Arbitrary<number> => fc.nat({ max: pool.length - 1 });

const leaf: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('insertOrder' as const), seq: fc.integer({ min: 1, max: 8 }), id: index(IDS), venueId: fc.integer({ min: 1, max: 8 }), symbol: index(SYMBOLS), status: index(STATUSES), qty: decimalText }),
  fc.record({ kind: fc.constant('updateOrder' as const), id: index(IDS), status: index(STATUSES), filled: decimalText, price: fc.option(decimalText), at: fc.nat({ max: 100 }) }),
  fc.record({ kind: fc.constant('insertFill' as const), seq: fc.integer({ min: 1, max: 8 }), trade: fc.integer({ min: 1, max: 8 }), id: index(IDS), qty: decimalText }),
  fc.record({ kind: fc.constant('next' as const), counter: index(COUNTERS) }),
  fc.record({ kind: fc.constant('setCounter' as const), counter: index(COUNTERS), value: fc.integer({ min: -5, max: 50 }) }),
  fc.record({ kind: fc.constant('setPrice' as const), symbol: index(SYMBOLS), price: decimalText }),
  fc.record({ kind: fc.constant('setNet' as const), symbol: index(SYMBOLS), net: decimalText }),
  fc.record({ kind: fc.constant('setSize' as const), symbol: index(SYMBOLS), position: index(POSITIONS), size: decimalText }),
  fc.record({ kind: fc.constant('setSetting' as const), name: index(SETTINGS), value: fc.constantFrom('hedge', 'netting', '') }),
  fc.record({ kind: fc.constant('attempt' as const), id: index(IDS), outcome: fc.constantFrom('ACCEPTED', 'EXISTING', 'TRANSIENT') }),
  fc.record({ kind: fc.constant('refuse' as const), id: index(IDS), reason: fc.constantFrom('A', 'B'), qty: decimalText }),
  fc.record({ kind: fc.constant('claim' as const), ledger: fc.nat({ max: 2 }), path: fc.nat({ max: 2 }) }),
);

/** Where in a list of `length` ops to throw (null: not at all). */
const throwPoint = (length: number): fc.Arbitrary<number | null> => fc.option(fc.nat({ max: length }), { freq: 2 });

const ops = (maxLength: number): fc.Arbitrary<readonly Op[]> =>
  fc.array(fc.oneof({ weight: 8, arbitrary: leaf }, { weight: 1, arbitrary: nested }), { maxLength });

const nested: fc.Arbitrary<Op> = fc
  .array(leaf, { maxLength: 5 })
  .chain((inner) => throwPoint(inner.length).map((throwAt): Op => ({ kind: 'nested', ops: inner, throwAt })));

interface Step {
  /** Outside any transaction: each call stands alone (as SQLite's autocommit). */
  readonly bare: boolean;
  readonly ops: readonly Op[];
  readonly throwAt: number | null;
}

const step: fc.Arbitrary<Step> = fc
  .tuple(fc.boolean(), ops(10))
  .chain(([bare, list]) => throwPoint(list.length).map((throwAt) => ({ bare, ops: list, throwAt })));

class Planned extends Error {}

function perform(store: PaperStore, op: Op): void {
  switch (op.kind) {
    case 'insertOrder':
      store.insertOrder(
        orderRow({
          seq: op.seq,
          client_order_id: IDS[op.id]!,
          venue_order_id: `V${op.venueId}`,
          symbol: SYMBOLS[op.symbol]!,
          status: STATUSES[op.status]!,
          quantity: decimal(op.qty),
        }),
      );
      return;
    case 'updateOrder': {
      const order = store.order(IDS[op.id]!);
      const base = order ?? orderRow({ client_order_id: IDS[op.id]! });
      store.updateOrder({
        ...base,
        status: STATUSES[op.status]!,
        filled_quantity: decimal(op.filled),
        limit_price: op.price === null ? null : decimal(op.price),
        updated_at_ms: op.at,
      });
      return;
    }
    case 'insertFill':
      store.insertFill(fillRow({ seq: op.seq, venue_trade_id: `T${op.trade}`, client_order_id: IDS[op.id]!, quantity: decimal(op.qty) }));
      return;
    case 'next':
      store.next(COUNTERS[op.counter]!);
      return;
    case 'setCounter':
      store.setCounter(COUNTERS[op.counter]!, op.value);
      return;
    case 'setPrice':
      store.setPrice(SYMBOLS[op.symbol]!, decimal(op.price), 1);
      return;
    case 'setNet':
      store.setNetPosition(SYMBOLS[op.symbol]!, decimal(op.net));
      return;
    case 'setSize':
      store.setPositionSize(SYMBOLS[op.symbol]!, POSITIONS[op.position]!, decimal(op.size));
      return;
    case 'setSetting':
      store.setSetting(SETTINGS[op.name]!, op.value);
      return;
    case 'attempt':
      store.recordAttempt(IDS[op.id]!, op.outcome, 7);
      return;
    case 'refuse':
      store.recordRefused(refusedRow({ client_order_id: IDS[op.id]!, reason: op.reason, quantity: decimal(op.qty) }));
      return;
    case 'claim':
      store.claimOwner({ ledger_id: `L${op.ledger}`, ledger_path: `/p${op.path}.db` }, 1);
      return;
    case 'nested':
      // a caller that catches its inner transaction's failure and carries on
      try {
        store.transaction(() => performAll(store, op.ops, op.throwAt));
      } catch (error) {
        if (!(error instanceof Planned) && (error as { code?: unknown }).code === undefined) throw error;
      }
      return;
  }
}

function performAll(store: PaperStore, list: readonly Op[], throwAt: number | null): void {
  list.forEach((op, i) => {
    if (i === throwAt) throw new Planned(`planned at ${i}`);
    perform(store, op);
  });
  if (throwAt === list.length) throw new Planned('planned at the end');
}

/** What a step threw, as a caller could tell it apart. */
function outcome(store: PaperStore, s: Step): string {
  try {
    if (s.bare) performAll(store, s.ops, s.throwAt);
    else store.transaction(() => performAll(store, s.ops, s.throwAt));
    return 'ok';
  } catch (error) {
    if (error instanceof Planned) return error.message;
    return `${String((error as { code?: unknown }).code)}: ${(error as Error).message}`;
  }
}

describe('MemoryPaperStore and SqlitePaperStore', () => {
  it('end every step of random work alike, when transactions fail at any point', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        const sqlite = openSqliteStore();
        const memory = openMemoryStore();
        try {
          for (const s of steps) {
            expect(outcome(memory.store, s)).toBe(outcome(sqlite.store, s));
            expect(observe(memory.store, KEYS)).toEqual(observe(sqlite.store, KEYS));
          }
          // the owner, last: reading it claims it
          const probe = { ledger_id: 'probe', ledger_path: '/probe.db' };
          expect(memory.store.claimOwner(probe, 2)).toEqual(sqlite.store.claimOwner(probe, 2));
        } finally {
          sqlite.dispose();
          memory.dispose();
        }
      }),
      { numRuns: 150 },
    );
  });
});
