import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareLedgerWithJournal } from '../../src/app/journal-ledger-check.js';
import { Decimal } from '../../src/domain/decimal.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { replayJournal } from '../../src/orchestration/journal-replay.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { createHarness } from './harness.js';

/** Binance spot without BNB: a BUY's commission (0.1 %) is taken from the BTC received. */
describe('sizes net of base-asset fees through the orchestrator', () => {
  it('protects and closes what the account holds after a BUY paid its fee in BTC', async () => {
    const h = createHarness();
    h.connector.feeModel = 'spot';
    h.connector.setLot('BTC_USDT', '0.00001');
    const open = newTradeWire({ size_plan: { position_size: '0.01', position_value: '650', risk_amount: '10', leverage: '1' } });
    expect((await h.submit(open)).outcome).toBe('SUCCEEDED');
    const trade = h.ledger.positions.get(open.directive_id)!;
    expect(trade.filled_size.toFixed()).toBe('0.00999');
    expect(trade.remaining_size.toFixed()).toBe('0');
    expect(trade.fees_by_asset['BTC']?.toFixed()).toBe('0.00001');
    expect(trade.fees.toFixed()).toBe('0');
    const stop = h.connector.placed().find((r) => r.client_order_id === clientOrderId(open.directive_id, 'SL'))!;
    expect(stop.quantity.toFixed()).toBe('0.00999');

    const close = closeWire([open.directive_id]);
    expect((await h.submit(close)).outcome).toBe('SUCCEEDED');
    const leg = h.connector.placed().find((r) => r.client_order_id === clientOrderId(close.directive_id, 'C0'))!;
    expect(leg.quantity.toFixed()).toBe('0.00999');
    const closed = h.ledger.positions.get(open.directive_id)!;
    expect(closed.status).toBe('CLOSED');
    // the SELL paid its fee in USDT: 0.00999 × 65000 × 0.001
    expect(closed.fees.toFixed()).toBe('0.64935');
    expect(closed.fees_by_asset['USDT']?.toFixed()).toBe('0.64935');
  });

  it('MODIFY sizes are order sizes: the same size sends nothing, a larger one buys the difference, a smaller one sells part of what is held', async () => {
    const h = createHarness();
    h.connector.feeModel = 'spot';
    h.connector.setLot('BTC_USDT', '0.00001');
    const open = newTradeWire({ size_plan: { position_size: '0.01', position_value: '650', risk_amount: '10', leverage: '1' }, exit_plan: undefined });
    await h.submit(open);
    const placed = (): number => h.connector.placed().length;
    const before = placed();
    expect((await h.submit(modifyWire([open.directive_id], { exit_plan: undefined, size_plan: { position_size: '0.01' } }))).outcome).toBe('SUCCEEDED');
    expect(placed()).toBe(before);

    await h.submit(modifyWire([open.directive_id], { exit_plan: undefined, size_plan: { position_size: '0.02' } }));
    expect(h.connector.placed().at(-1)).toMatchObject({ side: 'BUY' });
    expect(h.connector.placed().at(-1)?.quantity.toFixed()).toBe('0.01');
    let trade = h.ledger.positions.get(open.directive_id)!;
    expect(trade.filled_size.toFixed()).toBe('0.01998');
    expect(trade.remaining_size.toFixed()).toBe('0');

    await h.submit(modifyWire([open.directive_id], { exit_plan: undefined, size_plan: { position_size: '0.015' } }));
    expect(h.connector.placed().at(-1)).toMatchObject({ side: 'SELL' });
    expect(h.connector.placed().at(-1)?.quantity.toFixed()).toBe('0.005');
    trade = h.ledger.positions.get(open.directive_id)!;
    expect(trade.filled_size.toFixed()).toBe('0.01498');
  });

  it('a CLOSE sells the whole lots held; the part of a lot a base-asset fee left is dust: it stays, and the trade closes', async () => {
    const h = createHarness();
    h.connector.feeModel = 'spot';
    h.connector.setLot('BTC_USDT', '0.00001');
    // 0.015 bought, 0.000015 BTC taken: 0.014985 held, off the 0.00001 lot
    const open = newTradeWire({ exit_plan: undefined });
    await h.submit(open);
    expect(h.ledger.positions.get(open.directive_id)?.filled_size.toFixed()).toBe('0.014985');
    const close = closeWire([open.directive_id]);
    expect((await h.submit(close)).outcome).toBe('SUCCEEDED');
    expect(h.connector.placed().find((r) => r.client_order_id === clientOrderId(close.directive_id, 'C0'))?.quantity.toFixed()).toBe('0.01498');
    const closed = h.ledger.positions.get(open.directive_id)!;
    expect(closed.status).toBe('CLOSED');
    expect(closed.filled_size.toFixed()).toBe('0.000005');
    expect(h.journal.entries.map((e) => JSON.stringify(e.body)).join('\n')).toContain('0.000005 BTC is less than the venue sells');
    // the journal rebuilds the same closed trade, dust and fees per asset included
    const positions = await h.ledger.listPositions();
    const orders = await h.ledger.listOrders();
    const fills = await h.ledger.listFills();
    expect(compareLedgerWithJournal({ positions, orders, fills }, replayJournal(await h.journal.read()))).toEqual([]);
  });

  it('a stop that sells the whole lots held closes the trade: the part of a lot a base-asset fee left is dust, and the take profit is cancelled', async () => {
    const h = createHarness();
    h.connector.feeModel = 'spot';
    h.connector.setLot('BTC_USDT', '0.00001');
    // 0.015 bought, 0.000015 BTC taken: 0.014985 held, so the stop sells 0.01498
    const open = newTradeWire();
    expect((await h.submit(open)).outcome).toBe('SUCCEEDED');
    const stopId = clientOrderId(open.directive_id, 'SL');
    expect(h.connector.placed().find((r) => r.client_order_id === stopId)?.quantity.toFixed()).toBe('0.01498');
    h.connector.trigger(stopId, { price: '64000' });
    await h.settle(h.orchestrator.drain());
    const closed = h.ledger.positions.get(open.directive_id)!;
    expect(closed).toMatchObject({ status: 'CLOSED', close_reason: 'STOP_LOSS' });
    expect(closed.filled_size.toFixed()).toBe('0.000005');
    expect(h.ledger.orders.get(clientOrderId(open.directive_id, 'TP'))?.status).toBe('CANCELLED');
    expect(h.journal.ofType('TRADE_CLOSED')).toHaveLength(1);
  });

  it('a CLOSE of less than the venue’s minimum quantity sends nothing: all of it is dust, and the trade closes', async () => {
    const h = createHarness();
    h.connector.feeModel = 'spot';
    h.connector.setLot('BTC_USDT', '0.00001');
    // the minimum is 0.001: 0.001 bought, 0.000001 taken, 0.000999 held
    const open = newTradeWire({ exit_plan: undefined, size_plan: { position_size: '0.001', position_value: '65', risk_amount: '1', leverage: '1' } });
    await h.submit(open);
    const close = closeWire([open.directive_id]);
    expect((await h.submit(close)).outcome).toBe('SUCCEEDED');
    expect(h.connector.placed().some((r) => r.client_order_id === clientOrderId(close.directive_id, 'C0'))).toBe(false);
    const closed = h.ledger.positions.get(open.directive_id)!;
    expect(closed).toMatchObject({ status: 'CLOSED', exit_price: null });
    expect(closed.filled_size.toFixed()).toBe('0.000999');
  });

  it('books a BNB fee per asset only: the size held and the CLOSE are the quantity bought', async () => {
    const h = createHarness();
    h.connector.feeModel = { asset: 'BNB', amount: '0.0003' };
    const open = newTradeWire({ exit_plan: undefined });
    await h.submit(open);
    const close = closeWire([open.directive_id]);
    await h.submit(close);
    expect(h.connector.placed().find((r) => r.client_order_id === clientOrderId(close.directive_id, 'C0'))?.quantity.toFixed()).toBe('0.015');
    const closed = h.ledger.positions.get(open.directive_id)!;
    expect(closed.status).toBe('CLOSED');
    expect(closed.fees.toFixed()).toBe('0');
    expect(closed.fees_by_asset['BNB']?.toFixed()).toBe('0.0006');
  });

  it('property: for any entry filled in parts with fees in BTC, USDT or BNB, the CLOSE leg asks for exactly the net size held', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 50 }).map((n) => new Decimal(n).div(1000)),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 0, maxLength: 3 }),
        fc.constantFrom<'quote' | 'spot' | 'bnb'>('quote', 'spot', 'bnb'),
        async (size, parts, fees) => {
          const h = createHarness();
          h.connector.feeModel = fees === 'bnb' ? { asset: 'BNB', amount: '0.0001' } : fees;
          // parts of 6 decimals pay fees of 9: a lot that fine keeps every net size on it
          h.connector.setLot('BTC_USDT', '0.000000001');
          // a resting LIMIT entry the venue fills in parts (tenths of the order), then the rest
          const open = newTradeWire({
            entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '64000' },
            size_plan: { position_size: size.toFixed(), position_value: '650', risk_amount: '10', leverage: '1' },
            exit_plan: undefined,
          });
          expect((await h.submit(open)).outcome).toBe('SUCCEEDED');
          const entryId = clientOrderId(open.directive_id, 'E');
          let filled = new Decimal(0);
          let triggers = 1;
          for (const tenth of parts) {
            const q = size.mul(tenth).div(100).toDecimalPlaces(6, Decimal.ROUND_DOWN);
            if (!q.gt(0) || filled.plus(q).gte(size)) break;
            h.connector.trigger(entryId, { quantity: q.toFixed() });
            filled = filled.plus(q);
            triggers += 1;
            await h.settle(new Promise((resolve) => setTimeout(resolve, 0)));
          }
          h.connector.trigger(entryId);
          await h.settle(new Promise((resolve) => setTimeout(resolve, 0)));
          const fills = h.connector.orders.get(entryId)!.fills;
          expect(fills).toHaveLength(triggers);
          const baseFees = fills.filter((f) => f.fee_asset === 'BTC').reduce((sum, f) => sum.plus(f.fee), new Decimal(0));
          const held = h.ledger.positions.get(open.directive_id)!;
          expect(held.filled_size.eq(size.minus(baseFees))).toBe(true);
          expect(held.remaining_size.isZero()).toBe(true);

          const close = closeWire([open.directive_id]);
          expect((await h.submit(close)).outcome).toBe('SUCCEEDED');
          const leg = h.connector.placed().find((r) => r.client_order_id === clientOrderId(close.directive_id, 'C0'))!;
          expect(leg.quantity.eq(size.minus(baseFees))).toBe(true);
          expect(h.ledger.positions.get(open.directive_id)?.status).toBe('CLOSED');
        },
      ),
      { numRuns: 25 },
    );
  });
});
