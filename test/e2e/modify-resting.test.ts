import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { PaperConnector } from '../../src/connectors/paper/paper-connector.js';
import { Decimal } from '../../src/domain/decimal.js';
import { systemClock } from '../../src/domain/clock.js';
import { clientOrderId } from '../../src/domain/ids.js';
import type { ExecutionDirectiveWire } from '../../src/domain/directive.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { explain, jsonLines, lastJsonLine, planexec } from './run-cli.js';

interface VenueOrderRow {
  client_order_id: string;
  order_type: string;
  side: string;
  quantity: string;
  limit_price: string | null;
  status: string;
  filled_quantity: string;
}

interface Summary {
  processed: number;
  succeeded: number;
  failed: number;
  adjusted?: number;
  failures: { line: number | null; error_code: string | null; reason: string }[];
}

/** `journal --json`: one entry per line, its body's fields beside the entry's own. */
type Entry = Record<string, unknown> & { event_type: string; directive_id: string | null };
type PositionJson = Record<string, unknown> & { trade_id: string; status: string; position_size: string; filled_size: string };

let dir: string;
let counter = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-modify-resting-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function freshDb(name: string): string {
  counter += 1;
  return join(dir, `${name}-${counter}.db`);
}

async function run(db: string, directives: readonly ExecutionDirectiveWire[], extra: readonly string[] = []): Promise<Summary> {
  const result = await planexec(['run', '--db', db, '--json', ...extra, '-'], { input: `${directives.map((d) => JSON.stringify(d)).join('\n')}\n` });
  expect(result.code, explain(result)).toBe(0);
  return lastJsonLine<Summary>(result.stdout);
}

function venueOrders(db: string): VenueOrderRow[] {
  const venue = new Database(`${db}.venue.db`, { readonly: true });
  try {
    return venue.prepare('SELECT client_order_id, order_type, side, quantity, limit_price, status, filled_quantity FROM orders ORDER BY seq').all() as VenueOrderRow[];
  } finally {
    venue.close();
  }
}

function venueFills(db: string): { client_order_id: string; quantity: string; price: string }[] {
  const venue = new Database(`${db}.venue.db`, { readonly: true });
  try {
    return venue.prepare('SELECT client_order_id, quantity, price FROM fills ORDER BY seq').all() as { client_order_id: string; quantity: string; price: string }[];
  } finally {
    venue.close();
  }
}

async function positions(db: string): Promise<PositionJson[]> {
  const result = await planexec(['positions', '--db', db, '--json']);
  expect(result.code, explain(result)).toBe(0);
  return JSON.parse(result.stdout) as PositionJson[];
}

async function journal(db: string): Promise<Entry[]> {
  const result = await planexec(['journal', '--db', db, '--json']);
  expect(result.code, explain(result)).toBe(0);
  return jsonLines<Entry>(result.stdout);
}

