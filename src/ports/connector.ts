import type { Decimal } from '../domain/decimal.js';
import type { Direction, OrderStatus, OrderType, TimeInForce } from '../domain/enums.js';

/**
 * IAPIConnector: one venue (exchange, broker, simulator). Order-level, not directive-level: the
 * orchestrator turns a directive into order legs, each with a deterministic client order id.
 * Connectors do not own planexec state; they translate and report.
 *
 * Errors a connector throws (src/domain/errors.ts):
 * - VenueRejected: the venue refused (insufficient funds, invalid order): never retried.
 * - TransientError: definitively not processed (rate limit, busy, refused before send): retried.
 * - UnknownOutcomeError: may have taken effect (timeout after send): resolved by fetchOrder.
 * - RiskDenied: the connector refused locally before sending (instrument rules).
 */

export interface ConnectorCapabilities {
  /** Re-sending a submit with the same client order id cannot create a second order. */
  readonly idempotentSubmit: boolean;
  /** Stop-loss and take-profit rest at the venue as native orders. */
  readonly nativeStops: boolean;
  /** Orders may fill in several parts. */
  readonly partialFills: boolean;
  /** Price/quantity of a resting order can be changed in place (else cancel/replace). */
  readonly amendOrders: boolean;
  /** Orders can be looked up by our client order id. */
  readonly fetchByClientOrderId: boolean;
  /**
   * How the venue keeps positions. `hedge`: each position_id (planexec sends the trade id) is its
   * own position, so a BUY trade and a SELL trade on one symbol live side by side and a reduce-only
   * order reduces only its own trade. `netting`: one net position per symbol; a reduce-only order
   * is checked against that net, so opposite trades on one symbol cannot both be protected (the
   * orchestrator denies such a NEW_TRADE with NETTING_CONFLICT before sending anything).
   */
  readonly positionMode: PositionMode;
  /**
   * A SELL entry may open a short (derivatives, margin, the paper venue). false on a spot
   * market: a SELL can only sell what the account holds, so a SELL entry is denied before sending.
   */
  readonly shortSelling: boolean;
  /**
   * The venue itself refuses a MARKET fill further than max_slippage_pct from its reference (the
   * paper venue). Without it, a capped MARKET entry is sent as a LIMIT IOC at the bound instead,
   * so the cap still holds.
   */
  readonly marketSlippageCap: boolean;
  /** A LIMIT can be sent post-only (OrderRequest.post_only): refused instead of taking liquidity. */
  readonly postOnly: boolean;
  /** The venue rests an iceberg itself (OrderRequest.display_quantity); otherwise planexec slices one. */
  readonly nativeIceberg: boolean;
}

export type PositionMode = 'hedge' | 'netting';

/** Trading rules of one instrument; amounts are rounded to these before any check or send. */
export interface InstrumentRules {
  readonly symbol: string;
  readonly base_asset: string;
  readonly quote_asset: string;
  readonly tick_size: Decimal;
  readonly lot_size: Decimal;
  readonly min_quantity: Decimal;
  readonly min_notional: Decimal;
  /** Largest quantity one order may carry; null = the venue sets none. */
  readonly max_quantity: Decimal | null;
}

export interface OrderRequest {
  readonly client_order_id: string;
  readonly symbol: string;
  readonly side: Direction;
  readonly order_type: OrderType;
  readonly quantity: Decimal;
  readonly limit_price?: Decimal;
  /** Trigger price for STOP_LIMIT and STOP_MARKET (protective stop loss). */
  readonly stop_price?: Decimal;
  readonly time_in_force: TimeInForce;
  /** Only reduces an existing exposure (protective and closing orders). */
  readonly reduce_only: boolean;
  /**
   * The position the order belongs to: planexec's trade id, filled in by the order executor for
   * every leg. A hedge-mode venue keeps one position per position_id (a non-reduce-only order
   * grows it, a reduce-only order may only reduce it); a netting venue ignores it.
   */
  readonly position_id?: string;
  /** Market orders: refuse fills worse than reference × (1 ± this). */
  readonly max_slippage_pct?: Decimal;
  /** A LIMIT that must rest: the venue refuses it (POST_ONLY_WOULD_CROSS) rather than let it take liquidity. */
  readonly post_only?: boolean;
  /** Native iceberg: only this much of the quantity is shown (ConnectorCapabilities.nativeIceberg). */
  readonly display_quantity?: Decimal;
}

export interface VenueFill {
  /** The venue's trade id: fills are deduplicated by it. */
  readonly venue_trade_id: string;
  readonly client_order_id: string;
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly fee: Decimal;
  readonly fee_asset: string;
  readonly executed_at: string;
}

/** The venue's view of one order. */
export interface VenueOrder {
  readonly client_order_id: string;
  readonly venue_order_id: string;
  readonly symbol: string;
  readonly side: Direction;
  readonly order_type: OrderType;
  readonly quantity: Decimal;
  readonly limit_price: Decimal | null;
  readonly stop_price: Decimal | null;
  readonly status: Exclude<OrderStatus, 'IN_DOUBT' | 'PENDING'>;
  readonly filled_quantity: Decimal;
  readonly average_fill_price: Decimal | null;
  /** Every fill so far, oldest first. */
  readonly fills: readonly VenueFill[];
  readonly reject_reason: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface AmendRequest {
  readonly quantity?: Decimal;
  readonly limit_price?: Decimal;
  readonly stop_price?: Decimal;
}

export interface CallOptions {
  /** Aborted when the attempt's or the execution's time is up: stop work, throw. */
  readonly signal?: AbortSignal;
}

/** A change the venue reports on its own (resting order filled, protective stop triggered). */
export interface ExecutionReport {
  readonly order: VenueOrder;
  /** Fills new since the previous report for this order. */
  readonly new_fills: readonly VenueFill[];
}

export type ExecutionListener = (report: ExecutionReport) => void;

/** One asset of the account at the venue. */
export interface VenueBalance {
  readonly asset: string;
  /** Available for new orders. */
  readonly free: Decimal;
  /** Held by open orders. */
  readonly locked: Decimal;
}

export interface IAPIConnector {
  /** Stable venue name, part of fill identity (`paper`, `binance`, …). */
  readonly venue: string;
  readonly capabilities: ConnectorCapabilities;

  getInstrument(symbol: string, options?: CallOptions): Promise<InstrumentRules>;
  /** Last traded / mark price, for market-order checks and PnL. */
  getReferencePrice(symbol: string, options?: CallOptions): Promise<Decimal>;

  placeOrder(request: OrderRequest, options?: CallOptions): Promise<VenueOrder>;
  /** Cancelling an order that is already final returns its final state (not an error). */
  cancelOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder>;
  amendOrder(clientOrderId: string, symbol: string, changes: AmendRequest, options?: CallOptions): Promise<VenueOrder>;
  /** undefined = the venue does not (yet) know the order. Fresh orders may be "not found" for a while. */
  fetchOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder | undefined>;
  fetchOpenOrders(symbol?: string, options?: CallOptions): Promise<VenueOrder[]>;
  /** The account's balances; null when the venue keeps positions rather than an account (the paper venue). */
  fetchBalances(options?: CallOptions): Promise<readonly VenueBalance[] | null>;

  /** Venue-initiated changes (fills of resting orders, triggered stops). Returns an unsubscribe function. */
  onExecution(listener: ExecutionListener): () => void;

  close(): Promise<void>;
}
