import { Decimal, decimalToWire, isDecimal } from '../../domain/decimal.js';
import { LedgerError } from '../../domain/errors.js';
import type { Anomaly, FillRecord, OrderRecord, Position } from '../../domain/trading.js';

/**
 * Domain records ↔ SQLite rows. Decimals are stored as their canonical wire text and read back
 * with `new Decimal(text)`, so they round-trip exactly; booleans are 0/1.
 */

export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

export const POSITION_COLUMNS = [
  'trade_id', 'strategy_id', 'symbol', 'direction', 'status', 'entry_price', 'position_size', 'filled_size',
  'remaining_size', 'average_entry_price', 'stop_loss', 'take_profit', 'exit_price', 'close_reason',
  'realized_pnl', 'fees', 'opened_at', 'closed_at', 'updated_at', 'opened_by', 'last_directive_id', 'protection',
  'fees_by_asset',
] as const;

export const ORDER_COLUMNS = [
  'client_order_id', 'venue_order_id', 'trade_id', 'directive_id', 'purpose', 'symbol', 'side', 'order_type',
  'time_in_force', 'quantity', 'limit_price', 'stop_price', 'reduce_only', 'status', 'filled_quantity',
  'average_fill_price', 'reject_reason', 'created_at', 'updated_at',
] as const;

export const FILL_COLUMNS = [
  'fill_id', 'venue', 'venue_trade_id', 'client_order_id', 'trade_id', 'directive_id', 'symbol', 'side',
  'quantity', 'price', 'fee', 'fee_asset', 'executed_at',
] as const;

function text(value: Decimal, field: string): string {
  // A JS number has .toFixed() too and would be silently rounded: refuse anything but a Decimal.
  if (!isDecimal(value)) throw new LedgerError(`${field} must be a Decimal, got ${typeof value}`, { field });
  return decimalToWire(value);
}

function optionalText(value: Decimal | null, field: string): string | null {
  return value === null || value === undefined ? null : text(value, field);
}

function dec(value: SqlValue | undefined): Decimal {
  return new Decimal(String(value));
}

function optionalDec(value: SqlValue | undefined): Decimal | null {
  return value === null || value === undefined ? null : new Decimal(String(value));
}

function str(value: SqlValue | undefined): string {
  return String(value);
}

