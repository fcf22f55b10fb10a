import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../src/app/create-platform.js';
import {
  executionQuality,
  ExecutionQualityRowSchema,
  parseExecutionQualityQuery,
  percentile,
  referencePrice,
  slippageBps,
  styleShortfall,
  type IExecutionQualitySource,
  type QualityFill,
  type QualityLeg,
} from '../../src/app/execution-quality.js';
import { defaultConfig } from '../../src/config/schema.js';
import type { StyledEntry } from '../../src/ports/read-models.js';
import { Decimal } from '../../src/domain/decimal.js';
import type { ExecutionDirectiveWire } from '../../src/domain/directive.js';
import { ValidationError } from '../../src/domain/errors.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { SqliteReadModels } from '../../src/store/sqlite/sqlite-read-models.js';
import { ethSwingShortWire, newTradeWire, solRestingDipWire } from '../support/directives.js';
import { silentLogger } from '../support/fakes.js';

const d = (text: string): Decimal => new Decimal(text);
const T0 = Date.UTC(2026, 10, 24, 10, 15);
const iso = (ms: number): string => new Date(T0 + ms).toISOString();

function leg(overrides: Partial<QualityLeg> = {}): QualityLeg {
  return {
    client_order_id: 'PX1-E',
    strategy_id: 'btc_momentum',
    symbol: 'BTC_USDT',
    side: 'BUY',
    order_type: 'MARKET',
    quantity: d('1'),
    limit_price: null,
    stop_price: null,
    reference_price: d('100'),
    accepted_at: iso(0),
    ...overrides,
  };
}

const fillOf = (coid: string, quantity: string, price: string, afterMs: number): QualityFill => ({ client_order_id: coid, quantity: d(quantity), price: d(price), executed_at: iso(afterMs) });

/** A source over fixed legs and fills, paged like the store. */
function fixedSource(legs: readonly QualityLeg[], fills: readonly QualityFill[], styled: readonly StyledEntry[] = []): IExecutionQualitySource {
  return {
    readStyledEntries: () => Promise.resolve(styled),
    readQualityLegs: (filter, after, limit) => {
      const matching = legs.filter((l) => (filter.strategy_id === undefined || l.strategy_id === filter.strategy_id) && (filter.symbol === undefined || l.symbol === filter.symbol));
      const page = matching.slice(after, after + limit);
      return Promise.resolve({ legs: page, cursor: page.length < limit ? null : after + page.length });
    },
    readQualityFills: (ids) => Promise.resolve(fills.filter((f) => ids.includes(f.client_order_id))),
  };
}

describe('slippage, reference and percentiles', () => {
  it('counts slippage in basis points, positive when worse for the trader on either side', () => {
    expect(slippageBps('BUY', d('100'), d('100.5')).toFixed()).toBe('50');
    expect(slippageBps('BUY', d('100'), d('99.8')).toFixed()).toBe('-20');
    expect(slippageBps('SELL', d('100'), d('99.8')).toFixed()).toBe('20');
    expect(slippageBps('SELL', d('100'), d('100.5')).toFixed()).toBe('-50');
  });

  it('takes the limit of a LIMIT leg, the trigger of a stop leg and the journaled venue price of a MARKET leg', () => {
    expect(referencePrice(leg({ order_type: 'LIMIT', limit_price: d('99'), reference_price: null }))?.toFixed()).toBe('99');
    expect(referencePrice(leg({ order_type: 'STOP_LIMIT', limit_price: d('103'), stop_price: d('102'), reference_price: null }))?.toFixed()).toBe('102');
    expect(referencePrice(leg({ order_type: 'STOP_MARKET', stop_price: d('98'), reference_price: null }))?.toFixed()).toBe('98');
    expect(referencePrice(leg({ order_type: 'MARKET', reference_price: d('100') }))?.toFixed()).toBe('100');
    expect(referencePrice(leg({ order_type: 'MARKET', reference_price: null }))).toBeNull();
  });

  it('takes the nearest-rank percentile', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 95)).toBe(7);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 95)).toBe(40);
  });
});

