import type { Decimal } from '../../../src/domain/decimal.js';
import type { OrderType, Side, TimeInForce } from './order-request.js';

export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';

/** An order as the venue books it (mutable: the engine fills, triggers and cancels it). */
export interface VenueOrder {
  readonly orderId: number;
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** Limit price; zero for market and stop-market orders, as Binance reports them. */
  readonly price: Decimal;
  readonly origQty: Decimal;
  readonly origQuoteOrderQty: Decimal;
  /** Zero when the type has no stop. */
  readonly stopPrice: Decimal;
  readonly time: number;
  executedQty: Decimal;
  cummulativeQuoteQty: Decimal;
  status: OrderStatus;
  updateTime: number;
  /** When the order started working on the book; -1 while a stop waits for its trigger. */
  workingTime: number;
  isWorking: boolean;
  /** The asset this order holds locked, and how much of it is still locked. */
  lockAsset: string | null;
  lockRemaining: Decimal;
}

export interface VenueTrade {
  readonly id: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: Side;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly quoteQty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isMaker: boolean;
}

export function isOpen(order: VenueOrder): boolean {
  return order.status === 'NEW' || order.status === 'PARTIALLY_FILLED';
}

export function isStopType(type: OrderType): boolean {
  return type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT' || type === 'TAKE_PROFIT_LIMIT';
}
