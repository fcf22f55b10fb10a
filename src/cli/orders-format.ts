import { decimalToWire, type Decimal } from '../domain/decimal.js';
import type { OrderRecord } from '../domain/trading.js';
import { orderRecordToWire, type OrderRecordWire } from '../domain/wire.js';
import { renderTable } from './table.js';

/** An order as `planexec orders --json` prints it: the Order wire object (src/domain/wire.ts), decimals as strings. */
export function orderJson(order: OrderRecord): OrderRecordWire {
  return orderRecordToWire(order);
}

const show = (d: Decimal | null): string => (d === null ? '-' : decimalToWire(d));

/** The price an order rests at: its limit, else its trigger. */
function priceOf(order: OrderRecord): string {
  if (order.order_type === 'STOP_LIMIT') return `${show(order.stop_price)}→${show(order.limit_price)}`;
  return show(order.limit_price ?? order.stop_price);
}

export function ordersTable(orders: readonly OrderRecord[]): string {
  return renderTable<OrderRecord>(
    [
      { header: 'CLIENT ORDER ID', value: (o) => o.client_order_id },
      { header: 'TRADE', value: (o) => o.trade_id },
      { header: 'PURPOSE', value: (o) => o.purpose },
      { header: 'SYMBOL', value: (o) => o.symbol },
      { header: 'SIDE', value: (o) => o.side },
      { header: 'TYPE', value: (o) => o.order_type },
      { header: 'STATUS', value: (o) => o.status },
      { header: 'FILLED/QTY', value: (o) => `${decimalToWire(o.filled_quantity)}/${decimalToWire(o.quantity)}`, align: 'right' },
      { header: 'PRICE', value: priceOf, align: 'right' },
      { header: 'AVG FILL', value: (o) => show(o.average_fill_price), align: 'right' },
      { header: 'REASON', value: (o) => o.reject_reason ?? '-', maxWidth: 60 },
    ],
    orders,
  );
}

/** `12 orders: 3 open, 7 filled, 2 cancelled` (statuses in the order they occur). */
export function ordersSummary(orders: readonly OrderRecord[]): string {
  const counts = new Map<string, number>();
  for (const o of orders) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  const parts = [...counts].map(([status, n]) => `${n} ${status.toLowerCase().replace(/_/g, ' ')}`);
  return `${orders.length} order${orders.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
