import { Decimal, ZERO } from '../../../src/domain/decimal.js';
import { Balances } from './balances.js';
import { binanceErrors } from './binance-error.js';
import { Instrument } from './instrument.js';
import type { ResolvedVenueConfig } from './options.js';
import type { OrderRequest } from './order-request.js';
import { isOpen, isStopType, type VenueOrder, type VenueTrade } from './venue-order.js';

export interface OrderRef {
  readonly orderId?: number | undefined;
  readonly clientOrderId?: string | undefined;
}

export interface PlaceResult {
  readonly order: VenueOrder;
  readonly fills: VenueTrade[];
}

/**
 * The venue's deterministic book keeping: one price per symbol (bid = ask = last), market orders
 * fill at it, limits fill when marketable or when the price crosses them, stops wait for their
 * trigger. Balances are spot: a resting order locks what it may spend.
 */
export class MatchingEngine {
  readonly instruments = new Map<string, Instrument>();
  readonly balances: Balances;
  readonly orders = new Map<number, VenueOrder>();
  readonly trades: VenueTrade[] = [];
  readonly #prices = new Map<string, Decimal>();
  /** Orders per "SYMBOL clientOrderId", oldest first (a final order's id may be used again). */
  readonly #byClientId = new Map<string, VenueOrder[]>();
  readonly #openPrices = new Map<string, Decimal>();
  readonly #commissionRate: Decimal;
  readonly #splitAbove: Decimal | null;
  readonly #splitParts: number;
  readonly #duplicateWindowMs: number;
  readonly #now: () => number;
  #nextOrderId = 1;
  #nextTradeId = 1;

  constructor(config: ResolvedVenueConfig, now: () => number) {
    for (const instrumentConfig of config.instruments) {
      const instrument = new Instrument(instrumentConfig);
      this.instruments.set(instrument.symbol, instrument);
      this.#prices.set(instrument.symbol, new Decimal(instrumentConfig.price));
      this.#openPrices.set(instrument.symbol, new Decimal(instrumentConfig.price));
    }
    this.balances = new Balances(config.balances);
    this.#commissionRate = new Decimal(config.commissionRate);
    this.#splitAbove = config.splitFills ? new Decimal(config.splitFills.aboveQuantity) : null;
    this.#splitParts = config.splitFills?.parts ?? 1;
    this.#duplicateWindowMs = config.duplicateWindowMs;
    this.#now = now;
  }

  instrument(symbol: string): Instrument {
    const instrument = this.instruments.get(symbol);
    if (!instrument) throw binanceErrors.invalidSymbol();
    return instrument;
  }

  price(symbol: string): Decimal {
    this.instrument(symbol);
    return this.#prices.get(symbol) ?? ZERO;
  }

  openPrice(symbol: string): Decimal {
    return this.#openPrices.get(symbol) ?? ZERO;
  }

  /**
   * Binance's checks of a new order short of the balance (what POST /api/v3/order/test does):
   * filters, duplicate client id, a stop that would trigger at once, a maker that would take.
   * Returns the quantity the order will have.
   */
  check(request: OrderRequest): Decimal {
    const instrument = this.instrument(request.symbol);
    const market = this.price(request.symbol);
    if (request.price) instrument.checkPrice(request.price);
    if (request.stopPrice) instrument.checkPrice(request.stopPrice);
    const quantity = request.quantity ?? instrument.floorToStep((request.quoteOrderQty ?? ZERO).div(market));
    instrument.checkQuantity(quantity);
    const notionalPrice = request.type === 'MARKET' ? market : (request.price ?? request.stopPrice ?? market);
    instrument.checkNotional(quantity.mul(notionalPrice));
    if (request.clientOrderId !== null && this.#isDuplicate(request.symbol, request.clientOrderId)) {
      throw binanceErrors.duplicateOrder();
    }
    if (isStopType(request.type) && this.#stopReached(request.type, request.side, request.stopPrice ?? ZERO, market)) {
      throw binanceErrors.stopWouldTrigger();
    }
    if (request.type === 'LIMIT_MAKER' && this.#marketable(request.side, request.price ?? ZERO, market)) {
      throw binanceErrors.makerWouldTake();
    }
    return quantity;
  }

