/**
 * The demo's breakout strategy as a backtest strategy module (docs/backtesting.md):
 *
 *   planexec backtest --prices examples/backtest/btc-usdt-5m.csv --strategy examples/backtest/breakout-strategy.ts
 *
 * One breakout rule per symbol of the bars: each bar's close is a step of the rule, which enters
 * when the price leaves its 20-bar range (with a stop loss and a 2R take profit), trails the stop,
 * scales in and out once, and closes when momentum fades or the trade is old. Its directives carry
 * no timestamp, so each runs at the next bar's open.
 */
import type { BacktestStrategy, StrategyBar } from '../../src/backtest/strategy.js';
import { BreakoutStrategy } from '../../src/demo/breakout-strategy.js';
import { DemoIds } from '../../src/demo/demo-ids.js';
import { DEMO_INSTRUMENTS } from '../../src/demo/demo-instruments.js';
import { mulberry32 } from '../../src/demo/prng.js';
import { Decimal } from '../../src/domain/decimal.js';

export default function breakout(): BacktestStrategy {
  const rng = mulberry32(42);
  const ids = new DemoIds(42);
  const rules = new Map<string, { readonly rule: BreakoutStrategy; step: number }>();
  const ruleFor = (symbol: string) => {
    let entry = rules.get(symbol);
    const instrument = DEMO_INSTRUMENTS.find((i) => i.symbol === symbol);
    if (entry === undefined && instrument !== undefined) {
      entry = { rule: new BreakoutStrategy(instrument, rng, ids), step: 0 };
      rules.set(symbol, entry);
    }
    return entry;
  };
  return {
    onBar(bar: StrategyBar) {
      const entry = ruleFor(bar.symbol);
      if (entry === undefined) return [];
      const decided = entry.rule.onPrice(entry.step, Date.parse(bar.time), new Decimal(bar.close));
      entry.step += 1;
      // decided at this bar's close: without a timestamp, each runs at the next bar's open
      return decided.map(({ wire: { timestamp: _decidedAt, ...directive } }) => directive);
    },
  };
}
