import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import type { BacktestStrategy } from '../../src/backtest/strategy.js';
import type { Bar } from '../../src/market-data/bar.js';
import { bar, chunks, lines, MINUTE, newTrade, silentLogger, T0, testConfig } from './backtest-world.js';

const BTC = { tick_size: '0.01', lot_size: '0.001', min_quantity: '0.001', min_notional: '1', reference_price: '100' };

function config(backtest: Record<string, unknown> = {}, paper: Record<string, unknown> = {}) {
  return testConfig({ backtest, connector: { paper: { slippage_bps: '0', taker_fee_rate: '0', maker_fee_rate: '0', instruments: { BTC_USDT: BTC }, ...paper } } });
}

async function backtest(bars: readonly Bar[], directives: readonly object[], options: { backtest?: Record<string, unknown>; paper?: Record<string, unknown>; strategy?: BacktestStrategy } = {}) {
  const run = await runBacktest({
    config: config(options.backtest, options.paper),
    bars: chunks(bars),
    ...(directives.length > 0 ? { directives: lines(directives) } : {}),
    ...(options.strategy ? { strategy: options.strategy } : {}),
    logger: silentLogger,
  });
  try {
    const positions = await run.platform.store.ledger.listPositions();
    const orders = await run.platform.store.ledger.listOrders();
    return { run, positions, orders };
  } finally {
    await run.platform.close();
    run.release();
  }
}

const at = (minutes: number) => T0 + minutes * MINUTE;
const flat = (minute: number, price: number) => bar('BTC_USDT', at(minute), price, price, price, price);
const pnl = (r: { positions: { realized_pnl: { toString(): string } }[] }) => r.positions.map((p) => p.realized_pnl.toString());

