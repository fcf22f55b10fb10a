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

  const ledgerPositions = new Map(ledger.positions.map((p) => [p.trade_id, p]));
  for (const position of ledger.positions) {
    const rebuilt = replay.positions.get(position.trade_id);
    if (!rebuilt) {
      diff('trade', position.trade_id, position.trade_id, 'exists', position.status, null);
      continue;
    }
    for (const field of POSITION_FIELDS) {
      if (!sameValue(position[field], rebuilt[field])) diff('trade', position.trade_id, position.trade_id, field, position[field], rebuilt[field]);
    }
  }
  for (const [tradeId, rebuilt] of replay.positions) {
    if (!ledgerPositions.has(tradeId)) diff('trade', tradeId, tradeId, 'exists', null, rebuilt.status);
  }

  const ledgerOrders = new Map(ledger.orders.map((o) => [o.client_order_id, o]));
  for (const order of ledger.orders) {
    const rebuilt = replay.orders.get(order.client_order_id);
    if (!rebuilt) {
      diff('order', order.client_order_id, order.trade_id, 'exists', order.status, null);
      continue;
    }
    for (const field of ORDER_FIELDS) {
      if (!sameValue(order[field], rebuilt[field])) diff('order', order.client_order_id, order.trade_id, field, order[field], rebuilt[field]);
    }
  }
  for (const [coid, rebuilt] of replay.orders) {
    if (!ledgerOrders.has(coid)) diff('order', coid, rebuilt.trade_id, 'exists', null, rebuilt.status);
  }

  const ledgerFills = new Set<string>();
  for (const fill of ledger.fills) {
    ledgerFills.add(fill.venue_trade_id);
    const rebuilt = replay.fills.get(fill.venue_trade_id);
    if (!rebuilt) {
      diff('fill', fill.venue_trade_id, fill.trade_id, 'exists', fill.quantity, null);
      continue;
    }
    for (const field of FILL_FIELDS) {
      if (!sameValue(fill[field], rebuilt[field])) diff('fill', fill.venue_trade_id, fill.trade_id, field, fill[field], rebuilt[field]);
    }
  }
  for (const [id, rebuilt] of replay.fills) {
    if (!ledgerFills.has(id)) diff('fill', id, rebuilt.trade_id, 'exists', null, rebuilt.quantity);
  }
  return out;
}
