import { describe, expect, it } from 'vitest';
import { heldExitsToRestore } from '../../src/app/held-exits-to-restore.js';
import { Decimal } from '../../src/domain/decimal.js';
import type { OrderRecord } from '../../src/domain/trading.js';
import { InMemoryJournal, InMemoryLedger } from '../support/fakes.js';

const AT = '2026-12-02T09:00:00.000Z';

function exit(clientOrderId: string, overrides: Partial<OrderRecord> = {}): OrderRecord {
  return {
    client_order_id: clientOrderId,
    venue_order_id: null,
    trade_id: 'DIR_T',
    directive_id: 'DIR_T',
    purpose: 'TAKE_PROFIT',
    symbol: 'BTC_USDT',
    side: 'SELL',
    order_type: 'LIMIT',
    time_in_force: 'GTC',
    quantity: new Decimal('0.01'),
    limit_price: new Decimal('67000'),
    stop_price: null,
    reduce_only: true,
    status: 'PENDING',
    filled_quantity: new Decimal(0),
    average_fill_price: null,
    reject_reason: null,
    created_at: AT,
    updated_at: AT,
    ...overrides,
  };
}

async function journalResult(journal: InMemoryJournal, clientOrderId: string, order: Record<string, unknown>): Promise<void> {
  await journal.logEntry({
    event_type: 'ORDER_RESULT',
    flow_id: 'DIR_T',
    directive_id: 'DIR_T',
    strategy_id: 's',
    timestamp: AT,
    correlation_id: 'DIR_T',
    causation_id: null,
    body: { action: 'PLACE', client_order_id: clientOrderId, order: { client_order_id: clientOrderId, ...order } },
  });
}

describe('the held exits rebuilt at start', () => {
  it('takes a leg the ledger still has PENDING as held when its last journaled result says planexec held it (a kill between the entry and the ledger write)', async () => {
    const ledger = new InMemoryLedger();
    const journal = new InMemoryJournal();
    await ledger.apply({
      directive_id: 'DIR_T',
      orders: [
        exit('PX-TP'),
        exit('PX-SL', { purpose: 'STOP_LOSS', order_type: 'STOP_MARKET', limit_price: null, stop_price: new Decimal('64000') }),
        exit('PX-GONE'),
        exit('PX-LIVE', { status: 'OPEN', venue_order_id: 'held:PX-LIVE' }),
      ],
    });
    await journalResult(journal, 'PX-TP', { status: 'OPEN', venue_order_id: 'held:PX-TP' });
    // its last result ended it: nothing to hold
    await journalResult(journal, 'PX-GONE', { status: 'OPEN', venue_order_id: 'held:PX-GONE' });
    await journalResult(journal, 'PX-GONE', { status: 'CANCELLED', venue_order_id: 'held:PX-GONE' });
    // PX-SL: an intent only, no result: still in flight, for recovery to settle

    const rows = new Map((await heldExitsToRestore(ledger, journal)).map((o) => [o.client_order_id, o]));
    expect(rows.get('PX-TP')).toMatchObject({ status: 'OPEN', venue_order_id: 'held:PX-TP' });
    expect(rows.get('PX-SL')).toMatchObject({ status: 'PENDING', venue_order_id: null });
    expect(rows.get('PX-GONE')).toMatchObject({ status: 'PENDING', venue_order_id: null });
    expect(rows.get('PX-LIVE')).toMatchObject({ status: 'OPEN', venue_order_id: 'held:PX-LIVE' });
  });
});