describe('runBacktest', () => {
  it('fills a market entry at the open of the first bar at or after the directive, and journals simulated times', async () => {
    const r = await backtest([flat(0, 100), bar('BTC_USDT', at(1), 104, 105, 103, 104), flat(2, 104)], [newTrade('D1', at(0) + 20_000, { size: '1' })]);
    expect(r.positions.map((p) => [p.status, p.entry_price?.toString(), p.opened_at])).toEqual([['OPEN', '104', new Date(at(0) + 20_000).toISOString()]]);
    const entry = r.orders.find((o) => o.purpose === 'ENTRY')!;
    expect(entry.average_fill_price?.toString()).toBe('104');
  });

  it('adds the configured slippage to a market fill', async () => {
    const r = await backtest([flat(0, 100), flat(1, 200), flat(2, 200)], [newTrade('D1', at(0) + 1, { size: '1' })], { paper: { slippage_bps: '50' } });
    expect(r.positions[0]!.entry_price?.toString()).toBe('201');
  });

  it('stops a trade out at its stop when a bar trades through it, and cancels the target', async () => {
    const r = await backtest([flat(0, 100), flat(1, 100), bar('BTC_USDT', at(2), 100, 101, 94, 95), flat(3, 95)], [newTrade('D1', at(0) + 1, { size: '1', stop: '96', target: '110' })]);
    expect(r.positions.map((p) => [p.status, p.exit_price?.toString(), p.close_reason])).toEqual([['CLOSED', '96', 'STOP_LOSS']]);
    expect(r.orders.find((o) => o.purpose === 'TAKE_PROFIT')?.status).toBe('CANCELLED');
  });

  it('fills a stop the open gapped through at the open, not at the stop', async () => {
    const r = await backtest([flat(0, 100), flat(1, 100), bar('BTC_USDT', at(2), 90, 91, 89, 90), flat(3, 90)], [newTrade('D1', at(0) + 1, { size: '1', stop: '96' })]);
    expect(r.positions[0]!.exit_price?.toString()).toBe('90');
    expect(pnl(r)).toEqual(['-10']);
  });

  it('stops out first when one bar reaches both the stop and the target (pessimistic, the default)', async () => {
    const wide = bar('BTC_USDT', at(2), 100, 111, 95, 100);
    const r = await backtest([flat(0, 100), flat(1, 100), wide, flat(3, 100)], [newTrade('D1', at(0) + 1, { size: '1', stop: '96', target: '110' })]);
    expect(r.positions.map((p) => [p.exit_price?.toString(), p.close_reason])).toEqual([['96', 'STOP_LOSS']]);
  });

  it('takes the target first under the optimistic rule', async () => {
    const wide = bar('BTC_USDT', at(2), 100, 111, 95, 100);
    const r = await backtest([flat(0, 100), flat(1, 100), wide, flat(3, 100)], [newTrade('D1', at(0) + 1, { size: '1', stop: '96', target: '110' })], { backtest: { intrabar_rule: 'optimistic' } });
    expect(r.positions.map((p) => [p.exit_price?.toString(), p.close_reason])).toEqual([['110', 'TAKE_PROFIT']]);
  });

  it('rests a limit entry until a bar trades through it, filled at the limit', async () => {
    const r = await backtest([flat(0, 100), flat(1, 100), bar('BTC_USDT', at(2), 100, 100, 97, 99), flat(3, 99)], [newTrade('D1', at(0) + 1, { size: '1', limit: '98' })]);
    expect(r.positions.map((p) => [p.status, p.entry_price?.toString()])).toEqual([['OPEN', '98']]);
  });

  it('refuses directives before the first bar, out of order, and after the last bar, with the reason', async () => {
    const r = await backtest(
      [flat(10, 100), flat(11, 100), flat(12, 100)],
      [newTrade('EARLY', at(5)), newTrade('OK', at(10)), newTrade('LATE', at(30)), newTrade('BACK', at(11))],
    );
    const reasons = Object.fromEntries(r.run.refused.map((x) => [x.directiveId, x.reason]));
    expect(reasons.EARLY).toMatch(/before the first bar/);
    expect(reasons.BACK).toMatch(/out of order: its timestamp .* is before .* of line 3/);
    expect(reasons.LATE).toMatch(/after the last bar/);
    expect(r.positions.map((p) => p.trade_id)).toEqual(['OK']);
    expect(r.run.failures.filter((f) => f.errorCode === 'BACKTEST_NOT_RUN')).toHaveLength(3);
  });

  it('delays a directive by the venue latency: it takes the open of the first bar after timestamp + latency', async () => {
    const r = await backtest([flat(0, 100), flat(1, 101), flat(2, 102), flat(3, 103)], [newTrade('D1', at(0) + 30_000, { size: '1' })], { paper: { latency_ms: 60_000 } });
    expect(r.positions[0]!.entry_price?.toString()).toBe('102');
  });

  it('refuses a directive on a symbol the bars never priced, instead of trading at the instrument’s configured price', async () => {
    const r = await backtest([flat(0, 100), flat(1, 100), flat(2, 100)], [newTrade('ETH', at(0) + 1, { symbol: 'ETH_USDT', size: '1' }), newTrade('BTC', at(0) + 2, { size: '1' })]);
    expect(r.positions.map((p) => [p.trade_id, p.filled_size.toString()])).toEqual([['BTC', '1']]);
    expect(r.run.failures.map((f) => [f.directiveId, f.errorCode])).toEqual([['ETH', 'NO_PRICE']]);
    expect(r.run.failures[0]!.reason).toContain('no price for ETH_USDT yet');
  });

  it('names a symbol of the prices that the paper venue does not list', async () => {
    await expect(backtest([bar('DOGE_USDT', at(0), 1, 1, 1, 1)], [])).rejects.toThrow(/symbol DOGE_USDT is not an instrument of the paper venue: add connector.paper.instruments.DOGE_USDT/);
  });

  it('runs a strategy module: a directive decided on a bar runs at the next open, and the strategy hears its own fill', async () => {
    const heard: string[] = [];
    const strategy: BacktestStrategy = {
      onBar(b, ctx) {
        if (b.time !== new Date(at(1)).toISOString()) return undefined;
        return { directive_id: ctx.nextDirectiveId(), strategy_id: 'st', scope: 'NEW_TRADE', entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'MARKET' }, size_plan: { position_size: '1' }, routing_plan: { time_in_force: 'GTC' } };
      },
      onTradeExecuted(event) {
        heard.push(`${event.scope}@${event.fill_price}`);
      },
    };
    const r = await backtest([flat(0, 100), flat(1, 101), flat(2, 102), flat(3, 103)], [], { strategy });
    expect(r.positions.map((p) => [p.entry_price?.toString(), p.opened_at])).toEqual([['102', new Date(at(2)).toISOString()]]);
    expect(heard).toEqual(['NEW_TRADE@102']);
  });

  it('follows equity from the fills, marked at each close', async () => {
    const r = await backtest([flat(0, 100), flat(1, 100), flat(2, 110), flat(3, 105)], [newTrade('D1', at(0) + 1, { size: '2' })], { backtest: { initial_equity: '1000' } });
    const last = r.run.equity[r.run.equity.length - 1]!;
    expect(last).toEqual({ atMs: at(3), equity: '1010' });
  });
});

