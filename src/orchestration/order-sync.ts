import type { OrderRequest, VenueFill, VenueOrder } from '../ports/connector.js';
import { Decimal } from '../domain/decimal.js';
import type { OrderPurpose, OrderStatus } from '../domain/enums.js';
import { generateId, IdPrefix } from '../domain/ids.js';
import type { FillRecord, OrderRecord } from '../domain/trading.js';

/** Statuses after which an order changes no more. */
export const FINAL_ORDER_STATUSES: readonly OrderStatus[] = ['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED'];
/** Orders that may still rest at (or be on their way to) the venue. */
export const LIVE_ORDER_STATUSES: readonly OrderStatus[] = ['PENDING', 'OPEN', 'PARTIALLY_FILLED', 'IN_DOUBT'];

export function isFinalStatus(status: OrderStatus): boolean {
  return FINAL_ORDER_STATUSES.includes(status);
}

export interface OrderMeta {
  readonly trade_id: string;
  readonly directive_id: string | null;
  readonly purpose: OrderPurpose;
  readonly now: string;
}

/** The write-ahead row of an order about to be sent. */
export function pendingOrderRecord(request: OrderRequest, meta: OrderMeta): OrderRecord {
  return {
    client_order_id: request.client_order_id,
    venue_order_id: null,
    trade_id: meta.trade_id,
    directive_id: meta.directive_id,
    purpose: meta.purpose,
    symbol: request.symbol,
    side: request.side,
    order_type: request.order_type,
    time_in_force: request.time_in_force,
    quantity: request.quantity,
    limit_price: request.limit_price ?? null,
    stop_price: request.stop_price ?? null,
    reduce_only: request.reduce_only,
    status: 'PENDING',
    filled_quantity: new Decimal(0),
    average_fill_price: null,
    reject_reason: null,
    created_at: meta.now,
    updated_at: meta.now,
  };
}

/**
 * The ledger row after the venue reported on the order. Filled quantity only ever grows: an older
 * or partial report (an amend ack, a stale snapshot) never rewinds what is already booked.
 */
/** The order request a ledger row was written from (the inverse of pendingOrderRecord). */
export function orderRequestOf(row: OrderRecord): OrderRequest {
  return {
    client_order_id: row.client_order_id,
    symbol: row.symbol,
    side: row.side,
    order_type: row.order_type,
    quantity: row.quantity,
    limit_price: row.limit_price ?? undefined,
    stop_price: row.stop_price ?? undefined,
    time_in_force: row.time_in_force,
    reduce_only: row.reduce_only,
    position_id: row.trade_id,
  };
}

export function mergeVenueOrder(record: OrderRecord, venue: VenueOrder, now: string): OrderRecord {
  const rewinds = venue.filled_quantity.lt(record.filled_quantity);
  return {
    ...record,
    venue_order_id: venue.venue_order_id || record.venue_order_id,
    quantity: venue.quantity,
    limit_price: venue.limit_price ?? record.limit_price,
    stop_price: venue.stop_price ?? record.stop_price,
    status: rewinds && !isFinalStatus(venue.status) ? record.status : venue.status,
    filled_quantity: rewinds ? record.filled_quantity : venue.filled_quantity,
    average_fill_price: rewinds ? record.average_fill_price : venue.average_fill_price ?? record.average_fill_price,
    reject_reason: venue.reject_reason ?? record.reject_reason,
    updated_at: now,
  };
}

export function fillRecord(fill: VenueFill, order: OrderRecord, venue: string, nowMs: number): FillRecord {
  return {
    fill_id: generateId(IdPrefix.FILL, nowMs),
    venue,
    venue_trade_id: fill.venue_trade_id,
    client_order_id: fill.client_order_id,
    trade_id: order.trade_id,
    directive_id: order.directive_id,
    symbol: order.symbol,
    side: order.side,
    quantity: fill.quantity,
    price: fill.price,
    fee: fill.fee,
    fee_asset: fill.fee_asset,
    executed_at: fill.executed_at,
  };
}

/** The venue's fills of an order that are not yet in `known` (venue_trade_ids). */
export function newFills(venueOrder: VenueOrder, order: OrderRecord, known: ReadonlySet<string>, venue: string, nowMs: number): FillRecord[] {
  const seen = new Set(known);
  const out: FillRecord[] = [];
  for (const fill of venueOrder.fills) {
    if (seen.has(fill.venue_trade_id)) continue;
    seen.add(fill.venue_trade_id);
    out.push(fillRecord(fill, order, venue, nowMs));
  }
  return out;
}
