import { isoTime, type Clock } from '../domain/clock.js';
import { type Decimal, ZERO } from '../domain/decimal.js';
import { VenueRejectCode, VenueRejected } from '../domain/errors.js';
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
} from '../ports/connector.js';

/** A state-changing call the dry run answered instead of the venue. */
export type DryRunWrite =
  | { readonly action: 'PLACE'; readonly request: OrderRequest }
  | { readonly action: 'CANCEL'; readonly client_order_id: string; readonly symbol: string }
  | { readonly action: 'AMEND'; readonly client_order_id: string; readonly symbol: string; readonly changes: AmendRequest };

/**
 * `planexec run --dry-run`'s venue: reads (instrument rules, reference prices, order look-ups,
 * balances) go to the real connector; writes never do. Each write is recorded and answered as a
 * venue would accept it — a MARKET order filled at the reference price in one fill, any other order
 * resting, a cancel or amend applied — so the rest of a flow (protective legs, a close after
 * cancels) runs and is shown too. Venue reports of the real connector are not relayed: the dry
 * run shows what the directives would send, nothing else.
 */
export class DryRunConnector implements IAPIConnector {
  readonly #inner: IAPIConnector;
  readonly #clock: Clock;
  readonly #orders = new Map<string, VenueOrder>();
  readonly #writes: DryRunWrite[] = [];
  #seq = 0;

  constructor(inner: IAPIConnector, clock: Clock) {
    this.#inner = inner;
    this.#clock = clock;
  }

  get venue(): string {
    return this.#inner.venue;
  }

  get capabilities(): ConnectorCapabilities {
    return this.#inner.capabilities;
  }

  /** Every write answered so far, oldest first. */
  get writes(): readonly DryRunWrite[] {
    return [...this.#writes];
  }

  getInstrument(symbol: string, options?: CallOptions): Promise<InstrumentRules> {
    return this.#inner.getInstrument(symbol, options);
  }

  getReferencePrice(symbol: string, options?: CallOptions): Promise<Decimal> {
    return this.#inner.getReferencePrice(symbol, options);
  }

  fetchOpenOrders(symbol?: string, options?: CallOptions): Promise<VenueOrder[]> {
    return this.#inner.fetchOpenOrders(symbol, options);
  }

  fetchBalances(options?: CallOptions): Promise<readonly VenueBalance[] | null> {
    return this.#inner.fetchBalances(options);
  }

  async fetchOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder | undefined> {
    return this.#orders.get(clientOrderId) ?? this.#inner.fetchOrder(clientOrderId, symbol, options);
  }

  async placeOrder(request: OrderRequest, options?: CallOptions): Promise<VenueOrder> {
    this.#writes.push({ action: 'PLACE', request });
    const existing = this.#orders.get(request.client_order_id);
    if (existing) return existing;
    const now = isoTime(this.#clock.now());
    const base: VenueOrder = {
      client_order_id: request.client_order_id,
      venue_order_id: `DRY-${++this.#seq}`,
      symbol: request.symbol,
      side: request.side,
      order_type: request.order_type,
      quantity: request.quantity,
      limit_price: request.limit_price ?? null,
      stop_price: request.stop_price ?? null,
      status: 'OPEN',
      filled_quantity: ZERO,
      average_fill_price: null,
      fills: [],
      reject_reason: null,
      created_at: now,
      updated_at: now,
    };
    let order = base;
    if (request.order_type === 'MARKET') {
      const price = await this.#inner.getReferencePrice(request.symbol, options);
      const rules = await this.#inner.getInstrument(request.symbol, options);
      order = {
        ...base,
        status: 'FILLED',
        filled_quantity: request.quantity,
        average_fill_price: price,
        fills: [{ venue_trade_id: `DRY-${this.#seq}-1`, client_order_id: request.client_order_id, quantity: request.quantity, price, fee: ZERO, fee_asset: rules.quote_asset, executed_at: now }],
      };
    }
    this.#orders.set(request.client_order_id, order);
    return order;
  }

  async cancelOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder> {
    this.#writes.push({ action: 'CANCEL', client_order_id: clientOrderId, symbol });
    const order = await this.#known(clientOrderId, symbol, options);
    if (order.status !== 'OPEN' && order.status !== 'PARTIALLY_FILLED') return order;
    const cancelled: VenueOrder = { ...order, status: 'CANCELLED', updated_at: isoTime(this.#clock.now()) };
    this.#orders.set(clientOrderId, cancelled);
    return cancelled;
  }

  async amendOrder(clientOrderId: string, symbol: string, changes: AmendRequest, options?: CallOptions): Promise<VenueOrder> {
    this.#writes.push({ action: 'AMEND', client_order_id: clientOrderId, symbol, changes });
    const order = await this.#known(clientOrderId, symbol, options);
    const amended: VenueOrder = {
      ...order,
      quantity: changes.quantity ?? order.quantity,
      limit_price: changes.limit_price ?? order.limit_price,
      stop_price: changes.stop_price ?? order.stop_price,
      updated_at: isoTime(this.#clock.now()),
    };
    this.#orders.set(clientOrderId, amended);
    return amended;
  }

  onExecution(_listener: ExecutionListener): () => void {
    return () => undefined;
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  /** An order the dry run placed, or one the venue has; an unknown one is refused as a venue would. */
  async #known(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder> {
    const order = this.#orders.get(clientOrderId) ?? (await this.#inner.fetchOrder(clientOrderId, symbol, options));
    if (!order) throw new VenueRejected(`unknown order ${clientOrderId}`, VenueRejectCode.UNKNOWN_ORDER, { client_order_id: clientOrderId });
    return order;
  }
}
