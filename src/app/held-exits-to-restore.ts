import { HELD_PREFIX } from '../connectors/held-exits/held-order.js';
import { transitionOrder } from '../domain/order-status.js';
import type { OrderRecord } from '../domain/trading.js';
import { LIVE_ORDER_STATUSES } from '../orchestration/order-sync.js';
import type { IJournalWriter, JournalEntry } from '../ports/journal.js';
import type { ILedgerProvider } from '../ports/ledger.js';

const IN_FLIGHT = new Set(['PENDING', 'IN_DOUBT']);

/** The venue order id and status of the last ORDER_RESULT journaled for `clientOrderId`, if any. */
function lastResult(entries: readonly JournalEntry[], clientOrderId: string): { venueOrderId: unknown; status: unknown } | undefined {
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const body = entries[i]!.body;
    if (entries[i]!.event_type !== 'ORDER_RESULT' || body['client_order_id'] !== clientOrderId) continue;
    const order = (body['order'] ?? {}) as Record<string, unknown>;
    return { venueOrderId: order['venue_order_id'], status: order['status'] };
  }
  return undefined;
}

/**
 * The exits planexec held when it stopped, to rebuild before recovery: the ledger's live orders
 * with a `held:` venue order id, and legs the ledger still has in flight (PENDING, IN_DOUBT) whose
 * last journaled result says planexec took and held them. A kill can land between that result's
 * journal entry and its ledger write; without the journal the exit would be looked up at the
 * venue, which never had it, and taken for lost.
 */
export async function heldExitsToRestore(ledger: ILedgerProvider, journal: IJournalWriter): Promise<OrderRecord[]> {
  const live = await ledger.listOrders({ statuses: LIVE_ORDER_STATUSES });
  const journaled = new Map<string, JournalEntry[]>();
  const out: OrderRecord[] = [];
  for (const row of live) {
    if (!IN_FLIGHT.has(row.status) || row.venue_order_id !== null || row.directive_id === null) {
      out.push(row);
      continue;
    }
    let entries = journaled.get(row.directive_id);
    if (entries === undefined) journaled.set(row.directive_id, (entries = await journal.read({ directive_id: row.directive_id })));
    const result = lastResult(entries, row.client_order_id);
    const held = typeof result?.venueOrderId === 'string' && result.venueOrderId.startsWith(HELD_PREFIX) && result.status === 'OPEN';
    out.push(held ? transitionOrder(row, 'OPEN', { venue_order_id: result.venueOrderId as string }) : row);
  }
  return out;
}
