import { Decimal } from '../domain/decimal.js';
import type { QualityLeg, StyledEntry } from '../ports/read-models.js';

/** An execution-quality leg as both stores' queries return it (decimals as text; SQLite's JSON may give a number). */
export interface LegRow {
  readonly client_order_id: string;
  readonly symbol: string;
  readonly side: QualityLeg['side'];
  readonly order_type: QualityLeg['order_type'];
  readonly quantity: string;
  readonly limit_price: string | null;
  readonly stop_price: string | null;
  readonly strategy_id: string | null;
  readonly accepted_at: string | null;
  readonly reference_price: string | number | null;
}

/** A TRADE_OPENED entry's execution block as both stores' queries return it. */
export interface StyledRow {
  readonly strategy_id: string | null;
  readonly symbol: string | null;
  readonly side: string | null;
  readonly style: string | null;
  readonly decision_price: string | null;
  readonly average_fill_price: string | null;
  readonly planned_quantity: string | null;
  readonly filled_quantity: string | null;
  readonly child_orders: number | null;
}

const optional = (text: string | number | null): Decimal | null => (text === null ? null : new Decimal(String(text)));

export function legOfRow(r: LegRow): QualityLeg {
  return {
    client_order_id: r.client_order_id,
    strategy_id: r.strategy_id,
    symbol: r.symbol,
    side: r.side,
    order_type: r.order_type,
    quantity: new Decimal(r.quantity),
    limit_price: optional(r.limit_price),
    stop_price: optional(r.stop_price),
    reference_price: optional(r.reference_price),
    accepted_at: r.accepted_at,
  };
}

export function styledEntryOfRow(r: StyledRow): StyledEntry {
  return {
    strategy_id: r.strategy_id,
    symbol: r.symbol ?? '',
    side: r.side === 'SELL' ? 'SELL' : 'BUY',
    style: r.style ?? 'SINGLE',
    decision_price: optional(r.decision_price),
    average_fill_price: optional(r.average_fill_price),
    planned_quantity: new Decimal(r.planned_quantity ?? '0'),
    filled_quantity: new Decimal(r.filled_quantity ?? '0'),
    child_orders: r.child_orders ?? 0,
  };
}
