import type { ExecutionDirective } from '../../domain/directive.js';
import { UnknownTradeError } from '../../domain/errors.js';
import { clientOrderId } from '../../domain/ids.js';
import { closePosition, oppositeSide } from '../../domain/position-math.js';
import type { Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import { ExecutionError } from '../execution-errors.js';
import type { LegResult } from '../order-executor.js';
import { LIVE_ORDER_STATUSES } from '../order-sync.js';
import type { ScopeDeps, ScopeOutcome } from '../scopes/scope-types.js';
import { bookFills } from '../trade-book.js';

/**
 * CLOSE_EXISTING in RESUME mode: closeTrade's steps, except that a target this directive already
 * closed (the crash came after) is done rather than TRADE_ALREADY_CLOSED, and a target its close
 * leg already flattened is closed at that leg's price. Leg names stay C<index of the target>.
 */
export async function resumeClose(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<ScopeOutcome> {
  const ids = directive.target_trade_ids ?? [];
  const targets: Position[] = [];
  for (const tradeId of ids) {
    const position = await ctx.readLedger(`trade ${tradeId}`, () => deps.ledger.getPosition(tradeId));
    if (!position) throw new UnknownTradeError(`CLOSE_EXISTING: target trade ${tradeId} not found in the ledger`, 'TRADE_NOT_FOUND', { trade_id: tradeId });
    if (position.status === 'CLOSED' && position.last_directive_id !== directive.directive_id) {
      throw new UnknownTradeError(`CLOSE_EXISTING: target trade ${tradeId} is already closed (${position.close_reason ?? 'no reason recorded'})`, 'TRADE_ALREADY_CLOSED', {
        trade_id: tradeId,
      });
    }
    targets.push(position);
  }
  const reason = directive.rationale ?? 'CLOSE_EXISTING';
  const routing = directive.routing_plan ?? {};
  const positions: Position[] = [];
  const legs: LegResult[] = [];
  let primary: LegResult | null = null;
  for (const [index, target] of targets.entries()) {
    const closeId = clientOrderId(directive.directive_id, `C${index}`);
    if (target.status === 'CLOSED') {
      const closeRow = await ctx.readLedger(`order ${closeId}`, () => deps.ledger.getOrder(closeId));
      if (closeRow) {
        const leg: LegResult = { record: closeRow, venueOrder: null, fills: [] };
        primary ??= leg;
        legs.push(leg);
      }
      positions.push(target);
      continue;
    }
    let position = target;
    const book = async (leg: LegResult): Promise<void> => {
      const booked = bookFills(position, leg.record.purpose, leg.fills);
      position = booked.position;
      legs.push(leg);
      await ctx.applyLedger({ positions: [position], orders: [leg.record], fills: leg.fills, anomalies: booked.anomalies });
    };
    const rows = await ctx.readLedger(`orders of ${position.trade_id}`, () => deps.ledger.listOrders({ trade_id: position.trade_id, statuses: LIVE_ORDER_STATUSES }));
    for (const order of rows) await book(await deps.executor.cancel(ctx, order));

    if (position.filled_size.isZero()) {
      const closeRow = await ctx.readLedger(`order ${closeId}`, () => deps.ledger.getOrder(closeId));
      const exitPrice = closeRow && closeRow.filled_quantity.gt(0) ? closeRow.average_fill_price : null;
      if (closeRow) {
        const leg: LegResult = { record: closeRow, venueOrder: null, fills: [] };
        primary ??= leg;
        legs.push(leg);
      }
      position = closePosition(position, { exit_price: exitPrice, close_reason: reason, closed_at: ctx.now(), directive_id: directive.directive_id });
      await ctx.applyLedger({ positions: [position] });
      positions.push(position);
      continue;
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
        quantity: position.filled_size,
        time_in_force: routing.time_in_force ?? 'GTC',
        reduce_only: true,
        max_slippage_pct: routing.max_slippage_pct,
      },
    });
    primary ??= leg;
    legs.push(leg);
    const booked = bookFills(position, 'CLOSE', leg.fills);
    const flat = booked.position.filled_size.isZero();
    position = flat
      ? closePosition(booked.position, { exit_price: leg.record.average_fill_price, close_reason: reason, closed_at: ctx.now(), directive_id: directive.directive_id })
      : { ...booked.position, last_directive_id: directive.directive_id };
    await ctx.applyLedger({ positions: [position], orders: [leg.record], fills: leg.fills, anomalies: booked.anomalies });
    if (!flat) {
      throw new ExecutionError(
        `CLOSE_EXISTING ${directive.directive_id}: close of trade ${position.trade_id} filled ${leg.record.filled_quantity.toFixed()} of ${leg.record.quantity.toFixed()}; ${position.filled_size.toFixed()} still held`,
        'CLOSE_INCOMPLETE',
        { trade_id: position.trade_id, still_held: position.filled_size.toFixed() },
      );
    }
    positions.push(position);
  }
  return { positions, primary, legs, tradeIds: targets.map((p) => p.trade_id) };
}
