import { Decimal } from '../../../src/domain/decimal.js';
import { BinanceError, binanceErrors } from './binance-error.js';
import {
  accountView,
  bookTickerView,
  canceledOrderView,
  dayTickerView,
  exchangeInfoView,
  myTradeView,
  newOrderView,
  orderView,
  priceTickerView,
} from './binance-views.js';
import { binanceDecimal } from './format.js';
import type { Instrument } from './instrument.js';
import { klines } from './klines.js';
import type { OrderRef } from './matching-engine.js';
import type { EndpointKind } from './options.js';
import { parseOrderRequest } from './order-request.js';
import { cancelReplace } from './cancel-replace.js';
import type { LoggedRequest } from './request-log.js';
import type { VenueState } from './venue-state.js';

export interface RouteContext {
  readonly params: Record<string, string>;
  readonly venue: VenueState;
  markFault(fault: NonNullable<LoggedRequest['fault']>): void;
}

export interface Route {
  readonly kind: EndpointKind;
  /** Needs X-MBX-APIKEY, timestamp and signature (the signature itself is not checked). */
  readonly signed: boolean;
  handle(ctx: RouteContext): unknown;
}

function text(params: Record<string, string>, name: string): string | undefined {
  const value = params[name];
  return value === undefined || value === '' ? undefined : value;
}

function integerParam(params: Record<string, string>, name: string): number | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,20}$/.test(value)) {
    throw new BinanceError(-1100, `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`);
  }
  return Number(value);
}

function requiredInstrument(ctx: RouteContext): Instrument {
  const symbol = text(ctx.params, 'symbol');
  if (symbol === undefined) throw binanceErrors.mandatory('symbol');
  return ctx.venue.engine.instrument(symbol);
}

/** The instruments a market-data request asks for: `symbol`, a JSON `symbols` list, or all. */
function askedInstruments(ctx: RouteContext): Instrument[] {
  const symbol = text(ctx.params, 'symbol');
  if (symbol !== undefined) return [ctx.venue.engine.instrument(symbol)];
  const symbols = text(ctx.params, 'symbols');
  if (symbols !== undefined) {
    let list: unknown;
    try {
      list = JSON.parse(symbols);
    } catch {
      throw new BinanceError(-1100, "Illegal characters found in parameter 'symbols'; legal range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.");
    }
    if (!Array.isArray(list)) throw binanceErrors.mandatory('symbols');
    return list.map((s) => ctx.venue.engine.instrument(String(s)));
  }
  return [...ctx.venue.engine.instruments.values()];
}

function oneOrAll<T>(ctx: RouteContext, view: (instrument: Instrument) => T): T | T[] {
  const instruments = askedInstruments(ctx);
  return text(ctx.params, 'symbol') !== undefined ? view(instruments[0] as Instrument) : instruments.map(view);
}

function orderRef(params: Record<string, string>): OrderRef {
  const orderId = integerParam(params, 'orderId');
  const clientOrderId = text(params, 'origClientOrderId');
  if (orderId === undefined && clientOrderId === undefined) throw binanceErrors.eitherMandatory('orderId', 'origClientOrderId');
  return orderId !== undefined ? { orderId } : { clientOrderId };
}

function limitParam(params: Record<string, string>): number {
  return Math.min(integerParam(params, 'limit') ?? 500, 1000);
}

function withinTimes<T extends { time: number }>(items: T[], params: Record<string, string>): T[] {
  const start = integerParam(params, 'startTime');
  const end = integerParam(params, 'endTime');
  return items.filter((item) => (start === undefined || item.time >= start) && (end === undefined || item.time <= end));
}

/** Whether an order is still inside the configured "not found for a while after creation" window. */
function hiddenAfterCreate(ctx: RouteContext, kind: EndpointKind, createdAt: number): boolean {
  const window = ctx.venue.faults.notFoundWindowMs(kind);
  return window > 0 && ctx.venue.now() - createdAt < window;
}

