import { describe, expect, it } from 'vitest';
import { compareLedgerWithJournal } from '../../src/app/journal-ledger-check.js';
import { compareLedgerWithVenue } from '../../src/app/ledger-venue-check.js';
import { sameValue } from '../../src/app/verify-differences.js';
import { Decimal } from '../../src/domain/decimal.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { replayJournal } from '../../src/orchestration/journal-replay.js';
import { createHarness, type Harness } from '../orchestration/harness.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';

async function world(): Promise<{ h: Harness; open: string; closed: string }> {
  const h = createHarness();
  const open = newTradeWire();
  const closed = newTradeWire({ entry_plan: { symbol: 'ETH_USDT', direction: 'BUY', order_type: 'MARKET' }, size_plan: { position_size: '0.5' }, exit_plan: { stop_loss_price: '2900', take_profit_price: '3200' } });
  for (const directive of [open, closed, modifyWire([open.directive_id]), closeWire([closed.directive_id])]) {
    expect((await h.submit(directive)).outcome).toBe('SUCCEEDED');
  }
  return { h, open: open.directive_id, closed: closed.directive_id };
}

async function checks(h: Harness) {
  const positions = await h.ledger.listPositions();
  const orders = await h.ledger.listOrders();
  const fills = await h.ledger.listFills();
  const replay = replayJournal(await h.journal.read());
  return { positions, orders, fills, replay, journal: compareLedgerWithJournal({ positions, orders, fills }, replay) };
}

describe('verify checks', () => {
  it('the in-memory ledger and journal of the orchestrator tests agree too (the replay knows no store)', async () => {
    const { h } = await world();
    const { journal, positions, orders, replay } = await checks(h);
    expect(journal).toEqual([]);
    const venue = await compareLedgerWithVenue({ positions, orders, journalOrders: replay.orders, connector: h.connector });
    expect(venue.differences).toEqual([]);
  });

  it('decimals are compared by value, not by text', () => {
    expect(sameValue(new Decimal('0.020'), new Decimal('0.02'))).toBe(true);
    expect(sameValue(new Decimal('0.02'), null)).toBe(false);
    expect(sameValue(null, undefined)).toBe(true);
  });

  it('a trade only one side has is a difference of existence', async () => {
    const { h, open } = await world();
    const { positions, orders, fills, replay } = await checks(h);
    const differences = compareLedgerWithJournal({ positions: positions.filter((p) => p.trade_id !== open), orders, fills }, replay);
    expect(differences).toEqual([expect.objectContaining({ check: 'journal_ledger', subject: 'trade', id: open, field: 'exists', ledger: null, expected: 'OPEN' })]);
  });

  it('looks up the orders of open trades and live orders only: a closed trade with final orders is the journal check’s', async () => {
    const { h, open, closed } = await world();
    const { positions, orders, replay } = await checks(h);
    const before = h.connector.callsOf('fetchOrder').length;
    const result = await compareLedgerWithVenue({ positions, orders, journalOrders: replay.orders, connector: h.connector });
    const asked = h.connector.callsOf('fetchOrder').slice(before).map((c) => c.args[0]);
    expect(asked).toContain(clientOrderId(open, 'E'));
    expect(asked.some((coid) => orders.find((o) => o.client_order_id === coid)?.trade_id === closed)).toBe(false);
    expect(result.venue_orders).toBe(asked.length);
  });

  it('an order resting at the venue that the ledger does not know, and a stop that filled there unseen, are differences', async () => {
    const { h, open } = await world();
    const { positions, orders, replay } = await checks(h);
    const stopId = orders.find((o) => o.trade_id === open && o.purpose === 'STOP_LOSS' && o.status === 'OPEN')!.client_order_id;
    const stop = h.connector.orders.get(stopId)!;
    h.connector.orders.set(stopId, { ...stop, status: 'FILLED', filled_quantity: stop.quantity, average_fill_price: stop.stop_price });
    h.connector.orders.set('PXstranger-E', { ...stop, client_order_id: 'PXstranger-E', venue_order_id: 'V-stranger', status: 'OPEN', filled_quantity: new Decimal(0) });
    const result = await compareLedgerWithVenue({ positions, orders, journalOrders: replay.orders, connector: h.connector });
    expect(result.differences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subject: 'order', id: stopId, field: 'status', ledger: 'OPEN', expected: 'FILLED' }),
        expect.objectContaining({ subject: 'trade', id: open, field: 'filled_size', expected: '0' }),
        expect.objectContaining({ subject: 'trade', id: open, field: 'stop_loss', expected: null }),
        expect.objectContaining({ subject: 'order', id: 'PXstranger-E', field: 'exists', ledger: null, expected: 'OPEN' }),
      ]),
    );
  });
});
