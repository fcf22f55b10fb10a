import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/decimal.js';
import type { Direction, OrderPurpose } from '../../src/domain/enums.js';
import { grossFilled, openPosition, remainingSize } from '../../src/domain/position-math.js';
import type { FillRecord, Position } from '../../src/domain/trading.js';
import { bookFills } from '../../src/orchestration/trade-book.js';

const T0 = '2026-11-24T10:00:00.000Z';
const ZERO = new Decimal(0);

function trade(direction: Direction, size: Decimal): Position {
  return openPosition({ trade_id: 'T1', strategy_id: 's1', symbol: 'BTC_USDT', direction, position_size: size, stop_loss: null, take_profit: null, opened_at: T0, opened_by: 'T1' });
}

let seq = 0;
function fillRecord(direction: Direction, increasing: boolean, quantity: Decimal, fee: Decimal, feeAsset: string): FillRecord {
  seq += 1;
  const side: Direction = increasing === (direction === 'BUY') ? 'BUY' : 'SELL';
  return {
    fill_id: `FIL_${seq}`,
    venue: 'fake',
    venue_trade_id: `FT${seq}`,
    client_order_id: `PX${seq.toString(16).padStart(16, '0')}-E`,
    trade_id: 'T1',
    directive_id: 'T1',
    symbol: 'BTC_USDT',
    side,
    quantity,
    price: new Decimal('60000'),
    fee,
    fee_asset: feeAsset,
    executed_at: T0,
  };
}

/** Quantities in 0.00001 steps; a fee is at most 1% of its fill, in base, quote or a third asset. */
const quantity = fc.integer({ min: 1, max: 100_000 }).map((n) => new Decimal(n).div(100_000));
const feeAsset = fc.constantFrom('BTC', 'USDT', 'BNB');
const step = fc.record({ increasing: fc.boolean(), share: fc.integer({ min: 1, max: 100 }), quantity, feePermille: fc.integer({ min: 0, max: 10 }), feeAsset });

describe('fees per asset and sizes net of base-asset fees', () => {
  it('a BUY trade holds Σ entry qty − Σ base fees on entries − Σ exit qty − Σ base fees on exits, never negative; fees_by_asset sums every fee exactly', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        let position = trade('BUY', new Decimal('1'));
        let entries = ZERO;
        let exits = ZERO;
        let entryBaseFees = ZERO;
        let exitBaseFees = ZERO;
        const feeSums = new Map<string, Decimal>();
        let quoteFees = ZERO;
        for (const s of steps) {
          // an exit sells part of what is held, leaving room for its base fee (a venue refuses more)
          const fee = s.quantity.mul(s.feePermille).div(1000);
          const held = position.filled_size;
          const exitQuantity = held.mul(s.share).div(100).div(new Decimal(1).plus(new Decimal(s.feePermille).div(1000))).toDecimalPlaces(8, Decimal.ROUND_DOWN);
          const increasing = s.increasing || !exitQuantity.gt(0);
          const q = increasing ? s.quantity : exitQuantity;
          const f = increasing ? fee : q.mul(s.feePermille).div(1000).toDecimalPlaces(10, Decimal.ROUND_DOWN);
          const purpose: OrderPurpose = increasing ? (entries.isZero() ? 'ENTRY' : 'INCREASE') : 'REDUCE';
          const booked = bookFills(position, purpose, [fillRecord('BUY', increasing, q, f, s.feeAsset)]);
          expect(booked.anomalies).toEqual([]);
          position = booked.position;
          if (increasing) entries = entries.plus(q);
          else exits = exits.plus(q);
          if (s.feeAsset === 'BTC') {
            if (increasing) entryBaseFees = entryBaseFees.plus(f);
            else exitBaseFees = exitBaseFees.plus(f);
          }
          if (s.feeAsset === 'USDT') quoteFees = quoteFees.plus(f);
          feeSums.set(s.feeAsset, (feeSums.get(s.feeAsset) ?? ZERO).plus(f));
          expect(position.filled_size.gte(0)).toBe(true);
        }
        expect(position.filled_size.eq(entries.minus(entryBaseFees).minus(exits).minus(exitBaseFees))).toBe(true);
        expect(position.fees.eq(quoteFees)).toBe(true);
        expect(Object.keys(position.fees_by_asset).sort()).toEqual([...feeSums.keys()].sort());
        for (const [asset, sum] of feeSums) expect(position.fees_by_asset[asset]?.eq(sum)).toBe(true);
        // what the venue filled net of reductions, in order quantity
        expect(grossFilled(position).eq(entries.minus(exits))).toBe(true);
        expect(remainingSize(position).eq(Decimal.max(ZERO, new Decimal(1).minus(entries).plus(exits)))).toBe(true);
      }),
    );
  });

  it('a SELL trade owes Σ entry qty + Σ base fees on entries − Σ buy-back qty + Σ base fees on buy-backs (the account’s base balance, signed)', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        let position = trade('SELL', new Decimal('1'));
        let owed = ZERO;
        for (const s of steps) {
          const f = s.quantity.mul(s.feePermille).div(1000);
          const buyBack = position.filled_size.mul(s.share).div(100).toDecimalPlaces(8, Decimal.ROUND_DOWN);
          const increasing = s.increasing || !buyBack.gt(0);
          const q = increasing ? s.quantity : buyBack;
          const fee = increasing ? f : Decimal.min(f, q);
          const booked = bookFills(position, increasing ? 'INCREASE' : 'REDUCE', [fillRecord('SELL', increasing, q, fee, s.feeAsset)]);
          position = booked.position;
          const base = s.feeAsset === 'BTC' ? fee : ZERO;
          owed = increasing ? owed.plus(q).plus(base) : owed.minus(q).plus(base);
          expect(position.filled_size.gte(0)).toBe(true);
          expect(position.filled_size.eq(owed)).toBe(true);
        }
      }),
    );
  });
});
