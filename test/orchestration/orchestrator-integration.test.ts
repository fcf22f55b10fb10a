import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { InMemoryEventBus } from '../../src/bus/in-memory-event-bus.js';
import type { PlanexecEvents } from '../../src/ports/events.js';
import { defaultConfig, type PaperConnectorConfig } from '../../src/config/schema.js';
import { PaperConnector } from '../../src/connectors/paper/paper-connector.js';
import { Decimal } from '../../src/domain/decimal.js';
import type { FlowCompletionDTO } from '../../src/domain/dto.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { PlanExecutionOrchestrator, type FlowResult } from '../../src/orchestration/plan-execution-orchestrator.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { FakeClock } from '../support/fake-clock.js';
import { RecordingAlerts, RecordingMetrics, silentLogger } from '../support/fakes.js';
import { planConfig, type ConfigOverrides } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-orch-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const open: { store: SqliteStore; connector: PaperConnector; orchestrator: PlanExecutionOrchestrator }[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) {
    w.orchestrator.dispose();
    await w.connector.close();
    await w.store.close();
  }
});

/** The real in-process bus, SQLite store (file) and paper venue (file), wired as the composition root does. */
function world(options: { paper?: Partial<PaperConnectorConfig>; config?: ConfigOverrides; dbFile?: string; venueFile?: string } = {}) {
  const clock = new FakeClock();
  const store = openSqliteStore(options.dbFile ?? join(dir, `db-${Math.random().toString(16).slice(2)}.sqlite`), { clock });
  const connector = new PaperConnector(
    { ...defaultConfig().connector.paper, ...options.paper, path: options.venueFile ?? join(dir, `venue-${Math.random().toString(16).slice(2)}.sqlite`) },
    { clock },
  );
  const bus = new InMemoryEventBus<PlanexecEvents>({ logger: silentLogger });
  const stops: { name: string; payload: FlowCompletionDTO }[] = [];
  for (const name of ['_flow_stop_success', '_flow_stop_error'] as const) bus.subscribe(name, (payload) => stops.push({ name, payload }));
  const alerts = new RecordingAlerts();
  const orchestrator = new PlanExecutionOrchestrator({
    connector,
    ledger: store.ledger,
    journal: store.journal,
    bus,
    flows: store.flows,
    config: planConfig(options.config),
    clock,
    logger: silentLogger,
    alerts,
    metrics: new RecordingMetrics(),
    journalFallbackPath: join(dir, 'fallback.jsonl'),
  });
  open.push({ store, connector, orchestrator });

  async function settle<T>(promise: Promise<T>): Promise<T> {
    let done = false;
    const tracked = promise.finally(() => (done = true));
    await clock.runUntil(() => done, 600_000, 10);
    return tracked;
  }
  const submit = (input: unknown, line?: number): Promise<FlowResult> =>
    settle(orchestrator.submit({ input, source: line === undefined ? { kind: 'internal' } : { kind: 'cli', line }, received_at: clock.now() }));
  /** Move the paper market and wait until planexec has applied what the venue reported. */
  async function movePrice(symbol: string, price: string): Promise<void> {
    await connector.setPrice(symbol, new Decimal(price));
    await settle(orchestrator.drain());
  }
  return { clock, store, connector, bus, orchestrator, stops, alerts, submit, settle, movePrice };
}

