import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { InMemoryEventBus } from '../../src/bus/in-memory-event-bus.js';
import type { PlanexecEvents } from '../../src/ports/events.js';
import type {
  AmendRequest,
  CallOptions,
  ExecutionListener,
  IAPIConnector,
  InstrumentRules,
  OrderRequest,
  VenueBalance,
  VenueOrder,
} from '../../src/ports/connector.js';
import { defaultConfig, type PaperConnectorConfig, type RecoveryConfig } from '../../src/config/schema.js';
import { PaperConnector } from '../../src/connectors/paper/paper-connector.js';
import type { Decimal } from '../../src/domain/decimal.js';
import { Decimal as D } from '../../src/domain/decimal.js';
import type { FlowCompletionDTO } from '../../src/domain/dto.js';
import { InMemoryComponentRegistry } from '../../src/orchestration/component-registry.js';
import { FlowCompletionStream } from '../../src/orchestration/flow-completion-stream.js';
import { FlowTerminationHandler } from '../../src/orchestration/flow-termination-handler.js';
import { PlanExecutionOrchestrator, type FlowResult } from '../../src/orchestration/plan-execution-orchestrator.js';
import type { Alert, IAlertSink } from '../../src/ports/alerts.js';
import type { BeginFlowResult, FlowRecord, FlowListFilter, IFlowStore } from '../../src/ports/flow-store.js';
import type { IJournalWriter, JournalEntry, JournalEntryInput, JournalFilter, JournalVerifyResult } from '../../src/ports/journal.js';
import type { ILedgerProvider, LedgerApplyResult, LedgerChange, OrderFilter, PositionFilter } from '../../src/ports/ledger.js';
import { Recovery, type RecoveryReport } from '../../src/orchestration/recovery/recovery.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { FakeClock } from '../support/fake-clock.js';
import { RecordingMetrics, silentLogger } from '../support/fakes.js';
import { planConfig, type ConfigOverrides } from './harness.js';

/**
 * Crash simulation for the recovery tests: a world (real SQLite store file, paper venue file, bus,
 * termination handler, orchestrator) whose ports can be made to hang at a chosen point, which
 * stands for the process dying there: the world is then abandoned, and a new world opened on the
 * same files (time moved on) recovers.
 */

/** Set when a port hangs: the simulated process has reached its crash point. */
export const crashSignal = { hung: 0 };

/** A promise that never settles: the process "died" while waiting for it. */
function never<T>(): Promise<T> {
  crashSignal.hung += 1;
  return new Promise<T>(() => undefined);
}

export type PlaceHook = (request: OrderRequest) => 'hang' | 'go';

/** The paper venue with crash points: hang before the request reaches it, or after it acted. */
export class CrashableConnector implements IAPIConnector {
  readonly venue: string;
  readonly capabilities: IAPIConnector['capabilities'];
  readonly inner: PaperConnector;
  hangBeforePlace: PlaceHook = () => 'go';
  hangAfterPlace: PlaceHook = () => 'go';
  hangAfterCancel: (clientOrderId: string) => 'hang' | 'go' = () => 'go';
  hangBeforeAmend: (clientOrderId: string) => 'hang' | 'go' = () => 'go';
  hangAfterAmend: (clientOrderId: string) => 'hang' | 'go' = () => 'go';

  constructor(inner: PaperConnector, capabilities: Partial<IAPIConnector['capabilities']> = {}) {
    this.inner = inner;
    this.venue = inner.venue;
    this.capabilities = { ...inner.capabilities, ...capabilities };
  }

  getInstrument(symbol: string, options?: CallOptions): Promise<InstrumentRules> {
    return this.inner.getInstrument(symbol, options);
  }

  getReferencePrice(symbol: string, options?: CallOptions): Promise<Decimal> {
    return this.inner.getReferencePrice(symbol, options);
  }

  async placeOrder(request: OrderRequest, options?: CallOptions): Promise<VenueOrder> {
    if (this.hangBeforePlace(request) === 'hang') return never();
    let order: VenueOrder;
    try {
      order = await this.inner.placeOrder(request, options);
    } catch (error) {
      // the venue refused it, and the process died before it heard so
      if (this.hangAfterPlace(request) === 'hang') return never();
      throw error;
    }
    if (this.hangAfterPlace(request) === 'hang') return never();
    return order;
  }

