import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryEventBus } from '../../src/bus/in-memory-event-bus.js';
import type { PlanexecEvents } from '../../src/ports/events.js';
import type { ConnectorCapabilities, IAPIConnector } from '../../src/ports/connector.js';
import { defaultConfig, type PlanExecutionConfig, type RiskConfig } from '../../src/config/schema.js';
import type { ExecutionDirectiveWire } from '../../src/domain/directive.js';
import type { FlowCompletionDTO } from '../../src/domain/dto.js';
import { InMemoryComponentRegistry } from '../../src/orchestration/component-registry.js';
import { FlowCompletionStream } from '../../src/orchestration/flow-completion-stream.js';
import { FlowTerminationHandler } from '../../src/orchestration/flow-termination-handler.js';
import type { IFlowStore } from '../../src/ports/flow-store.js';
import type { IJournalWriter } from '../../src/ports/journal.js';
import type { ILedgerProvider } from '../../src/ports/ledger.js';
import type { ITradingStateControl } from '../../src/ports/trading-state.js';
import { PlanExecutionOrchestrator, type FlowResult } from '../../src/orchestration/plan-execution-orchestrator.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeConnector, InMemoryFlowStore, InMemoryJournal, InMemoryLedger, RecordingAlerts, RecordingMetrics, silentLogger } from '../support/fakes.js';
import { checkAfterFile } from '../support/projection-check.js';

type Sections = 'retry_policy' | 'error_handling' | 'monitoring' | 'concurrency' | 'in_doubt';
export type ConfigOverrides = Partial<Omit<PlanExecutionConfig, Sections>> & { [K in Sections]?: Partial<PlanExecutionConfig[K]> };

/** Test defaults: no jitter, short in-doubt windows, a 1 s attempt timeout. */
export function planConfig(overrides: ConfigOverrides = {}): PlanExecutionConfig {
  const base = defaultConfig().orchestration.plan_execution;
  return {
    ...base,
    attempt_timeout_ms: 1000,
    ...overrides,
    retry_policy: { ...base.retry_policy, jitter: 0, ...overrides.retry_policy },
    error_handling: { ...base.error_handling, ...overrides.error_handling },
    monitoring: { ...base.monitoring, ...overrides.monitoring },
    concurrency: { ...base.concurrency, ...overrides.concurrency },
    in_doubt: { ...base.in_doubt, max_checks: 3, check_interval_ms: 100, not_found_grace_ms: 500, ...overrides.in_doubt },
  };
}

export interface RecordedEvent {
  readonly name: string;
  readonly payload: unknown;
}

const WATCHED = ['TRADE_EXECUTED', 'EXECUTION_FAILED', '_flow_stop_success', '_flow_stop_error', 'DIRECTIVE_DUPLICATE'] as const;

export interface HarnessOptions {
  readonly config?: ConfigOverrides;
  readonly capabilities?: Partial<ConnectorCapabilities>;
  readonly fallbackPath?: string;
  readonly logger?: Logger;
  /** The platform's `intake` section (its age limit). */
  readonly intake?: { readonly max_directive_age_seconds: number };
  /** The platform's `risk` section (pre-trade limits); every limit off without one. */
  readonly risk?: RiskConfig;
  /** Ledger, journal and flows of a real store instead of the in-memory ones (for checks that read a database); the harness still types them as the in-memory ones, so read them through their ports only. */
  readonly store?: { readonly ledger: ILedgerProvider; readonly journal: IJournalWriter; readonly flows: IFlowStore };
  /** What the orchestrator trades through, built around the fake venue (a decorator); default the fake itself. */
  readonly venue?: (fake: FakeConnector, clock: FakeClock) => IAPIConnector;
  /** The kill switch the orchestrator reads at each acceptance; none = always ACTIVE. */
  readonly tradingState?: ITradingStateControl;
}

export function createHarness(options: HarnessOptions = {}) {
  const clock = new FakeClock();
  const connector = new FakeConnector({ clock, capabilities: options.capabilities });
  const memoryJournal = new InMemoryJournal();
  const ledger = (options.store?.ledger ?? new InMemoryLedger()) as InMemoryLedger;
  const journal = (options.store?.journal ?? memoryJournal) as InMemoryJournal;
  const flows = (options.store?.flows ?? new InMemoryFlowStore(memoryJournal)) as InMemoryFlowStore;
  // a real store is checked when it closes
  if (!options.store) checkAfterFile({ ledger, journal, flows, faulted: () => ledger.faultInjected || journal.faultInjected || flows.failBegin });
  const bus = new InMemoryEventBus<PlanexecEvents>({ logger: silentLogger });
  const alerts = new RecordingAlerts();
  const metrics = new RecordingMetrics();
  const events: RecordedEvent[] = [];
  for (const name of WATCHED) bus.subscribe(name, (payload) => events.push({ name, payload }));
  const config = planConfig(options.config);
  const fallbackPath = options.fallbackPath ?? join(tmpdir(), `planexec-fallback-${randomUUID()}.jsonl`);
  const registry = new InMemoryComponentRegistry();
  const orchestrator = new PlanExecutionOrchestrator({
    connector: options.venue?.(connector, clock) ?? connector,
    ledger,
    journal,
    bus,
    flows,
    config,
    intake: options.intake,
    clock,
    logger: options.logger ?? silentLogger,
    alerts,
    metrics,
    journalFallbackPath: fallbackPath,
    random: () => 0.5,
    registry,
    risk: options.risk,
    tradingState: options.tradingState,
  });
  // the spec's other half: persists each flow's final state when it stops
  const termination = new FlowTerminationHandler({
    bus,
    registry,
    metrics,
    flows,
    alerts: new RecordingAlerts(),
    stream: new FlowCompletionStream({ bufferSize: 16 }),
    config: { alert_on_error: false, ui_buffer_size: 16 },
    logger: options.logger ?? silentLogger,
    clock,
  });

  /** Await a promise while moving the fake clock, so backoff, timeouts and in-doubt checks elapse. */
  async function settle<T>(promise: Promise<T>, maxMs = 120_000, stepMs = 10): Promise<T> {
    let done = false;
    const tracked = promise.finally(() => {
      done = true;
    });
    await clock.runUntil(() => done, maxMs, stepMs);
    const result = await tracked;
    await termination.drain();
    return result;
  }

  function submit(input: ExecutionDirectiveWire | string | unknown, line?: number): Promise<FlowResult> {
    return settle(orchestrator.submit({ input, source: line === undefined ? { kind: 'internal' } : { kind: 'cli', line }, received_at: clock.now() }));
  }

  function stops(): { name: string; payload: FlowCompletionDTO }[] {
    return events.filter((e) => e.name.startsWith('_flow_stop')).map((e) => ({ name: e.name, payload: e.payload as FlowCompletionDTO }));
  }

  function names(): string[] {
    return events.map((e) => e.name);
  }

  return { clock, connector, ledger, journal, flows, bus, alerts, metrics, events, config, fallbackPath, orchestrator, termination, registry, settle, submit, stops, names };
}

export type Harness = ReturnType<typeof createHarness>;