describe('orchestrator with the real bus, SQLite store and paper venue', () => {
  it('opens a trade with resting protective orders, and a falling market stops it out', async () => {
    const w = world();
    const wire = newTradeWire({ exit_plan: { stop_loss_price: '60000', take_profit_price: '70000' } });
    const result = await w.submit(wire);
    expect(result.outcome).toBe('SUCCEEDED');

    const position = await w.store.ledger.getPosition(wire.directive_id);
    expect(position).toMatchObject({ status: 'OPEN', direction: 'BUY', symbol: 'BTC_USDT' });
    expect(position!.filled_size.toFixed()).toBe('0.015');
    const resting = await w.connector.fetchOpenOrders('BTC_USDT');
    expect(resting.map((o) => o.client_order_id).sort()).toEqual([clientOrderId(wire.directive_id, 'SL'), clientOrderId(wire.directive_id, 'TP')].sort());

    await w.movePrice('BTC_USDT', '59000');
    const stopped = await w.store.ledger.getPosition(wire.directive_id);
    expect(stopped).toMatchObject({ status: 'CLOSED', close_reason: 'STOP_LOSS' });
    expect(stopped!.realized_pnl.lt(0)).toBe(true);
    expect(await w.connector.fetchOpenOrders('BTC_USDT')).toEqual([]);
    expect(w.connector.netPositions().get('BTC_USDT')?.isZero() ?? true).toBe(true);
    expect(w.stops).toHaveLength(1);

    const journal = await w.store.journal.read({});
    expect(journal.map((e) => e.event_type)).toEqual(expect.arrayContaining(['DIRECTIVE_ACCEPTED', 'ORDER_INTENT', 'ORDER_RESULT', 'TRADE_OPENED', 'FILL_RECORDED', 'TRADE_CLOSED']));
    expect(await w.store.journal.verify()).toMatchObject({ ok: true });
  });

  it('flattens at market when a resting entry fills after the market already passed its stop', async () => {
    const w = world();
    const wire = newTradeWire({
      entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '64000' },
      exit_plan: { stop_loss_price: '63500', take_profit_price: '67000' },
    });
    expect((await w.submit(wire)).outcome).toBe('SUCCEEDED');
    expect((await w.store.ledger.getPosition(wire.directive_id))!.filled_size.isZero()).toBe(true);

    // one gap down through both the limit and the stop: the entry fills, the stop can no longer rest
    await w.movePrice('BTC_USDT', '63000');
    const position = await w.store.ledger.getPosition(wire.directive_id);
    expect(position).toMatchObject({ status: 'CLOSED', close_reason: 'STOP_LOSS' });
    expect(position!.realized_pnl.lt(0)).toBe(true);
    expect(w.connector.netPositions().get('BTC_USDT')?.isZero() ?? true).toBe(true);
    expect(await w.connector.fetchOpenOrders('BTC_USDT')).toEqual([]);
    expect(w.alerts.alerts.filter((a) => a.severity === 'critical')).toEqual([]);
  });

  it('modifies to an absolute size, then closes with realised PnL; a replayed directive id is a duplicate', async () => {
    const w = world();
    const open = newTradeWire();
    await w.submit(open);
    const modify = modifyWire([open.directive_id], { exit_plan: { stop_loss_price: '64500' }, size_plan: { position_size: '0.02' } });
    expect((await w.submit(modify)).outcome).toBe('SUCCEEDED');
    expect((await w.store.ledger.getPosition(open.directive_id))!.filled_size.toFixed()).toBe('0.02');
    const sl = await w.connector.fetchOrder(clientOrderId(open.directive_id, 'SL'), 'BTC_USDT');
    expect(sl?.stop_price?.toFixed()).toBe('64500');
    expect(sl?.quantity.toFixed()).toBe('0.02');

    const close = closeWire([open.directive_id]);
    expect((await w.submit(close)).outcome).toBe('SUCCEEDED');
    const closed = (await w.store.ledger.getPosition(open.directive_id))!;
    expect(closed).toMatchObject({ status: 'CLOSED', close_reason: 'target reached' });
    expect(closed.exit_price).not.toBeNull();
    expect(w.connector.netPositions().get('BTC_USDT')?.isZero()).toBe(true);

    expect((await w.submit(open)).outcome).toBe('DUPLICATE');
    expect(w.stops).toHaveLength(3);
  });

  it('remembers executed directives across a restart on the same database', async () => {
    const dbFile = join(dir, 'restart.sqlite');
    const venueFile = join(dir, 'restart-venue.sqlite');
    const wire = newTradeWire({ exit_plan: undefined });
    const first = world({ dbFile, venueFile });
    expect((await first.submit(wire)).outcome).toBe('SUCCEEDED');
    const w0 = open.splice(0);
    for (const w of w0) {
      w.orchestrator.dispose();
      await w.connector.close();
      await w.store.close();
    }
    const second = world({ dbFile, venueFile });
    const again = await second.submit(wire);
    expect(again.outcome).toBe('DUPLICATE');
    expect(second.connector.submitAttempts(clientOrderId(wire.directive_id, 'E'))).toBe(1);
  });

  it('turns a bad line into a failed flow with the line number, and goes on', async () => {
    const w = world();
    const bad = await w.submit('{"directive_id": ', 3);
    expect(bad).toMatchObject({ outcome: 'FAILED', error_code: 'VALIDATION_FAILED', line: 3 });
    expect(bad.reason).toContain('line 3: ');
    expect((await w.submit(newTradeWire())).outcome).toBe('SUCCEEDED');
    expect(w.stops.map((s) => s.name)).toEqual(['_flow_stop_error', '_flow_stop_success']);
  });

  describe('durable commits per flow (DESIGN §3b)', () => {
    /** Runs one directive alone and counts the commits it made in sequence, and how many lay between its acceptance and its first order leaving. */
    async function commitsOf(w: ReturnType<typeof world>, wire: ReturnType<typeof newTradeWire>) {
      const before = w.store.commitStats().batches;
      let atFirstSend: number | null = null;
      const place = w.connector.placeOrder.bind(w.connector);
      w.connector.placeOrder = (request, options) => {
        atFirstSend ??= w.store.commitStats().batches - before;
        return place(request, options);
      };
      const result = await w.submit(wire);
      await w.settle(w.orchestrator.drain());
      w.connector.placeOrder = place;
      return { result, commits: w.store.commitStats().batches - before, beforeFirstOrder: atFirstSend };
    }

    it('a NEW_TRADE with stop and target: three commits, and exactly one between acceptance and the entry order leaving', async () => {
      const w = world();
      await w.submit(newTradeWire({ directive_id: 'DIR_WARM' }));
      const wire = newTradeWire();
      const counted = await commitsOf(w, wire);
      expect(counted.result.outcome).toBe('SUCCEEDED');
      // acceptance + entry intent → entry result + both protective intents → their results + causality (the flow's final row follows its stop)
      expect(counted.commits).toBe(3);
      expect(counted.beforeFirstOrder).toBe(1);
      const [accepted, intent] = await w.store.journal.read({ flow_id: wire.directive_id });
      expect(accepted!.event_type).toBe('DIRECTIVE_ACCEPTED');
      expect(intent).toMatchObject({ event_type: 'ORDER_INTENT', causation_id: accepted!.entry_id, body: { client_order_id: clientOrderId(wire.directive_id, 'E') } });
    });

    it('a MODIFY that resizes the trade and moves its stop: at most three commits, both protective amends declared in one', async () => {
      const w = world();
      const open = newTradeWire();
      await w.submit(open);
      const counted = await commitsOf(w, modifyWire([open.directive_id], { exit_plan: { stop_loss_price: '64500' }, size_plan: { position_size: '0.02' } }));
      expect(counted.result.outcome).toBe('SUCCEEDED');
      expect(counted.commits).toBeLessThanOrEqual(3);
      expect(counted.beforeFirstOrder).toBe(1);
      const sl = await w.connector.fetchOrder(clientOrderId(open.directive_id, 'SL'), 'BTC_USDT');
      const tp = await w.connector.fetchOrder(clientOrderId(open.directive_id, 'TP'), 'BTC_USDT');
      expect([sl?.stop_price?.toFixed(), sl?.quantity.toFixed(), tp?.quantity.toFixed()]).toEqual(['64500', '0.02', '0.02']);
    });

    it('a MODIFY that only moves the stop: two commits', async () => {
      const w = world();
      const open = newTradeWire();
      await w.submit(open);
      const counted = await commitsOf(w, modifyWire([open.directive_id], { exit_plan: { stop_loss_price: '64200' } }));
      expect(counted.result.outcome).toBe('SUCCEEDED');
      expect(counted.commits).toBe(2);
    });

    it('a CLOSE of a protected trade: three commits (both cancels declared in one)', async () => {
      const w = world();
      const open = newTradeWire();
      await w.submit(open);
      const counted = await commitsOf(w, closeWire([open.directive_id]));
      expect(counted.result.outcome).toBe('SUCCEEDED');
      expect(counted.commits).toBe(3);
      expect((await w.store.ledger.getPosition(open.directive_id))?.status).toBe('CLOSED');
    });

    it('shares commits across strategies: twenty NEW_TRADEs of twenty strategies at once take far fewer commits than three each, each flow in order', async () => {
      const w = world();
      await w.submit(newTradeWire({ directive_id: 'DIR_WARM' }));
      const before = w.store.commitStats().batches;
      const wires = Array.from({ length: 20 }, (_, i) => newTradeWire({ strategy_id: `s${i}` }));
      const results = await w.settle(Promise.all(wires.map((wire) => w.orchestrator.submit({ input: wire, source: { kind: 'internal' }, received_at: w.clock.now() }))));
      await w.settle(w.orchestrator.drain());
      expect(results.map((r) => r.outcome)).toEqual(wires.map(() => 'SUCCEEDED'));
      expect(w.store.commitStats().batches - before).toBeLessThanOrEqual(6);
      for (const wire of wires) {
        const kinds = (await w.store.journal.read({ flow_id: wire.directive_id })).map((e) => e.event_type);
        expect(kinds[0]).toBe('DIRECTIVE_ACCEPTED');
        expect(kinds.at(-1)).toBe('TRADE_OPENED');
      }
    });
  });

  describe('undo rows (what rollback_ledger replays)', () => {
    const undoRows = (w: ReturnType<typeof world>, directiveId: string): unknown[] =>
      w.store.database.prepare('SELECT kind, row_key FROM ledger_undo WHERE directive_id = ? ORDER BY undo_id').all(directiveId);

    it('are written only for what a flow changed before the venue acted: the entry\'s PENDING row', async () => {
      const w = world();
      const wire = newTradeWire({ exit_plan: { stop_loss_price: '60000', take_profit_price: '70000' } });
      expect((await w.submit(wire)).outcome).toBe('SUCCEEDED');
      expect(undoRows(w, wire.directive_id)).toEqual([{ kind: 'order', row_key: clientOrderId(wire.directive_id, 'E') }]);
    });

    it('still let rollback_ledger remove the PENDING row of an entry the venue rejected', async () => {
      const w = world({ paper: { faults: { transient_error_rate: 0, rejection_rate: 1, timeout_rate: 0, seed: 1 } }, config: { error_handling: { on_api_failure: 'rollback_ledger' } } });
      const wire = newTradeWire();
      expect((await w.submit(wire)).outcome).toBe('FAILED');
      expect(await w.store.ledger.getOrder(clientOrderId(wire.directive_id, 'E'))).toBeUndefined();
      const decisions = (await w.store.journal.read({ directive_id: wire.directive_id })).filter((e) => e.event_type === 'POLICY_APPLIED').map((e) => e.body['decision']);
      expect(decisions).toEqual(['ledger_rolled_back']);
      expect(undoRows(w, wire.directive_id)).toEqual([]);
    });

    it('are not written at all when on_api_failure never rolls back', async () => {
      const w = world({ config: { error_handling: { on_api_failure: 'alert_only' } } });
      const wire = newTradeWire({ exit_plan: { stop_loss_price: '60000', take_profit_price: '70000' } });
      expect((await w.submit(wire)).outcome).toBe('SUCCEEDED');
      expect(undoRows(w, wire.directive_id)).toEqual([]);
    });
  });

  it('under venue faults: one stop per submission, each leg processed at most once, ledger and venue agree', async () => {
    const w = world({
      paper: { faults: { transient_error_rate: 0.2, rejection_rate: 0.05, timeout_rate: 0.15, seed: 7 } },
      config: {
        retry_policy: { max_retries: 4, backoff_strategy: 'exponential', initial_delay_ms: 10, max_delay_ms: 100 },
        in_doubt: { max_checks: 6, check_interval_ms: 50, not_found_grace_ms: 0 },
        error_handling: { on_api_failure: 'rollback_ledger' },
      },
    });
    const results: FlowResult[] = [];
    const trades: string[] = [];
    for (let i = 0; i < 12; i++) {
      const strategy_id = i % 2 === 0 ? 'alpha' : 'beta';
      const symbol = i % 2 === 0 ? 'BTC_USDT' : 'ETH_USDT';
      const size = symbol === 'BTC_USDT' ? '0.01' : '0.1';
      const price = symbol === 'BTC_USDT' ? ['60000', '70000'] : ['2000', '5000'];
      const wire = newTradeWire({
        strategy_id,
        entry_plan: { symbol, direction: 'BUY', order_type: 'MARKET' },
        size_plan: { position_size: size },
        exit_plan: { stop_loss_price: price[0], take_profit_price: price[1] },
      });
      trades.push(wire.directive_id);
      results.push(await w.submit(wire));
      if (i % 3 === 2) results.push(await w.submit(closeWire([trades.at(-2)!], { strategy_id })));
    }
    await w.settle(w.orchestrator.drain());

    // the seeded faults did happen: retried transients, rejections and unknown outcomes resolved by look-up
    const attempts = w.connector.submitAttemptLog().map((a) => a.outcome);
    expect(attempts).toContain('TRANSIENT');
    expect(attempts).toContain('SIMULATED_REJECTION');
    expect((await w.store.journal.read({})).some((e) => e.event_type === 'ORDER_IN_DOUBT')).toBe(true);

    const executed = results.filter((r) => r.outcome !== 'DUPLICATE');
    expect(w.stops).toHaveLength(executed.length);
    expect(new Set(w.stops.map((s) => s.payload.flow_id)).size).toBe(w.stops.length);
    expect(results.some((r) => r.outcome === 'SUCCEEDED')).toBe(true);

    // at most once at the venue: no client order id was processed twice
    for (const [coid, count] of w.connector.submitAttemptCounts()) expect(count, coid).toBeLessThanOrEqual(1);

    // flows that did not end in doubt left ledger and venue in agreement
    if (!results.some((r) => r.outcome === 'IN_DOUBT')) {
      for (const symbol of ['BTC_USDT', 'ETH_USDT']) {
        const held = (await w.store.ledger.listPositions({ status: 'OPEN', symbol })).reduce((sum, p) => sum.plus(p.filled_size), new Decimal(0));
        expect(held.toFixed(), symbol).toBe((w.connector.netPositions().get(symbol) ?? new Decimal(0)).toFixed());
      }
    }
    expect(await w.store.journal.verify()).toMatchObject({ ok: true });
  });
});
