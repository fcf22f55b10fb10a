import { Decimal } from '../../../src/domain/decimal.js';
import type { FlowCompletionDTO } from '../../../src/domain/dto.js';
import type { Anomaly, FillRecord, OrderRecord, Position } from '../../../src/domain/trading.js';
import type { JournalEntryInput } from '../../../src/ports/journal.js';

/** Record builders for store tests: valid defaults, any field overridable. */

const T0 = '2026-11-24T10:15:00.000Z';
let counter = 0;
const next = (): string => (++counter).toString(16).padStart(6, '0');

export function position(overrides: Partial<Position> = {}): Position {
  const id = overrides.trade_id ?? `DIR_20261124_101500_${next()}00`;
  return {
    trade_id: id,
    strategy_id: 'btc_momentum',
    symbol: 'BTC_USDT',
    direction: 'BUY',
    status: 'OPEN',
    entry_price: new Decimal('65000.1'),
    position_size: new Decimal('0.015'),
    filled_size: new Decimal('0.015'),
    remaining_size: new Decimal('0'),
    average_entry_price: new Decimal('65000.1'),
    stop_loss: new Decimal('64000'),
    take_profit: new Decimal('67000'),
    protection: 'LIVE',
    exit_price: null,
    close_reason: null,
    realized_pnl: new Decimal('0'),
    fees: new Decimal('0.975'),
    fees_by_asset: { USDT: new Decimal('0.975') },
    opened_at: T0,
    closed_at: null,
    updated_at: T0,
    opened_by: id,
    last_directive_id: id,
    ...overrides,
  };
}

export function order(overrides: Partial<OrderRecord> = {}): OrderRecord {
  return {
    client_order_id: `PX${next()}-E`,
    venue_order_id: null,
    trade_id: 'TRADE_1',
    directive_id: 'TRADE_1',
    purpose: 'ENTRY',
    symbol: 'BTC_USDT',
    side: 'BUY',
    order_type: 'LIMIT',
    time_in_force: 'GTC',
    quantity: new Decimal('0.015'),
    limit_price: new Decimal('65000.1'),
    stop_price: null,
    reduce_only: false,
    status: 'PENDING',
    filled_quantity: new Decimal('0'),
    average_fill_price: null,
    reject_reason: null,
    created_at: T0,
    updated_at: T0,
    ...overrides,
  };
}

export function fill(overrides: Partial<FillRecord> = {}): FillRecord {
  const n = next();
  return {
    fill_id: `FIL_20261124_101500_${n}00`,
    venue: 'paper',
    venue_trade_id: `T${n}`,
    client_order_id: 'PX-unknown',
    trade_id: 'TRADE_1',
    directive_id: 'TRADE_1',
    symbol: 'BTC_USDT',
    side: 'BUY',
    quantity: new Decimal('0.005'),
    price: new Decimal('65000.1'),
    fee: new Decimal('0.325'),
    fee_asset: 'USDT',
    executed_at: T0,
    ...overrides,
  };
}

export function anomaly(overrides: Partial<Anomaly> = {}): Anomaly {
  return {
    kind: 'OTHER',
    trade_id: null,
    client_order_id: null,
    message: 'something odd',
    details: { note: 'x' },
    detected_at: T0,
    ...overrides,
  };
}

export function journalInput(overrides: Partial<JournalEntryInput> = {}): JournalEntryInput {
  const flow = overrides.flow_id ?? 'DIR_20261124_101500_0000abcd';
  return {
    event_type: 'ORDER_INTENT',
    flow_id: flow,
    directive_id: flow,
    strategy_id: 'btc_momentum',
    timestamp: T0,
    correlation_id: flow,
    causation_id: null,
    body: { client_order_id: 'PX1-E', quantity: '0.015', limit_price: '65000.1' },
    ...overrides,
  };
}

export function completion(overrides: Partial<FlowCompletionDTO> = {}): FlowCompletionDTO {
  const flow = overrides.flow_id ?? 'DIR_20261124_101500_0000abcd';
  return {
    flow_id: flow,
    directive_id: flow,
    strategy_id: 'btc_momentum',
    completion_time: '2026-11-24T10:15:01.250Z',
    started_at: T0,
    duration_ms: 1250,
    reason: 'filled',
    final_state: 'SUCCESS',
    outcome: 'SUCCEEDED',
    error_details: null,
    ...overrides,
  };
}

/** Decimal fields compared by exact text: a stored 0.1 must come back as 0.1, not 0.1000000001. */
export function wireOf<T extends object>(record: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, Decimal.isDecimal(v) ? `D:${(v as Decimal).toFixed()}` : v]));
}
