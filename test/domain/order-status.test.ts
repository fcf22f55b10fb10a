import { describe, expect, it } from 'vitest';
import type { OrderStatus } from '../../src/domain/enums.js';
import { InvalidTransition } from '../../src/domain/errors.js';
import {
  canTransitionOrderStatus,
  isOpenOrderStatus,
  isTerminalOrderStatus,
  ORDER_STATUSES,
  transitionOrder,
  transitionOrderStatus,
} from '../../src/domain/order-status.js';

/** The expected table, written out independently of the implementation's. */
const ALLOWED: Record<OrderStatus, OrderStatus[]> = {
  PENDING: ['OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'IN_DOUBT'],
  OPEN: ['PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'EXPIRED', 'REJECTED', 'IN_DOUBT'],
  PARTIALLY_FILLED: ['FILLED', 'CANCELLED', 'EXPIRED', 'IN_DOUBT'],
  FILLED: [],
  CANCELLED: ['PARTIALLY_FILLED', 'FILLED'],
  EXPIRED: ['PARTIALLY_FILLED', 'FILLED'],
  REJECTED: [],
  IN_DOUBT: ['OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'EXPIRED', 'REJECTED', 'PENDING'],
};

const STATUSES = Object.keys(ALLOWED) as OrderStatus[];
const EDGES = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));

describe('transitionOrderStatus', () => {
  it('knows every status', () => {
    expect([...ORDER_STATUSES].sort()).toEqual([...STATUSES].sort());
  });

  it.each(EDGES.filter(([from, to]) => from !== to && ALLOWED[from].includes(to)))('allows %s → %s', (from, to) => {
    expect(transitionOrderStatus(from, to)).toBe(to);
    expect(canTransitionOrderStatus(from, to)).toBe(true);
  });

  it.each(EDGES.filter(([from, to]) => from !== to && !ALLOWED[from].includes(to)))('refuses %s → %s with InvalidTransition', (from, to) => {
    expect(canTransitionOrderStatus(from, to)).toBe(false);
    let thrown: unknown;
    try {
      transitionOrderStatus(from, to);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidTransition);
    expect(thrown).toMatchObject({ code: 'INVALID_TRANSITION', retryable: false, details: { from, to } });
    expect((thrown as Error).message).toBe(`order status cannot move from ${from} to ${to}`);
  });

  it.each(STATUSES)('re-applying %s is idempotent', (status) => {
    expect(transitionOrderStatus(status, status)).toBe(status);
    expect(canTransitionOrderStatus(status, status)).toBe(true);
  });

  it('lets a fill that raced the cancel land after the cancel', () => {
    const cancelled = transitionOrderStatus('OPEN', 'CANCELLED');
    expect(transitionOrderStatus(cancelled, 'FILLED')).toBe('FILLED');
  });

  it('resolves an in-doubt submit to whatever the venue reports, or back to PENDING for a resend', () => {
    const inDoubt = transitionOrderStatus('PENDING', 'IN_DOUBT');
    for (const venueState of ['OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'EXPIRED', 'REJECTED', 'PENDING'] as const) {
      expect(transitionOrderStatus(inDoubt, venueState)).toBe(venueState);
    }
  });

  it('never reopens a filled or rejected order', () => {
    for (const to of STATUSES.filter((s) => s !== 'FILLED')) expect(() => transitionOrderStatus('FILLED', to)).toThrow(InvalidTransition);
    for (const to of STATUSES.filter((s) => s !== 'REJECTED')) expect(() => transitionOrderStatus('REJECTED', to)).toThrow(InvalidTransition);
  });

  it('refuses a status that is not one at all', () => {
    expect(() => transitionOrderStatus('BOGUS' as OrderStatus, 'OPEN')).toThrow(InvalidTransition);
    expect(() => transitionOrderStatus('OPEN', 'BOGUS' as OrderStatus)).toThrow(InvalidTransition);
  });
});

describe('transitionOrder', () => {
  const pending = { client_order_id: 'DIR_1-E', status: 'PENDING' as OrderStatus, reject_reason: null as string | null, updated_at: 't0' };

  it('moves the record along an edge of the table with the fields that change with it', () => {
    const rejected = transitionOrder(pending, 'REJECTED', { reject_reason: 'not sent: journal down', updated_at: 't1' });
    expect(rejected).toEqual({ client_order_id: 'DIR_1-E', status: 'REJECTED', reject_reason: 'not sent: journal down', updated_at: 't1' });
    expect(pending.status).toBe('PENDING');
  });

  it('refuses an edge the table lacks, whatever the changes say', () => {
    const filled = transitionOrder(pending, 'FILLED', { updated_at: 't1' });
    expect(() => transitionOrder(filled, 'CANCELLED', { reject_reason: 'not found at venue on cancel', updated_at: 't2' })).toThrow(InvalidTransition);
    expect(() => transitionOrder(transitionOrder(pending, 'REJECTED'), 'IN_DOUBT')).toThrow('order status cannot move from REJECTED to IN_DOUBT');
  });

  it('re-applies the status a record has', () => {
    const inDoubt = transitionOrder(pending, 'IN_DOUBT', { updated_at: 't1' });
    expect(transitionOrder(inDoubt, 'IN_DOUBT', { updated_at: 't2' })).toEqual({ ...inDoubt, updated_at: 't2' });
  });
});

describe('isTerminalOrderStatus and isOpenOrderStatus', () => {
  const expected: Record<OrderStatus, [terminal: boolean, open: boolean]> = {
    PENDING: [false, false],
    OPEN: [false, true],
    PARTIALLY_FILLED: [false, true],
    FILLED: [true, false],
    CANCELLED: [true, false],
    REJECTED: [true, false],
    EXPIRED: [true, false],
    IN_DOUBT: [false, false],
  };

  it.each(STATUSES)('%s', (status) => {
    expect([isTerminalOrderStatus(status), isOpenOrderStatus(status)]).toEqual(expected[status]);
  });
});
