import type { OrderRequest } from '../../ports/connector.js';
import { roundToStep } from '../../domain/decimal.js';
import type { ExecutionDirective } from '../../domain/directive.js';
import { clientOrderId } from '../../domain/ids.js';
import { openPosition } from '../../domain/position-math.js';
import type { OrderRecord, Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import type { ScopeDeps } from '../scopes/scope-types.js';
import { orderRequestOf } from '../order-sync.js';
import { requestFromWire } from './resume-legs.js';

/** The entry of a NEW_TRADE as it was sent (journaled intent, else its ledger row); null when it never left the process. */
export async function sentEntry(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<Omit<OrderRequest, 'client_order_id'> | null> {
  const coid = clientOrderId(directive.directive_id, 'E');
  const row = await ctx.readLedger(`order ${coid}`, () => deps.ledger.getOrder(coid));
  const intent = ctx.resume?.get(coid);
  // a leg the venue never received is forgotten by ctx.resume but keeps its journaled request (the row lacks max_slippage_pct)
  const journaled = ctx.resume?.journaledOrder(coid) ?? null;
  const order = (journaled ? requestFromWire(journaled) : null) ?? (row ? orderOf(row) : null);
  if (!order || (!row && !intent?.reachedConnector)) return null;
  return order;
}

/** The trade a NEW_TRADE creates, from its entry as journaled (no risk checks: the entry was already sent). */
export async function freshTrade(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps, order: Omit<OrderRequest, 'client_order_id'>): Promise<Position> {
  const exit = directive.exit_plan;
  let stopLoss = null;
  let takeProfit = null;
  if (exit?.stop_loss_price || exit?.take_profit_price) {
    const rules = await deps.executor.read(ctx, `instrument ${order.symbol}`, (signal) => deps.connector.getInstrument(order.symbol, { signal }));
    stopLoss = exit.stop_loss_price ? roundToStep(exit.stop_loss_price, rules.tick_size) : null;
    takeProfit = exit.take_profit_price ? roundToStep(exit.take_profit_price, rules.tick_size) : null;
  }
  return openPosition({
    trade_id: directive.directive_id,
    strategy_id: directive.strategy_id,
    symbol: order.symbol,
    direction: order.side,
    position_size: order.quantity,
    stop_loss: stopLoss,
    take_profit: takeProfit,
    opened_at: ctx.now(),
    opened_by: directive.directive_id,
  });
}

export function orderOf(row: OrderRecord): Omit<OrderRequest, 'client_order_id'> {
  const { client_order_id: _id, ...order } = orderRequestOf(row);
  return order;
}

export function timeOf(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : 0;
}
