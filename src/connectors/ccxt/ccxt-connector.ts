import type { Exchange, Order, Trade } from 'ccxt';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock.js';
import { Decimal } from '../../domain/decimal.js';
import { errorMessage, PlanexecError, RiskDenied, TransientError, UnknownOutcomeError, VenueRejectCode, VenueRejected } from '../../domain/errors.js';
import type {
  AmendRequest,
  CallOptions,
  ConnectorCapabilities,
  ExecutionListener,
  IAPIConnector,
  InstrumentRules,
  OrderRequest,
  VenueBalance,
  VenueOrder,
} from '../../ports/connector.js';
import { CcxtInstruments } from './ccxt-instruments.js';
import { ExecutionListeners } from '../execution-listeners.js';
import { ReferencePrices } from './reference-prices.js';
import { isDuplicateClientOrderId, isOrderNotFound, retryAfterMs, translateCcxtError, type VenueOperation } from './ccxt-errors.js';
import { fromCcxtSymbol, toCcxtSymbol } from './ccxt-symbols.js';
import { fromVenueClientId, toVenueClientId } from './client-order-ids.js';
import { firstDecimal } from './decimal-from-venue.js';
import { checkOnGrid } from './order-grid.js';
import { toVenueFill, toVenueOrder } from './order-mapping.js';
import { RestingOrderPoller, type PollScheduler } from './resting-order-poller.js';
import { venueProfile, type VenueProfile } from './venue-profiles.js';
import type { IVenueErrorMetrics } from '../../ports/metrics.js';

export interface CcxtConnectorOptions {
  /** Built by createCcxtExchange (keys, sandbox, spot-only options, exact amounts). */
  readonly exchange: Exchange;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often resting orders are polled for fills and endings. */
  readonly pollIntervalMs: number;
  /** A ticker price is reused as reference this long (0: asked for every order). */
  readonly referencePriceMaxAgeMs?: number;
  readonly pollScheduler?: PollScheduler;
  /** Counts errors outside the table (planexec_venue_unmapped_errors_total); default: not counted, only logged. */
  readonly errorMetrics?: IVenueErrorMetrics;
  /** What ccxt cannot tell about the venue; default: the row of venue-profiles.ts for the exchange id. */
  readonly profile?: VenueProfile;
}


/** A read is tried this often before its transient error reaches the caller (waits 250, 500, 1000 ms, or Retry-After). */
const NOT_COUNTED: IVenueErrorMetrics = { unmappedError: () => undefined };

const READ_ATTEMPTS = 4;
const READ_RETRY_BASE_MS = 250;

const CCXT_TYPE = { MARKET: 'market', LIMIT: 'limit', STOP_LIMIT: 'limit', STOP_MARKET: 'market' } as const;

/**
 * An exchange's spot market through ccxt. Spot holds one balance per asset: netting, no short
 * selling, and no native protective stops (a stop and a take-profit both selling the holding
 * would lock it twice; planexec holds exits itself). Resting orders are polled for fills.
 * Every ccxt error goes through the one table in ccxt-errors.ts.
 */
export class CcxtConnector implements IAPIConnector {
  readonly venue: string;
  readonly capabilities: ConnectorCapabilities;
  readonly #exchange: Exchange;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #profile: VenueProfile;
  readonly #instruments: CcxtInstruments;
  readonly #errorMetrics: IVenueErrorMetrics;
  readonly #listeners: ExecutionListeners;
  readonly #poller: RestingOrderPoller;
  readonly #referencePrices: ReferencePrices;

