import { describe, expect, it } from 'vitest';
import { toWire } from '../../src/domain/directive.js';
import { Decimal } from '../../src/domain/decimal.js';
import type { JournalEventType } from '../../src/domain/enums.js';
import { openPosition } from '../../src/domain/position-math.js';
import type { Position } from '../../src/domain/trading.js';
import { replayJournal } from '../../src/orchestration/journal-replay.js';
import type { JournalEntry } from '../../src/ports/journal.js';

const TRADE = 'DIR_20261124_101500_0000abcd';
const MODIFY = 'DIR_20261124_101600_0000abce';
const E = 'PX0000000000000001-E';
const SL = 'PX0000000000000001-SL';
const T0 = '2026-11-24T10:15:00.000Z';

let seq = 0;
function entry(event_type: JournalEventType, body: Record<string, unknown>, directive_id: string | null = TRADE): JournalEntry {
  seq += 1;
  return {
    seq,
    entry_id: `JRN_${seq}`,
    event_type,
    flow_id: directive_id ?? TRADE,
    directive_id,
    strategy_id: 'btc_momentum',
    timestamp: T0,
    correlation_id: TRADE,
    causation_id: null,
    body: toWire(body) as Record<string, unknown>,
    prev_hash: '',
    hash: '',
  };
}

function venueOrder(coid: string, o: { side: string; type: string; quantity: string; status: string; filled: string; avg: string | null; stop?: string; limit?: string; fills?: unknown[] }) {
  return {
    client_order_id: coid,
    venue_order_id: `V-${coid}`,
    symbol: 'BTC_USDT',
    side: o.side,
    order_type: o.type,
    quantity: o.quantity,
    limit_price: o.limit ?? null,
    stop_price: o.stop ?? null,
    status: o.status,
    filled_quantity: o.filled,
    average_fill_price: o.avg,
    fills: o.fills ?? [],
    reject_reason: null,
    created_at: T0,
    updated_at: T0,
  };
}

function fill(coid: string, id: string, side: string, quantity: string, price: string, fee: string) {
  return { fill_id: `FIL_${id}`, venue: 'paper', venue_trade_id: id, client_order_id: coid, trade_id: TRADE, directive_id: TRADE, symbol: 'BTC_USDT', side, quantity, price, fee, fee_asset: 'USDT', executed_at: T0 };
}

const entryIntent = () =>
  entry('ORDER_INTENT', {
    action: 'PLACE',
    leg: 'E',
    purpose: 'ENTRY',
    trade_id: TRADE,
    client_order_id: E,
    order: { symbol: 'BTC_USDT', side: 'BUY', order_type: 'MARKET', quantity: '0.02', time_in_force: 'GTC', reduce_only: false },
  });
const entryFilled = () =>
  entry('ORDER_RESULT', {
    action: 'PLACE',
    purpose: 'ENTRY',
    trade_id: TRADE,
    client_order_id: E,
    status: 'FILLED',
    order: venueOrder(E, { side: 'BUY', type: 'MARKET', quantity: '0.02', status: 'FILLED', filled: '0.02', avg: '65005' }),
    new_fills: [fill(E, 'T1', 'BUY', '0.01', '65000', '0.65'), fill(E, 'T2', 'BUY', '0.01', '65010', '0.65')],
  });
const stopIntent = () =>
  entry('ORDER_INTENT', {
    action: 'PLACE',
    leg: 'SL',
    purpose: 'STOP_LOSS',
    trade_id: TRADE,
    client_order_id: SL,
    order: { symbol: 'BTC_USDT', side: 'SELL', order_type: 'STOP_MARKET', quantity: '0.02', stop_price: '64000', time_in_force: 'GTC', reduce_only: true },
  });
const stopResting = () =>
  entry('ORDER_RESULT', {
    action: 'PLACE',
    purpose: 'STOP_LOSS',
    trade_id: TRADE,
    client_order_id: SL,
    status: 'OPEN',
    order: venueOrder(SL, { side: 'SELL', type: 'STOP_MARKET', quantity: '0.02', status: 'OPEN', filled: '0', avg: null, stop: '64000' }),
    new_fills: [],
  });

function state(overrides: Partial<Position>): Position {
  return {
    ...openPosition({
      trade_id: TRADE,
      strategy_id: 'btc_momentum',
      symbol: 'BTC_USDT',
      direction: 'BUY',
      position_size: new Decimal('0.02'),
      stop_loss: new Decimal('64000'),
      take_profit: null,
      opened_at: T0,
      opened_by: TRADE,
    }),
    ...overrides,
  };
}

