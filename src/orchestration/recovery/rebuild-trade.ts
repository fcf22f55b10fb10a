import type { ExecutionDirective } from '../../domain/directive.js';
import { clientOrderId } from '../../domain/ids.js';
import { closePosition } from '../../domain/position-math.js';
import type { Anomaly, Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import { pendingOrderRecord } from '../order-sync.js';
import { bookFills } from '../trade-book.js';
import type { ResumeDeps } from './leg-recovery.js';
import { freshTrade, sentEntry, timeOf } from './new-trade-entry.js';

/**
 * A trade the ledger lost (its row was never written: a ledger write failed after the venue
 * acted), rebuilt from the venue: the trade's legs left PENDING / IN_DOUBT are looked up by client
 * order id and their rows and new fills written, then the trade is computed from scratch from
 * every fill the ledger holds for it, in execution order. Sends nothing. Null when the entry was
 * never sent (nothing to rebuild).
 */
export async function rebuildTrade(ctx: ExecutionContext, directive: ExecutionDirective, deps: ResumeDeps): Promise<Position | null> {
  const tradeId = directive.directive_id;
  const entry = await sentEntry(ctx, directive, deps);
  if (!entry) return null;
  const entryId = clientOrderId(tradeId, 'E');
  const rows = await ctx.readLedger(`orders of ${tradeId}`, () => deps.ledger.listOrders({ trade_id: tradeId }));
  const unsettled = rows.filter((r) => r.status === 'PENDING' || r.status === 'IN_DOUBT');
  if (!rows.some((r) => r.client_order_id === entryId)) {
    unsettled.unshift(pendingOrderRecord({ ...entry, client_order_id: entryId }, { trade_id: tradeId, directive_id: tradeId, purpose: 'ENTRY', now: ctx.now() }));
  }
  for (const row of unsettled) {
    const leg = await deps.legs.settle(ctx, row, ctx.resume?.get(row.client_order_id)?.intentAtMs ?? timeOf(row.created_at));
    await ctx.applyLedger({ orders: [leg.record], fills: leg.fills });
  }
  const orders = new Map((await ctx.readLedger(`orders of ${tradeId}`, () => deps.ledger.listOrders({ trade_id: tradeId }))).map((o) => [o.client_order_id, o]));
  const fills = (await ctx.readLedger(`fills of ${tradeId}`, () => deps.ledger.listFills({ trade_id: tradeId }))).sort(
    (a, b) => a.executed_at.localeCompare(b.executed_at) || a.venue_trade_id.localeCompare(b.venue_trade_id, 'en', { numeric: true }),
  );
  let position = await freshTrade(ctx, directive, deps, entry);
  const anomalies: Anomaly[] = [];
  for (const fill of fills) {
    const order = orders.get(fill.client_order_id);
    const purpose = order?.purpose ?? 'ENTRY';
    const booked = bookFills(position, purpose, [fill]);
    anomalies.push(...booked.anomalies);
    position = booked.position;
    const reason = purpose === 'STOP_LOSS' || purpose === 'TAKE_PROFIT' ? purpose : purpose === 'CLOSE' ? 'CLOSE_EXISTING' : purpose === 'COMPENSATION' ? 'COMPENSATION' : null;
    if (reason && order && position.status === 'OPEN' && position.filled_size.isZero()) {
      position = closePosition(position, { exit_price: order.average_fill_price, close_reason: reason, closed_at: ctx.now(), directive_id: null });
    }
  }
  await ctx.applyLedger({ positions: [position], anomalies });
  return position;
}
