import type { Order, Trade } from 'ccxt';
import { Decimal } from '../../domain/decimal.js';
import type { Direction, OrderType } from '../../domain/enums.js';
import type { VenueFill, VenueOrder } from '../../ports/connector.js';
import { fromCcxtSymbol } from './ccxt-symbols.js';
import { firstDecimal } from './decimal-from-venue.js';

type Info = Readonly<Record<string, unknown>>;
const infoOf = (value: { info?: unknown }): Info => (value.info !== null && typeof value.info === 'object' ? (value.info as Info) : {});

const ZERO = new Decimal(0);

/** ccxt status + filled amount -> our order status (an open order with fills is PARTIALLY_FILLED). */
export function orderStatus(status: string | undefined, filled: Decimal): VenueOrder['status'] {
  switch (status) {
    case 'closed':
      return 'FILLED';
    case 'canceled':
    case 'cancelled':
      return 'CANCELLED';
    case 'expired':
      return 'EXPIRED';
    case 'rejected':
      return 'REJECTED';
    default:
      return filled.gt(0) ? 'PARTIALLY_FILLED' : 'OPEN';
  }
}

/** ccxt's order type (venue words, lower case) -> ours; a stop with a limit is STOP_LIMIT. */
export function orderType(type: string | undefined, hasStopPrice: boolean): OrderType {
  const t = (type ?? '').toLowerCase();
  const stop = hasStopPrice || /stop|take_profit|trigger/.test(t);
  if (stop) return t.includes('limit') ? 'STOP_LIMIT' : 'STOP_MARKET';
  return t === 'market' ? 'MARKET' : 'LIMIT';
}

function iso(timestamp: number | undefined, datetime: string | undefined, fallbackMs: number): string {
  if (typeof datetime === 'string' && datetime !== '') return datetime;
  return new Date(typeof timestamp === 'number' && Number.isFinite(timestamp) ? timestamp : fallbackMs).toISOString();
}

/**
 * One venue trade as our fill, amounts from the venue's own strings where ccxt kept them (Binance:
 * qty, price, commission, commissionAsset). The fee is reported in whatever asset the venue
 * charged it in; a trade without a fee is a zero fee in the quote asset.
 */
export function toVenueFill(trade: Trade, clientOrderId: string, quoteAsset: string, nowMs: number): VenueFill {
  const info = infoOf(trade);
  const fee = trade.fee ?? (trade as { fees?: Trade['fee'][] }).fees?.[0];
  const feeAmount = firstDecimal(info.commission, fee?.cost) ?? ZERO;
  const feeAsset = (typeof info.commissionAsset === 'string' && info.commissionAsset) || fee?.currency || quoteAsset;
  return {
    venue_trade_id: String(trade.id ?? info.tradeId ?? info.id),
    client_order_id: clientOrderId,
    quantity: firstDecimal(info.qty, trade.amount) ?? ZERO,
    price: firstDecimal(info.price, trade.price) ?? ZERO,
    fee: feeAmount,
    fee_asset: feeAsset,
    executed_at: iso(trade.timestamp, trade.datetime, nowMs),
  };
}

/** Volume-weighted average price of the fills, to 18 places (the wire's maximum scale). */
function averagePrice(fills: readonly VenueFill[]): Decimal | null {
  let quantity = ZERO;
  let notional = ZERO;
  for (const fill of fills) {
    quantity = quantity.plus(fill.quantity);
    notional = notional.plus(fill.quantity.mul(fill.price));
  }
  return quantity.isZero() ? null : notional.div(quantity).toDecimalPlaces(18, Decimal.ROUND_HALF_EVEN);
}

export interface OrderContext {
  /** Our id for the order (the venue reports its own form of it). */
  readonly clientOrderId: string;
  /** Our symbol, for a venue answer that leaves it out. */
  readonly symbol: string;
  readonly quoteAsset: string;
  readonly nowMs: number;
}

/**
 * A ccxt order and its trades as our VenueOrder. Quantities come from the venue's strings where
 * ccxt kept them (Binance origQty/executedQty/price/stopPrice), else from ccxt's numbers.
 */
export function toVenueOrder(order: Order, fills: readonly VenueFill[], context: OrderContext): VenueOrder {
  const info = infoOf(order);
  const filled = firstDecimal(info.executedQty, order.filled) ?? ZERO;
  const stopPrice = firstDecimal(info.stopPrice, order.triggerPrice, order.stopPrice);
  const stop = stopPrice !== undefined && stopPrice.gt(0) ? stopPrice : null;
  const type = orderType(order.type, stop !== null);
  const limit = type === 'MARKET' || type === 'STOP_MARKET' ? undefined : firstDecimal(info.price, order.price);
  const side: Direction = order.side === 'sell' ? 'SELL' : 'BUY';
  const status = orderStatus(order.status, filled);
  const created = iso(order.timestamp, order.datetime, context.nowMs);
  const updatedMs = order.lastUpdateTimestamp ?? order.lastTradeTimestamp ?? order.timestamp;
  return {
    client_order_id: context.clientOrderId,
    venue_order_id: String(order.id),
    symbol: order.symbol === undefined ? context.symbol : fromCcxtSymbol(order.symbol),
    side,
    order_type: type,
    quantity: firstDecimal(info.origQty, order.amount) ?? ZERO,
    limit_price: limit !== undefined && limit.gt(0) ? limit : null,
    stop_price: stop,
    status,
    filled_quantity: filled,
    average_fill_price: averagePrice(fills),
    fills,
    reject_reason: status === 'REJECTED' ? String(info.msg ?? info.rejectReason ?? 'rejected by the venue') : null,
    created_at: created,
    updated_at: iso(updatedMs ?? undefined, undefined, context.nowMs),
  };
}
