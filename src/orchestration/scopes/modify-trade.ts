import type { AmendRequest, InstrumentRules } from '../../ports/connector.js';
import { type Decimal, decimalToWire, ZERO } from '../../domain/decimal.js';
import type { ExecutionDirective } from '../../domain/directive.js';
import { isVenueRejection, RiskDenied, VenueRejectCode } from '../../domain/errors.js';
import { grossFilled, isIncreasingPurpose, oppositeSide, remainingSize, targetDelta } from '../../domain/position-math.js';
import type { OrderRecord, Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import type { LegResult } from '../order-executor.js';
import { LIVE_ORDER_STATUSES } from '../order-sync.js';
import { bookFills } from '../trade-book.js';
import { priceRounding } from '../venue-rules.js';
import { AdjustmentLog } from './adjustments.js';
import { increaseLeg, reduceLeg, replacementLeg } from './modify-legs.js';
import { canAmend, type EntryTerms, oldestFirst, refreshResting, remainingOf, replacedBefore, restOf, sameDecimal, sameTerms, termsFor } from './resting-entry.js';
import { checkExitSides, checkOrderSize } from './risk-checks.js';
import { MarketData, type ScopeDeps, type ScopeOutcome } from './scope-types.js';
import { loadOpenTargets } from './target-trades.js';

interface TargetPlan {
  readonly index: number;
  readonly position: Position;
  readonly rules: InstrumentRules;
  readonly stopLoss: Decimal | null;
  readonly takeProfit: Decimal | null;
  /** Absolute size wanted (floored to the lot), or null when size_plan does not change it. */
  readonly target: Decimal | null;
  readonly entry: EntryTerms | null;
  /** Entry / increase orders still resting for the trade, oldest first. */
  readonly resting: readonly OrderRecord[];
  /**
   * RESUME mode, nothing resting: the order an interrupted run of this directive took away to
   * replace (it cancelled it), or its replacement that never came to rest. Its terms are reused.
   */
  readonly replacing: OrderRecord | null;
  /** filled + what should rest once this directive is done (size_plan's target, else what rests now). */
  readonly wanted: Decimal;
}

/** An amend the venue refused because the order changed under us (filled, gone): cancel and replace instead. */
const ORDER_CHANGED: readonly VenueRejectCode[] = [VenueRejectCode.ORDER_NOT_OPEN, VenueRejectCode.QUANTITY_BELOW_FILLED, VenueRejectCode.UNKNOWN_ORDER, VenueRejectCode.ORDER_NOT_FOUND];

/**
 * MODIFY_EXISTING, for each target in the given order, after every target was checked:
 * exit_plan moves stop loss / take profit (checked against the direction and the reference
 * price, then amended at the venue). size_plan.position_size is an ABSOLUTE target. When an entry
 * (or increase) order still rests, that order is changed, never a market order sent in its
 * place: its total quantity becomes what filled of it plus what should rest, at its price
 * (entry_plan re-prices it); venue amend when the connector can, else cancel and replace with
 * leg RP<i> of this directive. A target at or below what filled cancels the rest, and reduces
 * (leg R<i>, reduce-only MARKET) only below. With nothing resting the venue gets the delta
 * (increase leg I<i>, a LIMIT when entry_plan gives one, else MARKET; reduce leg R<i>);
 * entry_plan.order_type MARKET asks for the rest at market. A directive that asks for what is
 * there sends nothing. Protective orders follow the filled size. Plans that change nothing are
 * recorded and said so in the outcome's notes.
 */
export async function modifyTrade(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<ScopeOutcome> {
  const targets = await loadOpenTargets(ctx, directive, deps);
  const market = new MarketData(ctx, deps);
  const log = new AdjustmentLog();
  const plans: TargetPlan[] = [];
  for (const [index, position] of targets.entries()) {
    plans.push(await planTarget(ctx, directive, deps, market, log, position, index));
  }

  const positions: Position[] = [];
  const legs: LegResult[] = [];
  const notes: string[] = [];
  let primary: LegResult | null = null;
  let ordersSent = false;
  for (const plan of plans) {
    const result = await applyTarget(ctx, directive, deps, market, plan);
    positions.push(result.position);
    legs.push(...result.legs);
    notes.push(...result.notes);
    primary ??= result.sizeLeg;
    ordersSent ||= result.sizeLeg !== null;
  }
  if (directive.routing_plan && !ordersSent) notes.push('routing_plan recorded, nothing sent: no entry, increase or reduce order was placed or changed');
  return { positions, primary, legs, tradeIds: targets.map((p) => p.trade_id), adjustments: log.entries, notes };
}

async function planTarget(
  ctx: ExecutionContext,
  directive: ExecutionDirective,
  deps: ScopeDeps,
  market: MarketData,
  log: AdjustmentLog,
  target0: Position,
  index: number,
): Promise<TargetPlan> {
  const what = `MODIFY_EXISTING ${directive.directive_id} trade ${target0.trade_id}`;
  const tradeId = target0.trade_id;
  const rules = await market.rules(target0.symbol);
  let stopLoss = target0.stop_loss;
  let takeProfit = target0.take_profit;
  const exit = directive.exit_plan;
  if (exit) {
    // the exits are reduce-only orders on the other side: rounded as those legs will be sent
    const exitSide = oppositeSide(target0.direction);
    const sl = log.tickOrNull('exit_plan.stop_loss_price', exit.stop_loss_price, rules, priceRounding('stop_price', exitSide, true), tradeId);
    const tp = log.tickOrNull('exit_plan.take_profit_price', exit.take_profit_price, rules, priceRounding('limit_price', exitSide, true), tradeId);
    checkExitSides(target0.direction, await market.referencePrice(target0.symbol), sl, tp, what);
    stopLoss = sl ?? stopLoss;
    takeProfit = tp ?? takeProfit;
  }
  const entry = entryTerms(directive, target0, rules, log, what);
  const target = directive.size_plan ? log.lot('size_plan.position_size', directive.size_plan.position_size, rules, tradeId) : null;

  let position = target0;
  let resting: OrderRecord[] = [];
  let replacing: OrderRecord | null = null;
  if (target !== null || entry !== null) {
    const rows = await ctx.readLedger(`orders of ${tradeId}`, () => deps.ledger.listOrders({ trade_id: tradeId }));
    resting = rows.filter((o) => isIncreasingPurpose(o.purpose) && LIVE_ORDER_STATUSES.includes(o.status)).sort(oldestFirst);
    if (ctx.resume) {
      ({ position, resting } = await refreshResting(ctx, deps, position, resting));
      replacing = resting.length === 0 ? replacedBefore(ctx, directive, index, rows) : null;
    }
  }
  // in order quantity, as targetDelta compares: what filled (before base-asset fees) plus what rests
  const wanted = target ?? grossFilled(position).plus(restOf(resting)).plus(replacing ? remainingOf(replacing) : ZERO);
  const plan: TargetPlan = { index, position, rules, stopLoss, takeProfit, target, entry, resting, replacing, wanted };
  await checkSizeChange(deps, market, plan, what);
  return plan;
}

/** entry_plan as it applies to this trade: same symbol and side, prices on the tick; checked against the exits. */
function entryTerms(directive: ExecutionDirective, position: Position, rules: InstrumentRules, log: AdjustmentLog, what: string): EntryTerms | null {
  const entry = directive.entry_plan;
  if (!entry) return null;
  if (entry.symbol !== position.symbol || entry.direction !== position.direction) {
    throw new RiskDenied(
      `${what}: entry_plan is ${entry.direction} ${entry.symbol} but the trade is ${position.direction} ${position.symbol} [entry_plan_mismatch]`,
      'ENTRY_PLAN_MISMATCH',
      { path: 'entry_plan', rule: 'entry_plan_mismatch', trade_id: position.trade_id, symbol: position.symbol, direction: position.direction },
    );
  }
  const tradeId = position.trade_id;
  return {
    order_type: entry.order_type,
    limit_price: log.tickOrNull('entry_plan.limit_price', entry.limit_price, rules, priceRounding('limit_price', entry.direction, false), tradeId),
    stop_price: log.tickOrNull('entry_plan.stop_price', entry.stop_price, rules, priceRounding('stop_price', entry.direction, false), tradeId),
  };
}

/** The local checks of what applyTarget will send, before anything is sent for any target. */
async function checkSizeChange(deps: ScopeDeps, market: MarketData, plan: TargetPlan, what: string): Promise<void> {
  const { position, rules, entry, target } = plan;
  if (target === null && entry === null) return;
  const delta = targetDelta(position, plan.wanted, rules.lot_size);
  const reference = (): Promise<Decimal> => market.referencePrice(position.symbol);
  if (entry?.order_type === 'MARKET') {
    if (!delta.isZero()) checkOrderSize(rules, delta.abs(), await reference(), what);
    return;
  }
  const keeper = plan.resting[0] ?? plan.replacing;
  if (!keeper) {
    if (target === null || delta.isZero()) return;
    const price = delta.gt(0) && entry ? (entry.limit_price ?? entry.stop_price ?? (await reference())) : await reference();
    checkOrderSize(rules, delta.abs(), price, what);
    return;
  }
  if (!delta.gt(0)) {
    if (delta.lt(0)) checkOrderSize(rules, delta.abs(), await reference(), what);
    return;
  }
  const terms = termsFor(keeper, entry);
  const price = terms.limit_price ?? terms.stop_price ?? (await reference());
  // an entry that will rest at a new price must still leave the exits on their sides
  if (entry && terms.limit_price) checkExitSides(position.direction, terms.limit_price, plan.stopLoss, plan.takeProfit, what);
  const amend = plan.resting.length > 0 && canAmend(deps, keeper, terms);
  checkOrderSize(rules, amend ? keeper.filled_quantity.plus(delta) : delta, price, what);
}

async function applyTarget(
  ctx: ExecutionContext,
  directive: ExecutionDirective,
  deps: ScopeDeps,
  market: MarketData,
  plan: TargetPlan,
): Promise<{ position: Position; legs: LegResult[]; sizeLeg: LegResult | null; notes: string[] }> {
  const size = plan.target ?? plan.position.position_size;
  let position: Position = {
    ...plan.position,
    position_size: size,
    remaining_size: remainingSize({ ...plan.position, position_size: size }),
    stop_loss: plan.stopLoss,
    take_profit: plan.takeProfit,
    last_directive_id: directive.directive_id,
    updated_at: ctx.now(),
  };
  const legs: LegResult[] = [];
  const notes: string[] = [];
  let sizeLeg: LegResult | null = null;
  const book = async (leg: LegResult): Promise<LegResult> => {
    const booked = bookFills(position, leg.record.purpose, leg.fills);
    position = booked.position;
    legs.push(leg);
    await ctx.applyLedger({ positions: [position], orders: [leg.record], fills: leg.fills, anomalies: booked.anomalies });
    return leg;
  };
  const send = async (leg: Promise<LegResult>): Promise<void> => {
    sizeLeg ??= await book(await leg);
  };
  const what = `MODIFY_EXISTING ${directive.directive_id} trade ${plan.position.trade_id}`;
  const lot = plan.rules.lot_size;
  const delta = (): Decimal => targetDelta(position, plan.wanted, lot);

  /** Bring the filled size to `wanted` with a new order: I<i> in the trade's direction, R<i> reduce-only. */
  const sendDelta = async (orderType: 'MARKET' | 'ENTRY_PLAN'): Promise<void> => {
    const d = delta();
    if (d.isZero()) return;
    if (d.lt(0)) {
      if (plan.target === null) return;
      await send(deps.executor.place(ctx, reduceLeg(directive, position, plan.index, d)));
      return;
    }
    const entry = orderType === 'ENTRY_PLAN' ? plan.entry : null;
    const price = entry?.limit_price ?? entry?.stop_price ?? (await market.referencePrice(position.symbol));
    checkOrderSize(plan.rules, d, price, what);
    await send(deps.executor.place(ctx, increaseLeg(directive, position, plan.index, d, entry)));
  };

  /** Cancel and replace: the replacement RP<i> rests what is still wanted, on `template`'s side and purpose with `terms`. */
  const replace = async (template: OrderRecord, terms: EntryTerms): Promise<void> => {
    const d = delta();
    if (d.lt(0)) return sendDelta('MARKET');
    if (d.isZero()) return;
    await send(deps.executor.place(ctx, replacementLeg(directive, position, plan.index, template, terms, d)));
  };

  if (plan.target !== null || plan.entry !== null) {
    if (plan.entry?.order_type === 'MARKET') {
      // the directive asks for the rest at market: what rests is cancelled first
      for (const order of plan.resting) await book(await deps.executor.cancel(ctx, order));
      await sendDelta('MARKET');
    } else {
      const [keeper, ...extra] = plan.resting;
      for (const order of extra) await book(await deps.executor.cancel(ctx, order));
      if (keeper) {
        await resizeKeeper(keeper);
      } else if (plan.replacing) {
        await replace(plan.replacing, termsFor(plan.replacing, plan.entry));
      } else if (plan.target !== null) {
        await sendDelta('ENTRY_PLAN');
      }
    }
    if (plan.entry && plan.resting.length === 0 && !plan.replacing && sizeLeg === null) {
      notes.push(
        `trade ${position.trade_id}: entry_plan recorded, nothing sent: nothing rests for it to re-price (filled ${decimalToWire(position.filled_size)} of ${decimalToWire(position.position_size)})`,
      );
    }
  }

  async function resizeKeeper(keeper: OrderRecord): Promise<void> {
    const rest = plan.wanted.minus(grossFilled(position));
    if (!rest.gt(0)) {
      // what already filled reaches the target: the rest is cancelled; a target below it reduces
      await book(await deps.executor.cancel(ctx, keeper));
      await sendDelta('MARKET');
      return;
    }
    const terms = termsFor(keeper, plan.entry);
    const keeperRest = keeper.quantity.minus(keeper.filled_quantity);
    if (sameTerms(keeper, terms) && keeperRest.eq(rest)) return;
    if (canAmend(deps, keeper, terms)) {
      // an amend sets the order's TOTAL quantity: what filled of it plus what should rest
      const changes: AmendRequest = {
        ...(keeperRest.eq(rest) ? {} : { quantity: keeper.filled_quantity.plus(rest) }),
        ...(terms.limit_price && !sameDecimal(terms.limit_price, keeper.limit_price) ? { limit_price: terms.limit_price } : {}),
        ...(terms.stop_price && !sameDecimal(terms.stop_price, keeper.stop_price) ? { stop_price: terms.stop_price } : {}),
      };
      try {
        await send(deps.executor.amend(ctx, keeper, changes));
        return;
      } catch (error) {
        if (!isVenueRejection(error, ORDER_CHANGED)) throw error;
        ctx.logger.warn({ err: error, client_order_id: keeper.client_order_id }, 'amend refused: the order changed at the venue; cancelling and replacing it');
      }
    }
    await book(await deps.executor.cancel(ctx, keeper));
    await replace(keeper, terms);
  }

  // protective orders follow the filled size (fills of an amended or re-priced entry included)
  if (directive.exit_plan || directive.size_plan || directive.entry_plan) {
    const protective = await deps.protective.reconcile(ctx, position, { owner: directive.directive_id, suffix: `M${plan.index}` });
    position = protective.position;
    legs.push(...protective.legs);
  }
  await ctx.applyLedger({ positions: [position] });
  return { position, legs, sizeLeg, notes };
}