/** BUY 10 SOL_USDT LIMIT at 140 while the price is 150: it rests. */
function restingSolBuy(overrides: Partial<ExecutionDirectiveWire> = {}): ExecutionDirectiveWire {
  return newTradeWire({
    strategy_id: 'sol_swing',
    entry_plan: { symbol: 'SOL_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '140' },
    size_plan: { position_size: '10' },
    exit_plan: { stop_loss_price: '130', take_profit_price: '170' },
    routing_plan: { time_in_force: 'GTC' },
    ...overrides,
  });
}

function resize(trade: string, size: string, overrides: Partial<ExecutionDirectiveWire> = {}): ExecutionDirectiveWire {
  return modifyWire([trade], { strategy_id: 'sol_swing', exit_plan: undefined, size_plan: { position_size: size }, ...overrides });
}

describe('MODIFY of a resting entry (planexec run)', () => {
  it('shrinks a resting LIMIT entry in place: no market order, nothing filled, 5 resting at 140', async () => {
    const db = freshDb('shrink');
    const open = restingSolBuy();
    const summary = await run(db, [open, resize(open.directive_id, '5')]);
    expect(summary).toMatchObject({ processed: 2, succeeded: 2, failed: 0 });

    const orders = venueOrders(db);
    expect(orders.filter((o) => o.order_type === 'MARKET')).toEqual([]);
    expect(venueFills(db)).toEqual([]);
    const live = orders.filter((o) => o.status === 'OPEN');
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ side: 'BUY', order_type: 'LIMIT', quantity: '5', limit_price: '140', filled_quantity: '0' });

    const [trade] = await positions(db);
    expect(trade).toMatchObject({ trade_id: open.directive_id, status: 'OPEN', position_size: '5', filled_size: '0' });
  });

  it('grows a resting LIMIT entry in place at its price', async () => {
    const db = freshDb('grow');
    const open = restingSolBuy();
    await run(db, [open, resize(open.directive_id, '12')]);
    const orders = venueOrders(db);
    expect(orders.filter((o) => o.order_type === 'MARKET')).toEqual([]);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ client_order_id: clientOrderId(open.directive_id, 'E'), status: 'OPEN', quantity: '12', limit_price: '140' });
    const [trade] = await positions(db);
    expect(trade).toMatchObject({ position_size: '12', filled_size: '0' });
  });

  it('re-prices a resting entry with entry_plan.limit_price (rounded to the tick)', async () => {
    const db = freshDb('reprice');
    const open = restingSolBuy();
    const move = modifyWire([open.directive_id], {
      strategy_id: 'sol_swing',
      exit_plan: undefined,
      entry_plan: { symbol: 'SOL_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '142.504' },
    });
    const summary = await run(db, [open, move]);
    const orders = venueOrders(db);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ status: 'OPEN', quantity: '10', limit_price: '142.5' });
    expect(summary).toMatchObject({ succeeded: 2, adjusted: 1 });
    const modified = (await journal(db)).find((e) => e.event_type === 'POSITION_MODIFIED' && e.directive_id === move.directive_id)!;
    expect(modified).toMatchObject({
      adjustments: [expect.objectContaining({ field: 'entry_plan.limit_price', requested: '142.504', used: '142.5', rule: 'tick_size 0.01' })],
    });
  });

  it('a re-price through the market fills as the venue decides, and the filled trade gets its stop and target', async () => {
    const db = freshDb('marketable');
    const open = restingSolBuy();
    const move = modifyWire([open.directive_id], {
      strategy_id: 'sol_swing',
      exit_plan: undefined,
      entry_plan: { symbol: 'SOL_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '151' },
    });
    expect(await run(db, [open, move])).toMatchObject({ succeeded: 2 });
    const orders = venueOrders(db);
    expect(orders.find((o) => o.client_order_id === clientOrderId(open.directive_id, 'E'))).toMatchObject({ status: 'FILLED', quantity: '10', filled_quantity: '10', limit_price: '151' });
    expect(orders.filter((o) => o.order_type === 'MARKET')).toEqual([]);
    const protective = orders.filter((o) => o.side === 'SELL' && o.status === 'OPEN').map((o) => [o.order_type, o.quantity]);
    expect(protective.sort()).toEqual([
      ['LIMIT', '10'],
      ['STOP_MARKET', '10'],
    ]);
    const [trade] = await positions(db);
    expect(trade).toMatchObject({ filled_size: '10', entry_price: '150', stop_loss: '130', take_profit: '170' });
  });

  it('after a partial fill, a shrink keeps what filled and rests only the rest (amended to 5 = 3 filled + 2)', async () => {
    const db = freshDb('partial');
    const open = restingSolBuy();
    await run(db, [open]);
    // the market trades at 140 while planexec is stopped: 3 of the 10 fill, then the price goes back up
    const config = { ...defaultConfig().connector.paper, path: `${db}.venue.db`, partial_fill_threshold: new Decimal('3') };
    const venue = new PaperConnector(config, { clock: systemClock });
    await venue.setPrice('SOL_USDT', new Decimal('140'));
    await venue.setPrice('SOL_USDT', new Decimal('150'));
    await venue.close();

    const summary = await run(db, [resize(open.directive_id, '5')]);
    expect(summary).toMatchObject({ processed: 1, succeeded: 1 });
    const entry = venueOrders(db).find((o) => o.client_order_id === clientOrderId(open.directive_id, 'E'))!;
    expect(entry).toMatchObject({ status: 'PARTIALLY_FILLED', quantity: '5', filled_quantity: '3', limit_price: '140' });
    expect(venueOrders(db).filter((o) => o.order_type === 'MARKET')).toEqual([]);
    const [trade] = await positions(db);
    expect(trade).toMatchObject({ position_size: '5', filled_size: '3' });
  });

  it('records a rounded size in the causality entry and counts the flow as adjusted', async () => {
    const db = freshDb('rounding');
    const rounded = newTradeWire({
      strategy_id: 'sol_swing',
      entry_plan: { symbol: 'SOL_USDT', direction: 'BUY', order_type: 'MARKET' },
      size_plan: { position_size: '0.1234567' },
      exit_plan: undefined,
    });
    const exact = newTradeWire({
      strategy_id: 'sol_swing',
      entry_plan: { symbol: 'SOL_USDT', direction: 'BUY', order_type: 'MARKET' },
      size_plan: { position_size: '0.2' },
      exit_plan: undefined,
    });
    const summary = await run(db, [rounded, exact]);
    expect(summary).toMatchObject({ processed: 2, succeeded: 2, adjusted: 1 });
    const entries = await journal(db);
    const opened = entries.find((e) => e.event_type === 'TRADE_OPENED' && e.directive_id === rounded.directive_id)!;
    expect(opened).toMatchObject({
      adjustments: [{ field: 'size_plan.position_size', requested: '0.1234567', used: '0.123', rule: 'lot_size 0.001' }],
    });
    const plain = entries.find((e) => e.event_type === 'TRADE_OPENED' && e.directive_id === exact.directive_id)!;
    expect(plain).toMatchObject({ adjustments: [] });

    const text = await planexec(['run', '--db', freshDb('rounding-text'), '-'], { input: `${JSON.stringify({ ...rounded, directive_id: `${rounded.directive_id}1` })}\n` });
    expect(text.code, explain(text)).toBe(0);
    expect(text.stdout).toMatch(/adjusted/);
  });

  it('says so when entry_plan finds nothing resting: recorded, nothing sent', async () => {
    const db = freshDb('nothing-resting');
    const open = newTradeWire({
      strategy_id: 'sol_swing',
      entry_plan: { symbol: 'SOL_USDT', direction: 'BUY', order_type: 'MARKET' },
      size_plan: { position_size: '1' },
      exit_plan: undefined,
    });
    const move = modifyWire([open.directive_id], {
      strategy_id: 'sol_swing',
      exit_plan: undefined,
      entry_plan: { symbol: 'SOL_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '140' },
    });
    await run(db, [open, move]);
    expect(venueOrders(db)).toHaveLength(1);
    const entries = await journal(db);
    const modified = entries.find((e) => e.event_type === 'POSITION_MODIFIED' && e.directive_id === move.directive_id)!;
    expect(JSON.stringify(modified['notes'])).toContain('nothing rests');
  });
});

