import { isoTime } from '../../domain/clock.js';
import { Decimal } from '../../domain/decimal.js';
import type { Direction, TimeInForce } from '../../domain/enums.js';
import type { VenueFill, VenueOrder } from '../../ports/connector.js';
import type { FillRow, Liquidity, OrderRow } from './paper-store.js';

/** An order with what only the simulator shows (for tests and reconciliation checks). */
export interface PaperOrder extends VenueOrder {
  readonly time_in_force: TimeInForce;
  readonly reduce_only: boolean;
  /** The position the order moves (hedge mode); null: the symbol's default position (netting mode, or sent without one). */
  readonly position_id: string | null;
  readonly triggered: boolean;
}

/** A fill with its instrument, side and liquidity role. */
export interface PaperFill extends VenueFill {
  readonly symbol: string;
  readonly side: Direction;
  readonly liquidity: Liquidity;
}

export function toVenueFill(fill: FillRow): VenueFill {
  return {
    venue_trade_id: fill.venue_trade_id,
    client_order_id: fill.client_order_id,
    quantity: fill.quantity,
    price: fill.price,
    fee: fill.fee,
    fee_asset: fill.fee_asset,
    executed_at: isoTime(fill.executed_at_ms),
  };
}

export function toPaperFill(fill: FillRow): PaperFill {
  return { ...toVenueFill(fill), symbol: fill.symbol, side: fill.side, liquidity: fill.liquidity };
}

/** Volume-weighted average price of the fills, to 18 places (the wire's maximum scale). */
function averagePrice(fills: readonly FillRow[]): Decimal | null {
  let quantity = new Decimal(0);
  let notional = new Decimal(0);
  for (const fill of fills) {
    quantity = quantity.plus(fill.quantity);
    notional = notional.plus(fill.quantity.mul(fill.price));
  }
  return quantity.isZero() ? null : notional.div(quantity).toDecimalPlaces(18, Decimal.ROUND_HALF_EVEN);
}

export function toVenueOrder(order: OrderRow, fills: readonly FillRow[]): VenueOrder {
  return {
    client_order_id: order.client_order_id,
    venue_order_id: order.venue_order_id,
    symbol: order.symbol,
    side: order.side,
    order_type: order.order_type,
    quantity: order.quantity,
    limit_price: order.limit_price,
    stop_price: order.stop_price,
    status: order.status,
    filled_quantity: order.filled_quantity,
    average_fill_price: averagePrice(fills),
    fills: fills.map(toVenueFill),
    reject_reason: order.reject_reason,
    created_at: isoTime(order.created_at_ms),
    updated_at: isoTime(order.updated_at_ms),
  };
}

export function toPaperOrder(order: OrderRow, fills: readonly FillRow[]): PaperOrder {
  return {
    ...toVenueOrder(order, fills),
    time_in_force: order.time_in_force,
    reduce_only: order.reduce_only,
    position_id: order.position_id,
    triggered: order.triggered,
  };
}
