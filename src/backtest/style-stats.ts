import { Decimal, decimalToWire, ZERO } from '../domain/decimal.js';
import type { JournalEntry } from '../ports/journal.js';

/** How the entries of one style went in one run: what the report's execution table shows. */
export interface StyleRow {
  /** The run: `as written`, or the style every entry was replayed with (`--style`). */
  readonly run: string;
  readonly style: string;
  /** NEW_TRADE entries executed with this style. */
  readonly entries: number;
  readonly childOrders: number;
  readonly plannedQuantity: string;
  readonly filledQuantity: string;
  /** Filled ÷ planned. */
  readonly fillRatio: string | null;
  /** Quantity-weighted implementation shortfall against each entry's decision price; positive = paid more than decided. */
  readonly shortfallBps: string | null;
  /** What the shortfall cost in the quote asset (negative: saved). */
  readonly shortfallCost: string;
  /** The run's net P&L, for comparing replays of one file (the same on every row of a run). */
  readonly runNetPnl: string | null;
}

interface Tally {
  entries: number;
  children: number;
  planned: Decimal;
  filled: Decimal;
  cost: Decimal;
  decided: Decimal;
}

/** Per style, from the causality entries (TRADE_OPENED `execution` blocks) of a run's journal. */
export function styleRows(entries: readonly JournalEntry[], run: string, runNetPnl: string | null): StyleRow[] {
  const tallies = new Map<string, Tally>();
  for (const entry of entries) {
    if (entry.event_type !== 'TRADE_OPENED') continue;
    const execution = entry.body['execution'];
    if (typeof execution !== 'object' || execution === null) continue;
    const e = execution as Record<string, unknown>;
    const style = typeof e['style'] === 'string' ? e['style'] : 'SINGLE';
    const tally = tallies.get(style) ?? { entries: 0, children: 0, planned: ZERO, filled: ZERO, cost: ZERO, decided: ZERO };
    tally.entries += 1;
    tally.children += typeof e['child_orders'] === 'number' ? e['child_orders'] : 0;
    const filled = decimal(e['filled_quantity']) ?? ZERO;
    tally.planned = tally.planned.plus(decimal(e['planned_quantity']) ?? ZERO);
    tally.filled = tally.filled.plus(filled);
    const decision = decimal(e['decision_price']);
    const average = decimal(e['average_fill_price']);
    const side = sideOf(entry.body);
    if (decision && average && side && filled.gt(0)) {
      const diff = side === 'BUY' ? average.minus(decision) : decision.minus(average);
      tally.cost = tally.cost.plus(diff.times(filled));
      tally.decided = tally.decided.plus(decision.times(filled));
    }
    tallies.set(style, tally);
  }
  return [...tallies.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([style, t]) => ({
      run,
      style,
      entries: t.entries,
      childOrders: t.children,
      plannedQuantity: decimalToWire(t.planned),
      filledQuantity: decimalToWire(t.filled),
      fillRatio: t.planned.isZero() ? null : decimalToWire(t.filled.div(t.planned).toDecimalPlaces(4)),
      shortfallBps: t.decided.isZero() ? null : decimalToWire(t.cost.div(t.decided).times(10_000).toDecimalPlaces(2)),
      shortfallCost: decimalToWire(t.cost.toDecimalPlaces(8)),
      runNetPnl,
    }));
}

/** A journaled decimal: wire text once read back from a database, still a Decimal in an in-memory journal. */
function decimal(value: unknown): Decimal | null {
  if (Decimal.isDecimal(value)) return value as Decimal;
  return typeof value === 'string' && value !== '' ? new Decimal(value) : null;
}

function sideOf(body: Readonly<Record<string, unknown>>): 'BUY' | 'SELL' | null {
  const entry = body['entry_plan'];
  if (typeof entry !== 'object' || entry === null) return null;
  const direction = (entry as Record<string, unknown>)['direction'];
  return direction === 'BUY' || direction === 'SELL' ? direction : null;
}
