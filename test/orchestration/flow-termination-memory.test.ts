import v8 from 'node:v8';
import vm from 'node:vm';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { InMemoryEventBus } from '../../src/bus/in-memory-event-bus.js';
import type { PlanexecEvents } from '../../src/ports/events.js';
import { FlowTerminationSchema } from '../../src/config/schema.js';
import type { FlowCompletionDTO } from '../../src/domain/dto.js';
import { PrometheusMetrics } from '../../src/metrics/prometheus-metrics.js';
import { InMemoryComponentRegistry } from '../../src/orchestration/component-registry.js';
import { FlowCompletionStream } from '../../src/orchestration/flow-completion-stream.js';
import { FlowTerminationHandler } from '../../src/orchestration/flow-termination-handler.js';
import type { Alert, IAlertSink } from '../../src/ports/alerts.js';
import { sampleValue } from '../metrics/prom-text.js';
import { FakeFlowStore, errorCompletion, successCompletion } from './flow-termination-fixtures.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const MB = 1024 * 1024;
const WARM_UP_FLOWS = 10_000;
const MEASURED_FLOWS = 100_000;
const BATCH = 1000;

function heapAfterGc(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

class CountingAlertSink implements IAlertSink {
  sent = 0;
  send(_alert: Alert): Promise<void> {
    this.sent++;
    return Promise.resolve();
  }
}

function platform() {
  const logger = pino({ level: 'silent' });
  const bus = new InMemoryEventBus<PlanexecEvents>({ logger });
  const registry = new InMemoryComponentRegistry();
  const metrics = new PrometheusMetrics();
  const flows = new FakeFlowStore(false); // counts only: we measure the handler, not the fake
  const alerts = new CountingAlertSink();
  const stream = new FlowCompletionStream({ bufferSize: 100 });
  const idleConsumer = stream.subscribe(); // never reads: its buffer must stay bounded
  const config = FlowTerminationSchema.parse({ alert_on_error: true });
  const handler = new FlowTerminationHandler({ bus, registry, metrics, flows, alerts, stream, config, logger });
  return { bus, registry, metrics, flows, alerts, stream, idleConsumer, handler };
}

type Platform = ReturnType<typeof platform>;

/** Runs flows [from, from + count): each registers 2–3 components holding ~1 KiB, then stops through the bus. */
async function runFlows(p: Platform, from: number, count: number, keep?: FlowCompletionDTO[]): Promise<void> {
  for (let base = from; base < from + count; base += BATCH) {
    for (let i = base; i < base + BATCH; i++) {
      const flowId = `DIR_${i}`;
      const scratch = new Array<number>(128).fill(i); // a flow-scoped cache, ~1 KiB
      p.registry.registerFn(flowId, () => {
        scratch.length = 0;
      });
      p.registry.register(flowId, { dispose: () => Promise.resolve() });
      if (i % 3 === 0) p.registry.registerFn(flowId, () => undefined);
      const completion = i % 10 === 0 ? errorCompletion(flowId, i % 20 === 0 ? 'IN_DOUBT' : 'FAILED') : successCompletion(flowId);
      keep?.push(completion);
      if (completion.final_state === 'SUCCESS') p.bus.publish('_flow_stop_success', completion);
      else p.bus.publish('_flow_stop_error', completion);
    }
    await p.handler.drain();
  }
}

describe('FlowTerminationHandler memory', () => {
  it('keeps memory flat and the registry empty over 100k flows', async () => {
    const p = platform();
    await runFlows(p, 0, WARM_UP_FLOWS);
    const before = heapAfterGc();

    await runFlows(p, WARM_UP_FLOWS, MEASURED_FLOWS);
    const after = heapAfterGc();

    const total = WARM_UP_FLOWS + MEASURED_FLOWS;
    expect(p.registry.size()).toBe(0);
    expect(p.handler.inFlight).toBe(0);
    expect(p.handler.handled).toBe(total);
    expect(p.flows.finishCount).toBe(total);
    expect(p.alerts.sent).toBe(total / 10);
    expect(p.idleConsumer.buffered).toBe(100);
    expect(p.idleConsumer.dropped).toBe(total - 100);
    expect(sampleValue(await p.metrics.metricsText(), 'planexec_flows_succeeded_total')).toBe(total - total / 10);
    expect((after - before) / MB).toBeLessThan(5);
  });

  it('the same measurement sees a leak of the flows\' completions (the bound is meaningful)', async () => {
    const p = platform();
    const leaked: FlowCompletionDTO[] = [];
    await runFlows(p, 0, WARM_UP_FLOWS);
    const before = heapAfterGc();

    await runFlows(p, WARM_UP_FLOWS, MEASURED_FLOWS, leaked);
    const after = heapAfterGc();

    expect(leaked).toHaveLength(MEASURED_FLOWS);
    expect((after - before) / MB).toBeGreaterThan(5);
  });
});