describe('executionQuality', () => {
  it('weights slippage by quantity, times latency to the first fill and divides filled by ordered, per strategy and symbol', async () => {
    const legs = [
      leg({ client_order_id: 'A', quantity: d('4'), reference_price: d('100'), accepted_at: iso(0) }),
      leg({ client_order_id: 'B', quantity: d('2'), side: 'SELL', order_type: 'LIMIT', limit_price: d('200'), reference_price: null, accepted_at: iso(1000) }),
      leg({ client_order_id: 'C', strategy_id: 'eth_swing', symbol: 'ETH_USDT', quantity: d('5'), accepted_at: iso(0) }),
    ];
    const fills = [
      fillOf('A', '1', '101', 30), // +100 bps
      fillOf('A', '3', '100', 10), // 0 bps: the first fill, 10 ms after acceptance
      fillOf('B', '2', '199', 1250), // SELL below its limit: +50 bps, 250 ms
      fillOf('C', '2', '99', 40), // -100 bps
    ];
    const rows = await executionQuality(fixedSource(legs, fills));
    expect(rows).toEqual([
      // (1×100 + 3×0 + 2×50) / 6 = 33.33 bps; latencies 10 and 250 ms; 6 filled of 6 ordered
      { strategy_id: 'btc_momentum', symbol: 'BTC_USDT', fills: 3, filled_quantity: '6', avg_slippage_bps: '33.33', p50_latency_ms: 10, p95_latency_ms: 250, fill_ratio: '1' },
      { strategy_id: 'eth_swing', symbol: 'ETH_USDT', fills: 1, filled_quantity: '2', avg_slippage_bps: '-100', p50_latency_ms: 40, p95_latency_ms: 40, fill_ratio: '0.4' },
    ]);
    for (const row of rows) expect(ExecutionQualityRowSchema.parse(row)).toEqual(row);
  });

  it('leaves slippage null where no reference is known, latency null where nothing filled, and never reports a negative latency', async () => {
    const legs = [
      leg({ client_order_id: 'OLD', reference_price: null, accepted_at: iso(500) }),
      leg({ client_order_id: 'RESTING', symbol: 'SOL_USDT', order_type: 'LIMIT', limit_price: d('140'), reference_price: null }),
    ];
    const rows = await executionQuality(fixedSource(legs, [fillOf('OLD', '1', '100', 100)]));
    expect(rows).toEqual([
      { strategy_id: 'btc_momentum', symbol: 'BTC_USDT', fills: 1, filled_quantity: '1', avg_slippage_bps: null, p50_latency_ms: 0, p95_latency_ms: 0, fill_ratio: '1' },
      { strategy_id: 'btc_momentum', symbol: 'SOL_USDT', fills: 0, filled_quantity: '0', avg_slippage_bps: null, p50_latency_ms: null, p95_latency_ms: null, fill_ratio: '0' },
    ]);
  });

  it('gives the same rows whatever the page size, and leaves out legs no strategy explains', async () => {
    const legs = Array.from({ length: 9 }, (_, i) => leg({ client_order_id: `L${i}`, strategy_id: i === 4 ? null : `s${i % 3}`, accepted_at: iso(0) }));
    const fills = legs.map((l, i) => fillOf(l.client_order_id, '1', String(100 + i), i * 10));
    const whole = await executionQuality(fixedSource(legs, fills), {}, 1000);
    expect(whole.map((r) => r.strategy_id)).toEqual(['s0', 's1', 's2']);
    expect(whole.reduce((n, r) => n + r.fills, 0)).toBe(8);
    for (const pageSize of [1, 2, 3, 8, 9]) expect(await executionQuality(fixedSource(legs, fills), {}, pageSize)).toEqual(whole);
  });
});

describe('execution-quality query', () => {
  it('reads strategy, symbol and since (to UTC) and names a bad field', () => {
    expect(parseExecutionQualityQuery({ strategy_id: 'btc_momentum', since: '2026-11-24T12:00:00+02:00' })).toEqual({ strategy_id: 'btc_momentum', since: '2026-11-24T10:00:00.000Z' });
    expect(parseExecutionQualityQuery(undefined)).toEqual({});
    expect(() => parseExecutionQualityQuery({ since: 'monday' })).toThrow(ValidationError);
    expect(() => parseExecutionQualityQuery({ since: 'monday' })).toThrow(/since: must be an ISO-8601 timestamp/);
  });
});

