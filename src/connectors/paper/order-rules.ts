import { Decimal, decimalToWire } from '../../domain/decimal.js';
import { Direction, OrderType, TimeInForce } from '../../domain/enums.js';
import { VenueRejectCode, VenueRejected } from '../../domain/errors.js';
import type { AmendRequest, OrderRequest } from '../../ports/connector.js';
import { exceedsSlippage, isOnStep, isStopTriggered, takerPrice } from './fill-model.js';
import type { PaperInstrument } from './paper-instruments.js';
import type { OrderRow } from './paper-store.js';

/** The venue's rejection codes (VenueRejected.code), as an exchange would answer. */
export const PaperRejectCode = {
  UNKNOWN_SYMBOL: 'UNKNOWN_SYMBOL',
  /** connector.paper.require_price: no price has reached the symbol yet. */
  NO_PRICE: 'NO_PRICE',
  UNKNOWN_ORDER: VenueRejectCode.UNKNOWN_ORDER,
  INVALID_ORDER: 'INVALID_ORDER',
  LOT_SIZE: 'LOT_SIZE',
  TICK_SIZE: 'TICK_SIZE',
  MIN_NOTIONAL: 'MIN_NOTIONAL',
  DUPLICATE_CLIENT_ORDER_ID: 'DUPLICATE_CLIENT_ORDER_ID',
  SLIPPAGE_EXCEEDED: 'SLIPPAGE_EXCEEDED',
  REDUCE_ONLY: 'REDUCE_ONLY',
  WOULD_TRIGGER_IMMEDIATELY: VenueRejectCode.WOULD_TRIGGER_IMMEDIATELY,
  ORDER_NOT_OPEN: VenueRejectCode.ORDER_NOT_OPEN,
  QUANTITY_BELOW_FILLED: VenueRejectCode.QUANTITY_BELOW_FILLED,
  SIMULATED_REJECTION: 'SIMULATED_REJECTION',
  POST_ONLY_WOULD_CROSS: 'POST_ONLY_WOULD_CROSS',
  POST_ONLY_NEEDS_LIMIT: 'POST_ONLY_NEEDS_LIMIT',
  ICEBERG_NOT_SUPPORTED: 'ICEBERG_NOT_SUPPORTED',
} as const;
export type PaperRejectCode = (typeof PaperRejectCode)[keyof typeof PaperRejectCode];

/** What the rules need to know of the venue at the moment of the request. */
export interface RuleContext {
  readonly instrument: PaperInstrument;
  readonly reference: Decimal;
  /** How much an order on this side may reduce its position (0 when it would grow it). */
  readonly reducible: Decimal;
  /** The position checked (hedge mode: the order's position_id); null: the symbol's net. */
  readonly position: string | null;
  readonly slippageBps: Decimal;
}

export function rejection(code: PaperRejectCode, message: string, details: Record<string, unknown> = {}): VenueRejected {
  return new VenueRejected(message, code, details);
}

const SIDES: ReadonlySet<string> = new Set(Object.values(Direction));
const TYPES: ReadonlySet<string> = new Set(Object.values(OrderType));
const TIFS: ReadonlySet<string> = new Set(Object.values(TimeInForce));

function checkQuantity(quantity: Decimal, instrument: PaperInstrument): VenueRejected | undefined {
  if (!quantity.isFinite() || quantity.lte(0) || quantity.lt(instrument.min_quantity) || !isOnStep(quantity, instrument.lot_size)) {
    return rejection(
      'LOT_SIZE',
      `quantity ${quantity.toString()} must be a multiple of ${decimalToWire(instrument.lot_size)} and at least ${decimalToWire(instrument.min_quantity)}`,
      { quantity: quantity.toString(), lot_size: decimalToWire(instrument.lot_size), min_quantity: decimalToWire(instrument.min_quantity) },
    );
  }
  if (instrument.max_quantity !== null && quantity.gt(instrument.max_quantity)) {
    return rejection('LOT_SIZE', `quantity ${quantity.toString()} is above the maximum ${decimalToWire(instrument.max_quantity)}`, {
      quantity: quantity.toString(),
      max_quantity: decimalToWire(instrument.max_quantity),
    });
  }
  return undefined;
}

