import type { ExecutionEnding, TradeExecution } from '../../domain/dto.js';
import { type Decimal, decimalMin, floorToStep, ZERO } from '../../domain/decimal.js';
import { VenueRejected } from '../../domain/errors.js';
import type { OrderRecord, Position } from '../../domain/trading.js';
import type { InstrumentRules, OrderRequest } from '../../ports/connector.js';
import { Deadline } from '../deadline.js';
import type { ExecutionContext } from '../execution-context.js';
import { ExecutionError } from '../execution-errors.js';
import { mergeAnswer } from '../leg-outcome.js';
import type { DeclaredLeg, LegResult } from '../order-executor.js';
import { LIVE_ORDER_STATUSES } from '../order-sync.js';
import type { ScopeDeps, ScopeOutcome } from '../scopes/scope-types.js';
import { ChildBook } from './child-book.js';
import { smallestChild } from './child-schedule.js';
import { type ExecutionPlan, shortfallBps } from './execution-plan.js';
import type { StyleServices } from './style-services.js';

export type { StyleServices } from './style-services.js';

/** How a styled entry went, for TRADE_EXECUTED, the causality entry and the dashboard. */
export type ExecutionSummary = TradeExecution;

type Ending = ExecutionEnding;

const LEG_PREFIX = { TWAP: 'T', PASSIVE: 'P', ICEBERG: 'V' } as const;
/** The remainder crossed at the window's end when min_fill_ratio is not reached yet. */
const CROSS_LEG = 'F1';

/**
 * Runs a sliced (TWAP) or resting (PASSIVE, ICEBERG) entry to its end: children with
 * deterministic names (T1…, P1…, V1…, F1) each written ahead by the order executor, the trade's
 * fills booked child by child, protection for what filled, then min_fill_ratio. Every wait is on
 * the injected clock and every due time counts from the journaled decision time, so a resumed
 * flow (RESUME mode: children already sent come back from the executor, never sent again)
 * continues the same schedule.
 */
export async function runStyledEntry(ctx: ExecutionContext, deps: ScopeDeps, services: StyleServices, plan: ExecutionPlan, position: Position): Promise<ScopeOutcome> {
  const rules = await deps.executor.instrument(ctx, plan.symbol);
  const remainingWindowMs = Math.max(0, plan.decided_at_ms + plan.window_ms - services.clock.now());
  const deadline = new Deadline(services.clock, remainingWindowMs / 1000 + services.timeoutSeconds);
  ctx.setSignal(deadline.signal);
  const run = new ChildRun(ctx, deps, services, plan, new ChildBook(ctx, position), rules);
  try {
    let ending = plan.style === 'TWAP' ? await run.twap() : await run.resting();
    if (ending !== 'halted' && !run.fillRatioMet()) {
      if (await run.crossRemainder()) ending = run.book.filled.gte(plan.quantity) ? 'filled' : ending;
    }
    return await run.finish(ending);
  } finally {
    await deadline.cancel();
  }
}

class ChildRun {
  readonly book: ChildBook;
  readonly #ctx: ExecutionContext;
  readonly #deps: ScopeDeps;
  readonly #services: StyleServices;
  readonly #plan: ExecutionPlan;
  readonly #rules: InstrumentRules;
  readonly #smallest: Decimal;

  constructor(ctx: ExecutionContext, deps: ScopeDeps, services: StyleServices, plan: ExecutionPlan, book: ChildBook, rules: InstrumentRules) {
    this.#ctx = ctx;
    this.#deps = deps;
    this.#services = services;
    this.#plan = plan;
    this.book = book;
    this.#rules = rules;
    this.#smallest = smallestChild({ lotSize: rules.lot_size, minQuantity: rules.min_quantity, minNotional: rules.min_notional }, plan.decision_price);
  }