describe('replayJournal', () => {
  it('computes size, entry price and fees from the fills, and takes stop and target from the recorded trade state', () => {
    // the recorded state carries a wrong PnL on purpose: arithmetic comes from fills, never from the state
    const opened = entry('TRADE_OPENED', { position: state({ realized_pnl: new Decimal('123'), filled_size: new Decimal('0.02') }) });
    const replay = replayJournal([entryIntent(), entryFilled(), stopIntent(), stopResting(), opened]);
    const trade = replay.positions.get(TRADE)!;
    expect(trade.filled_size.toFixed()).toBe('0.02');
    expect(trade.entry_price?.toFixed()).toBe('65005');
    expect(trade.fees.toFixed()).toBe('1.3');
    expect(trade.realized_pnl.toFixed()).toBe('0');
    expect(trade.stop_loss?.toFixed()).toBe('64000');
    expect(replay.orders.get(SL)).toMatchObject({ status: 'OPEN', purpose: 'STOP_LOSS' });
    expect(replay.problems).toEqual([]);
  });

  it('a stop that fills at the venue and flattens the trade closes it as STOP_LOSS, with PnL from the fill', () => {
    const triggered = entry(
      'FILL_RECORDED',
      {
        client_order_id: SL,
        purpose: 'STOP_LOSS',
        trade_id: TRADE,
        status: 'FILLED',
        fills: [fill(SL, 'T3', 'SELL', '0.02', '63990', '1.2798')],
        order: venueOrder(SL, { side: 'SELL', type: 'STOP_MARKET', quantity: '0.02', status: 'FILLED', filled: '0.02', avg: '63990', stop: '64000' }),
      },
      null,
    );
    const replay = replayJournal([entryIntent(), entryFilled(), stopIntent(), stopResting(), triggered]);
    const trade = replay.positions.get(TRADE)!;
    expect(trade.status).toBe('CLOSED');
    expect(trade.close_reason).toBe('STOP_LOSS');
    expect(trade.exit_price?.toFixed()).toBe('63990');
    expect(trade.realized_pnl.toFixed()).toBe('-20.3');
    expect(trade.filled_size.toFixed()).toBe('0');
    expect(replay.orders.get(SL)?.status).toBe('FILLED');
  });

  it('books a fill once however often the journal names it (a result repeated by recovery)', () => {
    const replay = replayJournal([entryIntent(), entryFilled(), entryFilled()]);
    expect(replay.positions.get(TRADE)?.filled_size.toFixed()).toBe('0.02');
    expect(replay.fills.size).toBe(2);
  });

  it('a failed flow leaves the trade as its EXECUTION_FAILED records it (the stop it meant to place is part of it)', () => {
    const rejected = entry('ORDER_RESULT', { action: 'PLACE', purpose: 'STOP_LOSS', trade_id: TRADE, client_order_id: SL, status: 'REJECTED', error_code: 'REDUCE_ONLY', error_message: 'nothing to reduce' });
    const failed = entry('EXECUTION_FAILED', { error_code: 'REDUCE_ONLY', positions: [state({ stop_loss: new Decimal('64000') })] });
    const replay = replayJournal([entryIntent(), entryFilled(), stopIntent(), rejected, failed]);
    expect(replay.positions.get(TRADE)).toMatchObject({ status: 'OPEN' });
    expect(replay.positions.get(TRADE)?.stop_loss?.toFixed()).toBe('64000');
    expect(replay.orders.get(SL)).toMatchObject({ status: 'REJECTED', reject_reason: 'nothing to reduce' });
  });

  it('on_api_failure rollback_ledger undoes what the directive wrote, as the ledger does', () => {
    const intent = entry(
      'ORDER_INTENT',
      { action: 'PLACE', leg: 'I0', purpose: 'INCREASE', trade_id: TRADE, client_order_id: 'PX02-I0', order: { symbol: 'BTC_USDT', side: 'BUY', order_type: 'MARKET', quantity: '0.01', time_in_force: 'GTC', reduce_only: false } },
      MODIFY,
    );
    const rejected = entry('ORDER_RESULT', { action: 'PLACE', purpose: 'INCREASE', trade_id: TRADE, client_order_id: 'PX02-I0', status: 'REJECTED', error_message: 'no' }, MODIFY);
    const rolledBack = entry('POLICY_APPLIED', { policy: 'on_api_failure', value: 'rollback_ledger', decision: 'ledger_rolled_back', rows: 1 }, MODIFY);
    const replay = replayJournal([entryIntent(), entryFilled(), intent, rejected, rolledBack]);
    expect(replay.orders.has('PX02-I0')).toBe(false);
    expect(replay.orders.has(E)).toBe(true);
    expect(replay.positions.get(TRADE)?.filled_size.toFixed()).toBe('0.02');
  });

  it('an entry the venue refused leaves no trade', () => {
    const refused = entry('ORDER_RESULT', { action: 'PLACE', purpose: 'ENTRY', trade_id: TRADE, client_order_id: E, status: 'REJECTED', error_message: 'insufficient funds' });
    const replay = replayJournal([entryIntent(), refused]);
    expect(replay.positions.size).toBe(0);
    expect(replay.orders.get(E)?.status).toBe('REJECTED');
  });

  it('reports an entry it cannot read instead of throwing', () => {
    const broken = entry('TRADE_OPENED', { position: { trade_id: TRADE, realized_pnl: 'lots' } });
    const orphan = entry('ORDER_RESULT', { action: 'PLACE', purpose: 'ENTRY', trade_id: TRADE, client_order_id: 'PX-unknown', status: 'REJECTED' });
    const replay = replayJournal([broken, orphan]);
    expect(replay.problems.map((p) => [p.seq, p.event_type])).toEqual([
      [broken.seq, 'TRADE_OPENED'],
      [orphan.seq, 'ORDER_RESULT'],
    ]);
    expect(replay.problems[0]!.message).toMatch(/unreadable trade state/);
  });
});