function checkPrice(field: string, price: Decimal | null | undefined, instrument: PaperInstrument): VenueRejected | undefined {
  if (price === null || price === undefined) return undefined;
  if (!price.isFinite() || price.lte(0)) return rejection('INVALID_ORDER', `${field} must be positive`, { [field]: price.toString() });
  if (!isOnStep(price, instrument.tick_size)) {
    return rejection('TICK_SIZE', `${field} ${decimalToWire(price)} must be a multiple of ${decimalToWire(instrument.tick_size)}`, {
      [field]: decimalToWire(price),
      tick_size: decimalToWire(instrument.tick_size),
    });
  }
  return undefined;
}

function checkNotional(quantity: Decimal, price: Decimal, instrument: PaperInstrument): VenueRejected | undefined {
  const notional = quantity.mul(price);
  if (notional.lt(instrument.min_notional)) {
    return rejection('MIN_NOTIONAL', `notional ${decimalToWire(notional)} is below ${decimalToWire(instrument.min_notional)}`, {
      notional: decimalToWire(notional),
      min_notional: decimalToWire(instrument.min_notional),
    });
  }
  return undefined;
}

function checkStop(side: Direction, stop: Decimal, reference: Decimal): VenueRejected | undefined {
  if (isStopTriggered(side, stop, reference)) {
    return rejection('WOULD_TRIGGER_IMMEDIATELY', `${side} stop ${decimalToWire(stop)} would trigger at once (price ${decimalToWire(reference)})`, {
      stop_price: decimalToWire(stop),
      reference_price: decimalToWire(reference),
    });
  }
  return undefined;
}

function checkReduceOnly(quantity: Decimal, ctx: RuleContext): VenueRejected | undefined {
  if (quantity.gt(ctx.reducible)) {
    const which = ctx.position === null ? 'the reducible position' : `the reducible size of position ${ctx.position}`;
    return rejection('REDUCE_ONLY', `reduce-only quantity ${decimalToWire(quantity)} exceeds ${which} ${decimalToWire(ctx.reducible)}`, {
      quantity: decimalToWire(quantity),
      reducible: decimalToWire(ctx.reducible),
      position_id: ctx.position,
    });
  }
  return undefined;
}

function requiredPrices(request: OrderRequest): VenueRejected | undefined {
  const needsLimit = request.order_type === 'LIMIT' || request.order_type === 'STOP_LIMIT';
  const needsStop = request.order_type === 'STOP_LIMIT' || request.order_type === 'STOP_MARKET';
  if (needsLimit && request.limit_price === undefined) return rejection('INVALID_ORDER', `${request.order_type} needs limit_price`);
  if (needsStop && request.stop_price === undefined) return rejection('INVALID_ORDER', `${request.order_type} needs stop_price`);
  return undefined;
}

/** The price an order's notional is measured at. */
function notionalPrice(type: OrderType, limit: Decimal | null | undefined, stop: Decimal | null | undefined, reference: Decimal): Decimal {
  if ((type === 'LIMIT' || type === 'STOP_LIMIT') && limit) return limit;
  if (type === 'STOP_MARKET' && stop) return stop;
  return reference;
}

/** Every rule a new order must meet, checked in the order an exchange would; the first broken one. */
export function checkNewOrder(request: OrderRequest, ctx: RuleContext): VenueRejected | undefined {
  const { instrument, reference } = ctx;
  if (!SIDES.has(request.side) || !TYPES.has(request.order_type) || !TIFS.has(request.time_in_force)) {
    return rejection('INVALID_ORDER', `unsupported side/type/time in force ${request.side}/${request.order_type}/${request.time_in_force}`);
  }
  const limit = request.order_type === 'MARKET' || request.order_type === 'STOP_MARKET' ? undefined : request.limit_price;
  const stop = request.order_type === 'STOP_LIMIT' || request.order_type === 'STOP_MARKET' ? request.stop_price : undefined;
  return (
    requiredPrices(request) ??
    checkQuantity(request.quantity, instrument) ??
    checkPrice('limit_price', limit, instrument) ??
    checkPrice('stop_price', stop, instrument) ??
    checkNotional(request.quantity, notionalPrice(request.order_type, limit, stop, reference), instrument) ??
    (stop ? checkStop(request.side, stop, reference) : undefined) ??
    (request.reduce_only ? checkReduceOnly(request.quantity, ctx) : undefined) ??
    checkMarketSlippage(request, ctx) ??
    checkPostOnly(request, ctx) ??
    (request.display_quantity !== undefined ? rejection('ICEBERG_NOT_SUPPORTED', 'the paper venue has no native iceberg orders (display_quantity)') : undefined)
  );
}

