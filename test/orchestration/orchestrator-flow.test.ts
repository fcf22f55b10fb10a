import { Writable } from 'node:stream';
import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { FlowCompletionDTO } from '../../src/domain/dto.js';
import { TransientError, UnknownOutcomeError, VenueRejected } from '../../src/domain/errors.js';
import type { FlowResult } from '../../src/orchestration/plan-execution-orchestrator.js';
import { FlowAlreadyStopped, FlowStopper, type FlowState } from '../../src/orchestration/flow-stopper.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { flushMicrotasks } from '../support/fake-clock.js';
import { silentLogger, type Step } from '../support/fakes.js';
import { createHarness } from './harness.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

describe('flows', () => {
  it('executes a directive_id once: the second delivery is a DUPLICATE with no venue call and no stop', async () => {
    const h = createHarness();
    const wire = newTradeWire({ exit_plan: undefined });
    await h.submit(wire);
    const again = await h.submit(wire, 7);
    expect(again).toMatchObject({ outcome: 'DUPLICATE', flow_id: wire.directive_id, line: 7 });
    expect(again.reason).toContain('SUCCEEDED');
    expect(h.connector.placed()).toHaveLength(1);
    expect(h.stops()).toHaveLength(1);
    const dup = h.events.find((e) => e.name === 'DIRECTIVE_DUPLICATE')!.payload as { original: { status: string }; line: number };
    expect(dup).toMatchObject({ original: { status: 'SUCCEEDED' }, line: 7 });
  });

  it('runs one strategy in arrival order, one at a time, while other strategies proceed', async () => {
    const h = createHarness();
    const g = gate();
    const a1 = newTradeWire({ strategy_id: 'alpha', exit_plan: undefined });
    const a2 = newTradeWire({ strategy_id: 'alpha', exit_plan: undefined });
    const b1 = newTradeWire({ strategy_id: 'beta', exit_plan: undefined });
    h.connector.beforePlace = async (request) => {
      if (request.client_order_id.endsWith('-E') && h.connector.placed().length === 1) await g.opened;
    };
    const submit = (input: unknown) => h.orchestrator.submit({ input, source: { kind: 'internal' }, received_at: 0 });
    const done: string[] = [];
    const all = [a1, a2, b1].map((w) => submit(w).then((r) => done.push(r.flow_id)));
    for (let i = 0; i < 5; i++) await flushMicrotasks();
    expect(done).toEqual([b1.directive_id]);
    expect(h.orchestrator.pending).toBe(2);
    expect(h.connector.placed().map((r) => r.client_order_id).length).toBe(2);
    g.open();
    await Promise.all(all);
    expect(done).toEqual([b1.directive_id, a1.directive_id, a2.directive_id]);
  });

  it('runs at most max_concurrent_strategies strategies at once', async () => {
    const h = createHarness({ config: { concurrency: { max_concurrent_strategies: 1 } } });
    const g = gate();
    h.connector.beforePlace = () => g.opened;
    const submit = (input: unknown) => h.orchestrator.submit({ input, source: { kind: 'internal' }, received_at: 0 });
    const all = [submit(newTradeWire({ strategy_id: 'alpha', exit_plan: undefined })), submit(newTradeWire({ strategy_id: 'beta', exit_plan: undefined }))];
    for (let i = 0; i < 5; i++) await flushMicrotasks();
    expect(h.connector.callsOf('placeOrder')).toHaveLength(1);
    g.open();
    await Promise.all(all);
    expect(h.connector.callsOf('placeOrder')).toHaveLength(2);
  });

  it('listens to EXECUTION_DIRECTIVE_READY on the bus and reports every result, duplicates included', async () => {
    const h = createHarness();
    const results: FlowResult[] = [];
    h.orchestrator.onResult((r) => results.push(r));
    const wire = newTradeWire({ exit_plan: undefined });
    for (const line of [1, 2]) h.bus.publish('EXECUTION_DIRECTIVE_READY', { input: JSON.stringify(wire), source: { kind: 'cli', line }, received_at: 0 });
    await h.settle(h.orchestrator.drain());
    expect(results.map((r) => r.outcome)).toEqual(['SUCCEEDED', 'DUPLICATE']);
    expect(results.map((r) => r.line)).toEqual([1, 2]);
  });

  it('waitForCapacity holds intake while max_pending_directives are pending', async () => {
    const h = createHarness({ config: { concurrency: { max_pending_directives: 1 } } });
    const g = gate();
    h.connector.beforePlace = () => g.opened;
    const first = h.orchestrator.submit({ input: newTradeWire({ exit_plan: undefined }), source: { kind: 'internal' }, received_at: 0 });
    let free = false;
    const waiting = h.orchestrator.waitForCapacity().then(() => (free = true));
    for (let i = 0; i < 5; i++) await flushMicrotasks();
    expect(free).toBe(false);
    g.open();
    await first;
    await waiting;
    expect(free).toBe(true);
  });

  it('dispose stops listening to the bus and the venue', async () => {
    const h = createHarness();
    expect(h.connector.listenerCount).toBe(1);
    h.orchestrator.dispose();
    expect(h.connector.listenerCount).toBe(0);
    h.bus.publish('EXECUTION_DIRECTIVE_READY', { input: newTradeWire(), source: { kind: 'internal' }, received_at: 0 });
    await h.settle(h.orchestrator.drain());
    expect(h.connector.calls).toHaveLength(0);
  });

  it('fails every submission with ORCHESTRATION_DISABLED when disabled, still with one stop each', async () => {
    const h = createHarness({ config: { enabled: false } });
    const result = await h.submit(newTradeWire());
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'ORCHESTRATION_DISABLED' });
    expect(h.connector.calls).toHaveLength(0);
    expect(h.names()).toEqual(['EXECUTION_FAILED', '_flow_stop_error']);
  });

  it('does not execute when the flow store cannot record the intake', async () => {
    const h = createHarness();
    h.flows.failBegin = true;
    const result = await h.submit(newTradeWire());
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'JOURNAL_UNAVAILABLE' });
    expect(h.connector.calls).toHaveLength(0);
    expect(h.stops()).toHaveLength(1);
  });

  it('sends the flow down the error path when a critical TRADE_EXECUTED subscriber fails: still one stop', async () => {
    const h = createHarness();
    h.bus.subscribe(
      'TRADE_EXECUTED',
      () => {
        throw new Error('ui down');
      },
      { critical: true },
    );
    const result = await h.submit(newTradeWire({ exit_plan: undefined }));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'CRITICAL_HANDLER_FAILED' });
    // the recording subscriber came first and heard TRADE_EXECUTED; the flow then failed
    expect(h.names()).toEqual(['TRADE_EXECUTED', 'EXECUTION_FAILED', '_flow_stop_error']);
  });

  it('keeps a single stop when a stop subscriber fails, and alerts', async () => {
    const h = createHarness();
    h.bus.subscribe(
      '_flow_stop_success',
      () => {
        throw new Error('cleanup failed');
      },
      { critical: true },
    );
    const result = await h.submit(newTradeWire({ exit_plan: undefined }));
    expect(result.outcome).toBe('SUCCEEDED');
    expect(h.stops()).toHaveLength(1);
    expect(h.alerts.codes()).toContain('FLOW_STOP_HANDLER_FAILED');
  });

  it('alerts on a slow execution and records it in the metrics', async () => {
    const h = createHarness({ config: { attempt_timeout_ms: 5000, monitoring: { alert_on_slow_execution_ms: 1000 } } });
    h.connector.beforePlace = () => h.clock.sleep(1500);
    await h.submit(newTradeWire({ exit_plan: undefined }));
    expect(h.metrics.slow).toEqual([1500]);
    expect(h.alerts.alerts.find((a) => a.code === 'SLOW_EXECUTION')).toMatchObject({ severity: 'warning' });
  });

  it('logs one line per flow with its directive id when log_all_executions, and records no metrics when metrics are off', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const h = createHarness({ logger: pino({ level: 'info' }, sink), config: { monitoring: { metrics_enabled: false } } });
    const wire = newTradeWire({ exit_plan: undefined });
    await h.submit(wire);
    const finished = lines.filter((l) => l['msg'] === 'execution finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ directive_id: wire.directive_id, outcome: 'SUCCEEDED' });
    expect(h.metrics.attempts).toEqual([]);
  });

  it('refuses to stop a flow twice', async () => {
    const h = createHarness();
    const stopper = new FlowStopper({ bus: h.bus, clock: h.clock, alerts: h.alerts, metrics: h.metrics, monitoring: h.config.monitoring });
    const state: FlowState = { flowId: 'F1', directiveId: null, strategyId: null, line: null, startedAtMs: h.clock.now(), stopped: null };
    const input = { final_state: 'SUCCESS', outcome: 'SUCCEEDED', reason: 'ok', error_details: null } as const;
    await stopper.stop(state, silentLogger, input);
    await expect(stopper.stop(state, silentLogger, input)).rejects.toBeInstanceOf(FlowAlreadyStopped);
    expect(h.stops()).toHaveLength(1);
  });
});

