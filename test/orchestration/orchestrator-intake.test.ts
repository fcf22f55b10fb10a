import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_DIRECTIVE_BYTES } from '../../src/domain/directive.js';
import type { DirectiveSubmission } from '../../src/domain/dto.js';
import type { FlowResult } from '../../src/orchestration/plan-execution-orchestrator.js';
import { newTradeWire } from '../support/directives.js';
import { flushMicrotasks } from '../support/fake-clock.js';
import { createHarness } from './harness.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

function ready(input: unknown, line: number): DirectiveSubmission {
  return { input: JSON.stringify(input), source: { kind: 'cli', line }, received_at: 0 };
}

async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await flushMicrotasks();
}

describe('abandoning submissions that have not begun', () => {
  it('drops the bus submissions waiting behind a running flow: no DIRECTIVE_ACCEPTED, no stop, DIRECTIVE_NOT_STARTED for each', async () => {
    const h = createHarness();
    const g = gate();
    h.connector.beforePlace = () => g.opened;
    const results: FlowResult[] = [];
    h.orchestrator.onResult((r) => results.push(r));
    const notStarted: unknown[] = [];
    h.bus.subscribe('DIRECTIVE_NOT_STARTED', (payload) => notStarted.push(payload));
    const wires = [1, 2, 3].map(() => newTradeWire({ strategy_id: 'alpha', exit_plan: undefined }));
    wires.forEach((w, i) => h.bus.publish('EXECUTION_DIRECTIVE_READY', ready(w, i + 1)));
    await flush();
    expect(h.orchestrator.pending).toBe(3);
    expect(h.orchestrator.queued).toBe(2);

    const dropped = h.orchestrator.abandonQueued();
    expect(dropped.map((d) => [d.line, d.directive_id])).toEqual([
      [2, wires[1]!.directive_id],
      [3, wires[2]!.directive_id],
    ]);
    expect(notStarted).toEqual([
      expect.objectContaining({ directive_id: wires[1]!.directive_id, line: 2, source: { kind: 'cli', line: 2 } }),
      expect.objectContaining({ directive_id: wires[2]!.directive_id, line: 3 }),
    ]);
    expect(h.orchestrator.pending).toBe(1);
    expect(h.orchestrator.queued).toBe(0);

    g.open();
    await h.settle(h.orchestrator.drain());
    expect(results.map((r) => [r.line, r.outcome])).toEqual([[1, 'SUCCEEDED']]);
    const accepted = h.journal.entries.filter((e) => e.event_type === 'DIRECTIVE_ACCEPTED').map((e) => e.directive_id);
    expect(accepted).toEqual([wires[0]!.directive_id]);
    expect(h.stops()).toHaveLength(1);
    expect(h.connector.callsOf('placeOrder')).toHaveLength(1);
  });

  it('an abandoned directive submitted again runs (it was never accepted, so it is no duplicate)', async () => {
    const h = createHarness();
    const g = gate();
    h.connector.beforePlace = () => g.opened;
    const first = newTradeWire({ strategy_id: 'alpha', exit_plan: undefined });
    const second = newTradeWire({ strategy_id: 'alpha', exit_plan: undefined });
    h.bus.publish('EXECUTION_DIRECTIVE_READY', ready(first, 1));
    h.bus.publish('EXECUTION_DIRECTIVE_READY', ready(second, 2));
    await flush();
    expect(h.orchestrator.abandonQueued()).toHaveLength(1);
    g.open();
    await h.settle(h.orchestrator.drain());
    expect((await h.submit(second)).outcome).toBe('SUCCEEDED');
  });

  it('leaves flows already begun, direct submissions and the submissions `which` does not select', async () => {
    const h = createHarness({ config: { concurrency: { max_concurrent_strategies: 1 } } });
    const g = gate();
    h.connector.beforePlace = () => g.opened;
    const running = h.orchestrator.submit({ input: newTradeWire({ strategy_id: 'alpha', exit_plan: undefined }), source: { kind: 'internal' }, received_at: 0 });
    const direct = h.orchestrator.submit({ input: newTradeWire({ strategy_id: 'beta', exit_plan: undefined }), source: { kind: 'internal' }, received_at: 0 });
    const mine = ready(newTradeWire({ strategy_id: 'gamma', exit_plan: undefined }), 7);
    const theirs = ready(newTradeWire({ strategy_id: 'delta', exit_plan: undefined }), 8);
    h.bus.publish('EXECUTION_DIRECTIVE_READY', mine);
    h.bus.publish('EXECUTION_DIRECTIVE_READY', theirs);
    await flush();
    expect(h.orchestrator.queued).toBe(3);
    expect(h.orchestrator.abandonQueued((s) => s === mine).map((d) => d.line)).toEqual([7]);
    g.open();
    expect((await h.settle(running)).outcome).toBe('SUCCEEDED');
    expect((await h.settle(direct)).outcome).toBe('SUCCEEDED');
    await h.settle(h.orchestrator.drain());
    const accepted = h.journal.entries.filter((e) => e.event_type === 'DIRECTIVE_ACCEPTED').map((e) => e.strategy_id);
    expect(accepted.sort()).toEqual(['alpha', 'beta', 'delta']);
  });
});

