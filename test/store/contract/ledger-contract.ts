import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/decimal.js';
import { LedgerError } from '../../../src/domain/errors.js';
import type { Position } from '../../../src/domain/trading.js';
import type { ILedgerProvider } from '../../../src/ports/ledger.js';
import { anomaly, fill, order, position, wireOf } from './builders.js';

export interface LedgerFixture {
  readonly ledger: ILedgerProvider;
  close(): Promise<void>;
}

/** Behaviour every ILedgerProvider must have. `factory` gives a fresh, empty store each time. */
export function describeLedgerContract(name: string, factory: () => Promise<LedgerFixture>): void {
  describe(`ILedgerProvider contract: ${name}`, () => {
    let fixture: LedgerFixture;
    let ledger: ILedgerProvider;

    beforeEach(async () => {
      fixture = await factory();
      ledger = fixture.ledger;
    });

    afterEach(async () => {
      await fixture.close();
    });

    it('stores positions, orders and fills and reads them back field for field', async () => {
      const p = position({ trade_id: 'T1', opened_by: 'T1', last_directive_id: 'T1' });
      const o = order({ client_order_id: 'PX1-E', trade_id: 'T1', directive_id: 'T1', venue_order_id: 'V1', reduce_only: true, stop_price: new Decimal('64000') });
      const f = fill({ client_order_id: 'PX1-E', trade_id: 'T1', directive_id: 'T1', quantity: new Decimal('0.015') });
      const result = await ledger.apply({ directive_id: 'T1', positions: [p], orders: [o], fills: [f] });
      expect(result.duplicate_fills).toEqual([]);
      expect(wireOf((await ledger.getPosition('T1'))!)).toEqual(wireOf(p));
      expect(wireOf((await ledger.getOrder('PX1-E'))!)).toEqual(wireOf(o));
      expect((await ledger.listFills()).map(wireOf)).toEqual([wireOf(f)]);
    });

    it('returns undefined for a trade or an order it does not know', async () => {
      expect(await ledger.getPosition('nope')).toBeUndefined();
      expect(await ledger.getOrder('nope')).toBeUndefined();
    });

    it('keeps decimals exact, to 40 significant digits, negatives and tiny values included', async () => {
      const p = position({
        trade_id: 'TD',
        entry_price: new Decimal('12345678901234567890.12345678901234567890'),
        position_size: new Decimal('0.00000000000000000001'),
        filled_size: new Decimal('0.1'),
        remaining_size: new Decimal('0.2'),
        average_entry_price: new Decimal('0.30000000000000000004'),
        realized_pnl: new Decimal('-3.5'),
        fees: new Decimal('1e-30'),
      });
      await ledger.apply({ directive_id: null, positions: [p] });
      const back = (await ledger.getPosition('TD'))!;
      expect(back.entry_price!.toFixed()).toBe('12345678901234567890.1234567890123456789');
      expect(back.position_size.toFixed()).toBe('0.00000000000000000001');
      expect(back.filled_size.plus(back.remaining_size).toFixed()).toBe('0.3');
      expect(back.average_entry_price!.toFixed()).toBe('0.30000000000000000004');
      expect(back.realized_pnl.toFixed()).toBe('-3.5');
      expect(back.fees.eq(new Decimal('1e-30'))).toBe(true);
      expect(Decimal.isDecimal(back.position_size)).toBe(true);
    });

    it('treats rows as full states: applying a position again replaces it', async () => {
      const p = position({ trade_id: 'T2' });
      await ledger.apply({ directive_id: null, positions: [p] });
      const closed = position({
        ...p,
        status: 'CLOSED',
        exit_price: new Decimal('66000'),
        close_reason: 'take_profit',
        realized_pnl: new Decimal('14.9985'),
        closed_at: '2026-11-24T11:00:00.000Z',
      });
      await ledger.apply({ directive_id: null, positions: [closed] });
      expect(wireOf((await ledger.getPosition('T2'))!)).toEqual(wireOf(closed));
      expect(await ledger.listPositions()).toHaveLength(1);
    });

    it('applies all rows or none: a change that fails in the store leaves nothing behind', async () => {
      const first = fill({ fill_id: 'FIL_SAME', venue_trade_id: 'A1' });
      await ledger.apply({ directive_id: null, fills: [first] });
      // same fill_id, different venue trade: a conflicting record, not a duplicate fill
      const clash = fill({ fill_id: 'FIL_SAME', venue_trade_id: 'A2' });
      const change = { directive_id: 'D_ATOMIC', positions: [position({ trade_id: 'T_ATOMIC' })], orders: [order({ client_order_id: 'PX_ATOMIC' })], fills: [clash] };
      await expect(ledger.apply(change)).rejects.toBeInstanceOf(LedgerError);
      expect(await ledger.getPosition('T_ATOMIC')).toBeUndefined();
      expect(await ledger.getOrder('PX_ATOMIC')).toBeUndefined();
      expect((await ledger.listFills()).map((f) => f.venue_trade_id)).toEqual(['A1']);
    });

    it('refuses a JS number where a Decimal belongs, writing nothing', async () => {
      const bad = { ...position({ trade_id: 'T_NUM' }), position_size: 0.015 as unknown as Decimal };
      await expect(ledger.apply({ directive_id: null, positions: [position({ trade_id: 'T_OK' }), bad] })).rejects.toBeInstanceOf(LedgerError);
      expect(await ledger.listPositions()).toEqual([]);
    });

    it('skips a fill whose (venue, venue_trade_id) it already has and lists it as duplicate', async () => {
      const o = order({ client_order_id: 'PX_D', quantity: new Decimal('1') });
      const f1 = fill({ client_order_id: 'PX_D', venue_trade_id: 'V-1', quantity: new Decimal('0.1') });
      await ledger.apply({ directive_id: null, orders: [o], fills: [f1] });
      const again = fill({ client_order_id: 'PX_D', venue_trade_id: 'V-1', quantity: new Decimal('0.1') });
      const f2 = fill({ client_order_id: 'PX_D', venue_trade_id: 'V-2', quantity: new Decimal('0.2') });
      const result = await ledger.apply({ directive_id: null, fills: [again, f2, f2] });
      expect(result.duplicate_fills).toEqual(['V-1', 'V-2']);
      expect((await ledger.listFills({ client_order_id: 'PX_D' })).map((f) => f.venue_trade_id)).toEqual(['V-1', 'V-2']);
    });

    it('scopes fill identity by venue: the same trade id at another venue is a different fill', async () => {
      const a = fill({ venue: 'paper', venue_trade_id: 'X-1' });
      const b = fill({ venue: 'binance', venue_trade_id: 'X-1' });
      const result = await ledger.apply({ directive_id: null, fills: [a, b] });
      expect(result.duplicate_fills).toEqual([]);
      expect(await ledger.listFills()).toHaveLength(2);
    });

    it('records an overfill as an OVERFILL anomaly instead of failing', async () => {
      const o = order({ client_order_id: 'PX_O', trade_id: 'T_O', quantity: new Decimal('0.015') });
      await ledger.apply({ directive_id: null, orders: [o], fills: [fill({ client_order_id: 'PX_O', trade_id: 'T_O', quantity: new Decimal('0.01') })] });
      await expect(
        ledger.apply({ directive_id: null, fills: [fill({ client_order_id: 'PX_O', trade_id: 'T_O', quantity: new Decimal('0.01') })] }),
      ).resolves.toMatchObject({ duplicate_fills: [] });
      const anomalies = await ledger.listAnomalies();
      expect(anomalies).toHaveLength(1);
      expect(anomalies[0]).toMatchObject({ kind: 'OVERFILL', client_order_id: 'PX_O', trade_id: 'T_O' });
      expect(await ledger.listFills({ client_order_id: 'PX_O' })).toHaveLength(2);
    });

    it('does not call a fill that exactly completes its order an overfill', async () => {
      const o = order({ client_order_id: 'PX_X', quantity: new Decimal('0.3') });
      const fills = [fill({ client_order_id: 'PX_X', quantity: new Decimal('0.1') }), fill({ client_order_id: 'PX_X', quantity: new Decimal('0.2') })];
      await ledger.apply({ directive_id: null, orders: [o], fills });
      expect(await ledger.listAnomalies()).toEqual([]);
    });

    it('records a fill for an order it does not know as UNKNOWN_ORDER_FILL, keeping the fill', async () => {
      await ledger.apply({ directive_id: null, fills: [fill({ client_order_id: 'PX_GHOST' })] });
      expect(await ledger.listAnomalies()).toMatchObject([{ kind: 'UNKNOWN_ORDER_FILL', client_order_id: 'PX_GHOST' }]);
      expect(await ledger.listFills({ client_order_id: 'PX_GHOST' })).toHaveLength(1);
    });

    it('does not record an anomaly twice when the change already carries it', async () => {
      const given = anomaly({ kind: 'UNKNOWN_ORDER_FILL', client_order_id: 'PX_G2', message: 'caller saw it' });
      await ledger.apply({ directive_id: null, fills: [fill({ client_order_id: 'PX_G2' })], anomalies: [given] });
      expect(await ledger.listAnomalies()).toEqual([given]);
    });

    it('stores anomalies with their details, in the order they came', async () => {
      const a = anomaly({ kind: 'POSITION_MISMATCH', trade_id: 'T9', details: { ledger: '0.015', venue: '0.014', nested: { ok: false } } });
      const b = anomaly({ kind: 'OTHER', message: 'second' });
      await ledger.apply({ directive_id: 'D_AN', anomalies: [a] });
      await ledger.apply({ directive_id: null, anomalies: [b] });
      expect(await ledger.listAnomalies()).toEqual([a, b]);
    });

    it('filters positions by status, strategy, symbol and direction', async () => {
      await ledger.apply({
        directive_id: null,
        positions: [
          position({ trade_id: 'P1', strategy_id: 's1', symbol: 'BTC_USDT' }),
          position({ trade_id: 'P2', strategy_id: 's1', symbol: 'ETH_USDT', status: 'CLOSED' }),
          position({ trade_id: 'P3', strategy_id: 's2', symbol: 'BTC_USDT' }),
          position({ trade_id: 'P4', strategy_id: 's2', symbol: 'BTC_USDT', direction: 'SELL' }),
        ],
      });
      const ids = (ps: Position[]): string[] => ps.map((p) => p.trade_id).sort();
      expect(ids(await ledger.listPositions())).toEqual(['P1', 'P2', 'P3', 'P4']);
      expect(ids(await ledger.listPositions({ status: 'OPEN' }))).toEqual(['P1', 'P3', 'P4']);
      expect(ids(await ledger.listPositions({ strategy_id: 's1' }))).toEqual(['P1', 'P2']);
      expect(ids(await ledger.listPositions({ symbol: 'BTC_USDT', strategy_id: 's2' }))).toEqual(['P3', 'P4']);
      expect(ids(await ledger.listPositions({ status: 'OPEN', symbol: 'BTC_USDT', direction: 'SELL' }))).toEqual(['P4']);
      expect(ids(await ledger.listPositions({ status: 'CLOSED', symbol: 'BTC_USDT' }))).toEqual([]);
    });

    it('filters orders by trade, directive and a set of statuses', async () => {
      await ledger.apply({
        directive_id: null,
        orders: [
          order({ client_order_id: 'O1', trade_id: 'TA', directive_id: 'DA', status: 'OPEN' }),
          order({ client_order_id: 'O2', trade_id: 'TA', directive_id: 'DB', status: 'FILLED' }),
          order({ client_order_id: 'O3', trade_id: 'TB', directive_id: 'DB', status: 'IN_DOUBT' }),
        ],
      });
      const ids = async (f: Parameters<ILedgerProvider['listOrders']>[0]): Promise<string[]> =>
        (await ledger.listOrders(f)).map((o) => o.client_order_id).sort();
      expect(await ids({})).toEqual(['O1', 'O2', 'O3']);
      expect(await ids({ trade_id: 'TA' })).toEqual(['O1', 'O2']);
      expect(await ids({ directive_id: 'DB' })).toEqual(['O2', 'O3']);
      expect(await ids({ statuses: ['OPEN', 'IN_DOUBT'] })).toEqual(['O1', 'O3']);
      expect(await ids({ statuses: [] })).toEqual([]);
      expect(await ids({ trade_id: 'TA', statuses: ['FILLED'] })).toEqual(['O2']);
    });

    it('filters fills by trade and by order', async () => {
      await ledger.apply({
        directive_id: null,
        fills: [
          fill({ venue_trade_id: 'F1', trade_id: 'TA', client_order_id: 'OA' }),
          fill({ venue_trade_id: 'F2', trade_id: 'TA', client_order_id: 'OB' }),
          fill({ venue_trade_id: 'F3', trade_id: 'TB', client_order_id: 'OC' }),
        ],
      });
      const ids = async (f: Parameters<ILedgerProvider['listFills']>[0]): Promise<string[]> =>
        (await ledger.listFills(f)).map((x) => x.venue_trade_id).sort();
      expect(await ids({ trade_id: 'TA' })).toEqual(['F1', 'F2']);
      expect(await ids({ client_order_id: 'OC' })).toEqual(['F3']);
      expect(await ids({ trade_id: 'TA', client_order_id: 'OB' })).toEqual(['F2']);
    });

    it('rolls a directive back: positions to their before-image, its orders and fills removed', async () => {
      const opened = position({ trade_id: 'TR', position_size: new Decimal('0.015') });
      const entry = order({ client_order_id: 'PX_TR-E', trade_id: 'TR', directive_id: 'TR', status: 'FILLED' });
      const entryFill = fill({ client_order_id: 'PX_TR-E', trade_id: 'TR', directive_id: 'TR', quantity: new Decimal('0.015') });
      await ledger.apply({ directive_id: 'TR', positions: [opened], orders: [entry], fills: [entryFill] });

      const modified = position({ ...opened, position_size: new Decimal('0.03'), filled_size: new Decimal('0.025'), last_directive_id: 'DM' });
      const increase = order({ client_order_id: 'PX_DM-I', trade_id: 'TR', directive_id: 'DM', purpose: 'INCREASE', status: 'PARTIALLY_FILLED' });
      const increaseFill = fill({ client_order_id: 'PX_DM-I', trade_id: 'TR', directive_id: 'DM', quantity: new Decimal('0.01') });
      await ledger.apply({ directive_id: 'DM', positions: [modified], orders: [increase] });
      await ledger.apply({ directive_id: 'DM', fills: [increaseFill] });
      await ledger.apply({ directive_id: 'DM', positions: [position({ ...modified, filled_size: new Decimal('0.03') })] });

      expect(await ledger.rollbackDirective('DM')).toBe(3);
      expect(wireOf((await ledger.getPosition('TR'))!)).toEqual(wireOf(opened));
      expect(await ledger.getOrder('PX_DM-I')).toBeUndefined();
      expect((await ledger.listFills({ trade_id: 'TR' })).map((f) => f.client_order_id)).toEqual(['PX_TR-E']);
      expect(await ledger.getOrder('PX_TR-E')).toBeDefined();
    });

    it('restores an order another directive created and this one changed', async () => {
      const stop = order({ client_order_id: 'PX_SL', trade_id: 'TS', directive_id: 'TS', purpose: 'STOP_LOSS', status: 'OPEN' });
      await ledger.apply({ directive_id: 'TS', orders: [stop] });
      await ledger.apply({ directive_id: 'DC', orders: [order({ ...stop, status: 'CANCELLED', updated_at: '2026-11-24T12:00:00.000Z' })] });
      expect(await ledger.rollbackDirective('DC')).toBe(1);
      expect(wireOf((await ledger.getOrder('PX_SL'))!)).toEqual(wireOf(stop));
    });

    it('leaves a change applied with undo: false out of its directive\'s rollback', async () => {
      await ledger.apply({ directive_id: 'DU', orders: [order({ client_order_id: 'PX_DU-E', trade_id: 'DU', directive_id: 'DU', status: 'PENDING' })] });
      await ledger.apply({
        directive_id: 'DU',
        undo: false,
        positions: [position({ trade_id: 'DU' })],
        orders: [order({ client_order_id: 'PX_DU-E', trade_id: 'DU', directive_id: 'DU', status: 'FILLED' })],
        fills: [fill({ client_order_id: 'PX_DU-E', trade_id: 'DU', directive_id: 'DU', venue_trade_id: 'DU1' })],
      });
      // only the PENDING insert was recorded: rolling back removes the order, not the position or fill
      expect(await ledger.rollbackDirective('DU')).toBe(1);
      expect(await ledger.getOrder('PX_DU-E')).toBeUndefined();
      expect(await ledger.getPosition('DU')).toBeDefined();
      expect(await ledger.listFills({ trade_id: 'DU' })).toHaveLength(1);
    });

    it('removes a position the directive created when it is rolled back', async () => {
      await ledger.apply({ directive_id: 'TN', positions: [position({ trade_id: 'TN' })] });
      expect(await ledger.rollbackDirective('TN')).toBe(1);
      expect(await ledger.getPosition('TN')).toBeUndefined();
    });

    it('makes a second rollback, or a rollback of an unknown directive, a no-op returning 0', async () => {
      await ledger.apply({ directive_id: 'TZ', positions: [position({ trade_id: 'TZ' })] });
      expect(await ledger.rollbackDirective('TZ')).toBe(1);
      expect(await ledger.rollbackDirective('TZ')).toBe(0);
      expect(await ledger.rollbackDirective('never-seen')).toBe(0);
    });

    it('leaves changes without a directive and duplicate fills out of a rollback', async () => {
      const o = order({ client_order_id: 'PX_V', quantity: new Decimal('1') });
      const f = fill({ client_order_id: 'PX_V', venue_trade_id: 'VV' });
      await ledger.apply({ directive_id: null, orders: [o], fills: [f] });
      // the directive sees the same fill again: skipped, so not its to remove
      await ledger.apply({ directive_id: 'DV', fills: [fill({ client_order_id: 'PX_V', venue_trade_id: 'VV' })] });
      expect(await ledger.rollbackDirective('DV')).toBe(0);
      expect(await ledger.listFills({ client_order_id: 'PX_V' })).toHaveLength(1);
      expect(await ledger.getOrder('PX_V')).toBeDefined();
    });

    it('keeps anomalies through a rollback: they record what happened', async () => {
      await ledger.apply({ directive_id: 'DA2', anomalies: [anomaly({ message: 'seen' })], positions: [position({ trade_id: 'DA2' })] });
      await ledger.rollbackDirective('DA2');
      expect(await ledger.listAnomalies()).toHaveLength(1);
    });

    it('loses nothing when many callers apply at once', async () => {
      const n = 200;
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          ledger.apply({
            directive_id: `DC${i}`,
            positions: [position({ trade_id: `TC${i}` })],
            orders: [order({ client_order_id: `PXC${i}`, trade_id: `TC${i}`, quantity: new Decimal('1') })],
            fills: [fill({ client_order_id: `PXC${i}`, trade_id: `TC${i}`, venue_trade_id: `VC${i}` })],
          }),
        ),
      );
      expect(await ledger.listPositions()).toHaveLength(n);
      expect(await ledger.listOrders()).toHaveLength(n);
      expect(await ledger.listFills()).toHaveLength(n);
      expect(await ledger.listAnomalies()).toEqual([]);
    });

    it('makes a write visible to reads once its promise resolved', async () => {
      const pending = ledger.apply({ directive_id: null, positions: [position({ trade_id: 'TVIS' })] });
      await pending;
      expect(await ledger.getPosition('TVIS')).toBeDefined();
    });
  });
}
