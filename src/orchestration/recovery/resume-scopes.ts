import type { OrderRequest } from '../../connectors/connector.js';
import { roundToStep } from '../../domain/decimal.js';
import type { ExecutionDirective } from '../../domain/directive.js';
import { clientOrderId } from '../../domain/ids.js';
import { closePosition, oppositeSide, openPosition } from '../../domain/position-math.js';
import type { Anomaly, OrderRecord, Position } from '../../domain/trading.js';
import { UnknownTradeError } from '../../domain/errors.js';
import type { ExecutionContext } from '../execution-context.js';
import { ExecutionError } from '../execution-errors.js';
import type { LegResult } from '../order-executor.js';
import { LIVE_ORDER_STATUSES, pendingOrderRecord } from '../order-sync.js';
import { modifyTrade } from '../scopes/modify-trade.js';
import { openTrade } from '../scopes/open-trade.js';
import type { ScopeDeps, ScopeOutcome } from '../scopes/scope-types.js';
import { bookFills, closeIfProtectiveFlattened } from '../trade-book.js';
import { requestFromWire } from './resume-legs.js';

/**
 * RESUME mode: finish what an interrupted flow started, sending only what it never sent. First
 * the flow's legs left PENDING / IN_DOUBT are settled with the venue and their fills booked once
 * onto their trades; then the scope runs again on the ledger as it now is, with the executor in
 * RESUME mode (ctx.resume), so a leg that was sent is looked up, never sent again.
 * NEW_TRADE and CLOSE_EXISTING have resume-aware variants (a fresh trade must not be rebuilt from
 * nothing; a target this directive already closed is done); MODIFY_EXISTING sizes are absolute,
 * so running it again sends only what is still missing.
 */
export async function resumeScope(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<ScopeOutcome> {
  await settleUnsettledLegs(ctx, directive.directive_id, deps);
  switch (directive.scope) {
    case 'NEW_TRADE':
      // entry never sent: a first execution (openTrade, risk checks and all)
      return (await continueOpen(ctx, directive, deps)) ?? openTrade(ctx, directive, deps);
    case 'MODIFY_EXISTING':
      return modifyTrade(ctx, directive, deps);
    case 'CLOSE_EXISTING':
      return resumeClose(ctx, directive, deps);
  }
}

/** Settle the directive's legs left PENDING or IN_DOUBT whose trade the ledger holds, and book what filled (once). */
export async function settleUnsettledLegs(ctx: ExecutionContext, directiveId: string, deps: ScopeDeps): Promise<number> {
  const rows = await ctx.readLedger('unsettled orders', () => deps.ledger.listOrders({ directive_id: directiveId, statuses: ['PENDING', 'IN_DOUBT'] }));
  let settled = 0;
  for (const row of rows) {
    const position = await ctx.readLedger(`trade ${row.trade_id}`, () => deps.ledger.getPosition(row.trade_id));
    // an entry whose trade was never written: resumeOpen settles it with the trade it creates
    if (!position) continue;
    const leg = await deps.executor.settle(ctx, row, ctx.resume?.get(row.client_order_id)?.intentAtMs ?? timeOf(row.created_at));
    const booked = bookFills(position, row.purpose, leg.fills);
    const after = closeIfProtectiveFlattened(booked.position, leg.record, ctx.now());
    await ctx.applyLedger({ positions: [after], orders: [leg.record], fills: leg.fills, anomalies: booked.anomalies });
    settled += 1;
  }
  return settled;
}

/**
 * NEW_TRADE whose entry was sent before a crash (null when it never was). The trade is the
 * ledger's or, if it was never written, a fresh one from the entry as journaled; the entry leg is
 * looked up at the venue instead of sent and its fills booked once; then the protective legs
 * still missing are placed (under the names of a first run).
 */
export async function continueOpen(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<ScopeOutcome | null> {
  const tradeId = directive.directive_id;
  const existing = await ctx.readLedger(`trade ${tradeId}`, () => deps.ledger.getPosition(tradeId));
  const order = await sentEntry(ctx, directive, deps);
  if (!order) return null;
  let position = existing ?? (await freshTrade(ctx, directive, deps, order));
  let entryLeg: LegResult;
  try {
    entryLeg = await deps.executor.place(ctx, { owner: tradeId, leg: 'E', tradeId, purpose: 'ENTRY', order });
  } catch (error) {
    if (!existing && error instanceof ExecutionError && error.code === 'IN_DOUBT_UNRESOLVED') {
      // the order may exist: keep the trade so later fills and recovery have something to attach to
      await ctx.applyLedger({ positions: [position] }).catch((e: unknown) => ctx.logger.error({ err: e }, 'could not record the in-doubt trade'));
    }
    throw error;
  }
  const booked = bookFills(position, 'ENTRY', entryLeg.fills);
  position = booked.position;
  await ctx.applyLedger({ positions: [position], orders: [entryLeg.record], fills: entryLeg.fills, anomalies: booked.anomalies });
  const legs: LegResult[] = [entryLeg];
  if (position.status === 'OPEN' && position.filled_size.gt(0) && (position.stop_loss || position.take_profit)) {
    // the names of a first run: legs already sent are recognised by the executor, never sent twice
    const protective = await deps.protective.reconcile(ctx, position, { owner: tradeId, suffix: '' });
    position = protective.position;
    legs.push(...protective.legs);
  }
  return { positions: [position], primary: entryLeg, legs, tradeIds: [tradeId] };
}

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

/**
 * A trade the ledger lost (its row was never written: a ledger write failed after the venue
 * acted), rebuilt from the venue: the trade's legs left PENDING / IN_DOUBT are looked up by client
 * order id and their rows and new fills written, then the trade is computed from scratch from
 * every fill the ledger holds for it, in execution order. Sends nothing. Null when the entry was
 * never sent (nothing to rebuild).
 */
export async function rebuildTrade(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<Position | null> {
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
    const leg = await deps.executor.settle(ctx, row, ctx.resume?.get(row.client_order_id)?.intentAtMs ?? timeOf(row.created_at));
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

/** The entry of a NEW_TRADE as it was sent (journaled intent, else its ledger row); null when it never left the process. */
async function sentEntry(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps): Promise<Omit<OrderRequest, 'client_order_id'> | null> {
  const coid = clientOrderId(directive.directive_id, 'E');
  const row = await ctx.readLedger(`order ${coid}`, () => deps.ledger.getOrder(coid));
  const intent = ctx.resume?.get(coid);
  const order = (intent?.order ? requestFromWire(intent.order) : null) ?? (row ? orderOf(row) : null);
  if (!order || (!row && !intent?.reachedConnector)) return null;
  return order;
}

/** The trade a NEW_TRADE creates, from its entry as journaled (no risk checks: the entry was already sent). */
async function freshTrade(ctx: ExecutionContext, directive: ExecutionDirective, deps: ScopeDeps, order: Omit<OrderRequest, 'client_order_id'>): Promise<Position> {
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

function orderOf(row: OrderRecord): Omit<OrderRequest, 'client_order_id'> {
  return {
    symbol: row.symbol,
    side: row.side,
    order_type: row.order_type,
    quantity: row.quantity,
    limit_price: row.limit_price ?? undefined,
    stop_price: row.stop_price ?? undefined,
    time_in_force: row.time_in_force,
    reduce_only: row.reduce_only,
  };
}

function timeOf(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : 0;
}
