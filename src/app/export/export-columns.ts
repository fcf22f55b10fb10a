import type { FillRecordWire, OrderRecordWire, PositionWire } from '../../domain/wire.js';
import type { ExportKind } from './export-request.js';

/**
 * The fixed CSV header of each kind: every field of its wire object, in this order (a test
 * checks the lists against the wire schemas, so a new field cannot be left out silently).
 */
export const TRADE_COLUMNS = [
  'trade_id', 'strategy_id', 'symbol', 'direction', 'status', 'entry_price', 'position_size', 'filled_size',
  'remaining_size', 'average_entry_price', 'stop_loss', 'take_profit', 'protection', 'exit_price', 'close_reason',
  'realized_pnl', 'fees', 'fees_by_asset', 'opened_at', 'closed_at', 'updated_at', 'opened_by', 'last_directive_id',
] as const satisfies readonly (keyof PositionWire)[];

export const ORDER_COLUMNS = [
  'client_order_id', 'venue_order_id', 'trade_id', 'directive_id', 'purpose', 'symbol', 'side', 'order_type',
  'time_in_force', 'quantity', 'limit_price', 'stop_price', 'reduce_only', 'status', 'filled_quantity',
  'average_fill_price', 'reject_reason', 'created_at', 'updated_at',
] as const satisfies readonly (keyof OrderRecordWire)[];

export const FILL_COLUMNS = [
  'fill_id', 'venue', 'venue_trade_id', 'client_order_id', 'trade_id', 'directive_id', 'symbol', 'side',
  'quantity', 'price', 'fee', 'fee_asset', 'executed_at',
] as const satisfies readonly (keyof FillRecordWire)[];

/** The journal envelope; `body` is one cell holding the entry's body as JSON. */
export const JOURNAL_COLUMNS = [
  'seq', 'entry_id', 'event_type', 'flow_id', 'directive_id', 'strategy_id', 'timestamp', 'correlation_id',
  'causation_id', 'body', 'prev_hash', 'hash',
] as const;

export const EXPORT_COLUMNS: { readonly [K in ExportKind]: readonly string[] } = {
  trades: TRADE_COLUMNS,
  orders: ORDER_COLUMNS,
  fills: FILL_COLUMNS,
  journal: JOURNAL_COLUMNS,
};
