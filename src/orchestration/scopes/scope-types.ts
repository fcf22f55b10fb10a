import type { IAPIConnector, InstrumentRules } from '../../ports/connector.js';
import type { Decimal } from '../../domain/decimal.js';
import type { ExecutionDirective } from '../../domain/directive.js';
import type { Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import type { LegResult, OrderExecutor } from '../order-executor.js';
import type { ILedgerProvider } from '../../ports/ledger.js';
import type { ProtectiveOrders } from '../protective-orders.js';
import type { Adjustment } from './adjustments.js';
import type { TradeExecution } from '../../domain/dto.js';
import type { StyleServices } from '../styles/style-services.js';

export interface ScopeDeps {
  readonly connector: IAPIConnector;
  readonly ledger: ILedgerProvider;
  readonly executor: OrderExecutor;
  readonly protective: ProtectiveOrders;
  /** orchestration.plan_execution.allow_cross_strategy_targets (default false). */
  readonly allowCrossStrategyTargets?: boolean;
  /** Sliced and resting entries (PASSIVE, TWAP, ICEBERG); without it every entry is one order. */
  readonly styles?: StyleServices;
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
  /** A NEW_TRADE entry sent as a style (children, decision price, shortfall); absent for one plain order. */
  readonly execution?: TradeExecution;
}

export type ScopeHandler = (ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps) => Promise<ScopeOutcome>;

/** Instrument rules and reference prices, read once per symbol per execution (the executor's cache, shared with the legs it sends). */
export class MarketData {
  readonly #deps: ScopeDeps;
  readonly #ctx: ExecutionContext;

  constructor(ctx: ExecutionContext, deps: ScopeDeps) {
    this.#ctx = ctx;
    this.#deps = deps;
  }

  rules(symbol: string): Promise<InstrumentRules> {
    return this.#deps.executor.instrument(this.#ctx, symbol);
  }

  referencePrice(symbol: string): Promise<Decimal> {
    return this.#deps.executor.referencePrice(this.#ctx, symbol);
  }
}
