import { unrealizedPnl, type Mark } from './position-marks.js';
import { type Decimal, decimalToWire } from '../domain/decimal.js';
import type { Position } from '../domain/trading.js';

/** A position as `planexec positions --json` prints it: the contract's fields, decimals as strings. */
export interface PositionJson {
  readonly trade_id: string;
  readonly strategy_id: string;
  readonly symbol: string;
  readonly direction: string;
  readonly entry_price: string | null;
  readonly position_size: string;
  readonly stop_loss: string | null;
  readonly take_profit: string | null;
  /** NONE, LIVE or MISSING: whether stop_loss / take_profit rest at the venue. */
  readonly protection: string;
  readonly status: string;
  readonly exit_price: string | null;
  readonly close_reason: string | null;
  readonly realized_pnl: string;
  readonly fees: string;
  /** Every fee per asset, as the venue took it (quote-asset fees are in `fees` too). */
  readonly fees_by_asset: Readonly<Record<string, string>>;
  readonly opened_at: string;
  readonly closed_at: string | null;
  readonly filled_size: string;
  readonly remaining_size: string;
  readonly average_entry_price: string | null;
  /** Open trades: the price the trade is marked at; null when closed or no price is known. */
  readonly mark: string | null;
  /** Open trades: (mark − entry) × held, sign by direction, in the quote asset; null when closed or no mark. */
  readonly unrealized_pnl: string | null;
}

/** Marks by symbol; a symbol missing is unknown. */
export type Marks = ReadonlyMap<string, Mark>;

export const NO_MARKS: Marks = new Map();

/** An open trade's mark; null when closed or no price is known. */
export function markOf(p: Position, marks: Marks): Decimal | null {
  return p.status === 'OPEN' ? (marks.get(p.symbol)?.price ?? null) : null;
}

/** An open trade's unrealized PnL at its mark; null when closed, unmarked or nothing filled. */
export function upnlOf(p: Position, marks: Marks): Decimal | null {
  const mark = markOf(p, marks);
  return mark === null ? null : unrealizedPnl(p, mark);
}

const wire = (d: Decimal | null): string | null => (d === null ? null : decimalToWire(d));

export function positionJson(p: Position, marks: Marks = NO_MARKS): PositionJson {
  return {
    trade_id: p.trade_id,
    strategy_id: p.strategy_id,
    symbol: p.symbol,
    direction: p.direction,
    entry_price: wire(p.entry_price),
    position_size: decimalToWire(p.position_size),
    stop_loss: wire(p.stop_loss),
    take_profit: wire(p.take_profit),
    protection: p.protection,
    status: p.status,
    exit_price: wire(p.exit_price),
    close_reason: p.close_reason,
    realized_pnl: decimalToWire(p.realized_pnl),
    fees: decimalToWire(p.fees),
    fees_by_asset: Object.fromEntries(Object.keys(p.fees_by_asset).sort().map((asset) => [asset, decimalToWire(p.fees_by_asset[asset] as Decimal)])),
    opened_at: p.opened_at,
    closed_at: p.closed_at,
    filled_size: decimalToWire(p.filled_size),
    remaining_size: decimalToWire(p.remaining_size),
    average_entry_price: wire(p.average_entry_price),
    mark: wire(markOf(p, marks)),
    unrealized_pnl: wire(upnlOf(p, marks)),
  };
}
