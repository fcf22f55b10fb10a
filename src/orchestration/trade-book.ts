import type { OrderPurpose } from '../domain/enums.js';
import { applyFillToPosition, closePosition } from '../domain/position-math.js';
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

/** A protective order (stop loss, take profit) that flattened its trade closes it, with its own name as reason. */
export function closeIfProtectiveFlattened(position: Position, order: OrderRecord, now: string): Position {
  if (position.status !== 'OPEN' || !position.filled_size.isZero()) return position;
  if (order.purpose !== 'STOP_LOSS' && order.purpose !== 'TAKE_PROFIT') return position;
  if (!order.filled_quantity.gt(0)) return position;
  return closePosition(position, { exit_price: order.average_fill_price, close_reason: order.purpose, closed_at: now, directive_id: null });
}
