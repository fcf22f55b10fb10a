import type { OrderStatus, OrderView } from '../api/types.js';
import { badge, cells, el, fill, table } from '../ui/dom.js';
import { text, time } from '../ui/format.js';

/** Statuses of an order that still rests at the venue (or may: IN_DOUBT until reconciled). */
export const LIVE_ORDER_STATUSES: readonly OrderStatus[] = ['PENDING', 'OPEN', 'PARTIALLY_FILLED', 'IN_DOUBT'];

export function isProtective(order: OrderView): boolean {
  return order.purpose === 'STOP_LOSS' || order.purpose === 'TAKE_PROFIT';
}

/** Orders resting at the venue, protective ones (stops, targets) apart from the rest. */
export class OrdersPanel {
  readonly #body: HTMLElement;
  readonly #orders = new Map<string, OrderView>();

  constructor(body: HTMLElement) {
    this.#body = body;
  }

  load(orders: readonly OrderView[]): void {
    this.#orders.clear();
    this.update(orders);
  }

  /** Apply order updates from the stream: an order that stopped resting leaves the panel. */
  update(orders: readonly OrderView[]): void {
    for (const order of orders) {
      if (LIVE_ORDER_STATUSES.includes(order.status)) this.#orders.set(order.client_order_id, order);
      else this.#orders.delete(order.client_order_id);
    }
    this.render();
  }

  render(): void {
    const all = [...this.#orders.values()].sort((a, b) => b.updated_at.localeCompare(a.updated_at));
    const protective = all.filter(isProtective);
    const resting = all.filter((o) => !isProtective(o));
    fill(this.#body, [
      el('h3', {}, [`Resting (${resting.length})`]),
      el('div', { 'data-testid': 'resting-orders' }, [ordersTable(resting, 'No resting order.')]),
      el('h3', {}, [`Protective (${protective.length})`]),
      el('div', { 'data-testid': 'protective-orders' }, [ordersTable(protective, 'No protective order.')]),
    ]);
  }
}

function ordersTable(orders: readonly OrderView[], empty: string): HTMLElement {
  const rows = orders.map((o) => {
    const row = el('tr', { 'data-testid': 'order-row', 'data-client-order-id': o.client_order_id });
    row.append(
      ...cells([
        el('code', {}, [o.client_order_id]),
        el('code', {}, [o.trade_id]),
        o.purpose,
        o.symbol,
        badge(o.side, o.side === 'BUY' ? 'buy' : 'sell'),
        o.order_type,
        o.quantity,
        o.filled_quantity,
        text(o.limit_price ?? o.stop_price),
        badge(o.status, o.status === 'IN_DOUBT' ? 'in_doubt' : 'muted'),
        time(o.updated_at),
      ]),
    );
    return row;
  });
  return table(['client order', 'trade', 'purpose', 'symbol', 'side', 'type', 'qty', 'filled', 'price', 'status', 'updated'], rows, empty);
}
