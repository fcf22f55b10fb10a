import type { Decimal } from './decimal.js';
import type { Direction, OrderPurpose, OrderStatus, OrderType, PositionStatus, Protection, TimeInForce } from './enums.js';

/**
 * Ledger records. Field names are the wire's (snake_case); decimals are Decimal here and strings
 * on the wire (`toWire`). Times are ISO-8601 UTC strings.
 */

/** One trade (the spec's Position) with what the ledger knows of its fills and exit. */
export interface Position {
  readonly trade_id: string;
  readonly strategy_id: string;
  readonly symbol: string;
  readonly direction: Direction;
  readonly status: PositionStatus;
  /** Volume-weighted average price of the held size (= average_entry_price); null until something filled. */
  readonly entry_price: Decimal | null;
  /** Target size asked for (absolute, base asset). */
  readonly position_size: Decimal;
  /** Size currently held (base asset): entry fills plus increases minus reductions, net of base-asset fees. */
  readonly filled_size: Decimal;
  /** Still to fill towards position_size, in gross order quantity (0 when the position is at its target). */
  readonly remaining_size: Decimal;
  /** Volume-weighted average price of every fill that increased the position. */
  readonly average_entry_price: Decimal | null;
  /** The stop loss / take profit asked for; whether they rest at the venue is `protection`. */
  readonly stop_loss: Decimal | null;
  readonly take_profit: Decimal | null;
  /** MISSING: stop_loss / take_profit are asked for but not (all) live at the venue. */
  readonly protection: Protection;
  readonly exit_price: Decimal | null;
  readonly close_reason: string | null;
  readonly realized_pnl: Decimal;
  /** Fees paid in the quote asset (realised PnL is gross: net = realized_pnl − fees). */
  readonly fees: Decimal;
  /**
   * Every fee paid, per asset, as the venue took it (never converted): quote-asset fees are in
   * `fees` too; base-asset fees are what filled_size is net of (position-math.ts).
   */
  readonly fees_by_asset: Readonly<Record<string, Decimal>>;
  readonly opened_at: string;
  readonly closed_at: string | null;
  readonly updated_at: string;
  /** The directive that opened it (= trade_id for NEW_TRADE) and the one that changed it last. */
  readonly opened_by: string;
  readonly last_directive_id: string | null;
}

/** One order leg sent (or about to be sent) to the venue. */
export interface OrderRecord {
  readonly client_order_id: string;
  readonly venue_order_id: string | null;
  readonly trade_id: string;
  readonly directive_id: string | null;
  readonly purpose: OrderPurpose;
  readonly symbol: string;
  readonly side: Direction;
  readonly order_type: OrderType;
  readonly time_in_force: TimeInForce;
  readonly quantity: Decimal;
  readonly limit_price: Decimal | null;
  readonly stop_price: Decimal | null;
  readonly reduce_only: boolean;
  readonly status: OrderStatus;
  readonly filled_quantity: Decimal;
  readonly average_fill_price: Decimal | null;
  readonly reject_reason: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

/** One execution at the venue; unique by (venue, venue_trade_id). */
export interface FillRecord {
  readonly fill_id: string;
  readonly venue: string;
  readonly venue_trade_id: string;
  readonly client_order_id: string;
  readonly trade_id: string;
  readonly directive_id: string | null;
  readonly symbol: string;
  readonly side: Direction;
  readonly quantity: Decimal;
  readonly price: Decimal;
  /** Fee in fee_asset, booked in that asset (Position.fees_by_asset); never converted. */
  readonly fee: Decimal;
  readonly fee_asset: string;
  readonly executed_at: string;
}

/** Something that must not happen but did (overfill, drift): recorded and alerted, never a crash. */
export interface Anomaly {
  readonly kind: 'OVERFILL' | 'UNKNOWN_ORDER_FILL' | 'POSITION_MISMATCH' | 'JOURNAL_FALLBACK' | 'OTHER';
  readonly trade_id: string | null;
  readonly client_order_id: string | null;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly detected_at: string;
}
