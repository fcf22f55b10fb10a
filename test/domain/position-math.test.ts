import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/decimal.js';
import type { Direction } from '../../src/domain/enums.js';
import {
  applyFillToPosition,
  closePosition,
  openPosition,
  targetDelta,
  type PositionFill,
} from '../../src/domain/position-math.js';
import type { Position } from '../../src/domain/trading.js';

const T0 = '2026-11-24T10:00:00.000Z';

function position(direction: Direction = 'BUY', size = '1'): Position {
  return openPosition({
    trade_id: 'T1',
    strategy_id: 's1',
    symbol: 'BTC_USDT',
    direction,
    position_size: new Decimal(size),
    stop_loss: null,
    take_profit: null,
    opened_at: T0,
    opened_by: 'T1',
  });
}

function fill(quantity: string, price: string, fee = '0'): PositionFill {
  return { quantity: new Decimal(quantity), price: new Decimal(price), fee: new Decimal(fee), fee_asset: 'USDT', executed_at: T0 };
}

describe('position math', () => {
  it('opens a trade with nothing filled and the whole target remaining', () => {
    const p = position('BUY', '0.5');
    expect(p.status).toBe('OPEN');
    expect(p.filled_size.toFixed()).toBe('0');
    expect(p.remaining_size.toFixed()).toBe('0.5');
    expect(p.entry_price).toBeNull();
  });

  it('averages entry fills by weight', () => {
    let p = position('BUY', '3');
    p = applyFillToPosition(p, fill('1', '100'), { purpose: 'ENTRY' }).position;
    p = applyFillToPosition(p, fill('2', '103'), { purpose: 'ENTRY' }).position;
    expect(p.average_entry_price?.toFixed()).toBe('102');
    expect(p.entry_price?.toFixed()).toBe('102');
    expect(p.filled_size.toFixed()).toBe('3');
    expect(p.remaining_size.toFixed()).toBe('0');
  });

  it('moves entry_price with the average on an increase: the entry of the held size, the price PnL uses', () => {
    let p = position('BUY', '2');
    p = applyFillToPosition(p, fill('1', '100'), { purpose: 'ENTRY' }).position;
    p = applyFillToPosition(p, fill('1', '110'), { purpose: 'INCREASE' }).position;
    expect(p.entry_price?.toFixed()).toBe('105');
    expect(p.average_entry_price?.toFixed()).toBe('105');
    const reduced = applyFillToPosition(p, fill('1', '120'), { purpose: 'REDUCE' }).position;
    expect(reduced.entry_price?.toFixed()).toBe('105');
    expect(reduced.realized_pnl.toFixed()).toBe('15');
  });

  it('books realised PnL on a reduction of a long and of a short', () => {
    let long = applyFillToPosition(position('BUY'), fill('1', '100'), { purpose: 'ENTRY' }).position;
    long = applyFillToPosition(long, fill('0.4', '110'), { purpose: 'REDUCE' }).position;
    expect(long.realized_pnl.toFixed()).toBe('4');
    expect(long.filled_size.toFixed()).toBe('0.6');

    let short = applyFillToPosition(position('SELL'), fill('1', '100'), { purpose: 'ENTRY' }).position;
    short = applyFillToPosition(short, fill('1', '90'), { purpose: 'CLOSE' }).position;
    expect(short.realized_pnl.toFixed()).toBe('10');
    expect(short.filled_size.toFixed()).toBe('0');
  });

  it('adds fees on every fill', () => {
    let p = applyFillToPosition(position(), fill('1', '100', '0.1'), { purpose: 'ENTRY' }).position;
    p = applyFillToPosition(p, fill('1', '101', '0.2'), { purpose: 'STOP_LOSS' }).position;
    expect(p.fees.toFixed()).toBe('0.3');
  });

  it('reports an overfill as an anomaly and never holds a negative size', () => {
    const p = applyFillToPosition(position(), fill('1', '100'), { purpose: 'ENTRY' }).position;
    const result = applyFillToPosition(p, fill('1.5', '105'), { purpose: 'CLOSE' });
    expect(result.anomaly?.kind).toBe('OVERFILL');
    expect(result.anomaly?.details).toMatchObject({ excess: '0.5' });
    expect(result.position.filled_size.toFixed()).toBe('0');
    expect(result.position.realized_pnl.toFixed()).toBe('5');
  });

  it('closes with exit price, reason and time', () => {
    const p = closePosition(position(), { exit_price: new Decimal('99'), close_reason: 'STOP_LOSS', closed_at: T0, directive_id: null });
    expect(p.status).toBe('CLOSED');
    expect(p.exit_price?.toFixed()).toBe('99');
    expect(p.close_reason).toBe('STOP_LOSS');
    expect(p.remaining_size.toFixed()).toBe('0');
    expect(p.last_directive_id).toBe('T1');
  });

  it('computes the delta to an absolute target in whole lots', () => {
    const p = applyFillToPosition(position('BUY', '1'), fill('1', '100'), { purpose: 'ENTRY' }).position;
    expect(targetDelta(p, new Decimal('1.5'), new Decimal('0.1')).toFixed()).toBe('0.5');
    expect(targetDelta(p, new Decimal('0.55'), new Decimal('0.1')).toFixed()).toBe('-0.5');
    expect(targetDelta(p, new Decimal('1.04'), new Decimal('0.1')).toFixed()).toBe('0');
    expect(targetDelta(p, new Decimal('1'), new Decimal('0.1')).isZero()).toBe(true);
  });

  it('holds a BUY entry net of its base-asset fee, with nothing remaining for the venue to fill', () => {
    const p = applyFillToPosition(position('BUY', '0.01'), { ...fill('0.01', '60000'), fee: new Decimal('0.00001'), fee_asset: 'BTC' }, { purpose: 'ENTRY' }).position;
    expect(p.filled_size.toFixed()).toBe('0.00999');
    expect(p.remaining_size.toFixed()).toBe('0');
    expect(p.entry_price?.toFixed()).toBe('60000');
    expect(p.fees.toFixed()).toBe('0');
    expect(Object.fromEntries(Object.entries(p.fees_by_asset).map(([a, f]) => [a, f.toFixed()]))).toEqual({ BTC: '0.00001' });
  });

  it('books a quote-asset fee in fees and per asset; a third asset (BNB) per asset only, size untouched', () => {
    let p = applyFillToPosition(position('BUY', '1'), { ...fill('0.5', '100'), fee: new Decimal('0.05'), fee_asset: 'USDT' }, { purpose: 'ENTRY' }).position;
    p = applyFillToPosition(p, { ...fill('0.5', '100'), fee: new Decimal('0.0002'), fee_asset: 'BNB' }, { purpose: 'ENTRY' }).position;
    expect(p.filled_size.toFixed()).toBe('1');
    expect(p.fees.toFixed()).toBe('0.05');
    expect(p.fees_by_asset['USDT']?.toFixed()).toBe('0.05');
    expect(p.fees_by_asset['BNB']?.toFixed()).toBe('0.0002');
  });

  it('takes a reduction with a base-asset fee as quantity plus fee; realised PnL on the quantity traded', () => {
    let p = applyFillToPosition(position('BUY', '1'), fill('1', '100'), { purpose: 'ENTRY' }).position;
    p = applyFillToPosition(p, { ...fill('0.5', '110'), fee: new Decimal('0.001'), fee_asset: 'BTC' }, { purpose: 'REDUCE' }).position;
    expect(p.filled_size.toFixed()).toBe('0.499');
    expect(p.realized_pnl.toFixed()).toBe('5');
  });

  it('measures a size target in order quantity: restating it sends nothing, a reduction never asks for more than is held', () => {
    const p = applyFillToPosition(position('BUY', '0.01'), { ...fill('0.01', '60000'), fee: new Decimal('0.00001'), fee_asset: 'BTC' }, { purpose: 'ENTRY' }).position;
    expect(targetDelta(p, new Decimal('0.01'), new Decimal('0.00001')).isZero()).toBe(true);
    expect(targetDelta(p, new Decimal('0.02'), new Decimal('0.00001')).toFixed()).toBe('0.01');
    expect(targetDelta(p, new Decimal('0.004'), new Decimal('0.00001')).toFixed()).toBe('-0.006');
    expect(targetDelta(p, new Decimal('0'), new Decimal('0.00001')).toFixed()).toBe('-0.00999');
  });

  it('a SELL trade owes its base-asset entry fee and buys back net of the fee', () => {
    let p = applyFillToPosition(position('SELL', '1'), { ...fill('1', '100'), fee: new Decimal('0.001'), fee_asset: 'BTC' }, { purpose: 'ENTRY' }).position;
    expect(p.filled_size.toFixed()).toBe('1.001');
    expect(p.remaining_size.toFixed()).toBe('0');
    p = applyFillToPosition(p, { ...fill('0.5', '90'), fee: new Decimal('0.0005'), fee_asset: 'BTC' }, { purpose: 'REDUCE' }).position;
    expect(p.filled_size.toFixed()).toBe('0.5015');
  });
});

