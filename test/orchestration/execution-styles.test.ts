import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../src/app/create-platform.js';
import { styleShortfall } from '../../src/app/execution-quality.js';
import { PlatformConfigSchema } from '../../src/config/schema.js';
import { Decimal } from '../../src/domain/decimal.js';
import type { ExecutionDirectiveWire } from '../../src/domain/directive.js';
import type { TradeExecutedDTO } from '../../src/domain/dto.js';
import { clientOrderId } from '../../src/domain/ids.js';
import type { FlowResult } from '../../src/orchestration/plan-execution-orchestrator.js';
import type { PaperConnector } from '../../src/connectors/paper/paper-connector.js';
import { FakeClock, flushMicrotasks } from '../support/fake-clock.js';
import { silentLogger } from '../support/fakes.js';
import { newTradeWire } from '../support/directives.js';

/**
 * Execution styles end to end on the paper venue: a fake clock drives the window, the test moves
 * the venue's price between children, and the ledger, the journal and TRADE_EXECUTED are read back.
 */
describe('execution styles on the paper venue with moving prices', () => {
  let clock: FakeClock;
  let platform: Platform;
  let venue: PaperConnector;
  let executed: TradeExecutedDTO[];

  beforeEach(async () => {
    clock = new FakeClock(Date.UTC(2026, 11, 3, 10, 0, 0));
    const config = PlatformConfigSchema.parse({
      connector: { paper: { slippage_bps: '0' } },
      orchestration: { plan_execution: { execution_styles: { reprice_interval_seconds: 5 } } },
    });
    platform = await createPlatform({ config, dbPath: ':memory:', logger: silentLogger, clock, recover: false });
    venue = platform.paper!;
    await venue.setPrice('BTC_USDT', new Decimal('65000'));
    executed = [];
    platform.bus.subscribe('TRADE_EXECUTED', (event) => executed.push(event));
  });

  afterEach(async () => {
    await platform.close();
  });

  function submit(directive: ExecutionDirectiveWire): { result: Promise<FlowResult>; done: () => boolean } {
    let finished = false;
    const result = platform.orchestrator.submit({ input: directive, source: { kind: 'internal' }, received_at: clock.now() }).finally(() => (finished = true));
    return { result, done: () => finished };
  }

  /** Let the flow run up to `ms` of fake time, in steps of the reprice interval. */
  async function runFor(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 1000) await clock.advance(1000);
    await flushMicrotasks();
  }

  async function childrenOf(directiveId: string, prefix: string) {
    const orders = await platform.store.ledger.listOrders({ directive_id: directiveId });
    return orders.filter((o) => o.purpose === 'ENTRY' && o.client_order_id.split('-')[1]?.startsWith(prefix)).sort((a, b) => a.client_order_id.localeCompare(b.client_order_id));
  }

  it('TWAP: four children of 0.25 one minute apart, each at the price of its minute; TRADE_EXECUTED carries the average, the child count and the shortfall', async () => {
    const directive = newTradeWire({
      strategy_id: 'twap_test',
      size_plan: { position_size: '1' },
      exit_plan: { stop_loss_price: '60000' },
      routing_plan: { preferred_execution_style: 'TWAP', max_execution_window_minutes: 4, chunk_count_hint: 4 },
    });
    const flow = submit(directive);
    await runFor(1000);
    for (const price of ['65100', '65200', '65300']) {
      await venue.setPrice('BTC_USDT', new Decimal(price));
      await runFor(60_000);
    }
    await clock.runUntil(flow.done, 120_000, 1000);
    expect((await flow.result).outcome).toBe('SUCCEEDED');

    const children = await childrenOf(directive.directive_id, 'T');
    expect(children.map((c) => [c.client_order_id, c.quantity.toFixed(), c.average_fill_price?.toFixed()])).toEqual([
      [clientOrderId(directive.directive_id, 'T1'), '0.25', '65000'],
      [clientOrderId(directive.directive_id, 'T2'), '0.25', '65100'],
      [clientOrderId(directive.directive_id, 'T3'), '0.25', '65200'],
      [clientOrderId(directive.directive_id, 'T4'), '0.25', '65300'],
    ]);
    const trade = await platform.store.ledger.getPosition(directive.directive_id);
    expect(trade?.status).toBe('OPEN');
    expect(trade?.average_entry_price?.toFixed()).toBe('65150');
    expect(trade?.protection).toBe('LIVE');
    const event = executed.find((e) => e.directive_id === directive.directive_id);
    expect(event?.execution).toMatchObject({ style: 'TWAP', chosen_by: 'preferred', child_orders: 4, ended_by: 'filled' });
    expect(event?.filled_quantity.toFixed()).toBe('1');
    expect(event?.fill_price?.toFixed()).toBe('65150');
    // (65150 − 65000) / 65000 × 10 000 = 23.08 bps worse than the decision price
    expect(event?.execution?.shortfall_bps?.toFixed()).toBe('23.08');
  });

  it('TWAP under max_slippage_pct: a child never fills beyond the decision price ± the cap; below min_fill_ratio the flow fails and the filled part stays a protected trade', async () => {
    const directive = newTradeWire({
      strategy_id: 'twap_capped',
      size_plan: { position_size: '1' },
      exit_plan: { stop_loss_price: '60000' },
      routing_plan: { preferred_execution_style: 'TWAP', max_execution_window_minutes: 4, chunk_count_hint: 4, max_slippage_pct: '0.001', min_fill_ratio: '0.5' },
    });
    const flow = submit(directive);
    await runFor(1000);
    // 1 % above the decision price: far outside the 0.1 % cap
    await venue.setPrice('BTC_USDT', new Decimal('65650'));
    await clock.runUntil(flow.done, 600_000, 1000);
    const result = await flow.result;
    expect(result.outcome).toBe('FAILED');
    expect(result.error_code).toBe('MIN_FILL_NOT_REACHED');

    const orders = await platform.store.ledger.listOrders({ directive_id: directive.directive_id });
    const entries = orders.filter((o) => o.purpose === 'ENTRY');
    const bound = new Decimal('65065');
    for (const order of entries) {
      expect(order.order_type).toBe('LIMIT');
      expect(order.limit_price?.lte(bound)).toBe(true);
      if (order.average_fill_price) expect(order.average_fill_price.lte(bound)).toBe(true);
    }
    // T1 filled at 65000; T2–T4 and the final cross F1 found nothing inside the cap
    expect(entries.map((o) => o.client_order_id.split('-')[1])).toEqual(['T1', 'T2', 'T3', 'T4', 'F1']);
    const trade = await platform.store.ledger.getPosition(directive.directive_id);
    expect(trade?.status).toBe('OPEN');
    expect(trade?.protection).toBe('LIVE');
    expect(venue.netPositions().get('BTC_USDT')?.toFixed()).toBe('0.25');
  });

  it('PASSIVE: a post-only child rests one tick inside the touch, follows the market up, fills when the price comes back down, and beats the decision price', async () => {
    const directive = newTradeWire({
      strategy_id: 'passive_test',
      size_plan: { position_size: '0.1' },
      exit_plan: { stop_loss_price: '60000' },
      routing_plan: { preferred_execution_style: 'PASSIVE', max_execution_window_minutes: 10 },
    });
    const flow = submit(directive);
    await runFor(1000);
    let [child] = await childrenOf(directive.directive_id, 'P');
    expect(child?.limit_price?.toFixed()).toBe('64999.99');
    expect(child?.status).toBe('OPEN');

    await venue.setPrice('BTC_USDT', new Decimal('65010'));
    await runFor(6000);
    [child] = await childrenOf(directive.directive_id, 'P');
    expect(child?.limit_price?.toFixed()).toBe('65009.99');

    await venue.setPrice('BTC_USDT', new Decimal('65005'));
    await clock.runUntil(flow.done, 60_000, 1000);
    expect((await flow.result).outcome).toBe('SUCCEEDED');
    const event = executed.find((e) => e.directive_id === directive.directive_id);
    expect(event?.execution).toMatchObject({ style: 'PASSIVE', child_orders: 1, ended_by: 'filled' });
    expect(event?.fill_price?.toFixed()).toBe('65009.99');
    expect(event?.execution?.shortfall_bps?.toFixed()).toBe('1.54');
  });

  it('PASSIVE without a fill: at the window’s end the child is cancelled and the flow ends with what filled (nothing, min_fill_ratio 0)', async () => {
    const directive = newTradeWire({
      strategy_id: 'passive_idle',
      size_plan: { position_size: '0.1' },
      exit_plan: { stop_loss_price: '60000' },
      routing_plan: { preferred_execution_style: 'PASSIVE', max_execution_window_minutes: 1 },
    });
    const flow = submit(directive);
    await clock.runUntil(flow.done, 180_000, 1000);
    expect((await flow.result).outcome).toBe('SUCCEEDED');
    const [child] = await childrenOf(directive.directive_id, 'P');
    expect(child?.status).toBe('CANCELLED');
    expect(executed.find((e) => e.directive_id === directive.directive_id)?.execution).toMatchObject({ style: 'PASSIVE', ended_by: 'window' });
    expect((await venue.fetchOpenOrders('BTC_USDT')).length).toBe(0);
  });

  it('ICEBERG: only the visible part rests; each filled slice is followed by the next until the size is done', async () => {
    const directive = newTradeWire({
      strategy_id: 'iceberg_test',
      size_plan: { position_size: '0.4' },
      exit_plan: { stop_loss_price: '60000' },
      routing_plan: { preferred_execution_style: 'ICEBERG', max_execution_window_minutes: 10, visibility_preference: '0.25' },
    });
    const flow = submit(directive);
    for (let i = 0; i < 4; i++) {
      await runFor(6000);
      const open = await venue.fetchOpenOrders('BTC_USDT');
      const entries = open.filter((o) => o.side === 'BUY');
      expect(entries.map((o) => o.quantity.toFixed())).toEqual(['0.1']);
      // a dip through the resting slice fills it, then the price comes back
      await venue.setPrice('BTC_USDT', new Decimal('64990'));
      await venue.setPrice('BTC_USDT', new Decimal('65000'));
    }
    await clock.runUntil(flow.done, 60_000, 1000);
    expect((await flow.result).outcome).toBe('SUCCEEDED');
    const slices = await childrenOf(directive.directive_id, 'V');
    expect(slices.map((s) => [s.client_order_id.split('-')[1], s.quantity.toFixed(), s.status])).toEqual([
      ['V1', '0.1', 'FILLED'],
      ['V2', '0.1', 'FILLED'],
      ['V3', '0.1', 'FILLED'],
      ['V4', '0.1', 'FILLED'],
    ]);
  });

  it('HALTED in the middle of a TWAP: the children still to come are not sent, and the flow ends with the part that filled', async () => {
    const directive = newTradeWire({
      strategy_id: 'twap_halted',
      size_plan: { position_size: '1' },
      exit_plan: { stop_loss_price: '60000' },
      routing_plan: { preferred_execution_style: 'TWAP', max_execution_window_minutes: 4, chunk_count_hint: 4 },
    });
    const flow = submit(directive);
    await runFor(61_000);
    await platform.tradingState.set({ state: 'HALTED', reason: 'test: operator stop', changed_by: 'test' });
    await clock.runUntil(flow.done, 600_000, 1000);
    expect((await flow.result).outcome).toBe('SUCCEEDED');
    const children = await childrenOf(directive.directive_id, 'T');
    expect(children.map((c) => c.client_order_id.split('-')[1])).toEqual(['T1', 'T2']);
    expect(executed.find((e) => e.directive_id === directive.directive_id)?.execution).toMatchObject({ ended_by: 'halted', child_orders: 2 });
  });

  it('urgency chooses: 0.5 with a cap is one marketable LIMIT IOC at the bound, 0.1 is PASSIVE, absent is today’s MARKET order', async () => {
    const middle = newTradeWire({ strategy_id: 'urgency_mid', size_plan: { position_size: '0.1' }, routing_plan: { execution_urgency: '0.5', max_slippage_pct: '0.002' } });
    const urgent = newTradeWire({ strategy_id: 'urgency_none', size_plan: { position_size: '0.1' }, routing_plan: {} });
    const patient = newTradeWire({ strategy_id: 'urgency_low', size_plan: { position_size: '0.1' }, routing_plan: { execution_urgency: '0.1', max_execution_window_minutes: 1 } });
    const flows = [submit(middle), submit(urgent), submit(patient)];
    await clock.runUntil(() => flows.every((f) => f.done()), 300_000, 1000);
    const [entryMid] = await childrenOf(middle.directive_id, 'E');
    expect([entryMid?.order_type, entryMid?.time_in_force, entryMid?.limit_price?.toFixed()]).toEqual(['LIMIT', 'IOC', '65130']);
    const [entryUrgent] = await childrenOf(urgent.directive_id, 'E');
    expect([entryUrgent?.order_type, entryUrgent?.time_in_force]).toEqual(['MARKET', 'GTC']);
    expect(await childrenOf(patient.directive_id, 'P')).toHaveLength(1);
    expect(executed.find((e) => e.directive_id === patient.directive_id)?.execution).toMatchObject({ style: 'PASSIVE', chosen_by: 'urgency' });
  });

  it('must_complete_immediately sends one IOC order', async () => {
    const directive = newTradeWire({ strategy_id: 'immediate', size_plan: { position_size: '0.1' }, routing_plan: { must_complete_immediately: true } });
    const flow = submit(directive);
    await clock.runUntil(flow.done, 60_000, 1000);
    const [entry] = await childrenOf(directive.directive_id, 'E');
    expect(entry?.time_in_force).toBe('IOC');
    expect(executed.find((e) => e.directive_id === directive.directive_id)?.execution).toMatchObject({ style: 'SINGLE', chosen_by: 'immediate', child_orders: 1 });
  });

  it('the execution-quality read model gives the shortfall per style from the store (what the dashboard’s panel shows)', async () => {
    const twap = newTradeWire({ strategy_id: 'panel_twap', size_plan: { position_size: '1' }, routing_plan: { preferred_execution_style: 'TWAP', max_execution_window_minutes: 2, chunk_count_hint: 2 } });
    const single = newTradeWire({ strategy_id: 'panel_single', size_plan: { position_size: '1' }, routing_plan: {} });
    const flows = [submit(twap), submit(single)];
    await runFor(1000);
    await venue.setPrice('BTC_USDT', new Decimal('65650'));
    await clock.runUntil(() => flows.every((f) => f.done()), 300_000, 1000);
    const rows = await styleShortfall(platform.store.readModels);
    // TWAP: half at 65000, half at 65650 against 65000 = 50 bps; SINGLE filled at once at 65000
    expect(rows).toEqual([
      { style: 'SINGLE', entries: 1, child_orders: 1, planned_quantity: '1', filled_quantity: '1', fill_ratio: '1', avg_shortfall_bps: '0' },
      { style: 'TWAP', entries: 1, child_orders: 2, planned_quantity: '1', filled_quantity: '1', fill_ratio: '1', avg_shortfall_bps: '50' },
    ]);
  });
});