function optionalStr(value: SqlValue | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** Fees per asset as a JSON object of decimal strings, keys sorted (one text per value). */
export function feesByAssetText(fees: Readonly<Record<string, Decimal>>): string {
  const out: Record<string, string> = {};
  for (const asset of Object.keys(fees).sort()) out[asset] = text(fees[asset] as Decimal, `fees_by_asset.${asset}`);
  return JSON.stringify(out);
}

function feesByAssetOf(value: SqlValue | undefined): Record<string, Decimal> {
  const parsed = JSON.parse(value === null || value === undefined ? '{}' : String(value)) as Record<string, string>;
  return Object.fromEntries(Object.entries(parsed).map(([asset, fee]) => [asset, new Decimal(fee)]));
}

export function positionToRow(p: Position): Row {
  return {
    trade_id: p.trade_id,
    strategy_id: p.strategy_id,
    symbol: p.symbol,
    direction: p.direction,
    status: p.status,
    entry_price: optionalText(p.entry_price, 'entry_price'),
    position_size: text(p.position_size, 'position_size'),
    filled_size: text(p.filled_size, 'filled_size'),
    remaining_size: text(p.remaining_size, 'remaining_size'),
    average_entry_price: optionalText(p.average_entry_price, 'average_entry_price'),
    stop_loss: optionalText(p.stop_loss, 'stop_loss'),
    take_profit: optionalText(p.take_profit, 'take_profit'),
    protection: p.protection,
    exit_price: optionalText(p.exit_price, 'exit_price'),
    close_reason: p.close_reason ?? null,
    realized_pnl: text(p.realized_pnl, 'realized_pnl'),
    fees: text(p.fees, 'fees'),
    fees_by_asset: feesByAssetText(p.fees_by_asset),
    opened_at: p.opened_at,
    closed_at: p.closed_at ?? null,
    updated_at: p.updated_at,
    opened_by: p.opened_by,
    last_directive_id: p.last_directive_id ?? null,
  };
}

export function rowToPosition(r: Row): Position {
  return {
    trade_id: str(r.trade_id),
    strategy_id: str(r.strategy_id),
    symbol: str(r.symbol),
    direction: str(r.direction) as Position['direction'],
    status: str(r.status) as Position['status'],
    entry_price: optionalDec(r.entry_price),
    position_size: dec(r.position_size),
    filled_size: dec(r.filled_size),
    remaining_size: dec(r.remaining_size),
    average_entry_price: optionalDec(r.average_entry_price),
    stop_loss: optionalDec(r.stop_loss),
    take_profit: optionalDec(r.take_profit),
    protection: str(r.protection) as Position['protection'],
    exit_price: optionalDec(r.exit_price),
    close_reason: optionalStr(r.close_reason),
    realized_pnl: dec(r.realized_pnl),
    fees: dec(r.fees),
    fees_by_asset: feesByAssetOf(r.fees_by_asset),
    opened_at: str(r.opened_at),
    closed_at: optionalStr(r.closed_at),
    updated_at: str(r.updated_at),
    opened_by: str(r.opened_by),
    last_directive_id: optionalStr(r.last_directive_id),
  };
}

export function orderToRow(o: OrderRecord): Row {
  return {
    client_order_id: o.client_order_id,
    venue_order_id: o.venue_order_id ?? null,
    trade_id: o.trade_id,
    directive_id: o.directive_id ?? null,
    purpose: o.purpose,
    symbol: o.symbol,
    side: o.side,
    order_type: o.order_type,
    time_in_force: o.time_in_force,
    quantity: text(o.quantity, 'quantity'),
    limit_price: optionalText(o.limit_price, 'limit_price'),
    stop_price: optionalText(o.stop_price, 'stop_price'),
    reduce_only: o.reduce_only ? 1 : 0,
    status: o.status,
    filled_quantity: text(o.filled_quantity, 'filled_quantity'),
    average_fill_price: optionalText(o.average_fill_price, 'average_fill_price'),
    reject_reason: o.reject_reason ?? null,
    created_at: o.created_at,
    updated_at: o.updated_at,
  };
}

export function rowToOrder(r: Row): OrderRecord {
  return {
    client_order_id: str(r.client_order_id),
    venue_order_id: optionalStr(r.venue_order_id),
    trade_id: str(r.trade_id),
    directive_id: optionalStr(r.directive_id),
    purpose: str(r.purpose) as OrderRecord['purpose'],
    symbol: str(r.symbol),
    side: str(r.side) as OrderRecord['side'],
    order_type: str(r.order_type) as OrderRecord['order_type'],
    time_in_force: str(r.time_in_force) as OrderRecord['time_in_force'],
    quantity: dec(r.quantity),
    limit_price: optionalDec(r.limit_price),
    stop_price: optionalDec(r.stop_price),
    reduce_only: r.reduce_only === 1,
    status: str(r.status) as OrderRecord['status'],
    filled_quantity: dec(r.filled_quantity),
    average_fill_price: optionalDec(r.average_fill_price),
    reject_reason: optionalStr(r.reject_reason),
    created_at: str(r.created_at),
    updated_at: str(r.updated_at),
  };
}

export function fillToRow(f: FillRecord): Row {
  return {
    fill_id: f.fill_id,
    venue: f.venue,
    venue_trade_id: f.venue_trade_id,
    client_order_id: f.client_order_id,
    trade_id: f.trade_id,
    directive_id: f.directive_id ?? null,
    symbol: f.symbol,
    side: f.side,
    quantity: text(f.quantity, 'quantity'),
    price: text(f.price, 'price'),
    fee: text(f.fee, 'fee'),
    fee_asset: f.fee_asset,
    executed_at: f.executed_at,
  };
}

export function rowToFill(r: Row): FillRecord {
  return {
    fill_id: str(r.fill_id),
    venue: str(r.venue),
    venue_trade_id: str(r.venue_trade_id),
    client_order_id: str(r.client_order_id),
    trade_id: str(r.trade_id),
    directive_id: optionalStr(r.directive_id),
    symbol: str(r.symbol),
    side: str(r.side) as FillRecord['side'],
    quantity: dec(r.quantity),
    price: dec(r.price),
    fee: dec(r.fee),
    fee_asset: str(r.fee_asset),
    executed_at: str(r.executed_at),
  };
}

export function anomalyToRow(a: Anomaly, directiveId: string | null): Row {
  return {
    kind: a.kind,
    trade_id: a.trade_id ?? null,
    client_order_id: a.client_order_id ?? null,
    directive_id: directiveId,
    message: a.message,
    details: JSON.stringify(a.details ?? {}),
    detected_at: a.detected_at,
  };
}

export function rowToAnomaly(r: Row): Anomaly {
  return {
    kind: str(r.kind) as Anomaly['kind'],
    trade_id: optionalStr(r.trade_id),
    client_order_id: optionalStr(r.client_order_id),
    message: str(r.message),
    details: JSON.parse(str(r.details)) as Anomaly['details'],
    detected_at: str(r.detected_at),
  };
}

/** `INSERT … ON CONFLICT(key) DO UPDATE SET every other column`: rows are full states. */
export function upsertSql(table: string, columns: readonly string[], key: string): string {
  const names = columns.join(', ');
  const values = columns.map((c) => `@${c}`).join(', ');
  const updates = columns.filter((c) => c !== key).map((c) => `${c} = excluded.${c}`).join(', ');
  return `INSERT INTO ${table} (${names}) VALUES (${values}) ON CONFLICT (${key}) DO UPDATE SET ${updates}`;
}

/** SQL expression giving the row as a JSON object (a before-image). */
export function jsonObjectSql(columns: readonly string[]): string {
  return `json_object(${columns.map((c) => `'${c}', ${c}`).join(', ')})`;
}