  place(request: OrderRequest): PlaceResult {
    const quantity = this.check(request);
    const instrument = this.instrument(request.symbol);
    const market = this.price(request.symbol);
    if (request.type === 'MARKET') this.#requireFree(instrument, request.side, quantity, market);
    else this.#lockFor(instrument, request, quantity);

    const order = this.#book(request, quantity);
    const fills: VenueTrade[] = [];
    if (request.type === 'MARKET') fills.push(...this.#executeTaker(order, market));
    else if (!isStopType(request.type)) fills.push(...this.#workLimit(order, market));
    return { order, fills };
  }

  find(symbol: string, ref: OrderRef): VenueOrder | undefined {
    this.instrument(symbol);
    if (ref.orderId !== undefined) {
      const order = this.orders.get(ref.orderId);
      return order?.symbol === symbol ? order : undefined;
    }
    return this.#byClientId.get(`${symbol} ${ref.clientOrderId}`)?.at(-1);
  }

  cancel(symbol: string, ref: OrderRef): VenueOrder {
    const order = this.find(symbol, ref);
    if (!order || !isOpen(order)) throw binanceErrors.unknownOrder();
    this.#release(order);
    order.status = 'CANCELED';
    order.updateTime = this.#now();
    return order;
  }

  /** Fills part (or the rest) of a working order as a maker, at its limit price unless one is given. */
  fillWorking(symbol: string, ref: OrderRef, quantity: Decimal, price?: Decimal): VenueTrade {
    const order = this.find(symbol, ref);
    if (!order || !isOpen(order)) throw new Error(`no open order ${JSON.stringify(ref)} on ${symbol}`);
    if (!order.isWorking) throw new Error(`order ${order.orderId} is a stop that has not triggered yet`);
    const remaining = order.origQty.minus(order.executedQty);
    if (quantity.lte(0) || quantity.gt(remaining)) {
      throw new Error(`fill quantity must be in (0, ${remaining.toFixed()}], got ${quantity.toFixed()}`);
    }
    const fillPrice = price ?? (order.price.isZero() ? this.price(symbol) : order.price);
    return this.#fill(order, quantity, fillPrice, true);
  }

  /** Ends an open order on the venue's side (expiry, or a cancel from elsewhere), unlocking what it held. */
  end(symbol: string, ref: OrderRef, status: 'CANCELED' | 'EXPIRED'): VenueOrder {
    const order = this.find(symbol, ref);
    if (!order || !isOpen(order)) throw new Error(`no open order ${JSON.stringify(ref)} on ${symbol}`);
    this.#release(order);
    order.status = status;
    order.updateTime = this.#now();
    return order;
  }

  openOrders(symbol?: string): VenueOrder[] {
    return [...this.orders.values()].filter((o) => isOpen(o) && (symbol === undefined || o.symbol === symbol));
  }

  /** Moves the price, then triggers the stops it reaches and fills the limits it crosses. */
  setPrice(symbol: string, price: Decimal): VenueTrade[] {
    const instrument = this.instrument(symbol);
    if (price.lte(0)) throw new Error(`price of ${symbol} must be positive, got ${price.toFixed()}`);
    this.#prices.set(instrument.symbol, price);
    const fills: VenueTrade[] = [];
    for (const order of this.openOrders(symbol)) {
      if (!order.isWorking) {
        if (this.#stopReached(order.type, order.side, order.stopPrice, price)) fills.push(...this.#trigger(order, price));
      } else if (this.#marketable(order.side, order.price, price)) {
        fills.push(this.#fill(order, order.origQty.minus(order.executedQty), order.price, true));
      }
    }
    return fills;
  }

  #book(request: OrderRequest, quantity: Decimal): VenueOrder {
    const now = this.#now();
    const orderId = this.#nextOrderId++;
    const stop = isStopType(request.type);
    const order: VenueOrder = {
      orderId,
      symbol: request.symbol,
      clientOrderId: request.clientOrderId ?? `lbv_${orderId}`,
      side: request.side,
      type: request.type,
      timeInForce: request.timeInForce ?? 'GTC',
      price: request.price ?? ZERO,
      origQty: quantity,
      origQuoteOrderQty: request.quoteOrderQty ?? ZERO,
      stopPrice: request.stopPrice ?? ZERO,
      time: now,
      executedQty: ZERO,
      cummulativeQuoteQty: ZERO,
      status: 'NEW',
      updateTime: now,
      workingTime: stop ? -1 : now,
      isWorking: !stop,
      lockAsset: null,
      lockRemaining: ZERO,
    };
    const instrument = this.instrument(request.symbol);
    if (request.type !== 'MARKET') {
      order.lockAsset = request.side === 'BUY' ? instrument.quote : instrument.base;
      order.lockRemaining = this.#lockAmount(request.side, quantity, request.price ?? request.stopPrice ?? ZERO);
    }
    this.orders.set(orderId, order);
    const key = `${order.symbol} ${order.clientOrderId}`;
    this.#byClientId.set(key, [...(this.#byClientId.get(key) ?? []), order]);
    return order;
  }

  #lockAmount(side: OrderRequest['side'], quantity: Decimal, price: Decimal): Decimal {
    return side === 'BUY' ? quantity.mul(price) : quantity;
  }

  #lockFor(instrument: Instrument, request: OrderRequest, quantity: Decimal): void {
    const asset = request.side === 'BUY' ? instrument.quote : instrument.base;
    this.balances.lock(asset, this.#lockAmount(request.side, quantity, request.price ?? request.stopPrice ?? ZERO));
  }

  #requireFree(instrument: Instrument, side: OrderRequest['side'], quantity: Decimal, price: Decimal): void {
    const needed = side === 'BUY' ? quantity.mul(price) : quantity;
    const asset = side === 'BUY' ? instrument.quote : instrument.base;
    if (this.balances.free(asset).lt(needed)) throw binanceErrors.insufficientBalance();
  }

  #marketable(side: OrderRequest['side'], limit: Decimal, market: Decimal): boolean {
    return side === 'BUY' ? limit.gte(market) : limit.lte(market);
  }

