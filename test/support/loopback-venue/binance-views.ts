import { Decimal, ZERO } from '../../../src/domain/decimal.js';
import { binanceDecimal as d } from './format.js';
import type { Instrument } from './instrument.js';
import type { MatchingEngine } from './matching-engine.js';
import { ORDER_TYPES, type ResponseType } from './order-request.js';
import { isStopType, type VenueOrder, type VenueTrade } from './venue-order.js';

/** Binance SPOT JSON shapes of the venue's state (numbers as strings, as Binance sends them). */

export function symbolView(instrument: Instrument): Record<string, unknown> {
  return {
    symbol: instrument.symbol,
    status: 'TRADING',
    baseAsset: instrument.base,
    baseAssetPrecision: 8,
    quoteAsset: instrument.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: [...ORDER_TYPES],
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: false,
    cancelReplaceAllowed: true,
    amendAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      {
        filterType: 'PRICE_FILTER',
        minPrice: d(instrument.minPrice),
        maxPrice: d(instrument.maxPrice),
        tickSize: d(instrument.tickSize),
      },
      {
        filterType: 'LOT_SIZE',
        minQty: d(instrument.minQty),
        maxQty: d(instrument.maxQty),
        stepSize: d(instrument.stepSize),
      },
      {
        filterType: 'NOTIONAL',
        minNotional: d(instrument.minNotional),
        applyMinToMarket: true,
        maxNotional: '9000000.00000000',
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
      { filterType: 'MIN_NOTIONAL', minNotional: d(instrument.minNotional), applyToMarket: true, avgPriceMins: 5 },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

export function exchangeInfoView(instruments: Instrument[], serverTime: number): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime,
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
    ],
    exchangeFilters: [],
    symbols: instruments.map(symbolView),
  };
}

function orderCore(order: VenueOrder): Record<string, unknown> {
  return {
    symbol: order.symbol,
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: order.clientOrderId,
  };
}

function orderAmounts(order: VenueOrder): Record<string, unknown> {
  return {
    price: d(order.price),
    origQty: d(order.origQty),
    executedQty: d(order.executedQty),
    origQuoteOrderQty: d(order.origQuoteOrderQty),
    cummulativeQuoteQty: d(order.cummulativeQuoteQty),
    status: order.status,
    timeInForce: order.timeInForce,
    type: order.type,
    side: order.side,
    ...(isStopType(order.type) ? { stopPrice: d(order.stopPrice) } : {}),
  };
}

export function fillView(trade: VenueTrade): Record<string, unknown> {
  return {
    price: d(trade.price),
    qty: d(trade.qty),
    commission: d(trade.commission),
    commissionAsset: trade.commissionAsset,
    tradeId: trade.id,
  };
}

/** POST /api/v3/order answer in the asked response type. */
export function newOrderView(order: VenueOrder, fills: VenueTrade[], type: ResponseType): Record<string, unknown> {
  const ack = { ...orderCore(order), transactTime: order.time };
  if (type === 'ACK') return ack;
  const result = {
    ...ack,
    ...orderAmounts(order),
    workingTime: order.workingTime,
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
  return type === 'RESULT' ? result : { ...result, fills: fills.map(fillView) };
}

/** GET /api/v3/order, openOrders and allOrders item. */
export function orderView(order: VenueOrder): Record<string, unknown> {
  return {
    ...orderCore(order),
    ...orderAmounts(order),
    stopPrice: d(order.stopPrice),
    icebergQty: d(ZERO),
    time: order.time,
    updateTime: order.updateTime,
    isWorking: order.isWorking,
    workingTime: order.workingTime,
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

/** DELETE /api/v3/order answer. */
export function canceledOrderView(order: VenueOrder, cancelClientOrderId: string, transactTime: number) {
  return {
    symbol: order.symbol,
    origClientOrderId: order.clientOrderId,
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: cancelClientOrderId,
    transactTime,
    ...orderAmounts(order),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

export function myTradeView(trade: VenueTrade): Record<string, unknown> {
  return {
    symbol: trade.symbol,
    id: trade.id,
    orderId: trade.orderId,
    orderListId: -1,
    price: d(trade.price),
    qty: d(trade.qty),
    quoteQty: d(trade.quoteQty),
    commission: d(trade.commission),
    commissionAsset: trade.commissionAsset,
    time: trade.time,
    isBuyer: trade.side === 'BUY',
    isMaker: trade.isMaker,
    isBestMatch: true,
  };
}

export function priceTickerView(engine: MatchingEngine, instrument: Instrument) {
  return { symbol: instrument.symbol, price: d(engine.price(instrument.symbol)) };
}

export function bookTickerView(engine: MatchingEngine, instrument: Instrument) {
  const price = d(engine.price(instrument.symbol));
  const depth = d(instrument.maxQty);
  return { symbol: instrument.symbol, bidPrice: price, bidQty: depth, askPrice: price, askQty: depth };
}

/** 24h statistics over everything the venue traded since it started (or was reset). */
export function dayTickerView(engine: MatchingEngine, instrument: Instrument, now: number) {
  const last = engine.price(instrument.symbol);
  const open = engine.openPrice(instrument.symbol);
  const trades = engine.trades.filter((t) => t.symbol === instrument.symbol);
  let high = last.gt(open) ? last : open;
  let low = last.lt(open) ? last : open;
  let volume = ZERO;
  let quoteVolume = ZERO;
  for (const trade of trades) {
    if (trade.price.gt(high)) high = trade.price;
    if (trade.price.lt(low)) low = trade.price;
    volume = volume.plus(trade.qty);
    quoteVolume = quoteVolume.plus(trade.quoteQty);
  }
  const change = last.minus(open);
  const lastTrade = trades.at(-1);
  return {
    symbol: instrument.symbol,
    priceChange: d(change),
    priceChangePercent: change.div(open).mul(100).toFixed(3),
    weightedAvgPrice: d(volume.isZero() ? last : quoteVolume.div(volume).toDecimalPlaces(8)),
    prevClosePrice: d(open),
    lastPrice: d(last),
    lastQty: d(lastTrade?.qty ?? ZERO),
    bidPrice: d(last),
    bidQty: d(instrument.maxQty),
    askPrice: d(last),
    askQty: d(instrument.maxQty),
    openPrice: d(open),
    highPrice: d(high),
    lowPrice: d(low),
    volume: d(volume),
    quoteVolume: d(quoteVolume),
    openTime: now - 86_400_000,
    closeTime: now,
    firstId: trades[0]?.id ?? -1,
    lastId: lastTrade?.id ?? -1,
    count: trades.length,
  };
}

export function accountView(engine: MatchingEngine, commissionRate: string, now: number, omitZero: boolean) {
  const rate = d(new Decimal(commissionRate));
  // Binance's legacy integer commission fields are in basis points
  const bps = new Decimal(commissionRate).mul(10_000).toNumber();
  const balances = engine.balances
    .views()
    .filter((b) => !omitZero || !new Decimal(b.free).isZero() || !new Decimal(b.locked).isZero());
  return {
    makerCommission: bps,
    takerCommission: bps,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: rate, taker: rate, buyer: d(ZERO), seller: d(ZERO) },
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: now,
    accountType: 'SPOT',
    balances,
    permissions: ['SPOT'],
    uid: 1,
  };
}
