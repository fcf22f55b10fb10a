import type { RiskConfig } from '../config/schema.js';
import type { Clock } from '../domain/clock.js';
import { type Decimal, decimalToWire, ZERO } from '../domain/decimal.js';
import type { Direction, OrderPurpose } from '../domain/enums.js';
import { RiskDenied } from '../domain/errors.js';
import { isIncreasingPurpose } from '../domain/position-math.js';
import type { OrderRecord, Position } from '../domain/trading.js';
import type { ExecutionContext } from './execution-context.js';
import { ExecutionError } from './execution-errors.js';
import { LIVE_ORDER_STATUSES } from './order-sync.js';
import type { ILedgerProvider } from '../ports/ledger.js';
import { TokenBucket } from './token-bucket.js';

/** One leg about to be sent (a new order, or new terms of a resting one), already on the venue's grid. */
export interface RiskLeg {
  readonly symbol: string;
  readonly side: Direction;
  readonly purpose: OrderPurpose;
  readonly reduceOnly: boolean;
  readonly quantity: Decimal;
  /** The price its notional is measured at (limit, trigger, or the reference for a market order). */
  readonly price: Decimal;
  readonly tradeId: string;
  /** An amend: the resting order it changes, whose own exposure it replaces rather than adds to. */
  readonly amends?: OrderRecord;
}

export const RiskRule = {
  max_order_notional: 'RISK_MAX_ORDER_NOTIONAL',
  max_strategy_notional: 'RISK_MAX_STRATEGY_NOTIONAL',
  max_symbol_notional: 'RISK_MAX_SYMBOL_NOTIONAL',
  max_open_orders: 'RISK_MAX_OPEN_ORDERS',
  order_rate: 'RISK_ORDER_RATE',
} as const;
export type RiskRule = keyof typeof RiskRule;

export interface PreTradeRiskDeps {
  readonly limits: RiskConfig;
  readonly ledger: ILedgerProvider;
  readonly clock: Clock;
}

/**
 * The `risk` limits, applied by the order executor to every leg just before its write-ahead: a
 * leg that adds exposure (entry, increase, a resting entry's new terms) is refused with RiskDenied
 * RISK_<RULE> when it breaks a notional cap, the open-order cap or the order-rate budget; a leg
 * that reduces exposure (stop loss, take profit, reduce, close, compensation) and every cancel is
 * never refused, only made to wait for the rate budget within the execution's deadline.
 *
 * The checks of adding legs and their write-ahead run one at a time (`exclusive`), so two
 * strategies cannot both pass a shared cap with orders the other cannot see yet.
 */