  /** TWAP: each child at its due time, sized to catch up with the schedule (what earlier children missed is added); the last takes the rest. */
  async twap(): Promise<Ending> {
    const plan = this.#plan;
    let planned = ZERO;
    for (const [i, child] of plan.children.entries()) {
      planned = planned.plus(child.quantity);
      if ((await this.#waitUntil(plan.decided_at_ms + child.offset_ms)) === 'halted') return 'halted';
      const last = i === plan.children.length - 1;
      const wanted = (last ? plan.quantity : planned).minus(this.book.filled);
      const quantity = floorToStep(decimalMin(wanted, this.#remaining()), this.#rules.lot_size);
      if (quantity.lt(this.#smallest)) continue;
      await this.#place(child.leg, this.#immediateOrder(quantity));
    }
    return this.#remaining().lt(this.#smallest) ? 'filled' : 'schedule';
  }

  /**
   * PASSIVE / ICEBERG: one child rests at the near touch (post-only where the venue has it); every
   * reprice interval it is checked and moved to the touch; a filled child is followed by the
   * next (ICEBERG: at most the visible part each; a native iceberg is one order). At the window's
   * end the resting child is cancelled.
   */
  async resting(): Promise<Ending> {
    const plan = this.#plan;
    const end = plan.decided_at_ms + plan.window_ms;
    const prefix = LEG_PREFIX[plan.style];
    let seq = 0;
    let current: OrderRecord | null = null;
    for (;;) {
      if (current && isLive(current)) current = await this.#refresh(current);
      if (current && !isLive(current)) current = null;
      if (this.#remaining().lt(this.#smallest)) return 'filled';
      if (this.#halted()) {
        if (current) await this.#cancel(current);
        return 'halted';
      }
      if (this.#services.clock.now() >= end) {
        if (current) await this.#cancel(current);
        return 'window';
      }
      const touch = await this.#nearTouch();
      if (!current) {
        seq += 1;
        const sent = await this.#place(`${prefix}${seq}`, this.#restingOrder(touch));
        // a child an interrupted run already sent: look at the next one at once
        if (sent.resumed) {
          current = sent.record && isLive(sent.record) ? sent.record : null;
          continue;
        }
        current = sent.record && isLive(sent.record) ? sent.record : null;
      } else if (current.limit_price && !current.limit_price.eq(touch)) {
        current = await this.#reprice(current, touch);
        if (!current) continue;
      }
      await this.#sleep(Math.min(plan.reprice_interval_ms, Math.max(0, end - this.#services.clock.now())));
    }
  }

  fillRatioMet(): boolean {
    return this.book.filled.gte(this.#plan.quantity.times(this.#plan.min_fill_ratio));
  }

  /** min_fill_ratio not reached at the window's end: the remainder once as an immediate order (within the price bound). */
  async crossRemainder(): Promise<boolean> {
    const quantity = floorToStep(this.#remaining(), this.#rules.lot_size);
    if (quantity.lt(this.#smallest)) return false;
    await this.#place(CROSS_LEG, this.#immediateOrder(quantity));
    return true;
  }

  /** Protection for what filled, the summary, and min_fill_ratio. */
  async finish(ending: Ending): Promise<ScopeOutcome> {
    const plan = this.#plan;
    const legs: LegResult[] = [...this.book.legs];
    let position = this.book.position;
    if (position.status === 'OPEN' && position.filled_size.gt(0) && (position.stop_loss || position.take_profit)) {
      const protective = await this.#deps.protective.reconcile(this.#ctx, position, { owner: plan.trade_id, suffix: '' });
      position = protective.position;
      legs.push(...protective.legs);
    }
    const execution: ExecutionSummary = {
      style: plan.style,
      chosen_by: plan.chosen_by,
      decision_price: plan.decision_price,
      planned_quantity: plan.quantity,
      filled_quantity: this.book.filled,
      average_fill_price: this.book.averagePrice,
      child_orders: this.book.count,
      shortfall_bps: shortfallBps(plan.side, plan.decision_price, this.book.averagePrice),
      ended_by: ending,
    };
    await this.#ctx.write('EXECUTION_PLANNED', { phase: 'ended', trade_id: plan.trade_id, ...execution });
    if (!this.fillRatioMet()) {
      throw new ExecutionError(
        `${plan.style} entry ${plan.trade_id} filled ${this.book.filled.toString()} of ${plan.quantity.toString()}, below min_fill_ratio ${plan.min_fill_ratio.toString()} (${ending})`,
        'MIN_FILL_NOT_REACHED',
        { trade_id: plan.trade_id, filled_quantity: this.book.filled.toString(), planned_quantity: plan.quantity.toString(), min_fill_ratio: plan.min_fill_ratio.toString(), ended_by: ending },
      );
    }
    const notes = ending === 'halted' ? [`trading state ${this.#services.tradingState?.current().state ?? 'changed'}: the ${plan.style} children still to come were cancelled`] : [];
    return { positions: [position], primary: null, legs, tradeIds: [plan.trade_id], notes, execution };
  }

  #remaining(): Decimal {
    return this.#plan.quantity.minus(this.book.filled);
  }

  #halted(): boolean {
    const state = this.#services.tradingState?.current().state;
    return state !== undefined && state !== 'ACTIVE';
  }

  /** Until `atMs` on the clock, looking at the kill switch every reprice interval. */
  async #waitUntil(atMs: number): Promise<'due' | 'halted'> {
    for (;;) {
      if (this.#halted()) return 'halted';
      const left = atMs - this.#services.clock.now();
      if (left <= 0) return 'due';
      await this.#sleep(Math.min(left, this.#plan.reprice_interval_ms));
    }
  }

  #sleep(ms: number): Promise<void> {
    return this.#services.clock.sleep(ms, this.#ctx.signal);
  }

  /** An order that fills now or not at all: a LIMIT IOC at the price bound, a MARKET IOC without one. */
  #immediateOrder(quantity: Decimal): Omit<OrderRequest, 'client_order_id' | 'position_id'> {
    const plan = this.#plan;
    const base = { symbol: plan.symbol, side: plan.side, quantity, time_in_force: 'IOC' as const, reduce_only: false };
    return plan.price_bound ? { ...base, order_type: 'LIMIT', limit_price: plan.price_bound } : { ...base, order_type: 'MARKET' };
  }

  #restingOrder(touch: Decimal): Omit<OrderRequest, 'client_order_id' | 'position_id'> {
    const plan = this.#plan;
    const remaining = floorToStep(this.#remaining(), this.#rules.lot_size);
    const visible = plan.visible_quantity;
    let quantity = remaining;
    if (visible && !plan.native_iceberg) {
      quantity = decimalMin(visible, remaining);
      // what a slice would leave behind that no order could carry goes with this slice
      if (remaining.minus(quantity).lt(this.#smallest)) quantity = remaining;
    }
    return {
      symbol: plan.symbol,
      side: plan.side,
      order_type: 'LIMIT',
      quantity,
      limit_price: touch,
      time_in_force: 'GTC',
      reduce_only: false,
      ...(plan.post_only ? { post_only: true } : {}),
      ...(visible && plan.native_iceberg ? { display_quantity: decimalMin(visible, quantity) } : {}),
    };
  }

  /** One tick inside the venue's reference price on our side (a BUY just below it), never beyond the price bound. */
  async #nearTouch(): Promise<Decimal> {
    const plan = this.#plan;
    const reference = await this.#deps.executor.read(this.#ctx, `reference price ${plan.symbol}`, (signal) => this.#deps.connector.getReferencePrice(plan.symbol, { signal }));
    const tick = this.#rules.tick_size;
    const touch = plan.side === 'BUY' ? floorToStep(reference, tick).minus(tick) : floorToStep(reference, tick).plus(tick);
    const bound = plan.price_bound;
    if (!bound) return touch;
    return plan.side === 'BUY' ? decimalMin(touch, floorToStep(bound, tick)) : decimalMaxOf(touch, bound);
  }

  /** Declare and send one child; a refusal by the venue is booked and the schedule goes on. */
  async #place(leg: string, order: Omit<OrderRequest, 'client_order_id' | 'position_id'>): Promise<{ record: OrderRecord | null; resumed: boolean }> {
    const { executor } = this.#deps;
    const spec = { owner: this.#plan.trade_id, leg, tradeId: this.#plan.trade_id, purpose: 'ENTRY' as const, order };
    let declared: DeclaredLeg | null = null;
    try {
      declared = await executor.declare(this.#ctx, spec);
      const result = await executor.send(this.#ctx, declared);
      return { record: await this.book.take(result), resumed: declared.kind === 'done' };
    } catch (error) {
      // a refusal (now, or before a crash) ends this child only; anything else ends the flow
      if (!(error instanceof VenueRejected)) throw error;
      if (declared?.kind === 'declared') this.book.refused({ ...declared.record, status: 'REJECTED', reject_reason: error.message });
      this.#ctx.logger.warn({ err: error, leg }, 'a child order was refused by the venue; the schedule goes on');
      return { record: null, resumed: declared?.kind === 'done' || declared === null };
    }
  }

  /** The venue's view of a resting child; its new fills booked. */
  async #refresh(record: OrderRecord): Promise<OrderRecord> {
    const { executor, connector, ledger } = this.#deps;
    const venue = await executor.read(this.#ctx, `fetch ${record.client_order_id}`, (signal) => connector.fetchOrder(record.client_order_id, record.symbol, { signal }));
    if (!venue) return record;
    if (venue.status === record.status && venue.filled_quantity.eq(record.filled_quantity)) return record;
    const info = { action: 'SYNC', leg: legOf(record.client_order_id), purpose: record.purpose, trade_id: record.trade_id, client_order_id: record.client_order_id };
    const result = await mergeAnswer(this.#ctx, { ledger, connector, clock: this.#services.clock }, record, venue, info);
    return this.book.take(result);
  }

  async #cancel(record: OrderRecord): Promise<void> {
    await this.book.take(await this.#deps.executor.cancel(this.#ctx, record));
  }

  /** Move a resting child to the touch: in place where the venue amends, else cancelled (the next child takes its place at once). */
  async #reprice(record: OrderRecord, touch: Decimal): Promise<OrderRecord | null> {
    const { executor } = this.#deps;
    if (executor.connector.capabilities.amendOrders) {
      try {
        const amended = await this.book.take(await executor.amend(this.#ctx, record, { limit_price: touch }));
        return isLive(amended) ? amended : null;
      } catch (error) {
        // a post-only child the move would cross, or one that filled meanwhile: look again next turn
        if (!(error instanceof VenueRejected)) throw error;
        return this.#refresh(record);
      }
    }
    await this.#cancel(record);
    return null;
  }
}

function isLive(record: OrderRecord): boolean {
  return LIVE_ORDER_STATUSES.includes(record.status);
}

function decimalMaxOf(a: Decimal, b: Decimal): Decimal {
  return a.gt(b) ? a : b;
}

function legOf(clientOrderId: string): string {
  return clientOrderId.slice(clientOrderId.lastIndexOf('-') + 1);
}
