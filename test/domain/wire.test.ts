import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/decimal.js';
import type { ExecutionFailedDTO, FlowCompletionDTO, TradeExecutedDTO } from '../../src/domain/dto.js';
import { ValidationError, type ValidationIssue } from '../../src/domain/errors.js';
import type { FillRecord, OrderRecord, Position } from '../../src/domain/trading.js';
import {
  executionFailedFromWire,
  executionFailedToWire,
  fillRecordFromWire,
  fillRecordToWire,
  flowCompletionFromWire,
  flowCompletionToWire,
  orderRecordFromWire,
  orderRecordToWire,
  positionFromWire,
  positionToWire,
  tradeExecutedFromWire,
  tradeExecutedToWire,
} from '../../src/domain/wire.js';

const d = (s: string) => new Decimal(s);

const position: Position = {
  trade_id: 'DIR_20261124_101500_a1b2c3d4',
  strategy_id: 'btc_momentum',
  symbol: 'BTC_USDT',
  direction: 'BUY',
  status: 'OPEN',
  entry_price: d('65000.1'),
  position_size: d('0.015'),
  filled_size: d('0.01'),
  remaining_size: d('0.005'),
  // An average planexec computed: 40 significant digits.
  average_entry_price: d('65000.1').plus(d('1').div(3)),
  stop_loss: d('64000'),
  take_profit: null,
  protection: 'NONE',
  exit_price: null,
  close_reason: null,
  realized_pnl: d('-12.5'),
  fees: d('-0.0001'),
  fees_by_asset: { USDT: d('-0.0001'), BTC: d('0.00001') },
  opened_at: '2026-11-24T10:15:00.000Z',
  closed_at: null,
  updated_at: '2026-11-24T10:15:01.000Z',
  opened_by: 'DIR_20261124_101500_a1b2c3d4',
  last_directive_id: null,
};

const order: OrderRecord = {
  client_order_id: 'PX0123456789abcdef-E',
  venue_order_id: null,
  trade_id: 'DIR_1',
  directive_id: 'DIR_1',
  purpose: 'ENTRY',
  symbol: 'BTC_USDT',
  side: 'SELL',
  order_type: 'STOP_MARKET',
  time_in_force: 'GTC',
  quantity: d('0.015'),
  limit_price: null,
  stop_price: d('64000'),
  reduce_only: true,
  status: 'IN_DOUBT',
  filled_quantity: d('0'),
  average_fill_price: null,
  reject_reason: null,
  created_at: '2026-11-24T10:15:00Z',
  updated_at: '2026-11-24T10:15:00Z',
};

const fill: FillRecord = {
  fill_id: 'FIL_20261124_101500_0badf00d',
  venue: 'paper',
  venue_trade_id: 'T/42 with spaces',
  client_order_id: 'PX0123456789abcdef-E',
  trade_id: 'DIR_1',
  directive_id: null,
  symbol: 'BTC_USDT',
  side: 'BUY',
  quantity: d('0.005'),
  price: d('65000.12'),
  fee: d('-0.01'),
  fee_asset: 'USDT',
  executed_at: '2026-11-24T10:15:00.5Z',
};

const tradeExecuted: TradeExecutedDTO = {
  directive_id: 'DIR_1',
  strategy_id: 'btc_momentum',
  scope: 'NEW_TRADE',
  execution_time: '2026-11-24T10:15:00.123Z',
  fill_price: d('65000.12'),
  order_id: 'venue-1',
  target_trade_ids: [],
  client_order_id: 'PX0123456789abcdef-E',
  status: 'FILLED',
  filled_quantity: d('0.015'),
  trade_ids: ['DIR_1'],
};

const executionFailed: ExecutionFailedDTO = {
  directive_id: null,
  strategy_id: null,
  flow_id: 'INV_0123456789abcdef01234567',
  error_type: 'ValidationError',
  error_code: 'VALIDATION_FAILED',
  error_message: 'scope: is required [required]',
  timestamp: '2026-11-24T10:15:00Z',
  line: 7,
};

const flowCompletion: FlowCompletionDTO = {
  flow_id: 'DIR_1',
  directive_id: 'DIR_1',
  strategy_id: 'btc_momentum',
  completion_time: '2026-11-24T10:15:01Z',
  started_at: '2026-11-24T10:15:00Z',
  duration_ms: 1000,
  reason: 'venue rejected the order',
  final_state: 'ERROR',
  outcome: 'FAILED',
  error_details: { error_type: 'VenueRejected', error_code: 'INSUFFICIENT_FUNDS', error_message: 'not enough USDT' },
};

function issuesOf(run: () => unknown): Array<[string, string]> {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i: ValidationIssue) => [i.path, i.rule]);
  }
  throw new Error('accepted');
}

