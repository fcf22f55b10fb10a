import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeBacktestMetrics, dailyReturns, exposure, maxDrawdown, sharpeOf, sortinoOf } from '../../src/backtest/report/metrics.js';
import type { BacktestReportInput, ReportTrade } from '../../src/backtest/report-input.js';
import { Decimal } from '../../src/domain/decimal.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

function trade(fields: Partial<ReportTrade>): ReportTrade {
  return { tradeId: 't', strategyId: 's', symbol: 'BTC_USDT', direction: 'BUY', status: 'CLOSED', openedAtMs: T0, closedAtMs: T0 + DAY, entryPrice: '100', exitPrice: '110', size: '1', realizedPnl: '10', fees: '1', closeReason: 'TAKE_PROFIT', ...fields };
}

function input(fields: Partial<BacktestReportInput>): BacktestReportInput {
  return { title: 't', inputs: { prices: [], directives: null, strategy: null, config: null }, startMs: T0, endMs: T0 + 4 * DAY, quoteAsset: 'USDT', initialEquity: '1000', equity: [], prices: [], trades: [], fills: [], failures: [], bars: 0, directives: 0, executionStyles: [], ...fields };
}

describe('backtest metrics', () => {
  it('measures the deepest fall from a running peak, as a fraction and an amount', () => {
    const points = ['1100', '990', '1200', '900', '1300'].map((equity, i) => ({ atMs: T0 + i, equity }));
    const dd = maxDrawdown(new Decimal(1000), points);
    expect(dd.fraction.toString()).toBe('0.25');
    expect(dd.amount.toString()).toBe('300');
  });

  it('takes each UTC day’s last equity for its return, the first day against the initial equity', () => {
    const points = [
      { atMs: T0 + 1000, equity: '1050' },
      { atMs: T0 + DAY - 1, equity: '1100' },
      { atMs: T0 + DAY + 5, equity: '990' },
    ];
    const returns = dailyReturns(new Decimal(1000), points);
    expect(returns.map((r) => r.toFixed(6))).toEqual(['0.100000', '-0.100000']);
  });

  it('annualises Sharpe and Sortino with √365 and has none for fewer than two returns or no spread', () => {
    expect(sharpeOf([0.01])).toBeNull();
    expect(sharpeOf([0.01, 0.01, 0.01])).toBeNull();
    const r = [0.02, -0.01, 0.03, -0.02];
    const mean = 0.005;
    const sd = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / 3);
    expect(sharpeOf(r)).toBeCloseTo((mean / sd) * Math.sqrt(365), 10);
    const down = Math.sqrt((0.01 ** 2 + 0.02 ** 2) / 4);
    expect(sortinoOf(r)).toBeCloseTo((mean / down) * Math.sqrt(365), 10);
    expect(sortinoOf([0.01, 0.02])).toBeNull();
  });

  it('counts exposure as the time covered by at least one filled open trade, overlaps once, unfilled entries not at all', () => {
    const trades = [
      trade({ openedAtMs: T0, closedAtMs: T0 + DAY }),
      trade({ openedAtMs: T0 + DAY / 2, closedAtMs: T0 + 2 * DAY }),
      trade({ openedAtMs: T0 + 3 * DAY, closedAtMs: null, status: 'OPEN', entryPrice: null }),
    ];
    expect(exposure({ startMs: T0, endMs: T0 + 4 * DAY, trades })).toBeCloseTo(0.5, 12);
  });

  it('computes win rate and profit factor net of fees, and slippage against the reference price', () => {
    const m = computeBacktestMetrics(
      input({
        equity: [{ atMs: T0 + DAY, equity: '1012' }],
        trades: [trade({ realizedPnl: '10', fees: '1' }), trade({ realizedPnl: '1', fees: '2' }), trade({ realizedPnl: '-5', fees: '1' })],
        fills: [
          { atMs: T0, tradeId: 't', symbol: 'BTC_USDT', side: 'BUY', purpose: 'ENTRY', quantity: '2', price: '101', fee: '0.5', referencePrice: '100' },
          { atMs: T0, tradeId: 't', symbol: 'BTC_USDT', side: 'SELL', purpose: 'STOP_LOSS', quantity: '2', price: '99', fee: '0.5', referencePrice: '100' },
        ],
      }),
    );
    expect(m.win_rate).toBe('0.3333');
    expect(m.profit_factor).toBe('1.2857'); // 9 ÷ (1 + 6)
    expect(m.slippage).toEqual({ average_bps: '100', cost: '4' });
    expect(m.fees).toBe('1');
    expect(m.net_pnl).toBe('12');
    expect(m.return_pct).toBe('1.2');
  });

  it('says why a ratio is missing', () => {
    const m = computeBacktestMetrics(input({ equity: [{ atMs: T0, equity: '1000' }] }));
    expect(m.sharpe).toBeNull();
    expect(m.win_rate).toBeNull();
    expect(m.notes).toEqual(['sharpe, sortino: fewer than 2 daily returns', 'win_rate, profit_factor: no closed trade']);
  });

  it('keeps drawdown within [0, 1], zero for equity that never falls', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 60 }), (values) => {
        const points = values.map((v, i) => ({ atMs: T0 + i, equity: String(v) }));
        const dd = maxDrawdown(new Decimal(values[0]!), points);
        expect(dd.fraction.gte(0) && dd.fraction.lte(1)).toBe(true);
        const rising = [...values].sort((a, b) => a - b).map((v, i) => ({ atMs: T0 + i, equity: String(v) }));
        expect(maxDrawdown(new Decimal(Math.min(...values)), rising).fraction.isZero()).toBe(true);
      }),
    );
  });

  it('gives the same Sharpe for equity scaled by any factor', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 500, max: 2000 }), { minLength: 3, maxLength: 30 }), fc.integer({ min: 2, max: 50 }), (values, k) => {
        const at = (scale: number) => values.map((v, i) => ({ atMs: T0 + i * DAY, equity: String(v * scale) }));
        const a = sharpeOf(dailyReturns(new Decimal(1000), at(1)));
        const b = sharpeOf(dailyReturns(new Decimal(1000 * k), at(k)));
        if (a === null) expect(b).toBeNull();
        else expect(b).toBeCloseTo(a, 9);
      }),
    );
  });
});