const qty = fc.integer({ min: 1, max: 10_000 }).map((n) => new Decimal(n).div(1000));
const price = fc.integer({ min: 1, max: 10_000_000 }).map((n) => new Decimal(n).div(100));
const direction = fc.constantFrom<Direction>('BUY', 'SELL');

describe('position math properties', () => {
  it('realised PnL of open then close equals (exit − entry) × qty × sign', () => {
    fc.assert(
      fc.property(direction, qty, price, price, (dir, q, entry, exit) => {
        let p = position(dir, q.toFixed());
        p = applyFillToPosition(p, { quantity: q, price: entry, fee: new Decimal(0), fee_asset: 'USDT', executed_at: T0 }, { purpose: 'ENTRY' }).position;
        p = applyFillToPosition(p, { quantity: q, price: exit, fee: new Decimal(0), fee_asset: 'USDT', executed_at: T0 }, { purpose: 'CLOSE' }).position;
        const sign = dir === 'BUY' ? 1 : -1;
        expect(p.realized_pnl.eq(exit.minus(entry).mul(q).mul(sign))).toBe(true);
        expect(p.filled_size.isZero()).toBe(true);
      }),
    );
  });

  const step = fc.record({ increase: fc.boolean(), q: qty, px: price, fee: fc.integer({ min: 0, max: 100 }).map((n) => new Decimal(n).div(100)) });

  it('never holds a negative size and matches a cost-basis reference model', () => {
    fc.assert(
      fc.property(direction, fc.array(step, { maxLength: 30 }), (dir, steps) => {
        let p = position(dir, '5');
        // reference: held quantity and total cost basis; reductions release cost at the average
        let held = new Decimal(0);
        let cost = new Decimal(0);
        let realized = new Decimal(0);
        let fees = new Decimal(0);
        const sign = dir === 'BUY' ? 1 : -1;
        for (const s of steps) {
          const f = { quantity: s.q, price: s.px, fee: s.fee, fee_asset: 'USDT', executed_at: T0 };
          const r = applyFillToPosition(p, f, { purpose: s.increase ? 'INCREASE' : 'REDUCE' });
          p = r.position;
          fees = fees.plus(s.fee);
          if (s.increase) {
            held = held.plus(s.q);
            cost = cost.plus(s.q.mul(s.px));
          } else {
            const applied = Decimal.min(held, s.q);
            expect(r.anomaly !== null).toBe(s.q.gt(held));
            if (applied.gt(0)) {
              const avg = cost.div(held);
              realized = realized.plus(s.px.minus(avg).mul(applied).mul(sign));
              cost = cost.minus(avg.mul(applied));
              held = held.minus(applied);
            }
          }
          expect(p.filled_size.gte(0)).toBe(true);
        }
        expect(p.filled_size.eq(held)).toBe(true);
        expect(p.fees.eq(fees)).toBe(true);
        // averages and PnL are kept to COMPUTED_DECIMAL_PLACES (10): a few rounding steps of 1e-10 per fill, far below any tick
        expect(p.realized_pnl.minus(realized).abs().lt('1e-7')).toBe(true);
      }),
    );
  });
});

describe('computed precision', () => {
  it('keeps averages and realised PnL to 10 decimal places instead of 40 significant digits', () => {
    let p = position('BUY', '3');
    for (const [q, px] of [['1', '65000'], ['1', '65000.01'], ['1', '64999.99001']] as const) {
      p = applyFillToPosition(p, { quantity: new Decimal(q), price: new Decimal(px), fee: new Decimal(0), fee_asset: 'USDT', executed_at: T0 }, { purpose: 'INCREASE' }).position;
    }
    expect(p.average_entry_price!.decimalPlaces()).toBeLessThanOrEqual(10);
    const reduced = applyFillToPosition(p, { quantity: new Decimal('0.7'), price: new Decimal('65100.5'), fee: new Decimal(0), fee_asset: 'USDT', executed_at: T0 }, { purpose: 'REDUCE' });
    expect(reduced.position.realized_pnl.decimalPlaces()).toBeLessThanOrEqual(10);
    expect(reduced.position.average_entry_price!.toFixed()).toBe('65000.0000033333');
  });
});