export class PreTradeRisk {
  readonly #limits: RiskConfig;
  readonly #ledger: ILedgerProvider;
  readonly #bucket: TokenBucket | null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: PreTradeRiskDeps) {
    this.#limits = deps.limits;
    this.#ledger = deps.ledger;
    const rate = deps.limits.order_rate;
    this.#bucket = rate.max_orders > 0 ? new TokenBucket({ capacity: rate.max_orders, perSeconds: rate.per_seconds, clock: deps.clock }) : null;
  }

  /** Whether any limit is on (all off: the executor skips this component). */
  get active(): boolean {
    const l = this.#limits;
    return this.#bucket !== null || l.max_open_orders > 0 || [l.max_order_notional, l.max_strategy_notional, l.max_symbol_notional].some((n) => n.gt(0));
  }

  /** Whether a check reads the ledger (exposure, open orders): then adding legs are checked and written ahead one at a time. */
  get readsLedger(): boolean {
    const l = this.#limits;
    return l.max_open_orders > 0 || l.max_strategy_notional.gt(0) || l.max_symbol_notional.gt(0);
  }

  /** A leg the notional and open-order caps apply to. */
  adds(leg: Pick<RiskLeg, 'purpose' | 'reduceOnly'>): boolean {
    return !leg.reduceOnly && isIncreasingPurpose(leg.purpose);
  }

  /** Run `work` (the checks of an adding leg and its write-ahead) after every earlier one finished. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Refuse an adding leg that breaks a cap; take its rate token (refused when none is left). */
  async checkAdding(ctx: ExecutionContext, leg: RiskLeg, what: string): Promise<void> {
    const l = this.#limits;
    const notional = leg.quantity.mul(leg.price);
    if (l.max_order_notional.gt(0) && notional.gt(l.max_order_notional)) {
      throw denied('max_order_notional', what, `order notional ${fmt(notional)} (${fmt(leg.quantity)} × ${fmt(leg.price)} ${leg.symbol})`, l.max_order_notional, notional, {
        symbol: leg.symbol,
      });
    }
    if (l.max_strategy_notional.gt(0) || l.max_symbol_notional.gt(0) || (l.max_open_orders > 0 && !leg.amends)) {
      const book = await this.#book(ctx);
      // the trade's own strategy (a MODIFY may target another's); a NEW_TRADE's trade is not in the ledger yet
      const strategy = book.positions.find((p) => p.trade_id === leg.tradeId)?.strategy_id ?? ctx.strategyId;
      if (l.max_strategy_notional.gt(0) && strategy !== null) {
        const trades = new Set(book.positions.filter((p) => p.strategy_id === strategy).map((p) => p.trade_id));
        trades.add(leg.tradeId);
        const total = exposure(book, (tradeId) => trades.has(tradeId), leg.amends).plus(notional);
        if (total.gt(l.max_strategy_notional)) {
          throw denied('max_strategy_notional', what, `exposure of strategy ${strategy} with this order ${fmt(total)}`, l.max_strategy_notional, total, { strategy_id: strategy, order_notional: fmt(notional) });
        }
      }
      if (l.max_symbol_notional.gt(0)) {
        const trades = new Set(book.positions.filter((p) => p.symbol === leg.symbol).map((p) => p.trade_id));
        const total = exposure(book, (tradeId, symbol) => symbol === leg.symbol || trades.has(tradeId), leg.amends).plus(notional);
        if (total.gt(l.max_symbol_notional)) {
          throw denied('max_symbol_notional', what, `exposure on ${leg.symbol} with this order ${fmt(total)}`, l.max_symbol_notional, total, { symbol: leg.symbol, order_notional: fmt(notional) });
        }
      }
      if (l.max_open_orders > 0 && !leg.amends && book.live.length + 1 > l.max_open_orders) {
        const count = book.live.length + 1;
        throw new RiskDenied(`${what}: ${count} orders would be live at the venue, above risk.max_open_orders ${l.max_open_orders} [max_open_orders]`, RiskRule.max_open_orders, {
          rule: 'max_open_orders',
          limit: l.max_open_orders,
          value: count,
        });
      }
    }
    if (this.#bucket && !this.#bucket.tryTake()) {
      const rate = l.order_rate;
      throw new RiskDenied(
        `${what}: the order-rate budget of ${rate.max_orders} per ${rate.per_seconds} s is spent (next order in ${this.#bucket.waitMs()} ms) [order_rate]`,
        RiskRule.order_rate,
        { rule: 'order_rate', limit: rate.max_orders, per_seconds: rate.per_seconds, wait_ms: this.#bucket.waitMs() },
      );
    }
  }

  /** A leg that is never refused (reduce-only, a cancel, a protective amend) waits for its rate token, within the execution's deadline. */
  async waitForTurn(ctx: ExecutionContext, what: string): Promise<void> {
    if (!this.#bucket) return;
    try {
      await this.#bucket.take(ctx.signal);
    } catch {
      throw new ExecutionError(`${what}: execution exceeded timeout_seconds while waiting for the order-rate budget (risk.order_rate)`, 'EXECUTION_TIMEOUT', {
        waiting_for: 'order_rate',
      });
    }
  }

  /** Open trades and orders live at the venue, as the ledger has them and as this flow last saw them. */
  async #book(ctx: ExecutionContext): Promise<Book> {
    const positions = await ctx.readLedger('open trades (risk)', () => this.#ledger.listPositions({ status: 'OPEN' }));
    const rows = await ctx.readLedger('live orders (risk)', () => this.#ledger.listOrders({ statuses: LIVE_ORDER_STATUSES }));
    const byId = new Map(rows.map((r) => [r.client_order_id, r]));
    for (const seen of ctx.orders) byId.set(seen.client_order_id, seen);
    const live = [...byId.values()].filter((o) => LIVE_ORDER_STATUSES.includes(o.status));
    return { positions, live };
  }
}

interface Book {
  readonly positions: readonly Position[];
  readonly live: readonly OrderRecord[];
}

/**
 * Filled size × entry price of the open trades `belongs` selects, plus the unfilled size of their
 * live entry / increase orders × the order's price (limit, else trigger; a market order still in
 * flight has no price of its own and counts once its fills are booked). `amended` is left out:
 * its new terms are the order being checked.
 */
function exposure(book: Book, belongs: (tradeId: string, symbol: string) => boolean, amended: OrderRecord | undefined): Decimal {
  let total = ZERO;
  for (const p of book.positions) {
    if (!belongs(p.trade_id, p.symbol)) continue;
    const price = p.entry_price ?? p.average_entry_price;
    if (price) total = total.plus(p.filled_size.mul(price));
  }
  for (const o of book.live) {
    if (!isIncreasingPurpose(o.purpose) || o.client_order_id === amended?.client_order_id || !belongs(o.trade_id, o.symbol)) continue;
    const price = o.limit_price ?? o.stop_price;
    const open = o.quantity.minus(o.filled_quantity);
    if (price && open.gt(0)) total = total.plus(open.mul(price));
  }
  return total;
}

function denied(rule: RiskRule, what: string, subject: string, limit: Decimal, value: Decimal, extra: Readonly<Record<string, unknown>>): RiskDenied {
  return new RiskDenied(`${what}: ${subject} is above risk.${rule} ${fmt(limit)} [${rule}]`, RiskRule[rule], { rule, limit: fmt(limit), value: fmt(value), ...extra });
}

function fmt(value: Decimal): string {
  return decimalToWire(value);
}
