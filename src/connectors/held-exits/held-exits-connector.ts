import type { Logger } from 'pino';
import { isoTime, type Clock } from '../../domain/clock.js';
import type { Decimal } from '../../domain/decimal.js';
import { errorMessage, UnknownOutcomeError, VenueRejectCode, VenueRejected } from '../../domain/errors.js';
import type { OrderRecord } from '../../domain/trading.js';
import type { IPriceSource, PriceTick } from '../../ports/price-source.js';
import type {
  AmendRequest,
  CallOptions,
  ConnectorCapabilities,
  ExecutionListener,
  ExecutionReport,
  IAPIConnector,
  InstrumentRules,
  OrderRequest,
  VenueBalance,
  VenueOrder,
} from '../../ports/connector.js';
import { ExecutionListeners } from '../execution-listeners.js';
import { asProtective, HELD_PREFIX, heldFromRecord, heldFromRequest, heldView, isHeldKind, isReached, type HeldOrder } from './held-order.js';

export interface HeldExitsDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told each symbol an exit is held for, so a source that follows chosen symbols starts polling it. */
  readonly follow?: (symbol: string) => void;
}

/**
 * Where one held exit is. held: waiting for its price. sending: the market order is on its way.
 * unknown: sent, answer lost (looked up, and re-sent under the same id if the venue never got
 * it). sent: at the inner venue, whose state it now is. cancelled / rejected: final, never filled.
 */
type Stage = 'held' | 'sending' | 'unknown' | 'sent' | 'cancelled' | 'rejected';

interface Entry {
  order: HeldOrder;
  stage: Stage;
  rejectReason: string | null;
  /** The send in progress, while stage is sending. */
  sending: Promise<void> | null;
}

const FINAL: ReadonlySet<string> = new Set(['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED']);

/**
 * Stop losses and take profits held by planexec for a venue that cannot rest them (a spot
 * market: a stop and a take profit that both sell the holding cannot both rest). Every
 * reduce-only stop or limit is kept here instead of sent (venue_order_id `held:<client id>`);
 * when the price source reaches it, a reduce-only MARKET order goes to the venue under the SAME
 * client order id (the venue's dedupe key: a send whose answer was lost is found, never doubled)
 * and its fills are reported as fills of the protective order. Anything else passes through.
 * Held exits live in memory; restore() rebuilds them from the ledger after a restart.
 */
