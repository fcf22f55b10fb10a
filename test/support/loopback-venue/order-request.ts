import { Decimal } from '../../../src/domain/decimal.js';
import { binanceErrors } from './binance-error.js';

export const ORDER_TYPES = [
  'LIMIT',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'LIMIT_MAKER',
] as const;
export type OrderType = (typeof ORDER_TYPES)[number];
export type Side = 'BUY' | 'SELL';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
export type ResponseType = 'ACK' | 'RESULT' | 'FULL';

/** A new-order request whose parameters are present, well-formed and allowed for its type. */
export interface OrderRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce | null;
  readonly quantity: Decimal | null;
  readonly quoteOrderQty: Decimal | null;
  readonly price: Decimal | null;
  readonly stopPrice: Decimal | null;
  readonly clientOrderId: string | null;
  readonly responseType: ResponseType;
}

type Param = 'quantity' | 'quoteOrderQty' | 'price' | 'stopPrice' | 'timeInForce';

/** Which optional parameters each type needs; any other one is refused as "sent when not required". */
const PARAMS_BY_TYPE: Record<OrderType, readonly Param[]> = {
  LIMIT: ['timeInForce', 'quantity', 'price'],
  MARKET: ['quantity', 'quoteOrderQty'],
  STOP_LOSS: ['quantity', 'stopPrice'],
  TAKE_PROFIT: ['quantity', 'stopPrice'],
  STOP_LOSS_LIMIT: ['timeInForce', 'quantity', 'price', 'stopPrice'],
  TAKE_PROFIT_LIMIT: ['timeInForce', 'quantity', 'price', 'stopPrice'],
  LIMIT_MAKER: ['quantity', 'price'],
};
const ALL_PARAMS: readonly Param[] = ['quantity', 'quoteOrderQty', 'price', 'stopPrice', 'timeInForce'];

const NUMBER = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

function text(params: Record<string, string>, name: string): string | null {
  const value = params[name];
  return value === undefined || value === '' ? null : value;
}

function decimalParam(params: Record<string, string>, name: string): Decimal | null {
  const value = text(params, name);
  if (value === null) return null;
  if (!NUMBER.test(value)) throw binanceErrors.illegalNumber(name);
  return new Decimal(value);
}

function oneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

/** Checks a POST /api/v3/order parameter set the way Binance does, before any filter or balance check. */
export function parseOrderRequest(params: Record<string, string>): OrderRequest {
  const symbol = text(params, 'symbol');
  if (symbol === null) throw binanceErrors.mandatory('symbol');
  const side = text(params, 'side');
  if (side === null) throw binanceErrors.mandatory('side');
  if (!oneOf(side, ['BUY', 'SELL'] as const)) throw binanceErrors.invalidSide();
  const type = text(params, 'type');
  if (type === null) throw binanceErrors.mandatory('type');
  if (!oneOf(type, ORDER_TYPES)) throw binanceErrors.invalidType();

  const clientOrderId = text(params, 'newClientOrderId');
  if (clientOrderId !== null && !CLIENT_ID.test(clientOrderId)) throw binanceErrors.illegalClientId('newClientOrderId');
  const responseText = text(params, 'newOrderRespType') ?? (type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK');
  // Binance answers a malformed enum value with the "was empty/null, or malformed" error
  if (!oneOf(responseText, ['ACK', 'RESULT', 'FULL'] as const)) throw binanceErrors.mandatory('newOrderRespType');

  const wanted = PARAMS_BY_TYPE[type];
  for (const param of ALL_PARAMS) {
    if (!wanted.includes(param) && text(params, param) !== null) throw binanceErrors.notRequired(param);
  }
  const quantity = decimalParam(params, 'quantity');
  const quoteOrderQty = decimalParam(params, 'quoteOrderQty');
  const price = decimalParam(params, 'price');
  const stopPrice = decimalParam(params, 'stopPrice');
  const timeInForceText = text(params, 'timeInForce');

  if (type === 'MARKET') {
    if (quantity === null && quoteOrderQty === null) throw binanceErrors.eitherMandatory('quantity', 'quoteOrderQty');
    if (quantity !== null && quoteOrderQty !== null) throw binanceErrors.notRequired('quoteOrderQty');
  } else {
    for (const param of wanted) {
      if (text(params, param) === null) throw binanceErrors.mandatory(param);
    }
  }
  let timeInForce: TimeInForce | null = null;
  if (timeInForceText !== null) {
    if (!oneOf(timeInForceText, ['GTC', 'IOC', 'FOK'] as const)) throw binanceErrors.invalidTimeInForce();
    timeInForce = timeInForceText;
  }
  return {
    symbol,
    side,
    type,
    timeInForce,
    quantity,
    quoteOrderQty,
    price,
    stopPrice,
    clientOrderId,
    responseType: responseText,
  };
}
