import { isoTime } from '../../domain/clock.js';
import { Decimal } from '../../domain/decimal.js';
import type { Direction, OrderType, TimeInForce } from '../../domain/enums.js';
import type { OrderRecord } from '../../domain/trading.js';
import type { OrderRequest, VenueOrder } from '../../ports/connector.js';

export const HELD_PREFIX = 'held:';

/** An exit planexec keeps instead of the venue: what to send, and when. */
export interface HeldOrder {
  readonly client_order_id: string;
  readonly symbol: string;
  readonly side: Direction;
  readonly order_type: OrderType;
  readonly quantity: Decimal;
  readonly limit_price: Decimal | null;
  readonly stop_price: Decimal | null;
  readonly time_in_force: TimeInForce;
  readonly position_id: string | undefined;
  readonly created_at: string;
  readonly updated_at: string;
}

/** The protective orders a spot venue cannot rest side by side: reduce-only stops and reduce-only limits (take profits). */
export function isHeldKind(request: Pick<OrderRequest, 'reduce_only' | 'order_type'>): boolean {
  return request.reduce_only && request.order_type !== 'MARKET';
}

export function heldFromRequest(request: OrderRequest, nowMs: number): HeldOrder {
  const at = isoTime(nowMs);
  return {
    client_order_id: request.client_order_id,
    symbol: request.symbol,
    side: request.side,
    order_type: request.order_type,
    quantity: request.quantity,
    limit_price: request.limit_price ?? null,
    stop_price: request.stop_price ?? null,
    time_in_force: request.time_in_force,
    position_id: request.position_id,
    created_at: at,
    updated_at: at,
  };
}

/** A ledger row of an exit that was held when planexec stopped (venue_order_id `held:…`). */
export function heldFromRecord(record: OrderRecord): HeldOrder {
  return {
    client_order_id: record.client_order_id,
    symbol: record.symbol,
    side: record.side,
    order_type: record.order_type,
    quantity: record.quantity,
    limit_price: record.limit_price,
    stop_price: record.stop_price,
    time_in_force: record.time_in_force,
    // the order executor sends the trade id as the position
    position_id: record.trade_id,
    created_at: record.created_at,
    updated_at: record.updated_at,
  };
}

/** The price at which the exit is sent: a stop's trigger, a take profit's limit. */
export function triggerPrice(order: HeldOrder): Decimal | null {
  return order.order_type === 'LIMIT' ? order.limit_price : order.stop_price;
}

/**
 * Whether `price` reaches the exit. A stop fires when the price moves against the position it
 * protects (SELL stop: price ≤ stop; BUY stop: price ≥ stop); a take profit when it moves in
 * favour (SELL limit: price ≥ limit; BUY limit: price ≤ limit).
 */
export function isReached(order: HeldOrder, price: Decimal): boolean {
  const at = triggerPrice(order);
  if (at === null) return false;
  const sells = order.side === 'SELL';
  if (order.order_type === 'LIMIT') return sells ? price.gte(at) : price.lte(at);
  return sells ? price.lte(at) : price.gte(at);
}

export type HeldStatus = 'OPEN' | 'CANCELLED' | 'REJECTED';

/** The venue view of an exit that was never sent. */
export function heldView(order: HeldOrder, status: HeldStatus, rejectReason: string | null = null): VenueOrder {
  return {
    client_order_id: order.client_order_id,
    venue_order_id: `${HELD_PREFIX}${order.client_order_id}`,
    symbol: order.symbol,
    side: order.side,
    order_type: order.order_type,
    quantity: order.quantity,
    limit_price: order.limit_price,
    stop_price: order.stop_price,
    status,
    filled_quantity: new Decimal(0),
    average_fill_price: null,
    fills: [],
    reject_reason: rejectReason,
    created_at: order.created_at,
    updated_at: order.updated_at,
  };
}

/** The inner venue's order (the market order sent when the exit fired) shown as the protective order it stands for. */
export function asProtective(order: HeldOrder, sent: VenueOrder): VenueOrder {
  return { ...sent, order_type: order.order_type, limit_price: order.limit_price, stop_price: order.stop_price, created_at: order.created_at };
}