describe('executionQuality on a paper run, read from a read-only connection', () => {
  let dir: string;
  let dbPath: string;
  let platform: Platform;
  const btc = newTradeWire({ strategy_id: 'btc_trend' });
  const eth = ethSwingShortWire();
  const resting = solRestingDipWire();

  const submit = (directive: ExecutionDirectiveWire) => platform.orchestrator.submit({ input: directive, source: { kind: 'internal' }, received_at: Date.now() });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'planexec-quality-'));
    dbPath = join(dir, 'planexec.db');
    platform = await createPlatform({ config: defaultConfig(), dbPath, logger: silentLogger, recover: false });
    for (const directive of [btc, eth, resting]) expect((await submit(directive)).outcome).toBe('SUCCEEDED');
  });

  afterAll(async () => {
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('journals the venue price a MARKET leg was measured at, and none for a leg with its own price', async () => {
    const intents = await platform.store.journal.read({});
    const intentOf = (coid: string) => intents.find((e) => e.event_type === 'ORDER_INTENT' && e.body['client_order_id'] === coid)?.body;
    expect(intentOf(clientOrderId(btc.directive_id, 'E'))).toMatchObject({ reference_price: '65000' });
    expect(intentOf(clientOrderId(eth.directive_id, 'E'))).toMatchObject({ reference_price: '3500' });
    expect(intentOf(clientOrderId(resting.directive_id, 'E'))).not.toHaveProperty('reference_price');
    expect(intentOf(clientOrderId(btc.directive_id, 'SL'))).not.toHaveProperty('reference_price');
  });

  it("measures the paper venue's 2 bps market slippage on both sides and the resting entry's empty fill", async () => {
    const reader = openSqliteStore(dbPath, { readOnly: true });
    try {
      const rows = await executionQuality(new SqliteReadModels(reader.database));
      const timed = { p50_latency_ms: expect.any(Number), p95_latency_ms: expect.any(Number) };
      expect(rows).toEqual([
        { strategy_id: 'btc_trend', symbol: 'BTC_USDT', fills: 1, filled_quantity: '0.015', avg_slippage_bps: '2', ...timed, fill_ratio: '1' },
        { strategy_id: 'eth_swing', symbol: 'ETH_USDT', fills: 1, filled_quantity: '0.5', avg_slippage_bps: '2', ...timed, fill_ratio: '1' },
        { strategy_id: 'sol_dip', symbol: 'SOL_USDT', fills: 0, filled_quantity: '0', avg_slippage_bps: null, p50_latency_ms: null, p95_latency_ms: null, fill_ratio: '0' },
      ]);
      const source = new SqliteReadModels(reader.database);
      expect((await executionQuality(source, { strategy_id: 'eth_swing' })).map((r) => r.symbol)).toEqual(['ETH_USDT']);
      expect((await executionQuality(source, { symbol: 'BTC_USDT' })).map((r) => r.strategy_id)).toEqual(['btc_trend']);
      expect(await executionQuality(source, { since: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
      expect(await executionQuality(source, {}, 1)).toEqual(rows);
    } finally {
      await reader.close();
    }
  });
});

describe('styleShortfall', () => {
  const entry = (style: string, side: 'BUY' | 'SELL', decision: string | null, average: string | null, filled: string, children: number): StyledEntry => ({
    strategy_id: 's1',
    symbol: 'BTC_USDT',
    side,
    style,
    decision_price: decision === null ? null : d(decision),
    average_fill_price: average === null ? null : d(average),
    planned_quantity: d('1'),
    filled_quantity: d(filled),
    child_orders: children,
  });

  it('weights each entry’s shortfall by what it filled at its decision price, positive when worse on either side, per style', async () => {
    const rows = await styleShortfall(
      fixedSource([], [], [
        entry('TWAP', 'BUY', '100', '101', '1', 4), // +100 bps on 100
        entry('TWAP', 'SELL', '200', '199', '0.5', 4), // +50 bps on 100
        entry('PASSIVE', 'BUY', '100', '99.9', '1', 1), // −10 bps
        entry('SINGLE', 'BUY', null, '100', '1', 1), // a LIMIT entry: no decision price
        entry('PASSIVE', 'BUY', '100', null, '0', 1), // nothing filled
      ]),
    );
    expect(rows).toEqual([
      { style: 'PASSIVE', entries: 2, child_orders: 2, planned_quantity: '2', filled_quantity: '1', fill_ratio: '0.5', avg_shortfall_bps: '-10' },
      { style: 'SINGLE', entries: 1, child_orders: 1, planned_quantity: '1', filled_quantity: '1', fill_ratio: '1', avg_shortfall_bps: null },
      { style: 'TWAP', entries: 2, child_orders: 8, planned_quantity: '2', filled_quantity: '1.5', fill_ratio: '0.75', avg_shortfall_bps: '75' },
    ]);
  });
});