export class HeldExitsConnector implements IAPIConnector {
  readonly venue: string;
  readonly capabilities: ConnectorCapabilities;
  readonly #inner: IAPIConnector;
  readonly #deps: HeldExitsDeps;
  readonly #entries = new Map<string, Entry>();
  readonly #listeners: ExecutionListeners;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(inner: IAPIConnector, prices: IPriceSource, deps: HeldExitsDeps) {
    this.#listeners = new ExecutionListeners((error, report) =>
      deps.logger.error({ err: error, client_order_id: report.order.client_order_id }, 'execution listener failed'),
    );
    this.#inner = inner;
    this.#deps = deps;
    this.venue = inner.venue;
    this.capabilities = { ...inner.capabilities, nativeStops: true };
    this.#unsubscribe.push(prices.onPrice((tick) => this.#onPrice(tick)));
    this.#unsubscribe.push(inner.onExecution((report) => this.#deliver(this.#fromInner(report))));
  }

  /** Exits waiting for their price (not yet sent). */
  heldOrders(): VenueOrder[] {
    return [...this.#entries.values()].filter((e) => e.stage === 'held').map((e) => heldView(e.order, 'OPEN'));
  }

  /**
   * Rebuild the held exits from the ledger: its orders with a live status and a `held:` venue
   * order id. One the venue already has (fired, the answer lost before it was booked) is the
   * venue's from now on, and its fills are reported.
   */
  async restore(orders: readonly OrderRecord[], options?: CallOptions): Promise<void> {
    for (const record of orders) {
      if (!record.venue_order_id?.startsWith(HELD_PREFIX) || FINAL.has(record.status)) continue;
      if (this.#entries.has(record.client_order_id)) continue;
      const entry: Entry = { order: heldFromRecord(record), stage: 'held', rejectReason: null, sending: null };
      this.#entries.set(record.client_order_id, entry);
      this.#deps.follow?.(record.symbol);
      const atVenue = await this.#inner.fetchOrder(record.client_order_id, record.symbol, options);
      if (atVenue !== undefined) this.#adopt(entry, atVenue);
    }
  }

  getInstrument(symbol: string, options?: CallOptions): Promise<InstrumentRules> {
    return this.#inner.getInstrument(symbol, options);
  }

  getReferencePrice(symbol: string, options?: CallOptions): Promise<Decimal> {
    return this.#inner.getReferencePrice(symbol, options);
  }

  fetchBalances(options?: CallOptions): Promise<readonly VenueBalance[] | null> {
    return this.#inner.fetchBalances(options);
  }

  async placeOrder(request: OrderRequest, options?: CallOptions): Promise<VenueOrder> {
    if (!isHeldKind(request)) return this.#inner.placeOrder(request, options);
    const existing = this.#entries.get(request.client_order_id);
    if (existing !== undefined) {
      if (this.capabilities.idempotentSubmit) return this.#view(existing, options);
      throw new VenueRejected(`client order id ${request.client_order_id} is already used`, 'DUPLICATE_CLIENT_ORDER_ID', { client_order_id: request.client_order_id });
    }
    await this.#check(request, options);
    const entry: Entry = { order: heldFromRequest(request, this.#deps.clock.now()), stage: 'held', rejectReason: null, sending: null };
    this.#entries.set(request.client_order_id, entry);
    this.#deps.follow?.(request.symbol);
    return heldView(entry.order, 'OPEN');
  }

  async cancelOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder> {
    const entry = await this.#settled(clientOrderId);
    if (entry === undefined) return this.#inner.cancelOrder(clientOrderId, symbol, options);
    if (entry.stage === 'unknown') {
      // fired, answer lost: the venue's order (if it has one) is what there is to cancel
      const atVenue = await this.#inner.fetchOrder(clientOrderId, symbol, options);
      if (atVenue === undefined) entry.stage = 'held';
      else this.#adopt(entry, atVenue);
    }
    if (entry.stage === 'held') {
      entry.stage = 'cancelled';
      entry.order = { ...entry.order, updated_at: isoTime(this.#deps.clock.now()) };
    }
    if (entry.stage === 'sent') return asProtective(entry.order, await this.#inner.cancelOrder(clientOrderId, symbol, options));
    return this.#view(entry, options);
  }

  async amendOrder(clientOrderId: string, symbol: string, changes: AmendRequest, options?: CallOptions): Promise<VenueOrder> {
    const entry = await this.#settled(clientOrderId);
    if (entry === undefined) return this.#inner.amendOrder(clientOrderId, symbol, changes, options);
    if (entry.stage === 'sent') return asProtective(entry.order, await this.#inner.amendOrder(clientOrderId, symbol, changes, options));
    if (entry.stage !== 'held') {
      throw new VenueRejected(`order ${clientOrderId} is ${entry.stage}: nothing to amend`, VenueRejectCode.ORDER_NOT_OPEN, { client_order_id: clientOrderId });
    }
    const amended: HeldOrder = {
      ...entry.order,
      quantity: changes.quantity ?? entry.order.quantity,
      limit_price: changes.limit_price ?? entry.order.limit_price,
      stop_price: changes.stop_price ?? entry.order.stop_price,
      updated_at: isoTime(this.#deps.clock.now()),
    };
    await this.#check({ ...amended, limit_price: amended.limit_price ?? undefined, stop_price: amended.stop_price ?? undefined, reduce_only: true }, options);
    entry.order = amended;
    return heldView(amended, 'OPEN');
  }

  async fetchOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder | undefined> {
    const entry = await this.#settled(clientOrderId);
    if (entry === undefined) return this.#inner.fetchOrder(clientOrderId, symbol, options);
    return this.#view(entry, options);
  }

  async fetchOpenOrders(symbol?: string, options?: CallOptions): Promise<VenueOrder[]> {
    const atVenue = await this.#inner.fetchOpenOrders(symbol, options);
    const shown = atVenue.map((o) => {
      const entry = this.#entries.get(o.client_order_id);
      return entry === undefined ? o : asProtective(entry.order, o);
    });
    const held = [...this.#entries.values()].filter((e) => (e.stage === 'held' || e.stage === 'sending' || e.stage === 'unknown') && (symbol === undefined || e.order.symbol === symbol));
    const listed = new Set(shown.map((o) => o.client_order_id));
    return [...shown, ...held.filter((e) => !listed.has(e.order.client_order_id)).map((e) => heldView(e.order, 'OPEN'))];
  }

  onExecution(listener: ExecutionListener): () => void {
    return this.#listeners.add(listener);
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    await Promise.all([...this.#entries.values()].map((e) => e.sending));
    this.#listeners.clear();
    await this.#inner.close();
  }

  /** The venue's own rules, checked before an exit is held: what the venue would refuse, it would refuse when the exit fires. */
  async #check(request: OrderRequest, options?: CallOptions): Promise<void> {
    const rules = await this.#inner.getInstrument(request.symbol, options);
    const at = request.order_type === 'LIMIT' ? request.limit_price : request.stop_price;
    const refuse = (code: string, message: string): VenueRejected => new VenueRejected(`${request.client_order_id}: ${message}`, code, { client_order_id: request.client_order_id, symbol: request.symbol });
    if (at === undefined || at.lte(0)) throw refuse('PRICE_REQUIRED', `a held ${request.order_type} needs a positive ${request.order_type === 'LIMIT' ? 'limit_price' : 'stop_price'}`);
    if (request.quantity.lt(rules.min_quantity)) throw refuse('QUANTITY_BELOW_MINIMUM', `quantity ${request.quantity.toFixed()} is below the minimum ${rules.min_quantity.toFixed()}`);
    if (rules.max_quantity !== null && request.quantity.gt(rules.max_quantity)) throw refuse('QUANTITY_ABOVE_MAXIMUM', `quantity ${request.quantity.toFixed()} is above the maximum ${rules.max_quantity.toFixed()}`);
  }

  /** The entry for `id`, after any send in progress has finished; undefined when not held here. */
  async #settled(clientOrderId: string): Promise<Entry | undefined> {
    const entry = this.#entries.get(clientOrderId);
    if (entry?.sending) await entry.sending;
    return entry;
  }

  async #view(entry: Entry, options?: CallOptions): Promise<VenueOrder> {
    switch (entry.stage) {
      case 'cancelled':
        return heldView(entry.order, 'CANCELLED');
      case 'rejected':
        return heldView(entry.order, 'REJECTED', entry.rejectReason);
      case 'sent':
      case 'unknown': {
        const atVenue = await this.#inner.fetchOrder(entry.order.client_order_id, entry.order.symbol, options);
        if (atVenue !== undefined) {
          entry.stage = 'sent';
          return asProtective(entry.order, atVenue);
        }
        // not (yet) visible at the venue: still ours to fire
        return heldView(entry.order, 'OPEN');
      }
      default:
        return heldView(entry.order, 'OPEN');
    }
  }

  async #onPrice(tick: PriceTick): Promise<void> {
    const due = [...this.#entries.values()].filter(
      (e) => e.order.symbol === tick.symbol && ((e.stage === 'held' && isReached(e.order, tick.price)) || e.stage === 'unknown'),
    );
    await Promise.all(due.map((entry) => this.#fire(entry)));
  }

  #fire(entry: Entry): Promise<void> {
    entry.sending ??= this.#send(entry).finally(() => {
      entry.sending = null;
    });
    return entry.sending;
  }

  async #send(entry: Entry): Promise<void> {
    const { order } = entry;
    const wasUnknown = entry.stage === 'unknown';
    entry.stage = 'sending';
    try {
      if (wasUnknown) {
        // the earlier send may have reached the venue: look before sending again
        const atVenue = await this.#inner.fetchOrder(order.client_order_id, order.symbol);
        if (atVenue !== undefined) {
          this.#adopt(entry, atVenue);
          return;
        }
      }
      const sent = await this.#inner.placeOrder({
        client_order_id: order.client_order_id,
        symbol: order.symbol,
        side: order.side,
        order_type: 'MARKET',
        quantity: order.quantity,
        time_in_force: 'IOC',
        reduce_only: true,
        ...(order.position_id === undefined ? {} : { position_id: order.position_id }),
      });
      this.#adopt(entry, sent);
    } catch (error) {
      await this.#sendFailed(entry, error);
    }
  }

  async #sendFailed(entry: Entry, error: unknown): Promise<void> {
    const { order } = entry;
    const log = { err: error, client_order_id: order.client_order_id, symbol: order.symbol };
    if (error instanceof UnknownOutcomeError) {
      this.#deps.logger.warn(log, `held exit ${order.client_order_id}: send outcome unknown; looked up at the next price`);
      entry.stage = 'unknown';
      return;
    }
    if (error instanceof VenueRejected) {
      // a duplicate id means an earlier send got through: that order is this exit
      const atVenue = await this.#inner.fetchOrder(order.client_order_id, order.symbol).catch(() => undefined);
      if (atVenue !== undefined) {
        this.#adopt(entry, atVenue);
        return;
      }
      this.#deps.logger.error(log, `held exit ${order.client_order_id} fired and the venue refused it: ${errorMessage(error)}`);
      entry.stage = 'rejected';
      entry.rejectReason = `${error.code}: ${error.message}`;
      entry.order = { ...order, updated_at: isoTime(this.#deps.clock.now()) };
      this.#deliver({ order: heldView(entry.order, 'REJECTED', entry.rejectReason), new_fills: [] });
      return;
    }
    this.#deps.logger.warn(log, `held exit ${order.client_order_id}: send failed (${errorMessage(error)}); tried again at the next price`);
    entry.stage = 'held';
  }

  /** The venue has the exit's order: from now on its state is the venue's; report its fills. */
  #adopt(entry: Entry, atVenue: VenueOrder): void {
    entry.stage = 'sent';
    this.#deliver({ order: asProtective(entry.order, atVenue), new_fills: atVenue.fills });
  }

  #fromInner(report: ExecutionReport): ExecutionReport {
    const entry = this.#entries.get(report.order.client_order_id);
    return entry === undefined ? report : { ...report, order: asProtective(entry.order, report.order) };
  }

  #deliver(report: ExecutionReport): void {
    this.#listeners.deliver(report);
  }
}

/** `connector` as is when it rests stops itself, else wrapped so planexec holds its exits. */
export function withHeldExits(connector: IAPIConnector, prices: IPriceSource, deps: HeldExitsDeps): IAPIConnector {
  return connector.capabilities.nativeStops ? connector : new HeldExitsConnector(connector, prices, deps);
}
