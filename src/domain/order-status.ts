import { OrderStatus } from './enums.js';
import { InvalidTransition } from './errors.js';

/**
 * The order state machine as one table: for each status, the statuses it may move to.
 * Re-applying the current status is always allowed (idempotent) and is not listed.
 */
export const ORDER_STATUS_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  // Intent journaled, not yet acknowledged by the venue.
  PENDING: [
    'OPEN',
    // A market or marketable order can come back from the submit call already (partly) filled.
    'PARTIALLY_FILLED',
    'FILLED',
    // IOC/FOK with nothing filled; or we cancelled it before the venue acknowledged it.
    'CANCELLED',
    'REJECTED',
    // Some venues report an unfilled IOC/FOK as EXPIRED rather than CANCELLED (Binance).
    'EXPIRED',
    // The submit left the process and we do not know what happened (timeout after send).
    'IN_DOUBT',
  ],
  OPEN: [
    'PARTIALLY_FILLED',
    'FILLED',
    'CANCELLED',
    'EXPIRED',
    // A stop-limit accepted, then refused by the venue when it triggers.
    'REJECTED',
    // A cancel or amend whose outcome is unknown, or the venue lost track of it after a reconnect.
    'IN_DOUBT',
  ],
  PARTIALLY_FILLED: ['FILLED', 'CANCELLED', 'EXPIRED', 'IN_DOUBT'],
  FILLED: [],
  // A fill that raced the cancel (or the expiry) is reported after it: real at every venue.
  CANCELLED: ['PARTIALLY_FILLED', 'FILLED'],
  EXPIRED: ['PARTIALLY_FILLED', 'FILLED'],
  REJECTED: [],
  // Reconciliation resolves an in-doubt order to whatever the venue says it is.
  IN_DOUBT: [
    'OPEN',
    'PARTIALLY_FILLED',
    'FILLED',
    'CANCELLED',
    'EXPIRED',
    // The venue never accepted it, or has no record of it and the order is given up.
    'REJECTED',
    // The venue confirmed it has no such order: safe to send again with the same client order id.
    'PENDING',
  ],
};

const TERMINAL: ReadonlySet<OrderStatus> = new Set(['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED']);
const OPEN: ReadonlySet<OrderStatus> = new Set(['OPEN', 'PARTIALLY_FILLED']);

/** The status after moving `from` to `to`; throws InvalidTransition for an edge the table lacks. */
export function transitionOrderStatus(from: OrderStatus, to: OrderStatus): OrderStatus {
  if (from === to) return to;
  if (ORDER_STATUS_TRANSITIONS[from]?.includes(to) === true) return to;
  throw new InvalidTransition(`order status cannot move from ${from} to ${to}`, { from, to });
}

/**
 * An order record moved to `to` (with the fields that change with it, e.g. reject_reason and
 * updated_at): the one way planexec changes an order's status. Throws InvalidTransition for an
 * edge the table lacks; the record passed in is left as it was.
 */
export function transitionOrder<T extends { readonly status: OrderStatus }>(order: T, to: OrderStatus, changes: Partial<Omit<T, 'status'>> = {}): T {
  return { ...order, ...changes, status: transitionOrderStatus(order.status, to) };
}

export function canTransitionOrderStatus(from: OrderStatus, to: OrderStatus): boolean {
  return from === to || ORDER_STATUS_TRANSITIONS[from]?.includes(to) === true;
}

/**
 * No longer working at the venue. CANCELLED and EXPIRED may still learn of a fill that raced
 * them, but nothing new will happen to the order there.
 */
export function isTerminalOrderStatus(status: OrderStatus): boolean {
  return TERMINAL.has(status);
}

/**
 * Acknowledged by the venue and still able to fill. PENDING and IN_DOUBT are neither open nor
 * terminal: the venue may or may not hold the order.
 */
export function isOpenOrderStatus(status: OrderStatus): boolean {
  return OPEN.has(status);
}

/** Every status, for exhaustive tests and UIs. */
export const ORDER_STATUSES: readonly OrderStatus[] = Object.values(OrderStatus);
