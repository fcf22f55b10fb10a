import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryEventBus } from '../../src/bus/in-memory-event-bus.js';
import type { PlanexecEvents } from '../../src/ports/events.js';
import { FlowTerminationSchema } from '../../src/config/schema.js';
import { NoopMetrics } from '../../src/metrics/noop-metrics.js';
import { InMemoryComponentRegistry } from '../../src/orchestration/component-registry.js';
import { FlowCompletionStream } from '../../src/orchestration/flow-completion-stream.js';
import { FlowTerminationHandler } from '../../src/orchestration/flow-termination-handler.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { captureLogger } from '../alerts/capture-logger.js';
import { expectCorrupted } from '../support/projection-check.js';
import { RecordingAlertSink, errorCompletion, successCompletion } from './flow-termination-fixtures.js';

const stores: SqliteStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

function setup() {
  const { logger, lines } = captureLogger();
  const store = openSqliteStore(':memory:');
  stores.push(store);
  // stops published straight to the bus: their flows were never accepted, so the journal has none of them
  expectCorrupted(store.database);
  const bus = new InMemoryEventBus<PlanexecEvents>({ logger });
  const handler = new FlowTerminationHandler({
    bus,
    registry: new InMemoryComponentRegistry(),
    metrics: new NoopMetrics(),
    flows: store.flows,
    alerts: new RecordingAlertSink(),
    stream: new FlowCompletionStream({ bufferSize: 10 }),
    config: FlowTerminationSchema.parse({}),
    logger,
  });
  return { store, bus, handler, lines };
}

describe('FlowTerminationHandler with the SQLite flows table', () => {
  it('persists both kinds of stop with final state, reason and error details', async () => {
    const t = setup();
    t.bus.publish('_flow_stop_success', successCompletion('DIR_OK'));
    t.bus.publish('_flow_stop_error', errorCompletion('DIR_BAD', 'IN_DOUBT'));
    await t.handler.drain();

    await expect(t.store.flows.get('DIR_OK')).resolves.toMatchObject({
      status: 'SUCCEEDED',
      final_state: 'SUCCESS',
      reason: 'Execution completed successfully',
      error_details: null,
      completed_at: '2026-11-24T10:15:00.250Z',
      duration_ms: 250,
    });
    await expect(t.store.flows.get('DIR_BAD')).resolves.toMatchObject({
      status: 'IN_DOUBT',
      final_state: 'ERROR',
      reason: 'Execution failed: order outcome unknown after 8 checks',
      error_details: { error_type: 'UnknownOutcomeError', error_code: 'IN_DOUBT_UNRESOLVED', error_message: 'order outcome unknown after 8 checks' },
    });
    expect(t.lines.filter((l) => l.levelName === 'error')).toEqual([]);
  });

  it('logs the flow id when the store is closed, without throwing', async () => {
    const t = setup();
    await t.store.close();
    t.bus.publish('_flow_stop_error', errorCompletion('DIR_LATE'));
    await t.handler.drain();
    expect(t.lines.find((l) => l.msg === 'flow final state not persisted')).toMatchObject({ levelName: 'error', flow_id: 'DIR_LATE' });
  });
});
