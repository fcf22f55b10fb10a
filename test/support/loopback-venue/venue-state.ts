import { FaultInjector } from './faults.js';
import { MatchingEngine } from './matching-engine.js';
import type { FaultPlan, ResolvedVenueConfig } from './options.js';
import { RequestLog, type LoggedRequest } from './request-log.js';
import { myTradeView, orderView } from './binance-views.js';
import type { BalanceView } from './balances.js';
import { binanceDecimal } from './format.js';

/** What GET /__loopback/state answers: the whole venue, in Binance's shapes where it has one. */
export interface VenueSnapshot {
  readonly prices: Record<string, string>;
  readonly balances: BalanceView[];
  readonly orders: Record<string, unknown>[];
  readonly trades: Record<string, unknown>[];
  readonly faults: FaultPlan;
  readonly requests: { readonly counts: Record<string, number>; readonly log: readonly LoggedRequest[] };
}

/** The venue's mutable state: book keeping, fault plan and request log, all replaced by reset(). */
export class VenueState {
  engine: MatchingEngine;
  readonly faults: FaultInjector;
  log: RequestLog;
  #cancelSeq = 0;

  constructor(
    readonly config: ResolvedVenueConfig,
    readonly now: () => number,
  ) {
    this.engine = new MatchingEngine(config, now);
    this.faults = new FaultInjector(config.faults);
    this.log = new RequestLog(config.requestLogLimit);
  }

  /** Back to the configured start: prices, balances and fault plan; no orders, trades or log. */
  reset(): void {
    this.engine = new MatchingEngine(this.config, this.now);
    this.faults.replace(this.config.faults);
    this.log = new RequestLog(this.config.requestLogLimit);
    this.#cancelSeq = 0;
  }

  nextCancelId(): string {
    return `lbv_cancel_${++this.#cancelSeq}`;
  }

  snapshot(): VenueSnapshot {
    const prices: Record<string, string> = {};
    for (const symbol of this.engine.instruments.keys()) prices[symbol] = binanceDecimal(this.engine.price(symbol));
    return {
      prices,
      balances: this.engine.balances.views(),
      orders: [...this.engine.orders.values()].map(orderView),
      trades: this.engine.trades.map(myTradeView),
      faults: this.faults.plan,
      requests: { counts: this.log.counts(), log: this.log.entries() },
    };
  }
}
