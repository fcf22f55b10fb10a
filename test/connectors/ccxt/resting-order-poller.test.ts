import { describe, expect, it } from 'vitest';
import { RestingOrderPoller, type PollScheduler } from '../../../src/connectors/ccxt/resting-order-poller.js';
import type { ExecutionReport, VenueFill, VenueOrder } from '../../../src/ports/connector.js';
import { Decimal } from '../../../src/domain/decimal.js';

function fill(id: string, quantity: string): VenueFill {
  return { venue_trade_id: id, client_order_id: 'PXa-E', quantity: new Decimal(quantity), price: new Decimal('100'), fee: new Decimal('0'), fee_asset: 'USDT', executed_at: '2026-12-02T00:00:00.000Z' };
}

function venueOrder(status: VenueOrder['status'], fills: VenueFill[], filled = fills.reduce((s, f) => s.plus(f.quantity), new Decimal(0))): VenueOrder {
  return {
    client_order_id: 'PXa-E',
    venue_order_id: '1',
    symbol: 'BTC_USDT',
    side: 'BUY',
    order_type: 'LIMIT',
    quantity: new Decimal('3'),
    limit_price: new Decimal('100'),
    stop_price: null,
    status,
    filled_quantity: filled,
    average_fill_price: null,
    fills,
    reject_reason: null,
    created_at: '2026-12-02T00:00:00.000Z',
    updated_at: '2026-12-02T00:00:00.000Z',
  };
}

function harness(answers: (VenueOrder | undefined | Error)[]) {
  const reports: ExecutionReport[] = [];
  const errors: unknown[] = [];
  const schedule: { ms: number; task: () => void; stopped: boolean }[] = [];
  const scheduler: PollScheduler = (ms, task) => {
    const entry = { ms, task, stopped: false };
    schedule.push(entry);
    return () => {
      entry.stopped = true;
    };
  };
  let listening = true;
  const poller = new RestingOrderPoller({
    intervalMs: 250,
    scheduler,
    fetch: () => {
      const next = answers.shift();
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    report: (r) => reports.push(r),
    listening: () => listening,
    onError: (e) => errors.push(e),
  });
  return { poller, reports, errors, schedule, setListening: (v: boolean) => (listening = v) };
}

describe('RestingOrderPoller', () => {
  it('starts polling at the configured interval when it first watches an order, and stops on close', () => {
    const h = harness([]);
    expect(h.schedule).toHaveLength(0);
    h.poller.watch(venueOrder('OPEN', []));
    expect(h.schedule.map((s) => [s.ms, s.stopped])).toEqual([[250, false]]);
    h.poller.close();
    expect(h.schedule[0]?.stopped).toBe(true);
    expect(h.poller.watching).toEqual([]);
  });

  it('reports only fills it has not seen, then the ending, and forgets a final order with all its fills', async () => {
    const h = harness([
      venueOrder('OPEN', []),
      venueOrder('PARTIALLY_FILLED', [fill('t1', '1')]),
      undefined, // a "not found" answer in between is skipped
      venueOrder('FILLED', [fill('t1', '1'), fill('t2', '2')]),
    ]);
    h.poller.watch(venueOrder('OPEN', []));
    for (let i = 0; i < 4; i++) await h.poller.pollNow();
    expect(h.reports.map((r) => [r.order.status, r.new_fills.map((f) => f.venue_trade_id)])).toEqual([
      ['PARTIALLY_FILLED', ['t1']],
      ['FILLED', ['t2']],
    ]);
    expect(h.poller.watching).toEqual([]);
  });

  it('does not report the fills the caller already had when it began watching', async () => {
    const h = harness([venueOrder('PARTIALLY_FILLED', [fill('t1', '1')])]);
    h.poller.watch(venueOrder('PARTIALLY_FILLED', [fill('t1', '1')]));
    await h.poller.pollNow();
    expect(h.reports).toEqual([]);
  });

  it('keeps watching, unreported, a final order whose fills the venue has not shown yet; reports the ending with them', async () => {
    const h = harness([venueOrder('FILLED', [], new Decimal('3')), venueOrder('FILLED', [fill('t1', '3')])]);
    h.poller.watch(venueOrder('OPEN', []));
    await h.poller.pollNow();
    expect(h.poller.watching).toEqual(['PXa-E']);
    await h.poller.pollNow();
    expect(h.reports.map((r) => [r.order.status, r.new_fills.length])).toEqual([['FILLED', 1]]);
    expect(h.poller.watching).toEqual([]);
  });

  it('without listeners a pass asks nothing (no fill is consumed unheard); a failed look-up is told and retried next pass', async () => {
    const h = harness([new Error('venue down'), venueOrder('FILLED', [fill('t1', '3')])]);
    h.poller.watch(venueOrder('OPEN', []));
    h.setListening(false);
    await h.poller.pollNow();
    h.setListening(true);
    await h.poller.pollNow();
    expect(h.errors).toHaveLength(1);
    await h.poller.pollNow();
    expect(h.reports.map((r) => r.order.status)).toEqual(['FILLED']);
  });

  it('a cancel we sent ourselves is forgotten, not reported', async () => {
    const h = harness([venueOrder('CANCELLED', [])]);
    h.poller.watch(venueOrder('OPEN', []));
    h.poller.forget('PXa-E');
    await h.poller.pollNow();
    expect(h.reports).toEqual([]);
  });
});
