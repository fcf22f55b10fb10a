import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionReport, IAPIConnector, InstrumentRules, OrderRequest, VenueOrder } from '../../../src/ports/connector.js';
import { Decimal } from '../../../src/domain/decimal.js';
import { VenueRejected } from '../../../src/domain/errors.js';

export interface ConnectorFixture {
  readonly connector: IAPIConnector;
  /** Moves the venue's price (resting orders it reaches fill); absent where the venue's price cannot be driven. */
  setPrice?(symbol: string, price: Decimal): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectorContractOptions {
  /** A listed symbol with a reference price. @default BTC_USDT */
  readonly symbol?: string;
  /** A second listed symbol. @default ETH_USDT */
  readonly otherSymbol?: string;
}

/** The venue's rules and price for one symbol, and sizes that meet them. */
interface Market {
  readonly rules: InstrumentRules;
  readonly price: Decimal;
  /** The smallest lot multiple at least the minimum quantity with twice the minimum notional. */
  readonly quantity: Decimal;
  /** A BUY limit 10% below the price: rests. */
  readonly restingBuy: Decimal;
}

function ceilToStep(value: Decimal, step: Decimal): Decimal {
  return value.div(step).ceil().mul(step);
}

async function marketOf(connector: IAPIConnector, symbol: string): Promise<Market> {
  const rules = await connector.getInstrument(symbol);
  const price = await connector.getReferencePrice(symbol);
  const restingBuy = price.mul('0.9').div(rules.tick_size).floor().mul(rules.tick_size);
  // notional is checked at the limit for a limit order: size for the lower of the two prices
  const byNotional = ceilToStep(rules.min_notional.mul(2).div(restingBuy), rules.lot_size);
  const quantity = Decimal.max(ceilToStep(rules.min_quantity, rules.lot_size), byNotional, rules.lot_size);
  return { rules, price, quantity, restingBuy };
}

const sum = (values: readonly Decimal[]): Decimal => values.reduce((a, b) => a.plus(b), new Decimal(0));

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

const ids = (orders: readonly VenueOrder[]): string[] => orders.map((o) => o.client_order_id).sort();

/**
 * Behaviour of IAPIConnector the orchestrator relies on. `factory` gives a fresh venue each time
 * (no orders, no positions). Behaviour a capability makes optional is asserted from the declared
 * capability, so a venue cannot claim one thing and do another.
 */
export function describeConnectorContract(name: string, factory: () => Promise<ConnectorFixture>, options: ConnectorContractOptions = {}): void {
  const symbol = options.symbol ?? 'BTC_USDT';
  const otherSymbol = options.otherSymbol ?? 'ETH_USDT';

  describe(`IAPIConnector contract: ${name}`, () => {
    let fixture: ConnectorFixture;
    let connector: IAPIConnector;
    let market: Market;
    let seq = 0;

    beforeEach(async () => {
      fixture = await factory();
      connector = fixture.connector;
      market = await marketOf(connector, symbol);
    });

    afterEach(async () => {
      await fixture.close();
    });

    function request(overrides: Partial<OrderRequest> = {}): OrderRequest {
      seq += 1;
      return {
        client_order_id: `PXc${seq}-E`,
        symbol,
        side: 'BUY',
        order_type: 'MARKET',
        quantity: market.quantity,
        time_in_force: 'GTC',
        reduce_only: false,
        ...overrides,
      };
    }

    const restingLimit = (overrides: Partial<OrderRequest> = {}): OrderRequest => request({ order_type: 'LIMIT', limit_price: market.restingBuy, ...overrides });

    it('declares a venue name, every capability and a position mode', () => {
      expect(connector.venue).toMatch(/^\S+$/);
      const c = connector.capabilities;
      for (const flag of [c.idempotentSubmit, c.nativeStops, c.partialFills, c.amendOrders, c.fetchByClientOrderId]) expect(typeof flag).toBe('boolean');
      expect(['hedge', 'netting']).toContain(c.positionMode);
    });

    it("getInstrument gives the symbol's rules: positive tick and lot, a positive minimum quantity, a reference price", () => {
      const { rules, price } = market;
      expect(rules.symbol).toBe(symbol);
      expect(rules.base_asset).not.toBe('');
      expect(rules.quote_asset).not.toBe('');
      expect(rules.base_asset).not.toBe(rules.quote_asset);
      for (const step of [rules.tick_size, rules.lot_size, rules.min_quantity]) {
        expect(Decimal.isDecimal(step)).toBe(true);
        expect(step.gt(0)).toBe(true);
      }
      expect(rules.min_notional.gte(0)).toBe(true);
      expect(Decimal.isDecimal(price) && price.gt(0)).toBe(true);
    });

    it('getInstrument refuses an unknown symbol with VenueRejected', async () => {
      const error = await rejectionOf(connector.getInstrument('NOPE_USDT'));
      expect(error).toBeInstanceOf(VenueRejected);
    });

    it('fills a MARKET order: each fill has a venue trade id and a fee, the fills sum to filled_quantity at the average price', async () => {
      const sent = request();
      const order = await connector.placeOrder(sent);
      expect(order).toMatchObject({ client_order_id: sent.client_order_id, symbol, side: 'BUY', order_type: 'MARKET', status: 'FILLED' });
      expect(order.venue_order_id).not.toBe('');
      expect(order.filled_quantity.eq(sent.quantity)).toBe(true);
      expect(order.fills.length).toBeGreaterThan(0);
      expect(new Set(order.fills.map((f) => f.venue_trade_id)).size).toBe(order.fills.length);
      for (const fill of order.fills) {
        expect(fill.venue_trade_id).not.toBe('');
        expect(fill.client_order_id).toBe(sent.client_order_id);
        expect(fill.quantity.gt(0)).toBe(true);
        expect(fill.fee.gte(0)).toBe(true);
        expect(fill.fee_asset).not.toBe('');
      }
      expect(sum(order.fills.map((f) => f.quantity)).eq(order.filled_quantity)).toBe(true);
      const cost = sum(order.fills.map((f) => f.quantity.mul(f.price)));
      expect(order.average_fill_price?.eq(cost.div(order.filled_quantity))).toBe(true);
    });

    it('rests a LIMIT away from the price: OPEN, nothing filled', async () => {
      const order = await connector.placeOrder(restingLimit());
      expect(order.status).toBe('OPEN');
      expect(order.filled_quantity.isZero()).toBe(true);
      expect(order.fills).toEqual([]);
      expect(order.average_fill_price).toBeNull();
      expect(order.limit_price?.eq(market.restingBuy)).toBe(true);
    });

    it('fetchOrder finds an order by its client order id, as placeOrder returned it', async () => {
      if (!connector.capabilities.fetchByClientOrderId) {
        expect(connector.capabilities.fetchByClientOrderId).toBe(false);
        return;
      }
      for (const sent of [request(), restingLimit()]) {
        const placed = await connector.placeOrder(sent);
        const fetched = await connector.fetchOrder(sent.client_order_id, symbol);
        expect(fetched).toMatchObject({ client_order_id: sent.client_order_id, venue_order_id: placed.venue_order_id, status: placed.status, symbol, side: sent.side });
        expect(fetched?.filled_quantity.eq(placed.filled_quantity)).toBe(true);
        expect(fetched?.fills.map((f) => f.venue_trade_id)).toEqual(placed.fills.map((f) => f.venue_trade_id));
      }
    });

    it('fetchOrder answers undefined for a client order id never sent', async () => {
      expect(await connector.fetchOrder('PXnever-sent-E', symbol)).toBeUndefined();
    });

    it('cancelOrder cancels a resting order, which leaves the open orders', async () => {
      const sent = restingLimit();
      await connector.placeOrder(sent);
      const cancelled = await connector.cancelOrder(sent.client_order_id, symbol);
      expect(cancelled).toMatchObject({ client_order_id: sent.client_order_id, status: 'CANCELLED' });
      expect(cancelled.filled_quantity.isZero()).toBe(true);
      expect(ids(await connector.fetchOpenOrders(symbol))).toEqual([]);
      expect((await connector.fetchOrder(sent.client_order_id, symbol))?.status).toBe('CANCELLED');
    });

    it('cancelOrder of a final order returns its final state without an error (filled, or cancelled twice)', async () => {
      const filled = request();
      await connector.placeOrder(filled);
      const again = await connector.cancelOrder(filled.client_order_id, symbol);
      expect(again.status).toBe('FILLED');
      expect(again.filled_quantity.eq(filled.quantity)).toBe(true);

      const resting = restingLimit();
      await connector.placeOrder(resting);
      await connector.cancelOrder(resting.client_order_id, symbol);
      expect((await connector.cancelOrder(resting.client_order_id, symbol)).status).toBe('CANCELLED');
    });

    it('amendOrder changes the quantity and the limit of a resting order in place (when it declares amendOrders)', async () => {
      if (!connector.capabilities.amendOrders) {
        expect(connector.capabilities.amendOrders).toBe(false);
        return;
      }
      const sent = restingLimit();
      const placed = await connector.placeOrder(sent);
      const quantity = market.quantity.mul(2);
      const limit = market.restingBuy.minus(market.rules.tick_size.mul(10));
      const amended = await connector.amendOrder(sent.client_order_id, symbol, { quantity, limit_price: limit });
      expect(amended).toMatchObject({ client_order_id: sent.client_order_id, venue_order_id: placed.venue_order_id, status: 'OPEN' });
      expect(amended.quantity.eq(quantity)).toBe(true);
      expect(amended.limit_price?.eq(limit)).toBe(true);
      const fetched = await connector.fetchOrder(sent.client_order_id, symbol);
      expect(fetched?.quantity.eq(quantity)).toBe(true);
      expect(fetched?.limit_price?.eq(limit)).toBe(true);
      expect(ids(await connector.fetchOpenOrders(symbol))).toEqual([sent.client_order_id]);
    });

    it('fetchOpenOrders lists exactly the resting orders, for one symbol and for all', async () => {
      const here = restingLimit();
      await connector.placeOrder(here);
      const other = await marketOf(connector, otherSymbol);
      const there = request({ symbol: otherSymbol, order_type: 'LIMIT', quantity: other.quantity, limit_price: other.restingBuy });
      await connector.placeOrder(there);
      await connector.placeOrder(request());
      const gone = restingLimit();
      await connector.placeOrder(gone);
      await connector.cancelOrder(gone.client_order_id, symbol);

      const bySymbol = await connector.fetchOpenOrders(symbol);
      expect(ids(bySymbol)).toEqual([here.client_order_id]);
      expect(bySymbol[0]?.status).toBe('OPEN');
      expect(ids(await connector.fetchOpenOrders(otherSymbol))).toEqual([there.client_order_id]);
      expect(ids(await connector.fetchOpenOrders())).toEqual([here.client_order_id, there.client_order_id].sort());
    });

    it('refuses an order below the minimum quantity with VenueRejected (not retryable); nothing rests', async () => {
      const sent = restingLimit({ quantity: market.rules.min_quantity.div(2) });
      const error = await rejectionOf(connector.placeOrder(sent));
      expect(error).toBeInstanceOf(VenueRejected);
      expect((error as VenueRejected).retryable).toBe(false);
      expect(await connector.fetchOpenOrders()).toEqual([]);
      const looked = await connector.fetchOrder(sent.client_order_id, symbol);
      if (looked !== undefined) expect(looked.status).toBe('REJECTED');
    });

    it('refuses an order for an unknown symbol with VenueRejected', async () => {
      const error = await rejectionOf(connector.placeOrder(request({ symbol: 'NOPE_USDT' })));
      expect(error).toBeInstanceOf(VenueRejected);
    });

    it('never creates a second order for a repeated client order id: returns the first (idempotent, or adopted after a duplicate refusal) or refuses with VenueRejected', async () => {
      const sent = restingLimit();
      const first = await connector.placeOrder(sent);
      const repeat = connector.placeOrder({ ...sent, quantity: sent.quantity.mul(2) });
      if (connector.capabilities.idempotentSubmit) {
        const again = await repeat;
        expect(again.venue_order_id).toBe(first.venue_order_id);
        expect(again.quantity.eq(first.quantity)).toBe(true);
      } else {
        // a venue that refuses the id as a duplicate: the connector refuses, or looks the order up and adopts it
        const outcome = await repeat.then(
          (order) => order,
          (error: unknown) => error,
        );
        if (outcome instanceof Error) expect(outcome).toBeInstanceOf(VenueRejected);
        else expect(outcome).toMatchObject({ client_order_id: sent.client_order_id, venue_order_id: first.venue_order_id });
      }
      const open = await connector.fetchOpenOrders();
      expect(open.map((o) => [o.client_order_id, o.venue_order_id])).toEqual([[sent.client_order_id, first.venue_order_id]]);
      expect(open[0]?.quantity.eq(first.quantity)).toBe(true);
    });

    it('refuses to cancel or amend an order it never had, with VenueRejected', async () => {
      expect(await rejectionOf(connector.cancelOrder('PXnever-sent-E', symbol))).toBeInstanceOf(VenueRejected);
      expect(await rejectionOf(connector.amendOrder('PXnever-sent-E', symbol, { quantity: market.quantity }))).toBeInstanceOf(VenueRejected);
    });

    it('keeps a native protective stop resting, reduce-only, until the price reaches it (when it declares nativeStops)', async () => {
      if (!connector.capabilities.nativeStops || !fixture.setPrice) {
        expect(connector.capabilities.nativeStops && fixture.setPrice !== undefined).toBe(false);
        return;
      }
      await connector.placeOrder(request({ position_id: 'T1' }));
      const stopPrice = market.restingBuy;
      const stop = request({ side: 'SELL', order_type: 'STOP_MARKET', stop_price: stopPrice, reduce_only: true, position_id: 'T1' });
      const placed = await connector.placeOrder(stop);
      expect(placed.status).toBe('OPEN');
      expect(placed.stop_price?.eq(stopPrice)).toBe(true);
      expect(ids(await connector.fetchOpenOrders(symbol))).toEqual([stop.client_order_id]);

      const reports: ExecutionReport[] = [];
      connector.onExecution((report) => reports.push(report));
      await fixture.setPrice(symbol, stopPrice.plus(market.rules.tick_size));
      expect(reports).toEqual([]);
      await fixture.setPrice(symbol, stopPrice.minus(market.rules.tick_size));
      const fired = await connector.fetchOrder(stop.client_order_id, symbol);
      expect(fired?.status).toBe('FILLED');
      expect(fired?.filled_quantity.eq(market.quantity)).toBe(true);
      expect(reports.some((r) => r.order.client_order_id === stop.client_order_id && r.new_fills.length > 0)).toBe(true);
    });

    it('refuses a reduce-only order with no position to reduce', async () => {
      const error = await rejectionOf(connector.placeOrder(request({ side: 'SELL', reduce_only: true, position_id: 'T1' })));
      expect(error).toBeInstanceOf(VenueRejected);
    });

    it('shortSelling as declared: a SELL entry with nothing held opens a short, or is VenueRejected and nothing rests', async () => {
      const sell = connector.placeOrder(request({ side: 'SELL', position_id: 'T1' }));
      if (connector.capabilities.shortSelling) {
        const order = await sell;
        expect(order.status).toBe('FILLED');
        expect(order.filled_quantity.eq(market.quantity)).toBe(true);
      } else {
        expect(await rejectionOf(sell)).toBeInstanceOf(VenueRejected);
        expect(await connector.fetchOpenOrders()).toEqual([]);
      }
    });

    it('fetchBalances: null (a venue of positions) or the assets held, free and locked as non-negative decimals, a resting BUY locking quote', async () => {
      const before = await connector.fetchBalances();
      if (before === null) {
        await connector.placeOrder(request());
        expect(await connector.fetchBalances()).toBeNull();
        return;
      }
      for (const balance of before) {
        expect(balance.asset).toMatch(/^\S+$/);
        expect(Decimal.isDecimal(balance.free) && balance.free.gte(0)).toBe(true);
        expect(Decimal.isDecimal(balance.locked) && balance.locked.gte(0)).toBe(true);
      }
      const quoteOf = (list: typeof before, field: 'free' | 'locked') => list.find((b) => b.asset === market.rules.quote_asset)?.[field] ?? new Decimal(0);
      const baseOf = (list: typeof before) => list.find((b) => b.asset === market.rules.base_asset)?.free ?? new Decimal(0);
      await connector.placeOrder(request());
      const bought = (await connector.fetchBalances()) ?? [];
      expect(baseOf(bought).gt(baseOf(before))).toBe(true);
      await connector.placeOrder(restingLimit());
      const resting = (await connector.fetchBalances()) ?? [];
      expect(quoteOf(resting, 'locked').gt(quoteOf(bought, 'locked'))).toBe(true);
    });

    it('fetchOrder and fetchOpenOrders give back exactly the client order id that was sent', async () => {
      const sent = restingLimit();
      await connector.placeOrder(sent);
      expect((await connector.fetchOrder(sent.client_order_id, symbol))?.client_order_id).toBe(sent.client_order_id);
      expect(ids(await connector.fetchOpenOrders(symbol))).toEqual([sent.client_order_id]);
    });

    it("hedge mode: a reduce-only order reduces only its own trade's position; another trade's is refused", async () => {
      if (connector.capabilities.positionMode !== 'hedge') {
        expect(connector.capabilities.positionMode).toBe('netting');
        return;
      }
      await connector.placeOrder(request({ position_id: 'T1' }));
      const other = await rejectionOf(connector.placeOrder(request({ side: 'SELL', reduce_only: true, position_id: 'T2' })));
      expect(other).toBeInstanceOf(VenueRejected);
      const own = await connector.placeOrder(request({ side: 'SELL', reduce_only: true, position_id: 'T1' }));
      expect(own.status).toBe('FILLED');
      expect(own.filled_quantity.eq(market.quantity)).toBe(true);
    });

    it("netting mode: a reduce-only order is checked against the symbol's net, whatever trade it names", async () => {
      if (connector.capabilities.positionMode !== 'netting') {
        expect(connector.capabilities.positionMode).toBe('hedge');
        return;
      }
      await connector.placeOrder(request({ position_id: 'T1' }));
      const reduced = await connector.placeOrder(request({ side: 'SELL', reduce_only: true, position_id: 'T2' }));
      expect(reduced.status).toBe('FILLED');
      // the net is flat now: nothing left for T1 either
      const flat = await rejectionOf(connector.placeOrder(request({ side: 'SELL', reduce_only: true, position_id: 'T1' })));
      expect(flat).toBeInstanceOf(VenueRejected);
    });

    it("onExecution reports a resting limit's fill when the price moves through it, and stops after unsubscribing", async () => {
      if (!fixture.setPrice) {
        expect(fixture.setPrice).toBeUndefined();
        return;
      }
      const reports: ExecutionReport[] = [];
      const unsubscribe = connector.onExecution((report) => reports.push(report));
      const sent = restingLimit();
      await connector.placeOrder(sent);
      const through = market.restingBuy.minus(market.rules.tick_size.mul(5));
      // a venue with partial fills may fill a resting order over several price updates
      for (let update = 0; update < 20; update++) {
        await fixture.setPrice(symbol, through);
        if (reports.at(-1)?.order.status === 'FILLED') break;
      }

      const mine = reports.filter((r) => r.order.client_order_id === sent.client_order_id);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.at(-1)?.order.status).toBe('FILLED');
      if (!connector.capabilities.partialFills) expect(mine).toHaveLength(1);
      for (const partial of mine.slice(0, -1)) {
        expect(partial.order.status).toBe('PARTIALLY_FILLED');
        expect(partial.order.filled_quantity.lt(sent.quantity)).toBe(true);
      }
      const reported = mine.flatMap((r) => r.new_fills);
      expect(new Set(reported.map((f) => f.venue_trade_id)).size).toBe(reported.length);
      expect(sum(reported.map((f) => f.quantity)).eq(sent.quantity)).toBe(true);
      expect((await connector.fetchOrder(sent.client_order_id, symbol))?.status).toBe('FILLED');

      unsubscribe();
      const later = restingLimit({ limit_price: market.restingBuy.minus(market.rules.tick_size.mul(100)) });
      await connector.placeOrder(later);
      await fixture.setPrice(symbol, market.restingBuy.minus(market.rules.tick_size.mul(200)));
      const unheard = await connector.fetchOrder(later.client_order_id, symbol);
      expect(unheard?.filled_quantity.gt(0)).toBe(true);
      expect(reports.filter((r) => r.order.client_order_id === later.client_order_id)).toEqual([]);
    });

    it('does not fill a cancelled order when the price later moves through it', async () => {
      if (!fixture.setPrice) {
        expect(fixture.setPrice).toBeUndefined();
        return;
      }
      const reports: ExecutionReport[] = [];
      connector.onExecution((report) => reports.push(report));
      const sent = restingLimit();
      await connector.placeOrder(sent);
      await connector.cancelOrder(sent.client_order_id, symbol);
      await fixture.setPrice(symbol, market.restingBuy.minus(market.rules.tick_size.mul(5)));
      expect(reports).toEqual([]);
      const after = await connector.fetchOrder(sent.client_order_id, symbol);
      expect(after?.status).toBe('CANCELLED');
      expect(after?.fills).toEqual([]);
    });
  });
}