  constructor(options: CcxtConnectorOptions) {
    this.#exchange = options.exchange;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#listeners = new ExecutionListeners((error, report) =>
      this.#logger.error({ err: error, client_order_id: report.order.client_order_id }, 'venue execution listener failed'),
    );
    this.venue = options.exchange.id;
    this.#profile = options.profile ?? venueProfile(this.venue);
    this.#instruments = new CcxtInstruments(options.exchange, options.clock);
    this.#errorMetrics = options.errorMetrics ?? NOT_COUNTED;
    this.#referencePrices = new ReferencePrices(options.clock, options.referencePriceMaxAgeMs ?? 0);
    this.capabilities = Object.freeze({
      idempotentSubmit: false,
      nativeStops: false,
      partialFills: true,
      amendOrders: options.exchange.has.editOrder === true && this.#profile.editInPlace,
      fetchByClientOrderId: true,
      positionMode: 'netting',
      shortSelling: false,
      // ccxt has no unified slippage guard for market orders: a capped entry goes out as a bounded limit
      marketSlippageCap: false,
      postOnly: this.#profile.postOnly,
      nativeIceberg: this.#profile.nativeIceberg,
    });
    this.#poller = new RestingOrderPoller({
      intervalMs: options.pollIntervalMs,
      ...(options.pollScheduler === undefined ? {} : { scheduler: options.pollScheduler }),
      fetch: (clientOrderId, symbol) => this.#fetchOrder(clientOrderId, symbol),
      report: (report) => this.#listeners.deliver(report),
      listening: () => this.#listeners.size > 0,
      onError: (error, clientOrderId) => this.#logger.warn({ err: error, client_order_id: clientOrderId, venue: this.venue }, 'polling a resting order failed; next pass retries'),
    });
  }

  /** Load the venue's instruments again. */
  refreshInstruments(): Promise<void> {
    return this.#call('read', () => this.#instruments.refresh());
  }

  /** One polling pass over the resting orders now (tests; a caller that knows the venue moved). */
  pollNow(): Promise<void> {
    return this.#poller.pollNow();
  }

  getInstrument(symbol: string, options?: CallOptions): Promise<InstrumentRules> {
    return this.#call('read', () => this.#instruments.rules(symbol), options);
  }

  getReferencePrice(symbol: string, options?: CallOptions): Promise<Decimal> {
    return this.#referencePrices.get(symbol, () => this.#fetchReferencePrice(symbol, options));
  }

  #fetchReferencePrice(symbol: string, options?: CallOptions): Promise<Decimal> {
    return this.#call(
      'read',
      async () => {
        await this.#instruments.rules(symbol);
        const ticker = await this.#exchange.fetchTicker(toCcxtSymbol(symbol));
        const info = (ticker.info ?? {}) as Record<string, unknown>;
        const last = firstDecimal(info.lastPrice, info.price, ticker.last, ticker.close);
        if (last !== undefined && last.gt(0)) return last;
        const bid = firstDecimal(info.bidPrice, ticker.bid);
        const ask = firstDecimal(info.askPrice, ticker.ask);
        if (bid !== undefined && ask !== undefined && bid.gt(0) && ask.gt(0)) return bid.plus(ask).div(2);
        throw new VenueRejected(`${this.venue} gives no price for ${symbol}`, 'NO_REFERENCE_PRICE', { symbol });
      },
      options,
    );
  }

  /** post_only and display_quantity as ccxt params; refused here (never dropped) where the venue's profile lacks them. */
  #restingParams(request: OrderRequest): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    if (request.post_only === true) {
      if (!this.#profile.postOnly) throw new RiskDenied(`${this.venue}: post-only orders are not supported by this venue profile`, 'POST_ONLY_NOT_SUPPORTED', { client_order_id: request.client_order_id });
      params.postOnly = true;
    }
    if (request.display_quantity !== undefined) {
      if (!this.#profile.nativeIceberg) throw new RiskDenied(`${this.venue}: native iceberg orders (display_quantity) are not supported by this venue profile`, 'ICEBERG_NOT_SUPPORTED', { client_order_id: request.client_order_id });
      params.icebergQty = request.display_quantity.toFixed();
    }
    return params;
  }

  async placeOrder(request: OrderRequest, options?: CallOptions): Promise<VenueOrder> {
    const rules = await this.getInstrument(request.symbol, options);
    checkOnGrid(request, rules);
    const venueId = toVenueClientId(request.client_order_id, this.#profile.clientId);
    const params: Record<string, unknown> = { clientOrderId: venueId, ...this.#restingParams(request) };
    // a post-only order has no time in force of its own (Binance refuses one beside LIMIT_MAKER)
    if (request.order_type !== 'MARKET' && request.order_type !== 'STOP_MARKET' && request.post_only !== true) params.timeInForce = request.time_in_force;
    if (request.stop_price !== undefined && (request.order_type === 'STOP_LIMIT' || request.order_type === 'STOP_MARKET')) params.triggerPrice = request.stop_price.toFixed();
    const price = request.order_type === 'LIMIT' || request.order_type === 'STOP_LIMIT' ? request.limit_price?.toFixed() : undefined;
    let created: Order;
    try {
      created = await this.#call(
        'submit',
        () =>
          this.#exchange.createOrder(
            toCcxtSymbol(request.symbol),
            CCXT_TYPE[request.order_type],
            request.side === 'BUY' ? 'buy' : 'sell',
            // strings go out exactly as written (see createCcxtExchange)
            request.quantity.toFixed() as unknown as number,
            price as unknown as number | undefined,
            params,
          ),
        options,
        (raw) => isDuplicateClientOrderId(raw),
      );
    } catch (error) {
      if (error instanceof HandledByCaller) return this.#adopt(request, options);
      throw error;
    }
    const order = await this.#taken(request.client_order_id, 'submit', () => this.#complete(created, request.client_order_id, request.symbol, rules.quote_asset, options));
    this.#poller.watch(order);
    return order;
  }

  async cancelOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder> {
    const rules = await this.getInstrument(symbol, options);
    const venueId = toVenueClientId(clientOrderId, this.#profile.clientId);
    let cancelled: Order;
    try {
      cancelled = await this.#call('cancel', () => this.#exchange.cancelOrder(undefined as unknown as string, toCcxtSymbol(symbol), { clientOrderId: venueId }), options, isOrderNotFound);
    } catch (error) {
      if (!(error instanceof HandledByCaller)) throw error;
      // unknown to the cancel: already final (return that state), or never ours
      const existing = await this.#fetchOrder(clientOrderId, symbol, options);
      if (existing === undefined) throw new VenueRejected(`${this.venue} does not know order ${clientOrderId} on ${symbol}`, VenueRejectCode.ORDER_NOT_FOUND, { client_order_id: clientOrderId, symbol });
      this.#poller.forget(clientOrderId);
      return existing;
    }
    this.#poller.forget(clientOrderId);
    return this.#taken(clientOrderId, 'cancel', async () => {
      const order = await this.#complete(cancelled, clientOrderId, symbol, rules.quote_asset, options);
      return order.status === 'OPEN' || order.status === 'PARTIALLY_FILLED' ? ((await this.#fetchOrder(clientOrderId, symbol, options)) ?? order) : order;
    });
  }

  async amendOrder(clientOrderId: string, symbol: string, changes: AmendRequest, options?: CallOptions): Promise<VenueOrder> {
    if (!this.capabilities.amendOrders) {
      throw new VenueRejected(`${this.venue} cannot amend an order in place (amendOrders is false): cancel and replace it`, 'AMEND_UNSUPPORTED', { client_order_id: clientOrderId });
    }
    const current = await this.fetchOrder(clientOrderId, symbol, options);
    if (current === undefined) throw new VenueRejected(`${this.venue} does not know order ${clientOrderId} on ${symbol}`, VenueRejectCode.ORDER_NOT_FOUND, { client_order_id: clientOrderId, symbol });
    const rules = await this.getInstrument(symbol, options);
    const quantity = changes.quantity ?? current.quantity;
    const limit = changes.limit_price ?? current.limit_price ?? undefined;
    const stop = changes.stop_price ?? current.stop_price ?? undefined;
    checkOnGrid({ quantity, limit_price: limit, stop_price: stop }, rules);
    const params: Record<string, unknown> = { clientOrderId: toVenueClientId(clientOrderId, this.#profile.clientId) };
    if (stop !== undefined) params.triggerPrice = stop.toFixed();
    const edited = await this.#call('amend', () =>
      this.#exchange.editOrder(
        current.venue_order_id,
        toCcxtSymbol(symbol),
        CCXT_TYPE[current.order_type],
        current.side === 'BUY' ? 'buy' : 'sell',
        quantity.toFixed() as unknown as number,
        limit?.toFixed() as unknown as number | undefined,
        params,
      ),
    options);
    const order = await this.#taken(clientOrderId, 'amend', () => this.#complete(edited, clientOrderId, symbol, rules.quote_asset, options));
    this.#poller.watch(order);
    return order;
  }

  /** A resting order found here (after a restart, or to resolve an unknown outcome) is polled from then on. */
  async fetchOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder | undefined> {
    const order = await this.#fetchOrder(clientOrderId, symbol, options);
    if (order !== undefined) this.#poller.adopt(order);
    return order;
  }

  async #fetchOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder | undefined> {
    const rules = await this.getInstrument(symbol, options);
    const venueId = toVenueClientId(clientOrderId, this.#profile.clientId);
    let order: Order;
    try {
      order = await this.#call('read', () => this.#exchange.fetchOrder(undefined as unknown as string, toCcxtSymbol(symbol), { clientOrderId: venueId }), options, isOrderNotFound);
    } catch (error) {
      // "not found" is a normal answer: never sent, or too fresh for the venue to show yet
      if (error instanceof HandledByCaller) return undefined;
      throw error;
    }
    return this.#complete(order, clientOrderId, symbol, rules.quote_asset, options);
  }

  async fetchOpenOrders(symbol?: string, options?: CallOptions): Promise<VenueOrder[]> {
    if (symbol !== undefined) await this.getInstrument(symbol, options);
    const open = await this.#call('read', () => this.#exchange.fetchOpenOrders(symbol === undefined ? undefined : toCcxtSymbol(symbol)), options);
    const out: VenueOrder[] = [];
    for (const order of open) {
      const ours = fromVenueClientId(order.clientOrderId ?? String(order.id), this.#profile.clientId);
      const ourSymbol = order.symbol === undefined ? (symbol ?? '') : fromCcxtSymbol(order.symbol);
      const quote = this.#exchange.markets?.[order.symbol ?? '']?.quote ?? '';
      const mapped = await this.#complete(order, ours, ourSymbol, quote, options);
      this.#poller.adopt(mapped);
      out.push(mapped);
    }
    return out;
  }

  async fetchBalances(options?: CallOptions): Promise<readonly VenueBalance[] | null> {
    const balance = await this.#call('read', () => this.#exchange.fetchBalance(), options);
    const raw = (balance.info as { balances?: unknown } | undefined)?.balances;
    const out: VenueBalance[] = [];
    if (Array.isArray(raw)) {
      // the venue's own strings (Binance: [{asset, free, locked}])
      for (const row of raw as Record<string, unknown>[]) {
        const free = firstDecimal(row.free) ?? new Decimal(0);
        const locked = firstDecimal(row.locked) ?? new Decimal(0);
        if (typeof row.asset === 'string' && (free.gt(0) || locked.gt(0))) out.push({ asset: row.asset, free, locked });
      }
      return out;
    }
    const free = (balance.free ?? {}) as unknown as Record<string, unknown>;
    const used = (balance.used ?? {}) as unknown as Record<string, unknown>;
    for (const asset of new Set([...Object.keys(free), ...Object.keys(used)])) {
      const f = firstDecimal(free[asset]) ?? new Decimal(0);
      const u = firstDecimal(used[asset]) ?? new Decimal(0);
      if (f.gt(0) || u.gt(0)) out.push({ asset, free: f, locked: u });
    }
    return out;
  }

  onExecution(listener: ExecutionListener): () => void {
    return this.#listeners.add(listener);
  }

  async close(): Promise<void> {
    this.#poller.close();
    this.#listeners.clear();
    await this.#exchange.close?.();
  }

  /** A submit refused as a duplicate client order id: our order exists, so it is looked up and adopted. */
  async #adopt(request: OrderRequest, options?: CallOptions): Promise<VenueOrder> {
    const existing = await this.fetchOrder(request.client_order_id, request.symbol, options);
    if (existing === undefined) {
      throw new UnknownOutcomeError(`${this.venue} says client order id ${request.client_order_id} is in use but does not show the order yet`, 'DUPLICATE_NOT_VISIBLE', {
        client_order_id: request.client_order_id,
      });
    }
    this.#logger.info({ client_order_id: request.client_order_id, venue: this.venue }, 'submit refused as a duplicate: adopted the existing order');
    this.#poller.watch(existing);
    return existing;
  }

  /**
   * What follows a write the venue accepted (reading its fills). A failure here must not read as
   * "not processed": a retry would send the order again. It is an unknown outcome, so the order
   * is looked up by its client order id before anything else happens.
   */
  async #taken(clientOrderId: string, operation: VenueOperation, read: () => Promise<VenueOrder>): Promise<VenueOrder> {
    try {
      return await read();
    } catch (error) {
      throw new UnknownOutcomeError(`${this.venue} took the ${operation} of ${clientOrderId}, but its details could not be read: ${errorMessage(error)}`, 'ORDER_DETAILS_UNREAD', { client_order_id: clientOrderId, operation }, error);
    }
  }

  /** The order with every fill (fetched by order id when the answer carried fewer than it filled). */
  async #complete(order: Order, clientOrderId: string, symbol: string, quoteAsset: string, options?: CallOptions): Promise<VenueOrder> {
    const context = { clientOrderId, symbol, quoteAsset, nowMs: this.#clock.now() };
    const bare = toVenueOrder(order, [], context);
    if (bare.filled_quantity.isZero()) return bare;
    let trades: readonly Trade[] = order.trades ?? [];
    const carried = trades.reduce((sum, t) => sum.plus(toVenueFill(t, clientOrderId, quoteAsset, context.nowMs).quantity), new Decimal(0));
    if (trades.length === 0 || carried.lt(bare.filled_quantity) || trades.some((t) => t.id === undefined)) {
      trades = await this.#orderTrades(bare.venue_order_id, symbol, options);
    }
    return toVenueOrder(order, trades.map((t) => toVenueFill(t, clientOrderId, quoteAsset, context.nowMs)), context);
  }

  async #orderTrades(venueOrderId: string, symbol: string, options?: CallOptions): Promise<Trade[]> {
    const ccxtSymbol = toCcxtSymbol(symbol);
    const trades = await this.#call(
      'read',
      () =>
        this.#exchange.has.fetchOrderTrades === true
          ? this.#exchange.fetchOrderTrades(venueOrderId, ccxtSymbol)
          : this.#exchange.fetchMyTrades(ccxtSymbol, undefined, undefined, { orderId: venueOrderId }),
      options,
    );
    return trades.filter((t) => t.order === undefined || String(t.order) === venueOrderId);
  }

  /**
   * A ccxt call with our error taxonomy. `special` picks out an error the caller handles itself
   * (thrown as HandledByCaller, unlogged); everything else goes through the table.
   */
  async #call<T>(operation: VenueOperation, call: () => Promise<T>, options?: CallOptions, special?: (error: unknown) => boolean): Promise<T> {
    if (operation !== 'read') return this.#once(operation, call, options, special);
    // a read changes nothing at the venue: asking again is always safe (a 429 or a 5xx at start-up
    // must not stop planexec); the wait honours Retry-After and the caller's signal
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#once(operation, call, options, special);
      } catch (error) {
        if (!(error instanceof TransientError) || attempt >= READ_ATTEMPTS) throw error;
        const asked = typeof error.details['retry_after_ms'] === 'number' ? error.details['retry_after_ms'] : 0;
        const wait = Math.max(asked, READ_RETRY_BASE_MS * 2 ** (attempt - 1));
        this.#logger.warn({ venue: this.venue, attempt, wait_ms: wait, err: error }, `${this.venue} read failed (${error.code}): asking again`);
        await this.#clock.sleep(wait, options?.signal);
      }
    }
  }

  async #once<T>(operation: VenueOperation, call: () => Promise<T>, options?: CallOptions, special?: (error: unknown) => boolean): Promise<T> {
    options?.signal?.throwIfAborted();
    try {
      return await call();
    } catch (error) {
      if (special?.(error) === true) throw new HandledByCaller(error);
      if (error instanceof PlanexecError) throw error;
      throw translateCcxtError(error, {
        venue: this.venue,
        operation,
        ...this.#retryAfter(),
        onUnmapped: (errorClass, raw, op) => {
          this.#errorMetrics.unmappedError(this.venue, errorClass);
          this.#logger.error({ err: raw, venue: this.venue, error_class: errorClass, operation: op }, `${this.venue} ${op}: ${errorClass} is not in the ccxt error table: ${errorMessage(raw)}`);
        },
      });
    }
  }

  #retryAfter(): { retryAfterMs?: number } {
    const ms = retryAfterMs(this.#exchange.last_response_headers, this.#clock.now());
    return ms === undefined ? {} : { retryAfterMs: ms };
  }
}

/** The error a caller handles itself (a duplicate id on submit, not found on a read or a cancel). */
class HandledByCaller extends Error {
  constructor(cause: unknown) {
    super('handled by the caller', { cause });
  }
}