  #stopReached(type: OrderRequest['type'], side: OrderRequest['side'], stop: Decimal, market: Decimal): boolean {
    const stopLoss = type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT';
    // a stop-loss buys a rise and sells a fall; a take-profit the other way round
    const onRise = stopLoss === (side === 'BUY');
    return onRise ? market.gte(stop) : market.lte(stop);
  }

  #isDuplicate(symbol: string, clientOrderId: string): boolean {
    const now = this.#now();
    const sameId = this.#byClientId.get(`${symbol} ${clientOrderId}`) ?? [];
    return sameId.some((order) => isOpen(order) || now - order.time < this.#duplicateWindowMs);
  }

  /** A working limit: fills at the market price when marketable, else rests (or expires if IOC/FOK). */
  #workLimit(order: VenueOrder, market: Decimal): VenueTrade[] {
    if (this.#marketable(order.side, order.price, market)) return this.#executeTaker(order, market);
    if (order.timeInForce !== 'GTC') this.#expire(order);
    return [];
  }

  #trigger(order: VenueOrder, market: Decimal): VenueTrade[] {
    order.isWorking = true;
    order.workingTime = this.#now();
    order.updateTime = order.workingTime;
    if (order.type === 'STOP_LOSS_LIMIT' || order.type === 'TAKE_PROFIT_LIMIT') return this.#workLimit(order, market);
    // a stop-market becomes a market order: its lock (sized at the stop price) gives way to a fresh check
    this.#release(order);
    order.lockAsset = null;
    const instrument = this.instrument(order.symbol);
    const needed = order.side === 'BUY' ? order.origQty.mul(market) : order.origQty;
    const asset = order.side === 'BUY' ? instrument.quote : instrument.base;
    if (this.balances.free(asset).lt(needed)) {
      this.#expire(order);
      return [];
    }
    return this.#executeTaker(order, market);
  }

  #executeTaker(order: VenueOrder, price: Decimal): VenueTrade[] {
    const remaining = order.origQty.minus(order.executedQty);
    return this.#parts(remaining, this.instrument(order.symbol).stepSize).map((qty) => this.#fill(order, qty, price, false));
  }

  /** Splits a large taker fill into several trades of whole steps (the last takes the remainder). */
  #parts(quantity: Decimal, step: Decimal): Decimal[] {
    if (this.#splitAbove === null || quantity.lte(this.#splitAbove)) return [quantity];
    const raw = quantity.div(this.#splitParts);
    const part = step.isZero() ? raw : raw.div(step).floor().mul(step);
    if (part.isZero()) return [quantity];
    const parts = Array.from({ length: this.#splitParts - 1 }, () => part);
    parts.push(quantity.minus(part.mul(this.#splitParts - 1)));
    return parts;
  }

  #fill(order: VenueOrder, qty: Decimal, price: Decimal, isMaker: boolean): VenueTrade {
    const instrument = this.instrument(order.symbol);
    const quoteQty = qty.mul(price);
    const from = order.lockAsset === null ? 'free' : 'locked';
    let commission: Decimal;
    let commissionAsset: string;
    if (order.side === 'BUY') {
      this.balances.debit(instrument.quote, quoteQty, from);
      if (from === 'locked') order.lockRemaining = order.lockRemaining.minus(quoteQty);
      commission = qty.mul(this.#commissionRate).toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN);
      commissionAsset = instrument.base;
      this.balances.credit(instrument.base, qty.minus(commission));
    } else {
      this.balances.debit(instrument.base, qty, from);
      if (from === 'locked') order.lockRemaining = order.lockRemaining.minus(qty);
      commission = quoteQty.mul(this.#commissionRate).toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN);
      commissionAsset = instrument.quote;
      this.balances.credit(instrument.quote, quoteQty.minus(commission));
    }
    order.executedQty = order.executedQty.plus(qty);
    order.cummulativeQuoteQty = order.cummulativeQuoteQty.plus(quoteQty);
    order.status = order.executedQty.gte(order.origQty) ? 'FILLED' : 'PARTIALLY_FILLED';
    order.updateTime = this.#now();
    if (order.status === 'FILLED') this.#release(order);
    const trade: VenueTrade = {
      id: this.#nextTradeId++,
      orderId: order.orderId,
      symbol: order.symbol,
      side: order.side,
      price,
      qty,
      quoteQty,
      commission,
      commissionAsset,
      time: order.updateTime,
      isMaker,
    };
    this.trades.push(trade);
    return trade;
  }

  #expire(order: VenueOrder): void {
    this.#release(order);
    order.status = 'EXPIRED';
    order.updateTime = this.#now();
  }

  /** Gives back what the order still holds locked (a buy filled below its limit, a cancel, an expiry). */
  #release(order: VenueOrder): void {
    if (order.lockAsset !== null && order.lockRemaining.gt(0)) this.balances.unlock(order.lockAsset, order.lockRemaining);
    order.lockRemaining = ZERO;
  }
}