describe('waitForCapacity with a read-ahead', () => {
  it('holds until fewer than maxQueued submissions wait to begin, and gives up (false) on abort', async () => {
    const h = createHarness();
    const g = gate();
    h.connector.beforePlace = () => g.opened;
    for (const line of [1, 2, 3]) h.bus.publish('EXECUTION_DIRECTIVE_READY', ready(newTradeWire({ strategy_id: 'alpha', exit_plan: undefined }), line));
    await flush();
    expect(h.orchestrator.queued).toBe(2);
    expect(await h.orchestrator.waitForCapacity({ maxQueued: 3 })).toBe(true);

    let room: boolean | null = null;
    const waiting = h.orchestrator.waitForCapacity({ maxQueued: 2 }).then((r) => (room = r));
    await flush();
    expect(room).toBeNull();
    g.open(); // the first flow ends, the second begins: one waits
    await h.settle(waiting);
    expect(room).toBe(true);

    const controller = new AbortController();
    const blocked = h.orchestrator.waitForCapacity({ maxQueued: 0, signal: controller.signal });
    controller.abort();
    expect(await blocked).toBe(false);
    await h.settle(h.orchestrator.drain());
  });
});

describe('intake.max_directive_age_seconds', () => {
  it('refuses a directive whose timestamp is older than the limit, naming the field and the rule', async () => {
    const h = createHarness({ intake: { max_directive_age_seconds: 30 } });
    const stale = newTradeWire({ timestamp: new Date(h.clock.now() - 31_000).toISOString(), exit_plan: undefined });
    const result = await h.submit(stale, 4);
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'VALIDATION_FAILED', directive_id: stale.directive_id, line: 4 });
    expect(result.reason).toContain('line 4: timestamp: was issued 31.0 s before acceptance: older than intake.max_directive_age_seconds (30 s) [max_age]');
    expect(result.flow_id).toMatch(/^INV_/);
    expect(h.connector.callsOf('placeOrder')).toHaveLength(0);
    const failed = h.journal.entries.find((e) => e.event_type === 'EXECUTION_FAILED');
    expect(failed?.body).toMatchObject({ issues: [{ path: 'timestamp', rule: 'max_age' }] });
  });

  it('accepts one within the limit, and any age when the limit is 0', async () => {
    const strict = createHarness({ intake: { max_directive_age_seconds: 30 } });
    expect((await strict.submit(newTradeWire({ timestamp: new Date(strict.clock.now() - 29_000).toISOString(), exit_plan: undefined }))).outcome).toBe('SUCCEEDED');
    const off = createHarness({ intake: { max_directive_age_seconds: 0 } });
    expect((await off.submit(newTradeWire({ timestamp: '2020-01-01T00:00:00Z', exit_plan: undefined }))).outcome).toBe('SUCCEEDED');
  });

  it('judges the age at acceptance: time spent waiting for the strategy counts', async () => {
    // no attempt or flow timeout within the wait: the first flow just holds the strategy's turn
    const h = createHarness({ intake: { max_directive_age_seconds: 5 }, config: { attempt_timeout_ms: 60_000, timeout_seconds: 120 } });
    const g = gate();
    h.connector.beforePlace = () => g.opened;
    const now = new Date(h.clock.now()).toISOString();
    const firstWire = newTradeWire({ strategy_id: 'alpha', timestamp: now, exit_plan: undefined });
    const secondWire = newTradeWire({ strategy_id: 'alpha', timestamp: now, exit_plan: undefined });
    const first = h.orchestrator.submit({ input: firstWire, source: { kind: 'internal' }, received_at: 0 });
    const second = h.orchestrator.submit({ input: secondWire, source: { kind: 'internal' }, received_at: 0 });
    await flush();
    await h.clock.advance(6_000); // both fresh when received; the second is stale when its turn comes
    g.open();
    expect((await h.settle(first)).outcome).toBe('SUCCEEDED');
    const refused = await h.settle(second);
    expect(refused).toMatchObject({ outcome: 'FAILED', error_code: 'VALIDATION_FAILED', directive_id: secondWire.directive_id });
    expect(refused.reason).toContain('[max_age]');
    const accepted = h.journal.entries.filter((e) => e.event_type === 'DIRECTIVE_ACCEPTED').map((e) => e.directive_id);
    expect(accepted).toEqual([firstWire.directive_id]);
  });
});

describe('an over-long line the intake did not keep', () => {
  it('is a failed flow naming the limit and the size; the same bytes again are its duplicate', async () => {
    const h = createHarness();
    const sha256 = createHash('sha256').update('whatever').digest('hex');
    const submission: DirectiveSubmission = { input: '{"directive_id":"DIR_x","ration', source: { kind: 'cli', line: 9 }, received_at: 0, oversize: { bytes: 200_000_000, sha256 } };
    const result = await h.settle(h.orchestrator.submit(submission));
    expect(result).toMatchObject({ outcome: 'FAILED', error_code: 'VALIDATION_FAILED', line: 9, flow_id: `INV_${sha256.slice(0, 24)}` });
    expect(result.reason).toContain(`line 9: (root): a directive line must be at most ${MAX_DIRECTIVE_BYTES} bytes; this one has 200000000 [max_size]`);
    expect((await h.settle(h.orchestrator.submit(submission))).outcome).toBe('DUPLICATE');
  });
});
