import type { IAPIConnector, InstrumentRules } from '../../connectors/connector.js';
import type { Decimal } from '../../domain/decimal.js';
import type { ExecutionDirective } from '../../domain/directive.js';
import type { Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import type { LegResult, OrderExecutor } from '../order-executor.js';
import type { ILedgerProvider } from '../ports.js';
import type { ProtectiveOrders } from '../protective-orders.js';
import type { Adjustment } from './adjustments.js';

export interface ScopeDeps {
  readonly connector: IAPIConnector;
  readonly ledger: ILedgerProvider;
  readonly executor: OrderExecutor;
  readonly protective: ProtectiveOrders;
  /** orchestration.plan_execution.allow_cross_strategy_targets (default false). */
  readonly allowCrossStrategyTargets?: boolean;
}

/** What a scope handler did: the trades after it, and the order legs it sent. */
export interface ScopeOutcome {
  readonly positions: readonly Position[];
  /** The directive's main order (entry, first resize, first close); null when no order was needed. */
  readonly primary: LegResult | null;
  readonly legs: readonly LegResult[];
  readonly tradeIds: readonly string[];
  /** Requested prices and sizes used in another form (lot / tick rounding). */
  readonly adjustments?: readonly Adjustment[];
  /** What a plan did not change and why (e.g. an entry_plan with nothing resting): journaled and in the flow's reason. */
  readonly notes?: readonly string[];
}

export type ScopeHandler = (ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps) => Promise<ScopeOutcome>;

/** Per-directive read cache: instrument rules and reference prices are asked once per symbol. */
export class MarketData {
  readonly #deps: ScopeDeps;
  readonly #ctx: ExecutionContext;
  readonly #rules = new Map<string, InstrumentRules>();
  readonly #prices = new Map<string, Decimal>();

  constructor(ctx: ExecutionContext, deps: ScopeDeps) {
    this.#ctx = ctx;
    this.#deps = deps;
  }

  async rules(symbol: string): Promise<InstrumentRules> {
    const cached = this.#rules.get(symbol);
    if (cached) return cached;
    const rules = await this.#deps.executor.read(this.#ctx, `instrument ${symbol}`, (signal) => this.#deps.connector.getInstrument(symbol, { signal }));
    this.#rules.set(symbol, rules);
    return rules;
  }

  async referencePrice(symbol: string): Promise<Decimal> {
    const cached = this.#prices.get(symbol);
    if (cached) return cached;
    const price = await this.#deps.executor.read(this.#ctx, `reference price ${symbol}`, (signal) => this.#deps.connector.getReferencePrice(symbol, { signal }));
    this.#prices.set(symbol, price);
    return price;
  }
}
