import { markOf, NO_MARKS, upnlOf, type Marks } from '../app/position-json.js';
import type { PositionTotals } from '../app/position-totals.js';
import { type Decimal, decimalToWire } from '../domain/decimal.js';
import { symbolAssets } from '../domain/position-math.js';
import type { Position } from '../domain/trading.js';
import { renderTable } from './table.js';

const show = (d: Decimal | null): string => (d === null ? '-' : decimalToWire(d));

/** Marks an open trade's stop or target that is asked for but does not rest at the venue yet (entry not filled). */
export const NOT_YET_PLACED = '*';

/**
 * A stop or target of an open trade reads as a plain price only when it rests at the venue:
 * MISSING when the venue refused it, `price*` while it waits for the entry to fill. A closed
 * trade shows what it had.
 */
function protective(p: Position, d: Decimal | null): string {
  if (d === null || p.status !== 'OPEN' || p.protection === 'LIVE') return show(d);
  return p.protection === 'MISSING' ? 'MISSING' : `${show(d)}${NOT_YET_PLACED}`;
}

/** Marks an open trade whose mark price is not known. */
export const NO_MARK = '?';

/** The footnotes the table needs: rows carrying NOT_YET_PLACED, and why a mark is unknown (one line per symbol). */
export function positionsFootnote(positions: readonly Position[], marks?: Marks): string | null {
  const notes: string[] = [];
  const waiting = positions.some((p) => p.status === 'OPEN' && p.protection === 'NONE' && (p.stop_loss !== null || p.take_profit !== null));
  if (waiting) notes.push(`${NOT_YET_PLACED} stop / target asked for, placed at the venue once the entry fills`);
  if (marks !== undefined) {
    const open = [...new Set(positions.filter((p) => p.status === 'OPEN').map((p) => p.symbol))];
    for (const symbol of open) {
      const mark = marks.get(symbol);
      if (mark?.price == null) notes.push(`${NO_MARK} no mark for ${symbol}: ${mark?.unknown ?? 'no price source was asked'}`);
    }
  }
  return notes.length === 0 ? null : notes.join('\n');
}

/** Money for people: two decimals (the JSON keeps every digit). */
export function money(d: Decimal): string {
  return d.toFixed(2);
}

/** Fees in assets other than the quote (`0.00001 BTC, 0.0002 BNB`), every digit: they are not in FEES. */
function otherFees(p: Position): string {
  const quote = symbolAssets(p.symbol).quote;
  const other = Object.keys(p.fees_by_asset)
    .filter((asset) => asset !== quote && !(p.fees_by_asset[asset] as Decimal).isZero())
    .sort()
    .map((asset) => `${decimalToWire(p.fees_by_asset[asset] as Decimal)} ${asset}`);
  return other.length === 0 ? '-' : other.join(', ');
}

/** The mark cell: a price, `?` for an open trade without one (footnoted), `-` for a closed trade. */
function markCell(p: Position, marks: Marks | undefined): string {
  if (p.status !== 'OPEN') return '-';
  const mark = markOf(p, marks ?? NO_MARKS);
  return mark === null ? NO_MARK : decimalToWire(mark);
}

function upnlCell(p: Position, marks: Marks | undefined): string {
  if (p.status !== 'OPEN') return '-';
  const upnl = upnlOf(p, marks ?? NO_MARKS);
  return upnl === null ? (markOf(p, marks ?? NO_MARKS) === null ? NO_MARK : '-') : money(upnl);
}

export function positionsTable(positions: readonly Position[], marks?: Marks): string {
  return renderTable<Position>(
    [
      { header: 'TRADE', value: (p) => p.trade_id },
      { header: 'STRATEGY', value: (p) => p.strategy_id },
      { header: 'SYMBOL', value: (p) => p.symbol },
      { header: 'SIDE', value: (p) => p.direction },
      { header: 'STATUS', value: (p) => p.status },
      { header: 'HELD/SIZE', value: (p) => `${decimalToWire(p.filled_size)}/${decimalToWire(p.position_size)}`, align: 'right' },
      // the average of every fill that added to the trade: the price PnL is booked against
      { header: 'ENTRY', value: (p) => show(p.average_entry_price ?? p.entry_price), align: 'right' },
      { header: 'STOP', value: (p) => protective(p, p.stop_loss), align: 'right' },
      { header: 'TARGET', value: (p) => protective(p, p.take_profit), align: 'right' },
      { header: 'MARK', value: (p) => markCell(p, marks), align: 'right' },
      { header: 'UPNL', value: (p) => upnlCell(p, marks), align: 'right' },
      { header: 'EXIT', value: (p) => show(p.exit_price), align: 'right' },
      { header: 'REASON', value: (p) => p.close_reason ?? '-' },
      { header: 'PNL', value: (p) => money(p.realized_pnl), align: 'right' },
      { header: 'FEES', value: (p) => money(p.fees), align: 'right' },
      { header: 'OTHER FEES', value: otherFees },
    ],
    positions,
  );
}

export function totalsLine(t: PositionTotals): string {
  return `${t.total} position${t.total === 1 ? '' : 's'}: ${t.open} open, ${t.closed} closed; realised PnL ${money(t.realized_pnl)}, fees ${money(t.fees)}, net ${money(t.net_pnl)}`;
}
