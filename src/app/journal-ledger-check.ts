import type { JournalReplay } from '../orchestration/journal-replay.js';
import type { FillRecord, OrderRecord, Position } from '../domain/trading.js';
import { sameValue, valueText, type VerifyDifference } from './verify-differences.js';

/**
 * Every field of a trade the journal determines. Times (opened_at, closed_at, updated_at) and
 * last_directive_id are not compared: the ledger stamps them with its own clock, a moment away
 * from the entry's.
 */
export const POSITION_FIELDS = [
  'strategy_id',
  'symbol',
  'direction',
  'status',
  'position_size',
  'filled_size',
  'remaining_size',
  'entry_price',
  'average_entry_price',
  'stop_loss',
  'take_profit',
  'exit_price',
  'close_reason',
  'realized_pnl',
  'fees',
  'fees_by_asset',
  'opened_by',
] as const satisfies readonly (keyof Position)[];

/** Every field of an order the journal determines (reject reasons and times are the ledger's wording and clock). */
export const ORDER_FIELDS = [
  'trade_id',
  'purpose',
  'symbol',
  'side',
  'order_type',
  'venue_order_id',
  'quantity',
  'limit_price',
  'stop_price',
  'status',
  'filled_quantity',
  'average_fill_price',
] as const satisfies readonly (keyof OrderRecord)[];

/**
 * Every field of a fill the journal determines. Not compared: fill ids (the ledger's), and
 * executed_at, which the connector stamps with its own clock when a venue report carries no time
 * (Binance's order response), so two reports of one fill may differ in it.
 */
export const FILL_FIELDS = ['client_order_id', 'trade_id', 'symbol', 'side', 'quantity', 'price', 'fee', 'fee_asset'] as const satisfies readonly (keyof FillRecord)[];

/** The ledger's trades, orders and fills against those rebuilt from the journal. Pure. */
export function compareLedgerWithJournal(
  ledger: { readonly positions: readonly Position[]; readonly orders: readonly OrderRecord[]; readonly fills: readonly FillRecord[] },
  replay: JournalReplay,
): VerifyDifference[] {
  const out: VerifyDifference[] = [];
  const diff = (subject: 'trade' | 'order' | 'fill', id: string, tradeId: string | null, field: string, ledgerValue: unknown, journalValue: unknown): void => {
    const l = valueText(ledgerValue);
    const j = valueText(journalValue);
    const what = subject === 'trade' ? `trade ${id}` : `${subject} ${id}${tradeId ? ` (trade ${tradeId})` : ''}`;
    const message =
      field === 'exists'
        ? `${what}: ${l === null ? 'in the journal but not in the ledger' : 'in the ledger but not in the journal'}`
        : `${what}: ${field}: ledger ${l ?? 'null'}, journal ${j ?? 'null'}`;
    out.push({ check: 'journal_ledger', subject, id, trade_id: tradeId, field, ledger: l, expected: j, message });
  };

  /** One kind of row: each ledger row against its rebuilt twin, field by field, and rows only one side has. */
  const compare = <R>(subject: 'trade' | 'order' | 'fill', rows: readonly R[], rebuiltRows: ReadonlyMap<string, R>, keyOf: (row: R) => string, tradeOf: (row: R) => string, fields: readonly (keyof R)[], shown: (row: R) => unknown): void => {
    const keys = new Set<string>();
    for (const row of rows) {
      const key = keyOf(row);
      keys.add(key);
      const rebuilt = rebuiltRows.get(key);
      if (!rebuilt) {
        diff(subject, key, tradeOf(row), 'exists', shown(row), null);
        continue;
      }
      for (const field of fields) {
        if (!sameValue(row[field], rebuilt[field])) diff(subject, key, tradeOf(row), String(field), row[field], rebuilt[field]);
      }
    }
    for (const [key, rebuilt] of rebuiltRows) {
      if (!keys.has(key)) diff(subject, key, tradeOf(rebuilt), 'exists', null, shown(rebuilt));
    }
  };
  compare('trade', ledger.positions, replay.positions, (p) => p.trade_id, (p) => p.trade_id, POSITION_FIELDS, (p) => p.status);
  compare('order', ledger.orders, replay.orders, (o) => o.client_order_id, (o) => o.trade_id, ORDER_FIELDS, (o) => o.status);
  compare('fill', ledger.fills, replay.fills, (f) => f.venue_trade_id, (f) => f.trade_id, FILL_FIELDS, (f) => f.quantity);
  return out;
}
