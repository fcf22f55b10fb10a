import type { InstrumentRules } from '../ports/connector.js';
import { floorToStep } from '../domain/decimal.js';
import type { OrderPurpose } from '../domain/enums.js';
import { applyFillToPosition, baseFees, closePosition } from '../domain/position-math.js';
import type { Anomaly, FillRecord, OrderRecord, Position } from '../domain/trading.js';

export interface Booked {
  readonly position: Position;
  readonly anomalies: readonly Anomaly[];
}

/** Apply an order's new fills to its trade (each fee in its own asset; sizes net of base-asset fees). */
export function bookFills(position: Position, purpose: OrderPurpose, fills: readonly FillRecord[]): Booked {
  let current = position;
  const anomalies: Anomaly[] = [];
  for (const fill of fills) {
    const result = applyFillToPosition(
      current,
      {
        quantity: fill.quantity,
        price: fill.price,
        fee: fill.fee,
        fee_asset: fill.fee_asset,
        executed_at: fill.executed_at,
        client_order_id: fill.client_order_id,
      },
      { purpose },
    );
    current = result.position;
    if (result.anomaly) anomalies.push(result.anomaly);
  }
  return { position: current, anomalies };
}

/** The instrument's lot and minimum quantity, asked for only when needed. */
export type RulesLookup = () => Promise<Pick<InstrumentRules, 'lot_size' | 'min_quantity'>>;

/**
 * Whether the trade holds nothing a venue order could sell: nothing at all, or only dust (its
 * size floored to the lot is below the minimum quantity). Only a size net of base-asset fees can
 * lie off the lot (every order is in whole lots), so the instrument is asked for then only.
 */
export async function onlyDustHeld(position: Position, rules: RulesLookup): Promise<boolean> {
  if (position.filled_size.isZero()) return true;
  if (baseFees(position).isZero()) return false;
  const { lot_size, min_quantity } = await rules();
  return floorToStep(position.filled_size, lot_size).lt(min_quantity);
}

/**
 * A protective order (stop loss, take profit) that flattened its trade closes it, with its own
 * name as reason. Flat includes dust: a stop sized to the whole lots held leaves what a base-asset
 * fee took off the lot, which no order can sell (docs/storage.md, "Fees and sizes").
 */
export async function closeIfProtectiveFlattened(position: Position, order: OrderRecord, now: string, rules: RulesLookup): Promise<Position> {
  if (position.status !== 'OPEN') return position;
  if (order.purpose !== 'STOP_LOSS' && order.purpose !== 'TAKE_PROFIT') return position;
  if (!order.filled_quantity.gt(0)) return position;
  if (!(await onlyDustHeld(position, rules))) return position;
  return closePosition(position, { exit_price: order.average_fill_price, close_reason: order.purpose, closed_at: now, directive_id: null });
}
