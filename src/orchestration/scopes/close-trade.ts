import type { ExecutionDirective } from '../../domain/directive.js';
import { closePosition, oppositeSide } from '../../domain/position-math.js';
import type { Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import { ExecutionError } from '../execution-errors.js';
import type { LegResult } from '../order-executor.js';
import { LIVE_ORDER_STATUSES } from '../order-sync.js';
import { bookFills } from '../trade-book.js';
import type { ScopeDeps, ScopeOutcome } from './scope-types.js';
import { loadOpenTargets } from './target-trades.js';

/**
 * CLOSE_EXISTING, for each target after every target was checked: cancel the trade's orders that
 * may still rest (protective, entry, resizes; fills reported by a cancel are booked first), then
 * flatten what is held with a reduce-only MARKET leg C<i>, and close the trade with the close's
 * average price as exit price, the directive's rationale as reason, realised PnL and fees.
 */
export async function closeTrade(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<ScopeOutcome> {
  const targets = await loadOpenTargets(ctx, directive.target_trade_ids ?? [], deps, 'CLOSE_EXISTING');
  const routing = directive.routing_plan ?? {};
  const reason = directive.rationale ?? 'CLOSE_EXISTING';
  const positions: Position[] = [];
  const legs: LegResult[] = [];
  let primary: LegResult | null = null;

  for (const [index, target] of targets.entries()) {
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
      position = closePosition(position, { exit_price: null, close_reason: reason, closed_at: ctx.now(), directive_id: directive.directive_id });
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
    // the close order, its fills and the closed trade in one atomic change
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
