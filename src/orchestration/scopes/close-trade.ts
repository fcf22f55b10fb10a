import type { ExecutionDirective } from '../../domain/directive.js';
import { clientOrderId } from '../../domain/ids.js';
import { type Decimal, floorToStep, ZERO } from '../../domain/decimal.js';
import { baseFees, closePosition, oppositeSide, symbolAssets } from '../../domain/position-math.js';
import type { Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import { ExecutionError } from '../execution-errors.js';
import type { LegResult } from '../order-executor.js';
import { LIVE_ORDER_STATUSES } from '../order-sync.js';
import { isProtective } from '../protective-orders.js';
import { bookFills } from '../trade-book.js';
import { MarketData, type ScopeDeps, type ScopeOutcome } from './scope-types.js';
import { loadOpenTargets } from './target-trades.js';

/**
 * CLOSE_EXISTING, for each target after every target was checked (exists, open, the directive's
 * strategy's own unless allow_cross_strategy_targets): cancel the trade's orders that
 * may still rest (protective, entry, resizes; fills reported by a cancel are booked first), then
 * flatten what is held with a reduce-only MARKET leg C<i>, and close the trade with the close's
 * average price as exit price, the directive's rationale as reason, realised PnL and fees.
 */
export async function closeTrade(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<ScopeOutcome> {
  const targets = await loadOpenTargets(ctx, directive, deps);
  const positions: Position[] = [];
  const legs: LegResult[] = [];
  const notes = ignoredPlans(directive);
  let primary: LegResult | null = null;
  for (const [index, target] of targets.entries()) {
    const closed = await closeOneTrade(ctx, directive, deps, target, index);
    if (closed.closeLeg) primary ??= closed.closeLeg;
    legs.push(...closed.legs);
    positions.push(closed.position);
    if (closed.position.status === 'CLOSED' && closed.position.filled_size.gt(0)) {
      notes.push(`trade ${closed.position.trade_id}: ${closed.position.filled_size.toFixed()} ${symbolAssets(closed.position.symbol).base} is less than the venue sells (a lot, the minimum quantity) and stays in the account`);
    }
  }
  // nothing is requested that could be rounded: the close is for what is held, at market
  return { positions, primary, legs, tradeIds: targets.map((p) => p.trade_id), adjustments: [], notes };
}

/** Plans a CLOSE does not read (it always flattens the whole trade at market): said so rather than silently dropped. */
function ignoredPlans(directive: ExecutionDirective): string[] {
  const ignored = (['entry_plan', 'size_plan', 'exit_plan'] as const).filter((key) => directive[key] !== undefined);
  return ignored.length === 0 ? [] : [`${ignored.join(', ')} ignored: CLOSE_EXISTING flattens the whole trade at market`];
}

/**
 * What of the held size no order can sell: the part below one lot, or all of it when the lots in
 * it are fewer than the venue's minimum quantity. Only a size net of base-asset fees can lie off
 * the lot (every order is in whole lots), so the instrument is asked for then only. It stays in
 * the account and in the closed trade's filled_size (docs/storage.md, "Fees and sizes").
 */
async function dustOf(position: Position, deps: ScopeDeps, ctx: ExecutionContext): Promise<Decimal> {
  if (baseFees(position).isZero() || position.filled_size.isZero()) return ZERO;
  const rules = await new MarketData(ctx, deps).rules(position.symbol);
  const sellable = floorToStep(position.filled_size, rules.lot_size);
  return sellable.lt(rules.min_quantity) ? position.filled_size : position.filled_size.minus(sellable);
}

/**
 * One target of a CLOSE: cancel its live orders, flatten what it holds with leg C<index>, close
 * it. A trade already flat is closed at the price of its C<index> leg when one filled (a resumed
 * close whose leg ran before the crash), else with no exit price.
 */
export async function closeOneTrade(
  ctx: ExecutionContext,
  directive: ExecutionDirective,
  deps: ScopeDeps,
  target: Position,
  index: number,
): Promise<{ position: Position; legs: LegResult[]; closeLeg: LegResult | null }> {
  const routing = directive.routing_plan ?? {};
  const reason = directive.rationale ?? 'CLOSE_EXISTING';
  const legs: LegResult[] = [];
  let position = target;
  const book = async (leg: LegResult): Promise<void> => {
    const booked = bookFills(position, leg.record.purpose, leg.fills);
    position = booked.position;
    legs.push(leg);
    await ctx.applyLedger({ positions: [position], orders: [leg.record], fills: leg.fills, anomalies: booked.anomalies });
  };

  const rows = await ctx.readLedger(`orders of ${position.trade_id}`, () => deps.ledger.listOrders({ trade_id: position.trade_id, statuses: LIVE_ORDER_STATUSES }));
  // every cancel declared at once: their intents share one commit (DESIGN §3b)
  const cancels = await Promise.all(rows.map((order) => deps.executor.declareCancel(ctx, order)));
  for (const cancel of cancels) {
    const order = cancel.record;
    const leg = await deps.executor.sendCancel(ctx, cancel);
    // its stop / target no longer rest: should the close below fail, the ledger must not show them as live
    if (isProtective(order.purpose) && position.protection === 'LIVE') position = { ...position, protection: 'MISSING' };
    await book(leg);
  }

  // a size net of a fee the venue took in the base asset may lie off the lot: the venue sells whole lots
  const dust = await dustOf(position, deps, ctx);
  if (position.filled_size.lte(dust)) {
    const closeId = clientOrderId(directive.directive_id, `C${index}`);
    const closeRow = await ctx.readLedger(`order ${closeId}`, () => deps.ledger.getOrder(closeId));
    const closeLeg: LegResult | null = closeRow ? { record: closeRow, venueOrder: null, fills: [] } : null;
    if (closeLeg) legs.push(closeLeg);
    const exitPrice = closeRow && closeRow.filled_quantity.gt(0) ? closeRow.average_fill_price : null;
    position = closePosition(position, { exit_price: exitPrice, close_reason: reason, closed_at: ctx.now(), directive_id: directive.directive_id });
    await ctx.applyLedger({ positions: [position] });
    return { position, legs, closeLeg };
  }
  const leg = await deps.executor.place(ctx, {
    owner: directive.directive_id,
    leg: `C${index}`,
    tradeId: position.trade_id,
    purpose: 'CLOSE',
    order: {
      symbol: position.symbol,
      side: oppositeSide(position.direction),
      order_type: 'MARKET',
      quantity: position.filled_size.minus(dust),
      time_in_force: routing.time_in_force ?? 'GTC',
      reduce_only: true,
      max_slippage_pct: routing.max_slippage_pct,
    },
  });
  legs.push(leg);
  const booked = bookFills(position, 'CLOSE', leg.fills);
  const flat = booked.position.filled_size.lte(dust);
  position = flat
    ? closePosition(booked.position, { exit_price: leg.record.average_fill_price, close_reason: reason, closed_at: ctx.now(), directive_id: directive.directive_id })
    : { ...booked.position, last_directive_id: directive.directive_id };
  // the close order, its fills and the closed trade in one atomic change
  await ctx.applyLedger({ positions: [position], orders: [leg.record], fills: leg.fills, anomalies: booked.anomalies });
  if (!flat) {
    throw new ExecutionError(
      `CLOSE_EXISTING ${directive.directive_id}: close of trade ${position.trade_id} filled ${leg.record.filled_quantity.toFixed()} of ${leg.record.quantity.toFixed()}; ${position.filled_size.toFixed()} still held`,
      'CLOSE_INCOMPLETE',
      { trade_id: position.trade_id, still_held: position.filled_size.toFixed() },
    );
  }
  return { position, legs, closeLeg: leg };
}
