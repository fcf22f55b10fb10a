import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/decimal.js';
import type { Scope } from '../../src/domain/enums.js';
import { RiskDenied } from '../../src/domain/errors.js';
import type { OrderRecord, Position } from '../../src/domain/trading.js';
import { TRADING_STATES, type TradingState } from '../../src/ports/trading-state.js';
import { isTradingStateDenial, modifyAddsSize, tradingStateAllows, tradingStateDenied, type TargetBook } from '../../src/orchestration/trading-state-gate.js';

const SCOPES: readonly Scope[] = ['NEW_TRADE', 'MODIFY_EXISTING', 'CLOSE_EXISTING'];

/** An open BUY BTC_USDT trade with `filled` filled and, optionally, an entry order resting `resting` more. */
function book(filled: string, resting?: string): TargetBook {
  const position = { trade_id: 'T1', symbol: 'BTC_USDT', direction: 'BUY', status: 'OPEN', filled_size: new Decimal(filled), fees_by_asset: {} } as unknown as Position;
  const orders = resting === undefined ? [] : [{ purpose: 'ENTRY', status: 'OPEN', quantity: new Decimal(resting), filled_quantity: new Decimal('0') } as unknown as OrderRecord];
  return { position, resting: orders };
}

const size = (text: string) => ({ size_plan: { position_size: new Decimal(text) } }) as Parameters<typeof modifyAddsSize>[0];

describe('tradingStateAllows (scope × state)', () => {
  it('ACTIVE lets every directive run', () => {
    fc.assert(fc.property(fc.constantFrom(...SCOPES), fc.boolean(), (scope, adds) => tradingStateAllows('ACTIVE', scope, adds)));
  });

  it('CLOSE_EXISTING runs in every state', () => {
    fc.assert(fc.property(fc.constantFrom(...TRADING_STATES), fc.boolean(), (state, adds) => tradingStateAllows(state, 'CLOSE_EXISTING', adds)));
  });

  it('HALTED lets only CLOSE_EXISTING run', () => {
    fc.assert(fc.property(fc.constantFrom(...SCOPES), fc.boolean(), (scope, adds) => tradingStateAllows('HALTED', scope, adds) === (scope === 'CLOSE_EXISTING')));
  });

  it('REDUCING lets CLOSE_EXISTING and a MODIFY_EXISTING that adds no size run, and never a NEW_TRADE', () => {
    expect(tradingStateAllows('REDUCING', 'MODIFY_EXISTING', false)).toBe(true);
    expect(tradingStateAllows('REDUCING', 'MODIFY_EXISTING', true)).toBe(false);
    expect(tradingStateAllows('REDUCING', 'NEW_TRADE', false)).toBe(false);
  });

  it('each state lets through no more than the one before it (ACTIVE ⊇ REDUCING ⊇ HALTED)', () => {
    const order: TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];
    fc.assert(
      fc.property(fc.constantFrom(...SCOPES), fc.boolean(), fc.integer({ min: 1, max: 2 }), (scope, adds, i) => {
        return !tradingStateAllows(order[i]!, scope, adds) || tradingStateAllows(order[i - 1]!, scope, adds);
      }),
    );
  });
});

describe('modifyAddsSize', () => {
  it('a MODIFY that only moves the exits adds no size', () => {
    expect(modifyAddsSize({}, [book('0.015')])).toBeNull();
  });

  it('a size target at or below what is filled plus resting adds none; above it does, naming both', () => {
    const decimals = fc.integer({ min: 0, max: 10_000 }).map((n) => new Decimal(n).div(1000));
    fc.assert(
      fc.property(decimals, decimals, decimals, (filled, resting, target) => {
        const reason = modifyAddsSize(size(target.toFixed()), [book(filled.toFixed(), resting.toFixed())]);
        return target.gt(filled.plus(resting)) ? reason !== null && reason.includes(`size_plan.position_size ${target.toFixed()}`) : reason === null;
      }),
    );
  });

  it('an entry_plan adds size unless the size target leaves nothing to rest', () => {
    const entry = { entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: new Decimal('64000') } } as unknown as Parameters<typeof modifyAddsSize>[0];
    expect(modifyAddsSize(entry, [book('0.01', '0.005')])).toContain('entry_plan would re-price or send an order adding to trade T1');
    expect(modifyAddsSize({ ...entry, ...size('0.01') }, [book('0.01', '0.005')])).toBeNull();
    expect(modifyAddsSize({ ...entry, ...size('0.012') }, [book('0.01', '0.005')])).not.toBeNull();
  });

  it('one target that would grow is enough', () => {
    expect(modifyAddsSize(size('0.02'), [book('0.03'), book('0.01')])).not.toBeNull();
  });
});

describe('tradingStateDenied', () => {
  it('is a RiskDenied TRADING_STATE_<STATE> whose message starts DENIED: trading state <STATE> (<reason>)', () => {
    const record = { state: 'HALTED', reason: 'venue outage', changed_by: 'api', changed_at: '2026-12-02T10:00:00.000Z' } as const;
    const error = tradingStateDenied(record, { directive_id: 'DIR_1', scope: 'NEW_TRADE' }, null);
    expect(error).toBeInstanceOf(RiskDenied);
    expect(error.code).toBe('TRADING_STATE_HALTED');
    expect(error.message).toBe('DENIED: trading state HALTED (venue outage): only CLOSE_EXISTING runs; NEW_TRADE DIR_1 not executed [trading_state]');
    expect(error.details).toMatchObject({ rule: 'trading_state', trading_state: 'HALTED', trading_state_reason: 'venue outage', changed_by: 'api' });
    expect(isTradingStateDenial(error.code)).toBe(true);
    expect(isTradingStateDenial('RISK_DENIED')).toBe(false);
  });
});