const FAULTS: Step[] = [
  { kind: 'default' },
  { kind: 'default' },
  { kind: 'throw', error: new TransientError('busy') },
  { kind: 'throw', error: new VenueRejected('no', 'INVALID_ORDER') },
  { kind: 'accept_then_throw', error: new UnknownOutcomeError('lost') },
  { kind: 'accept_then_hang' },
  { kind: 'hang' },
];

describe('one flow, one stop (property)', () => {
  it('every submission ends in exactly one stop or one DUPLICATE, under random faults', async () => {
    const input = fc.record({
      kinds: fc.array(fc.constantFrom('new', 'new', 'modify', 'close', 'dup', 'bad'), { minLength: 1, maxLength: 8 }),
      strategies: fc.array(fc.constantFrom('alpha', 'beta'), { minLength: 8, maxLength: 8 }),
      faults: fc.array(fc.integer({ min: 0, max: FAULTS.length - 1 }), { maxLength: 12 }),
      fetchFaults: fc.array(fc.constantFrom<Step>({ kind: 'default' }, { kind: 'not_found' }, { kind: 'throw', error: new TransientError('x') }), { maxLength: 6 }),
      ledgerFaults: fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
      journalFaults: fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
      policies: fc.record({
        on_api_failure: fc.constantFrom('rollback_ledger', 'alert_only', 'continue'),
        on_ledger_failure: fc.constantFrom('alert_admin', 'rollback_api', 'continue'),
        on_journal_failure: fc.constantFrom('continue', 'alert_admin', 'fail_execution'),
      }),
    });
    await fc.assert(
      fc.asyncProperty(input, async (p) => {
        const h = createHarness({
          config: {
            attempt_timeout_ms: 100,
            timeout_seconds: 5,
            retry_policy: { max_retries: 2, backoff_strategy: 'constant', initial_delay_ms: 10, max_delay_ms: 10 },
            in_doubt: { max_checks: 2, check_interval_ms: 50, not_found_grace_ms: 100 },
            error_handling: p.policies,
          },
        });
        h.connector.script('placeOrder', ...p.faults.map((i) => FAULTS[i]!));
        h.connector.script('fetchOrder', ...p.fetchFaults);
        let l = 0;
        let j = 0;
        h.ledger.failApply = () => p.ledgerFaults[l++ % p.ledgerFaults.length]! && l % 3 === 0;
        h.journal.failWrite = () => p.journalFaults[j++ % p.journalFaults.length]! && j % 4 === 0;
        const opened: string[] = [];
        const inputs: unknown[] = [];
        p.kinds.forEach((kind, i) => {
          const strategy_id = p.strategies[i]!;
          if (kind === 'new') {
            const w = newTradeWire({ strategy_id });
            opened.push(w.directive_id);
            inputs.push(w);
          } else if (kind === 'modify') inputs.push(modifyWire([opened.at(-1) ?? 'T_NONE'], { strategy_id }));
          else if (kind === 'close') inputs.push(closeWire([opened.at(-1) ?? 'T_NONE'], { strategy_id }));
          else if (kind === 'dup') inputs.push(inputs.at(-1) ?? 'null');
          else inputs.push(`{"broken": ${i}`);
        });
        const results = await h.settle(
          Promise.all(inputs.map((input) => h.orchestrator.submit({ input, source: { kind: 'internal' }, received_at: 0 }))),
          600_000,
          10,
        );
        await h.settle(h.orchestrator.drain());
        const stops = h.stops();
        const byFlow = new Map<string, FlowCompletionDTO[]>();
        for (const s of stops) byFlow.set(s.payload.flow_id, [...(byFlow.get(s.payload.flow_id) ?? []), s.payload]);
        // each submission: exactly one stop of its own, or DUPLICATE and no stop. (A delivery whose intake could not be
        // recorded stops without reserving its id, so a redelivery of it is a new submission with its own stop.)
        const executed = results.filter((r) => r.outcome !== 'DUPLICATE');
        expect(stops).toHaveLength(executed.length);
        for (const [flowId, own] of byFlow) {
          const mine = executed.filter((r) => r.flow_id === flowId);
          expect(own, flowId).toHaveLength(mine.length);
          expect(own.map((s) => s.outcome)).toEqual(mine.map((r) => r.outcome));
        }
        for (const r of results.filter((x) => x.outcome === 'DUPLICATE')) expect(byFlow.get(r.flow_id)?.length ?? 0).toBeGreaterThanOrEqual(1);
        // a directive that started (its intake recorded) is never run twice; bad input executes nothing either way
        const began = new Set<string>();
        for (const r of executed) {
          if (r.error_code === 'JOURNAL_UNAVAILABLE' || r.flow_id.startsWith('INV_')) continue;
          expect(began.has(r.flow_id), r.flow_id).toBe(false);
          began.add(r.flow_id);
        }
        expect(h.orchestrator.pending).toBe(0);
      }),
      { numRuns: 40 },
    );
  });
});

describe('flow-scoped resources', () => {
  it('registers the flow deadline in the component registry, and the stop disposes it', async () => {
    const h = createHarness();
    const registered: string[] = [];
    const register = h.registry.register.bind(h.registry);
    h.registry.register = (flowId, component) => {
      registered.push(flowId);
      register(flowId, component);
    };
    // subscribed after the termination handler: sees the registry as the stop left it
    const sizeAtStop: number[] = [];
    h.bus.subscribe('_flow_stop_success', () => sizeAtStop.push(h.registry.size()));
    const wire = newTradeWire();
    const result = await h.submit(wire);
    expect(result.outcome).toBe('SUCCEEDED');
    expect(registered).toEqual([wire.directive_id]);
    expect(sizeAtStop).toEqual([0]);
    expect(h.registry.size()).toBe(0);
    // no deadline timer outlives its flow
    expect(h.clock.pendingSleeps).toBe(0);
  });
});
