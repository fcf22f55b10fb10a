import { type Decimal, decimalMax, ZERO } from '../../domain/decimal.js';
import type { ExecutionDirective } from '../../domain/directive.js';
import type { EntryOrderType } from '../../domain/enums.js';
import { clientOrderId } from '../../domain/ids.js';
import { isIncreasingPurpose } from '../../domain/position-math.js';
import type { OrderRecord, Position } from '../../domain/trading.js';
import type { ExecutionContext } from '../execution-context.js';
import { LIVE_ORDER_STATUSES, mergeVenueOrder, newFills } from '../order-sync.js';
import { bookFills } from '../trade-book.js';
import type { ScopeDeps } from './scope-types.js';

/** The entry or increase orders a MODIFY changes in place: their terms, what rests, what the venue says of them. */

/** What a resting entry should become, from entry_plan (prices rounded to the tick). */
export interface EntryTerms {
  readonly order_type: EntryOrderType;
  readonly limit_price: Decimal | null;
  readonly stop_price: Decimal | null;
}

export function termsFor(order: OrderRecord, entry: EntryTerms | null): EntryTerms {
  if (entry && entry.order_type !== 'MARKET') return entry;
  return { order_type: order.order_type as EntryOrderType, limit_price: order.limit_price, stop_price: order.stop_price };
}

export function sameTerms(order: OrderRecord, terms: EntryTerms): boolean {
  return order.order_type === terms.order_type && sameDecimal(order.limit_price, terms.limit_price) && sameDecimal(order.stop_price, terms.stop_price);
}

export function sameDecimal(a: Decimal | null, b: Decimal | null): boolean {
  return a === null || b === null ? a === b : a.eq(b);
}

/** In place at the venue: the connector can amend, the order type stays, and the order is known to rest. */
export function canAmend(deps: ScopeDeps, order: OrderRecord, terms: EntryTerms): boolean {
  return deps.executor.connector.capabilities.amendOrders && order.order_type === terms.order_type && (order.status === 'OPEN' || order.status === 'PARTIALLY_FILLED');
}

export function restOf(orders: readonly OrderRecord[]): Decimal {
  return orders.reduce((sum, o) => sum.plus(remainingOf(o)), ZERO);
}

export function remainingOf(order: OrderRecord): Decimal {
  return decimalMax(ZERO, order.quantity.minus(order.filled_quantity));
}

export function oldestFirst(a: OrderRecord, b: OrderRecord): number {
  return a.created_at.localeCompare(b.created_at) || a.client_order_id.localeCompare(b.client_order_id);
}

/**
 * RESUME mode: the venue's view of the resting orders, so an amend or cancel that reached the
 * venue before the crash is seen (and not sent again); fills new to the ledger are booked once.
 */
export async function refreshResting(
  ctx: ExecutionContext,
  deps: ScopeDeps,
  position: Position,
  rows: readonly OrderRecord[],
): Promise<{ position: Position; resting: OrderRecord[] }> {
  let current = position;
  const resting: OrderRecord[] = [];
  for (const row of rows) {
    if (row.status !== 'OPEN' && row.status !== 'PARTIALLY_FILLED') {
      resting.push(row);
      continue;
    }
    const venue = await deps.executor.read(ctx, `fetch ${row.client_order_id}`, (signal) => deps.connector.fetchOrder(row.client_order_id, row.symbol, { signal }));
    if (!venue) {
      resting.push(row);
      continue;
    }
    const merged = mergeVenueOrder(row, venue, ctx.now());
    const known = new Set((await ctx.readLedger('fills', () => deps.ledger.listFills({ client_order_id: row.client_order_id }))).map((f) => f.venue_trade_id));
    const fills = newFills(venue, merged, known, deps.connector.venue, Date.parse(ctx.now()));
    ctx.track(merged);
    ctx.trackFills(merged.client_order_id, fills);
    const booked = bookFills(current, merged.purpose, fills);
    current = booked.position;
    await ctx.write('ORDER_RESULT', {
      action: 'FETCH',
      purpose: merged.purpose,
      trade_id: merged.trade_id,
      client_order_id: merged.client_order_id,
      status: venue.status,
      order: venue,
      new_fills: fills,
      recovered: true,
    });
    await ctx.applyLedger({ positions: [current], orders: [merged], fills, anomalies: booked.anomalies });
    if (LIVE_ORDER_STATUSES.includes(merged.status)) resting.push(merged);
  }
  return { position: current, resting };
}

/**
 * RESUME mode with nothing resting: what an interrupted run of this directive was replacing.
 * Its replacement RP<i> if that was written (final: sent again only if it never reached the
 * venue, the executor decides), else the oldest entry / increase order this flow cancelled.
 */
export function replacedBefore(ctx: ExecutionContext, directive: ExecutionDirective, index: number, rows: readonly OrderRecord[]): OrderRecord | null {
  const replacementId = clientOrderId(directive.directive_id, `RP${index}`);
  const replacement = rows.find((r) => r.client_order_id === replacementId);
  if (replacement) return replacement;
  const cancelled = rows.filter((r) => isIncreasingPurpose(r.purpose) && ctx.resume?.cancelled(r.client_order_id) === true).sort(oldestFirst);
  return cancelled[0] ?? null;
}