const routes = new Map<string, Route>([
  ['GET /api/v3/ping', { kind: 'public', signed: false, handle: () => ({}) }],
  ['GET /api/v3/time', { kind: 'public', signed: false, handle: (ctx) => ({ serverTime: ctx.venue.now() }) }],
  [
    'GET /api/v3/exchangeInfo',
    { kind: 'public', signed: false, handle: (ctx) => exchangeInfoView(askedInstruments(ctx), ctx.venue.now()) },
  ],
  [
    'GET /api/v3/ticker/price',
    { kind: 'public', signed: false, handle: (ctx) => oneOrAll(ctx, (i) => priceTickerView(ctx.venue.engine, i)) },
  ],
  [
    'GET /api/v3/ticker/bookTicker',
    { kind: 'public', signed: false, handle: (ctx) => oneOrAll(ctx, (i) => bookTickerView(ctx.venue.engine, i)) },
  ],
  [
    'GET /api/v3/ticker/24hr',
    {
      kind: 'public',
      signed: false,
      handle: (ctx) => oneOrAll(ctx, (i) => dayTickerView(ctx.venue.engine, i, ctx.venue.now())),
    },
  ],
  [
    'GET /api/v3/avgPrice',
    {
      kind: 'public',
      signed: false,
      handle: (ctx) => {
        const instrument = requiredInstrument(ctx);
        const price = binanceDecimal(ctx.venue.engine.price(instrument.symbol));
        return { mins: 5, price, closeTime: ctx.venue.now() };
      },
    },
  ],
  [
    'GET /api/v3/depth',
    {
      kind: 'public',
      signed: false,
      handle: (ctx) => {
        const instrument = requiredInstrument(ctx);
        const level = [binanceDecimal(ctx.venue.engine.price(instrument.symbol)), binanceDecimal(instrument.maxQty)];
        return { lastUpdateId: ctx.venue.engine.trades.length + 1, bids: [level], asks: [level] };
      },
    },
  ],
  [
    'GET /api/v3/klines',
    {
      kind: 'public',
      signed: false,
      handle: (ctx) =>
        klines(ctx.venue, requiredInstrument(ctx), {
          interval: text(ctx.params, 'interval'),
          startTime: integerParam(ctx.params, 'startTime'),
          endTime: integerParam(ctx.params, 'endTime'),
          limit: limitParam(ctx.params),
        }),
    },
  ],
  [
    'POST /api/v3/order',
    {
      kind: 'placeOrder',
      signed: true,
      handle: (ctx) => {
        const request = parseOrderRequest(ctx.params);
        const { order, fills } = ctx.venue.engine.place(request);
        return newOrderView(order, fills, request.responseType);
      },
    },
  ],
  [
    'POST /api/v3/order/cancelReplace',
    { kind: 'placeOrder', signed: true, handle: (ctx) => cancelReplace(ctx.venue, ctx.params) },
  ],
  [
    'POST /api/v3/order/test',
    {
      kind: 'placeOrder',
      signed: true,
      handle: (ctx) => {
        ctx.venue.engine.check(parseOrderRequest(ctx.params));
        return {};
      },
    },
  ],
  [
    'GET /api/v3/order',
    {
      kind: 'getOrder',
      signed: true,
      handle: (ctx) => {
        const instrument = requiredInstrument(ctx);
        const order = ctx.venue.engine.find(instrument.symbol, orderRef(ctx.params));
        if (!order) throw binanceErrors.orderDoesNotExist();
        if (hiddenAfterCreate(ctx, 'getOrder', order.time)) {
          ctx.markFault('not_found_window');
          throw binanceErrors.orderDoesNotExist();
        }
        return orderView(order);
      },
    },
  ],
  [
    'DELETE /api/v3/order',
    {
      kind: 'cancelOrder',
      signed: true,
      handle: (ctx) => {
        const instrument = requiredInstrument(ctx);
        const order = ctx.venue.engine.cancel(instrument.symbol, orderRef(ctx.params));
        const cancelId = text(ctx.params, 'newClientOrderId') ?? ctx.venue.nextCancelId();
        return canceledOrderView(order, cancelId, ctx.venue.now());
      },
    },
  ],
  [
    'DELETE /api/v3/openOrders',
    {
      kind: 'cancelOrder',
      signed: true,
      handle: (ctx) => {
        const instrument = requiredInstrument(ctx);
        const engine = ctx.venue.engine;
        return engine.openOrders(instrument.symbol).map((open) => {
          const order = engine.cancel(instrument.symbol, { orderId: open.orderId });
          return canceledOrderView(order, ctx.venue.nextCancelId(), ctx.venue.now());
        });
      },
    },
  ],
  [
    'GET /api/v3/openOrders',
    {
      kind: 'openOrders',
      signed: true,
      handle: (ctx) => {
        const symbol = text(ctx.params, 'symbol');
        if (symbol !== undefined) ctx.venue.engine.instrument(symbol);
        return ctx.venue.engine.openOrders(symbol).map(orderView);
      },
    },
  ],
  [
    'GET /api/v3/allOrders',
    {
      kind: 'allOrders',
      signed: true,
      handle: (ctx) => {
        const instrument = requiredInstrument(ctx);
        const fromOrderId = integerParam(ctx.params, 'orderId') ?? 0;
        const orders = [...ctx.venue.engine.orders.values()].filter(
          (o) => o.symbol === instrument.symbol && o.orderId >= fromOrderId,
        );
        return withinTimes(orders, ctx.params).slice(0, limitParam(ctx.params)).map(orderView);
      },
    },
  ],
  [
    'GET /api/v3/myTrades',
    {
      kind: 'myTrades',
      signed: true,
      handle: (ctx) => {
        const instrument = requiredInstrument(ctx);
        const orderId = integerParam(ctx.params, 'orderId');
        const fromId = integerParam(ctx.params, 'fromId') ?? 0;
        const engine = ctx.venue.engine;
        const trades = engine.trades.filter((t) => {
          if (t.symbol !== instrument.symbol || t.id < fromId) return false;
          if (orderId !== undefined && t.orderId !== orderId) return false;
          const order = engine.orders.get(t.orderId);
          if (order && hiddenAfterCreate(ctx, 'myTrades', order.time)) {
            ctx.markFault('not_found_window');
            return false;
          }
          return true;
        });
        return withinTimes(trades, ctx.params).slice(0, limitParam(ctx.params)).map(myTradeView);
      },
    },
  ],
  [
    'GET /api/v3/account',
    {
      kind: 'account',
      signed: true,
      handle: (ctx) => {
        const omitZero = text(ctx.params, 'omitZeroBalances') === 'true';
        return accountView(ctx.venue.engine, ctx.venue.config.commissionRate, ctx.venue.now(), omitZero);
      },
    },
  ],
]);

// the two wallet (sapi) endpoints ccxt's binance reaches for status and trading fees
routes.set('GET /sapi/v1/system/status', { kind: 'public', signed: false, handle: () => ({ status: 0, msg: 'normal' }) });
routes.set('GET /sapi/v1/asset/tradeFee', {
  kind: 'account',
  signed: true,
  handle: (ctx) => {
    const rate = binanceDecimal(new Decimal(ctx.venue.config.commissionRate));
    return askedInstruments(ctx).map((i) => ({ symbol: i.symbol, makerCommission: rate, takerCommission: rate }));
  },
});

export function findRoute(method: string, path: string): Route | undefined {
  return routes.get(`${method} ${path}`);
}

/** Checks what Binance checks on a signed request, except the signature's value. */
export function checkSigned(params: Record<string, string>, apiKey: string | undefined, apiKeys: string[] | null): void {
  if (apiKey === undefined || apiKey === '') throw binanceErrors.apiKeyMissing();
  if (apiKeys !== null && !apiKeys.includes(apiKey)) throw binanceErrors.apiKeyRejected();
  if (text(params, 'timestamp') === undefined) throw binanceErrors.mandatory('timestamp');
  if (text(params, 'signature') === undefined) throw binanceErrors.mandatory('signature');
}
