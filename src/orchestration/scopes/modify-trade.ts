import type { InstrumentRules } from '../../connectors/connector.js';
import { type Decimal, decimalMax, floorToStep, roundToStep, ZERO } from '../../domain/decimal.js';
import type { ExecutionDirective } from '../../domain/directive.js';
import { isIncreasingPurpose, oppositeSide, targetDelta } from '../../domain/position-math.js';
import type { OrderRecord, Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import type { LegResult } from '../order-executor.js';
import { LIVE_ORDER_STATUSES } from '../order-sync.js';
import { bookFills } from '../trade-book.js';
import { checkExitSides, checkOrderSize } from './risk-checks.js';
import { MarketData, type ScopeDeps, type ScopeOutcome } from './scope-types.js';
import { loadOpenTargets } from './target-trades.js';

interface TargetPlan {
  readonly index: number;
  readonly position: Position;
  readonly rules: InstrumentRules;
  readonly stopLoss: Decimal | null;
  readonly takeProfit: Decimal | null;
  /** Absolute size wanted (floored to the lot), or null when the size stays. */
  readonly target: Decimal | null;
  /** Entry / increase orders still resting for the trade. */
  readonly resting: readonly OrderRecord[];
}

/**
 * MODIFY_EXISTING, for each target in the given order, after every target was checked:
 * exit_plan moves stop loss / take profit (checked against the direction and the reference
 * price, then amended at the venue); size_plan.position_size is an ABSOLUTE target, so the venue
 * gets the delta (increase leg I<i>, reduce-only leg R<i>) and a directive that asks for the size
 * already held sends nothing. Protective orders follow the new size. entry_plan / routing_plan
 * alone are recorded; nothing is sent for them.
 */
export async function modifyTrade(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<ScopeOutcome> {
  const targets = await loadOpenTargets(ctx, directive.target_trade_ids ?? [], deps, 'MODIFY_EXISTING');
  const market = new MarketData(ctx, deps);
  const plans: TargetPlan[] = [];
  for (const [index, position] of targets.entries()) {
    plans.push(await planTarget(ctx, directive, deps, market, position, index));
  }

  const positions: Position[] = [];
  const legs: LegResult[] = [];
  let primary: LegResult | null = null;
  for (const plan of plans) {
    const result = await applyTarget(ctx, directive, deps, market, plan);
    positions.push(result.position);
    legs.push(...result.legs);
    primary ??= result.sizeLeg;
  }
  return { positions, primary, legs, tradeIds: targets.map((p) => p.trade_id) };
}

async function planTarget(
  ctx: ExecutionContext,
  directive: ExecutionDirective,
  deps: ScopeDeps,
  market: MarketData,
  position: Position,
  index: number,
): Promise<TargetPlan> {
  const what = `MODIFY_EXISTING ${directive.directive_id} trade ${position.trade_id}`;
  const rules = await market.rules(position.symbol);
  let stopLoss = position.stop_loss;
  let takeProfit = position.take_profit;
  const exit = directive.exit_plan;
  if (exit) {
    const sl = exit.stop_loss_price ? roundToStep(exit.stop_loss_price, rules.tick_size) : null;
    const tp = exit.take_profit_price ? roundToStep(exit.take_profit_price, rules.tick_size) : null;
    checkExitSides(position.direction, await market.referencePrice(position.symbol), sl, tp, what);
    stopLoss = sl ?? stopLoss;
    takeProfit = tp ?? takeProfit;
  }
  let target: Decimal | null = null;
  let resting: OrderRecord[] = [];
  if (directive.size_plan) {
    target = floorToStep(directive.size_plan.position_size, rules.lot_size);
    const live = await ctx.readLedger(`orders of ${position.trade_id}`, () => deps.ledger.listOrders({ trade_id: position.trade_id, statuses: LIVE_ORDER_STATUSES }));
    resting = live.filter((o) => isIncreasingPurpose(o.purpose));
    const restingQty = resting.reduce((sum, o) => sum.plus(o.quantity.minus(o.filled_quantity)), ZERO);
    // resting orders that would overshoot or undershoot are cancelled first; the estimate assumes that
    const delta = targetDelta(position, target, rules.lot_size);
    const needsOrder = restingQty.isZero() ? !delta.isZero() : !position.filled_size.plus(restingQty).eq(target) && !delta.isZero();
    if (needsOrder) {
      const price = await priceFor(directive, market, position, rules);
      checkOrderSize(rules, delta.abs(), price, what);
    }
  }
  return { index, position, rules, stopLoss, takeProfit, target, resting };
}

async function applyTarget(
  ctx: ExecutionContext,
  directive: ExecutionDirective,
  deps: ScopeDeps,
  market: MarketData,
  plan: TargetPlan,
): Promise<{ position: Position; legs: LegResult[]; sizeLeg: LegResult | null }> {
  const size = plan.target ?? plan.position.position_size;
  let position: Position = {
    ...plan.position,
    position_size: size,
    remaining_size: decimalMax(ZERO, size.minus(plan.position.filled_size)),
    stop_loss: plan.stopLoss,
    take_profit: plan.takeProfit,
    last_directive_id: directive.directive_id,
    updated_at: ctx.now(),
  };
  const legs: LegResult[] = [];
  const book = async (leg: LegResult): Promise<void> => {
    const booked = bookFills(position, leg.record.purpose, leg.fills);
    position = booked.position;
    legs.push(leg);
    await ctx.applyLedger({ positions: [position], orders: [leg.record], fills: leg.fills, anomalies: booked.anomalies });
  };

  let sizeLeg: LegResult | null = null;
  if (plan.target !== null) {
    const restingQty = plan.resting.reduce((sum, o) => sum.plus(o.quantity.minus(o.filled_quantity)), ZERO);
    const onTarget = position.filled_size.plus(restingQty).eq(plan.target);
    if (!onTarget) {
      for (const order of plan.resting) await book(await deps.executor.cancel(ctx, order));
      const delta = targetDelta(position, plan.target, plan.rules.lot_size);
      if (!delta.isZero()) {
        const price = await priceFor(directive, market, position, plan.rules);
        checkOrderSize(plan.rules, delta.abs(), price, `MODIFY_EXISTING ${directive.directive_id} trade ${position.trade_id}`);
        sizeLeg = await deps.executor.place(ctx, resizeLeg(directive, position, plan, delta));
        await book(sizeLeg);
      }
    }
  }

  if (directive.exit_plan || directive.size_plan) {
    const protective = await deps.protective.reconcile(ctx, position, { owner: directive.directive_id, suffix: `M${plan.index}` });
    position = protective.position;
    legs.push(...protective.legs);
  }
  await ctx.applyLedger({ positions: [position] });
  return { position, legs, sizeLeg };
}

function resizeLeg(directive: ExecutionDirective, position: Position, plan: TargetPlan, delta: Decimal) {
  const routing = directive.routing_plan ?? {};
  const entry = directive.entry_plan;
  const common = { symbol: position.symbol, quantity: delta.abs(), time_in_force: routing.time_in_force ?? 'GTC', max_slippage_pct: routing.max_slippage_pct } as const;
  if (delta.gt(0)) {
    const limited = entry && entry.order_type !== 'MARKET' && entry.limit_price;
    return {
      owner: directive.directive_id,
      leg: `I${plan.index}`,
      tradeId: position.trade_id,
      purpose: 'INCREASE' as const,
      order: {
        ...common,
        side: position.direction,
        order_type: limited ? entry.order_type : ('MARKET' as const),
        limit_price: limited && entry.limit_price ? roundToStep(entry.limit_price, plan.rules.tick_size) : undefined,
        stop_price: limited && entry.stop_price ? roundToStep(entry.stop_price, plan.rules.tick_size) : undefined,
        reduce_only: false,
      },
    };
  }
  return {
    owner: directive.directive_id,
    leg: `R${plan.index}`,
    tradeId: position.trade_id,
    purpose: 'REDUCE' as const,
    order: { ...common, side: oppositeSide(position.direction), order_type: 'MARKET' as const, reduce_only: true },
  };
}

async function priceFor(directive: ExecutionDirective, market: MarketData, position: Position, rules: InstrumentRules): Promise<Decimal> {
  const limit = directive.entry_plan?.limit_price;
  return limit ? roundToStep(limit, rules.tick_size) : market.referencePrice(position.symbol);
}