  async cancelOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder> {
    const order = await this.inner.cancelOrder(clientOrderId, symbol, options);
    if (this.hangAfterCancel(clientOrderId) === 'hang') return never();
    return order;
  }

  async amendOrder(clientOrderId: string, symbol: string, changes: AmendRequest, options?: CallOptions): Promise<VenueOrder> {
    if (this.hangBeforeAmend(clientOrderId) === 'hang') return never();
    const order = await this.inner.amendOrder(clientOrderId, symbol, changes, options);
    if (this.hangAfterAmend(clientOrderId) === 'hang') return never();
    return order;
  }

  fetchOrder(clientOrderId: string, symbol: string, options?: CallOptions): Promise<VenueOrder | undefined> {
    return this.inner.fetchOrder(clientOrderId, symbol, options);
  }

  fetchOpenOrders(symbol?: string, options?: CallOptions): Promise<VenueOrder[]> {
    return this.inner.fetchOpenOrders(symbol, options);
  }

  fetchBalances(options?: CallOptions): Promise<readonly VenueBalance[] | null> {
    return this.inner.fetchBalances(options);
  }

  onExecution(listener: ExecutionListener): () => void {
    return this.inner.onExecution(listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The ledger, with a write that can fail (a disk error, a constraint) or hang (the process dies in it). */
export class FaultyLedger implements ILedgerProvider {
  readonly inner: ILedgerProvider;
  fail: (change: LedgerChange) => boolean = () => false;
  hang: (change: LedgerChange) => boolean = () => false;

  constructor(inner: ILedgerProvider) {
    this.inner = inner;
  }

  apply(change: LedgerChange): Promise<LedgerApplyResult> {
    if (this.hang(change)) return never();
    if (this.fail(change)) return Promise.reject(new Error('SQLITE_IOERR: disk I/O error (injected)'));
    return this.inner.apply(change);
  }

  getPosition(tradeId: string) {
    return this.inner.getPosition(tradeId);
  }

  listPositions(filter?: PositionFilter) {
    return this.inner.listPositions(filter);
  }

  getOrder(clientOrderId: string) {
    return this.inner.getOrder(clientOrderId);
  }

  listOrders(filter?: OrderFilter) {
    return this.inner.listOrders(filter);
  }

  listFills(filter?: { readonly trade_id?: string; readonly client_order_id?: string }) {
    return this.inner.listFills(filter);
  }

  listAnomalies() {
    return this.inner.listAnomalies();
  }

  rollbackDirective(directiveId: string): Promise<number> {
    return this.inner.rollbackDirective(directiveId);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The journal, with writes that start failing (or hang) on command. */
export class FaultyJournal implements IJournalWriter {
  readonly inner: IJournalWriter;
  /** Entries written through this port so far. */
  written = 0;
  fail: (entry: JournalEntryInput, written: number) => boolean = () => false;
  hang: (entry: JournalEntryInput) => boolean = () => false;

  constructor(inner: IJournalWriter) {
    this.inner = inner;
  }

  logEntry(entry: JournalEntryInput): Promise<JournalEntry> {
    return this.#guard([entry], () => this.inner.logEntry(entry));
  }

  logError(entry: JournalEntryInput): Promise<JournalEntry> {
    return this.#guard([entry], () => this.inner.logError(entry));
  }

  append(entries: readonly JournalEntryInput[]): Promise<JournalEntry[]> {
    return this.#guard(entries, () => this.inner.append(entries));
  }

  read(filter?: JournalFilter): Promise<JournalEntry[]> {
    return this.inner.read(filter);
  }

  verify(): Promise<JournalVerifyResult> {
    return this.inner.verify();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  #guard<T>(entries: readonly JournalEntryInput[], write: () => Promise<T>): Promise<T> {
    if (entries.some((e) => this.hang(e))) return never();
    if (entries.some((e) => this.fail(e, this.written))) return Promise.reject(new Error('SQLITE_FULL: database or disk is full (injected)'));
    this.written += entries.length;
    return write();
  }
}

/** The flows table, whose final-state write can hang: the stop was published, the process died before it was persisted. */
export class HangingFlows implements IFlowStore {
  readonly inner: IFlowStore;
  hangFinish: (completion: FlowCompletionDTO) => boolean = () => false;

  constructor(inner: IFlowStore) {
    this.inner = inner;
  }

  begin(flow: Parameters<IFlowStore['begin']>[0], accepted: JournalEntryInput): Promise<BeginFlowResult> {
    return this.inner.begin(flow, accepted);
  }

  finish(completion: FlowCompletionDTO): Promise<void> {
    if (this.hangFinish(completion)) return never();
    return this.inner.finish(completion);
  }

  get(flowId: string): Promise<FlowRecord | undefined> {
    return this.inner.get(flowId);
  }

  listUnfinished(): Promise<FlowRecord[]> {
    return this.inner.listUnfinished();
  }

  counts() {
    return this.inner.counts();
  }

  list(filter: FlowListFilter): Promise<FlowRecord[]> {
    return this.inner.list(filter);
  }
}

export class HangingAlerts implements IAlertSink {
  readonly alerts: Alert[] = [];
  hang: (alert: Alert) => boolean = () => false;

  send(alert: Alert): Promise<void> {
    this.alerts.push(alert);
    return this.hang(alert) ? never() : Promise.resolve();
  }

  codes(): string[] {
    return this.alerts.map((a) => a.code);
  }
}

export interface WorldFiles {
  readonly db: string;
  readonly venue: string;
  readonly fallback: string;
}

export function worldFiles(dir: string, name: string): WorldFiles {
  return { db: join(dir, `${name}.db`), venue: join(dir, `${name}.venue.db`), fallback: join(dir, `${name}.fallback.jsonl`) };
}

export interface WorldOptions {
  readonly config?: ConfigOverrides;
  readonly paper?: Partial<PaperConnectorConfig>;
  /** What the connector declares beyond the paper venue's own (e.g. amendOrders: false). */
  readonly capabilities?: Partial<IAPIConnector['capabilities']>;
  /** The top-level `recovery` section (resend_within_seconds). */
  readonly recovery?: RecoveryConfig;
  /** Where the clock starts: a restarted world continues from its predecessor's time. */
  readonly startMs?: number;
}

/** The recovery tests' default: quick in-doubt checks, enough of them, a grace longer than the venue's not-found window. */
export const RECOVERY_CONFIG: ConfigOverrides = {
  in_doubt: { max_checks: 8, check_interval_ms: 100, not_found_grace_ms: 300 },
};

export class World {
  readonly files: WorldFiles;
  readonly clock: FakeClock;
  readonly store: SqliteStore;
  readonly venue: PaperConnector;
  readonly connector: CrashableConnector;
  readonly ledger: FaultyLedger;
  readonly journal: FaultyJournal;
  readonly flows: HangingFlows;
  readonly alerts = new HangingAlerts();
  readonly bus = new InMemoryEventBus<PlanexecEvents>({ logger: silentLogger });
  readonly orchestrator: PlanExecutionOrchestrator;
  readonly termination: FlowTerminationHandler;
  readonly stops: { readonly name: string; readonly payload: FlowCompletionDTO }[] = [];
  readonly config: ReturnType<typeof planConfig>;
  readonly #options: WorldOptions;

  constructor(files: WorldFiles, options: WorldOptions = {}) {
    this.files = files;
    this.#options = options;
    this.clock = new FakeClock(options.startMs);
    this.store = openSqliteStore(files.db, { clock: this.clock });
    this.venue = new PaperConnector({ ...defaultConfig().connector.paper, ...options.paper, path: files.venue }, { clock: this.clock });
    this.connector = new CrashableConnector(this.venue, options.capabilities);
    this.ledger = new FaultyLedger(this.store.ledger);
    this.journal = new FaultyJournal(this.store.journal);
    this.flows = new HangingFlows(this.store.flows);
    this.config = planConfig({ ...RECOVERY_CONFIG, ...options.config, in_doubt: { ...RECOVERY_CONFIG.in_doubt, ...options.config?.in_doubt } });
    for (const name of ['_flow_stop_success', '_flow_stop_error'] as const) this.bus.subscribe(name, (payload) => this.stops.push({ name, payload }));
    this.termination = new FlowTerminationHandler({
      bus: this.bus,
      registry: new InMemoryComponentRegistry(),
      metrics: new RecordingMetrics(),
      flows: this.flows,
      alerts: this.alerts,
      stream: new FlowCompletionStream({ bufferSize: 16 }),
      config: { alert_on_error: false, ui_buffer_size: 16 },
      logger: silentLogger,
      clock: this.clock,
    });
    this.orchestrator = new PlanExecutionOrchestrator({
      connector: this.connector,
      ledger: this.ledger,
      journal: this.journal,
      bus: this.bus,
      flows: this.flows,
      config: this.config,
      clock: this.clock,
      logger: silentLogger,
      alerts: this.alerts,
      metrics: new RecordingMetrics(),
      journalFallbackPath: files.fallback,
      random: () => 0.5,
      recovery: options.recovery,
    });
  }

  /** Await a promise while moving the fake clock. */
  async settle<T>(promise: Promise<T>, maxMs = 600_000): Promise<T> {
    let done = false;
    const tracked = promise.finally(() => (done = true));
    await this.clock.runUntil(() => done, maxMs, 10);
    return tracked;
  }

  async submit(input: unknown, line?: number): Promise<FlowResult> {
    const result = await this.settle(this.orchestrator.submit({ input, source: line === undefined ? { kind: 'internal' } : { kind: 'cli', line }, received_at: this.clock.now() }));
    await this.settle(this.termination.drain());
    return result;
  }

  /**
   * Submit, and "die" as soon as the flow hangs at its crash point: the flow never finishes here.
   * Moves the clock a little so everything before the crash point has happened.
   */
  async submitAndCrash(input: unknown, line?: number): Promise<void> {
    const before = crashSignal.hung;
    void this.orchestrator.submit({ input, source: line === undefined ? { kind: 'internal' } : { kind: 'cli', line }, received_at: this.clock.now() });
    await this.clock.runUntil(() => crashSignal.hung > before, 60_000, 10);
    if (crashSignal.hung === before) throw new Error('the flow never reached its crash point');
    // let whatever the flow started before it hung (other writes in the same turn) land
    await this.clock.advance(10);
  }

  /** Move the paper market (the venue's own feed); planexec hears it only if it is listening. */
  async setPrice(symbol: string, price: string): Promise<void> {
    await this.venue.setPrice(symbol, new D(price));
  }

  async recover(): Promise<RecoveryReport> {
    const recovery = new Recovery({
      host: this.orchestrator,
      flows: this.flows,
      journal: this.journal,
      ledger: this.ledger,
      connector: this.connector,
      config: this.config,
      clock: this.clock,
      logger: silentLogger,
      alerts: this.alerts,
      journalFallbackPath: this.files.fallback,
      stopsPersisted: () => this.termination.drain(),
    });
    return this.settle(recovery.recover());
  }

  /**
   * The process dies: nothing more of this world runs (its hung promises never settle, its
   * clock never moves again), its files are closed, and a new world opens on them `downMs` later.
   */
  async restart(downMs = 1000, options: WorldOptions = this.#options): Promise<World> {
    this.orchestrator.dispose();
    this.termination.dispose();
    await this.venue.close();
    await this.store.close();
    return new World(this.files, { ...options, startMs: this.clock.now() + downMs });
  }

  async close(): Promise<void> {
    this.orchestrator.dispose();
    this.termination.dispose();
    await this.venue.close();
    await this.store.close();
  }

  /** Ledger net position per symbol (OPEN trades, signed) and the venue's. */
  async netPositions(symbol: string): Promise<{ ledger: string; venue: string }> {
    const open = await this.store.ledger.listPositions({ status: 'OPEN', symbol });
    const ledger = open.reduce((sum, p) => sum.plus(p.direction === 'BUY' ? p.filled_size : p.filled_size.neg()), new D(0));
    return { ledger: ledger.toFixed(), venue: (this.venue.netPositions().get(symbol) ?? new D(0)).toFixed() };
  }
}

/**
 * The worlds of one test file: each test's worlds are closed after it, the folder after the file.
 * `world` makes a fresh one; `restart` brings a world back after `downMs` of the clock (tracked too).
 */
export function useWorlds(prefix: string): {
  readonly world: (options?: WorldOptions) => World;
  readonly restart: (w: World, downMs?: number, options?: WorldOptions) => Promise<World>;
  /** Close this world with the test's others. */
  readonly track: (w: World) => World;
  readonly dir: string;
} {
  const dir = mkdtempSync(join(tmpdir(), `planexec-${prefix}-`));
  const worlds: World[] = [];
  afterEach(async () => {
    for (const w of worlds.splice(0)) await w.close().catch(() => undefined);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const track = (w: World): World => {
    worlds.push(w);
    return w;
  };
  return {
    dir,
    track,
    world: (options = {}) => track(new World(worldFiles(dir, `w${++n}`), options)),
    restart: async (w, downMs = 1000, options) => track(await w.restart(downMs, options)),
  };
}
