/**
 * Deterministic benchmark input: JSON Lines for N strategies, each cycling
 * NEW_TRADE → MODIFY_EXISTING → CLOSE_EXISTING on its own trade, interleaved round-robin so every
 * strategy has work queued at once. Valid for the paper venue's built-in instruments at their
 * reference prices (prices never move in the bench, so protective orders rest and never fire).
 *
 * One direction per symbol: the paper venue nets positions per symbol, so opposite trades on one
 * symbol would make reduce-only legs (SL/TP, reduce, close) exceed the reducible net position.
 */

import { mulberry32 as seededRandom } from '../src/demo/prng.js';

/** The demo's seeded mulberry32, as a bare function. */
function mulberry32(seed: number): () => number {
  const random = seededRandom(seed);
  return () => random.next();
}

interface SymbolPlan {
  readonly symbol: string;
  readonly direction: 'BUY' | 'SELL';
  /** Reference price of the paper venue (src/connectors/paper/paper-instruments.ts). */
  readonly reference: number;
  /** Lot size as a count of decimals. */
  readonly lotDecimals: number;
  /** Smallest and largest entry size, in lots. */
  readonly minLots: number;
  readonly maxLots: number;
}

/** Sizes keep every notional well above the venue's 5 USDT minimum. */
export const SYMBOLS: readonly SymbolPlan[] = [
  { symbol: 'BTC_USDT', direction: 'BUY', reference: 65_000, lotDecimals: 5, minLots: 100, maxLots: 2_000 },
  { symbol: 'ETH_USDT', direction: 'SELL', reference: 3_500, lotDecimals: 4, minLots: 100, maxLots: 2_000 },
  { symbol: 'SOL_USDT', direction: 'BUY', reference: 150, lotDecimals: 3, minLots: 100, maxLots: 2_000 },
];

export type WorkloadScope = 'NEW_TRADE' | 'MODIFY_EXISTING' | 'CLOSE_EXISTING';

export interface WorkloadOptions {
  /** Directives to produce (the last cycles may be cut short: a trade may stay open). */
  readonly count: number;
  readonly strategies: number;
  /** @default 1 */
  readonly seed?: number;
  /** Prefix of every directive id, so several workloads can share one database. @default 'B' */
  readonly idPrefix?: string;
}

export interface WorkloadLine {
  readonly text: string;
  readonly directiveId: string;
  readonly strategyId: string;
  readonly scope: WorkloadScope;
}

/** 100 lots is worth ≥ 15 USDT on every symbol (min notional 5). */
const MIN_DELTA_LOTS = 100;
const CYCLE: readonly WorkloadScope[] = ['NEW_TRADE', 'MODIFY_EXISTING', 'CLOSE_EXISTING'];
const TIMESTAMP = '2026-11-24T10:15:00Z';

function lots(n: number, decimals: number): string {
  return (n / 10 ** decimals).toFixed(decimals);
}

/** A price `pct` away from the reference, on the cent tick. */
function priceAt(reference: number, pct: number): string {
  return (Math.round(reference * (1 + pct) * 100) / 100).toFixed(2);
}

/** Stop loss below a long's (above a short's) reference, take profit on the other side. */
function exits(plan: SymbolPlan, rnd: () => number): { stop_loss_price: string; take_profit_price: string } {
  const sign = plan.direction === 'BUY' ? 1 : -1;
  return {
    stop_loss_price: priceAt(plan.reference, -sign * (0.02 + rnd() * 0.03)),
    take_profit_price: priceAt(plan.reference, sign * (0.02 + rnd() * 0.03)),
  };
}

/** The strategy's `step`-th directive; `state` carries its open trade and the lots it holds. */
function directive(strategy: number, step: number, plan: SymbolPlan, rnd: () => number, prefix: string, state: { lots: number; trade: string }): WorkloadLine {
  const scope = CYCLE[step % CYCLE.length]!;
  const strategyId = `bench_s${strategy.toString().padStart(4, '0')}`;
  const directiveId = `${prefix}_${strategy.toString(36)}_${step.toString(36)}`;
  const base = { directive_id: directiveId, strategy_id: strategyId, scope, timestamp: TIMESTAMP };
  let wire: Record<string, unknown>;
  switch (scope) {
    case 'NEW_TRADE': {
      state.lots = plan.minLots + Math.floor(rnd() * (plan.maxLots - plan.minLots));
      state.trade = directiveId;
      wire = {
        ...base,
        rationale: 'bench entry',
        entry_plan: { symbol: plan.symbol, direction: plan.direction, order_type: 'MARKET' },
        size_plan: { position_size: lots(state.lots, plan.lotDecimals) },
        exit_plan: exits(plan, rnd),
        routing_plan: { max_slippage_pct: '0.01', time_in_force: 'GTC' },
      };
      break;
    }
    case 'MODIFY_EXISTING': {
      // a third move the stop, a third resize, a third both
      const kind = Math.floor(rnd() * 3);
      const change: Record<string, unknown> = {};
      if (kind !== 1) change['exit_plan'] = { stop_loss_price: exits(plan, rnd).stop_loss_price };
      if (kind !== 0) {
        // the change itself is an order: keep it at least MIN_DELTA_LOTS, above the venue's min notional
        const span = plan.maxLots - plan.minLots - 2 * MIN_DELTA_LOTS;
        let target = plan.minLots + Math.floor(rnd() * span);
        if (target > state.lots - MIN_DELTA_LOTS) target += 2 * MIN_DELTA_LOTS;
        state.lots = target;
        change['size_plan'] = { position_size: lots(target, plan.lotDecimals) };
        change['routing_plan'] = { max_slippage_pct: '0.01' };
      }
      wire = { ...base, target_trade_ids: [state.trade], ...change };
      break;
    }
    case 'CLOSE_EXISTING':
      wire = { ...base, rationale: 'bench exit', target_trade_ids: [state.trade], routing_plan: { time_in_force: 'IOC' } };
      break;
  }
  return { text: JSON.stringify(wire), directiveId, strategyId, scope };
}

/** Streams `count` directive lines, round-robin over the strategies; a pure function of its options. */
export function* workloadStream(options: WorkloadOptions): Generator<WorkloadLine> {
  const { count, strategies } = options;
  if (!Number.isInteger(strategies) || strategies < 1) throw new RangeError(`strategies must be a positive integer, got ${strategies}`);
  const rnd = mulberry32(options.seed ?? 1);
  const prefix = options.idPrefix ?? 'B';
  const states = Array.from({ length: strategies }, () => ({ lots: 0, trade: '' }));
  let produced = 0;
  for (let step = 0; produced < count; step += 1) {
    for (let s = 0; s < strategies && produced < count; s += 1) {
      produced += 1;
      yield directive(s, step, SYMBOLS[s % SYMBOLS.length]!, rnd, prefix, states[s]!);
    }
  }
}

/** The same lines as an array. */
export function generateWorkload(options: WorkloadOptions): WorkloadLine[] {
  return [...workloadStream(options)];
}