describe('MODIFY / CLOSE of another strategy’s trade', () => {
  function foreignSession(): { open: ExecutionDirectiveWire; modify: ExecutionDirectiveWire; close: ExecutionDirectiveWire } {
    const open = restingSolBuy({ strategy_id: 'sol_swing' });
    const modify = resize(open.directive_id, '5', { strategy_id: 'btc_momentum' });
    const close = closeWire([open.directive_id], { strategy_id: 'btc_momentum' });
    return { open, modify, close };
  }

  it('refuses both with FOREIGN_TRADE before anything is sent', async () => {
    const db = freshDb('foreign');
    const { open, modify, close } = foreignSession();
    // two strategies run concurrently: the trade is opened first, by its own run
    await run(db, [open]);
    const summary = await run(db, [modify, close]);
    expect(summary).toMatchObject({ processed: 2, succeeded: 0, failed: 2 });
    expect(summary.failures.map((f) => f.error_code)).toEqual(['FOREIGN_TRADE', 'FOREIGN_TRADE']);
    for (const failure of summary.failures) {
      expect(failure.reason).toContain(open.directive_id);
      expect(failure.reason).toContain('sol_swing');
      expect(failure.reason).toContain('btc_momentum');
    }
    const orders = venueOrders(db);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ status: 'OPEN', quantity: '10' });
  });

  it('allows both with orchestration.plan_execution.allow_cross_strategy_targets: true', async () => {
    const db = freshDb('foreign-allowed');
    const config = join(dir, 'cross.yaml');
    writeFileSync(config, 'orchestration:\n  plan_execution:\n    allow_cross_strategy_targets: true\n');
    const { open, modify, close } = foreignSession();
    await run(db, [open], ['--config', config]);
    const summary = await run(db, [modify, close], ['--config', config]);
    expect(summary).toMatchObject({ processed: 2, succeeded: 2, failed: 0 });
    const [trade] = await positions(db);
    expect(trade).toMatchObject({ status: 'CLOSED', position_size: '5' });
  });
});