/** A post-only order must rest: one its limit would fill at once against the reference is refused, never filled as taker. */
function checkPostOnly(request: OrderRequest, ctx: RuleContext): VenueRejected | undefined {
  if (request.post_only !== true) return undefined;
  if (request.order_type !== 'LIMIT' || !request.limit_price) return rejection('POST_ONLY_NEEDS_LIMIT', `post_only needs a LIMIT order, got ${request.order_type}`);
  const limit = request.limit_price;
  const crosses = request.side === 'BUY' ? limit.gte(ctx.reference) : limit.lte(ctx.reference);
  if (!crosses) return undefined;
  return rejection('POST_ONLY_WOULD_CROSS', `post-only ${request.side} limit ${decimalToWire(limit)} would cross the price ${decimalToWire(ctx.reference)}`, {
    limit_price: decimalToWire(limit),
    reference_price: decimalToWire(ctx.reference),
  });
}

function checkMarketSlippage(request: OrderRequest, ctx: RuleContext): VenueRejected | undefined {
  if (request.order_type !== 'MARKET' || request.max_slippage_pct === undefined) return undefined;
  const price = takerPrice(request.side, ctx.reference, ctx.slippageBps, ctx.instrument.tick_size);
  if (exceedsSlippage(request.side, price, ctx.reference, request.max_slippage_pct)) {
    return rejection('SLIPPAGE_EXCEEDED', `fill price ${decimalToWire(price)} is more than ${decimalToWire(request.max_slippage_pct)} from ${decimalToWire(ctx.reference)}`, {
      fill_price: decimalToWire(price),
      reference_price: decimalToWire(ctx.reference),
      max_slippage_pct: decimalToWire(request.max_slippage_pct),
    });
  }
  return undefined;
}

export interface AmendedTerms {
  readonly quantity: Decimal;
  readonly limit_price: Decimal | null;
  readonly stop_price: Decimal | null;
}

/** The terms of a resting order after `changes`, or the rule they break. */
export function checkAmend(order: OrderRow, changes: AmendRequest, ctx: RuleContext): AmendedTerms | VenueRejected {
  const { instrument, reference } = ctx;
  const hasLimit = order.order_type === 'LIMIT' || order.order_type === 'STOP_LIMIT';
  const stopPending = (order.order_type === 'STOP_LIMIT' || order.order_type === 'STOP_MARKET') && !order.triggered;
  if (changes.limit_price !== undefined && !hasLimit) return rejection('INVALID_ORDER', `${order.order_type} has no limit price`);
  if (changes.stop_price !== undefined && !stopPending) return rejection('INVALID_ORDER', 'only an untriggered stop has a stop price to change');
  const terms: AmendedTerms = {
    quantity: changes.quantity ?? order.quantity,
    limit_price: changes.limit_price ?? order.limit_price,
    stop_price: changes.stop_price ?? order.stop_price,
  };
  if (terms.quantity.lt(order.filled_quantity)) {
    return rejection('QUANTITY_BELOW_FILLED', `quantity ${decimalToWire(terms.quantity)} is below the filled ${decimalToWire(order.filled_quantity)}`);
  }
  const remaining = terms.quantity.minus(order.filled_quantity);
  const broken =
    checkQuantity(terms.quantity, instrument) ??
    checkPrice('limit_price', changes.limit_price, instrument) ??
    checkPrice('stop_price', changes.stop_price, instrument) ??
    checkNotional(terms.quantity, notionalPrice(order.order_type, terms.limit_price, terms.stop_price, reference), instrument) ??
    (stopPending && terms.stop_price ? checkStop(order.side, terms.stop_price, reference) : undefined) ??
    (order.reduce_only && changes.quantity !== undefined ? checkReduceOnly(remaining, ctx) : undefined);
  return broken ?? terms;
}