const codecs = [
  ['Position', position, positionToWire, positionFromWire],
  ['OrderRecord', order, orderRecordToWire, orderRecordFromWire],
  ['FillRecord', fill, fillRecordToWire, fillRecordFromWire],
  ['TradeExecutedDTO', tradeExecuted, tradeExecutedToWire, tradeExecutedFromWire],
  ['ExecutionFailedDTO', executionFailed, executionFailedToWire, executionFailedFromWire],
  ['FlowCompletionDTO', flowCompletion, flowCompletionToWire, flowCompletionFromWire],
] as const;

describe('wire codecs', () => {
  it.each(codecs)('%s survives JSON text unchanged', (_name, value, toWire, fromWire) => {
    const text = JSON.stringify((toWire as (v: unknown) => unknown)(value));
    const back = (fromWire as (v: unknown) => unknown)(JSON.parse(text));
    expect(back).toEqual(value);
    expect(JSON.stringify((toWire as (v: unknown) => unknown)(back))).toBe(text);
  });

  it.each(codecs)('%s refuses an unknown field and a missing one, naming both', (name, value, toWire, fromWire) => {
    const wire: Record<string, unknown> = { ...(toWire as (v: unknown) => Record<string, unknown>)(value), surprise: 1 };
    const [firstKey] = Object.keys(value);
    delete wire[firstKey!];
    const issues = issuesOf(() => (fromWire as (v: unknown) => unknown)(wire));
    expect(issues).toContainEqual(['surprise', 'unknown_field']);
    expect(issues).toContainEqual([firstKey, 'required']);
    expect(() => (fromWire as (v: unknown) => unknown)(wire)).toThrow(new RegExp(`^${name}: `));
  });

  it('writes decimals as canonical strings, never as JSON numbers', () => {
    const wire = positionToWire(position);
    expect(wire.entry_price).toBe('65000.1');
    expect(wire.realized_pnl).toBe('-12.5');
    expect(wire.fees).toBe('-0.0001');
    expect(wire.average_entry_price).toMatch(/^65000\.4(3){30,}$/);
    expect(wire.take_profit).toBeNull();
    expect(JSON.stringify(wire)).not.toMatch(/":\s*-?\d/);
    expect(tradeExecutedToWire(tradeExecuted).filled_quantity).toBe('0.015');
  });

  it('reads decimals given as strings or JSON numbers', () => {
    const back = fillRecordFromWire({ ...fillRecordToWire(fill), price: 65000.12, quantity: '5e-3' });
    expect(back.price.equals(d('65000.12'))).toBe(true);
    expect(back.quantity.equals(d('0.005'))).toBe(true);
  });

  it('applies the sign rule of each amount', () => {
    expect(issuesOf(() => orderRecordFromWire({ ...orderRecordToWire(order), quantity: '0' }))).toEqual([['quantity', 'positive']]);
    expect(issuesOf(() => orderRecordFromWire({ ...orderRecordToWire(order), filled_quantity: '-1' }))).toEqual([['filled_quantity', 'non_negative']]);
    expect(issuesOf(() => positionFromWire({ ...positionToWire(position), entry_price: 'abc', stop_loss: '1e999999' }))).toEqual([
      ['entry_price', 'decimal'],
      ['stop_loss', 'magnitude'],
    ]);
  });

  it('checks enums, timestamps, identifiers and integers', () => {
    expect(issuesOf(() => orderRecordFromWire({ ...orderRecordToWire(order), status: 'DONE', created_at: 'today' }))).toEqual([
      ['status', 'enum'],
      ['created_at', 'iso8601'],
    ]);
    expect(issuesOf(() => tradeExecutedFromWire({ ...tradeExecutedToWire(tradeExecuted), trade_ids: ['ok', 'not ok'] }))).toEqual([['trade_ids[1]', 'identifier']]);
    expect(issuesOf(() => executionFailedFromWire({ ...executionFailedToWire(executionFailed), line: 1.5 }))).toEqual([['line', 'type']]);
    expect(issuesOf(() => flowCompletionFromWire({ ...flowCompletionToWire(flowCompletion), error_details: { error_type: 'X' } }))).toEqual([
      ['error_details.error_code', 'required'],
      ['error_details.error_message', 'required'],
    ]);
  });

  it('refuses what is not an object', () => {
    for (const bad of [null, 'x', [], 1]) expect(issuesOf(() => positionFromWire(bad))).toEqual([['', 'type']]);
  });

  it('keeps every digit of computed amounts through the wire', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }),
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        (a, b, c) => {
          // Quotients of integers: up to 40 significant digits, like a VWAP or a PnL split.
          const pnl = d(a.toString()).div(d(b.toString()));
          const avg = d(b.toString()).div(d(c.toString()));
          const back = positionFromWire(JSON.parse(JSON.stringify(positionToWire({ ...position, realized_pnl: pnl, average_entry_price: avg }))));
          expect(back.realized_pnl.equals(pnl)).toBe(true);
          expect(back.average_entry_price?.equals(avg)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
