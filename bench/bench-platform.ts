/**
 * The platform as the bench runs it: the embedded default (SQLite in WAL with synchronous=FULL,
 * in-memory bus, paper venue) in a fresh temporary directory, logging silent, metrics on,
 * venue latency 0, no faults. The paper venue keeps its state in memory (`connector.paper.path:
 * ':memory:'`): it stands in for an external exchange whose costs are not planexec's. Plus a
 * driver that submits directive lines the way the CLI does (wait for capacity, publish
 * EXECUTION_DIRECTIVE_READY) and times each flow from its publish to its stop event, and a
 * wrapper around the connector that times each entry order from its publish to the venue call.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { StoreWriter } from '../src/store/sqlite/store-writer.js';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { createPlatform, type Platform } from '../src/app/create-platform.js';
import { PlatformConfigSchema, type PlatformConfig } from '../src/config/schema.js';
import type { IAPIConnector } from '../src/ports/connector.js';
import type { FlowCompletionDTO } from '../src/domain/dto.js';
import { clientOrderId } from '../src/domain/ids.js';
import { createLogger } from '../src/logging/create-logger.js';

/** Where the bench's paper venue keeps its state (stated in the output and BENCHMARKS.md). */
export const BENCH_VENUE_STATE = ':memory:';

/**
 * The RSS run's venue keeps its state in its own file instead: a venue in memory keeps every
 * order and fill it ever saw (about 2.5 KB per directive), and that is the stand-in exchange's
 * memory, not planexec's, which is what the RSS figure is about.
 */
export const RSS_VENUE_STATE = 'a venue file beside the database (connector.paper.path unset)';

export interface BenchConfigOptions {
  /** 'file': the venue's state in its file beside the database (the RSS run). @default 'memory' */
  readonly venue?: 'memory' | 'file';
}

export interface BenchPlatform {
  readonly platform: Platform;
  readonly dir: string;
  /** Close the platform and delete its files. */
  dispose(): Promise<void>;
}

/** The bench's config: defaults, plus what the issue fixes (silent logs, metrics on, paper in memory, no latency, no faults). */
export function benchConfig(overrides: Record<string, unknown> = {}, options: BenchConfigOptions = {}): PlatformConfig {
  const venueState = options.venue === 'file' ? {} : { path: BENCH_VENUE_STATE };
  return PlatformConfigSchema.parse({
    logging: { level: 'silent' },
    orchestration: { plan_execution: { monitoring: { metrics_enabled: true } } },
    connector: { type: 'paper', paper: { ...venueState, latency_ms: 0, faults: { transient_error_rate: 0, rejection_rate: 0, timeout_rate: 0 } } },
    storage: { type: 'sqlite', writer_thread: process.env.PLANEXEC_BENCH_WRITER_THREAD !== '0' },
    ...overrides,
  });
}

export interface BenchPlatformOptions {
  /** Times entry orders from publish to the venue's placeOrder (wraps the connector). */
  readonly entryOrders?: EntryOrderTimer;
}

export async function openBenchPlatform(config: PlatformConfig = benchConfig(), options: BenchPlatformOptions = {}): Promise<BenchPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'planexec-bench-'));
  const logger = createLogger({ level: config.logging.level });
  const timer = options.entryOrders;
  const platform = await createPlatform({
    config,
    dbPath: join(dir, 'planexec.db'),
    logger,
    ...(timer ? { wrapConnector: (connector: IAPIConnector) => timer.wrap(connector) } : {}),
  });
  let disposed = false;
  return {
    platform,
    dir,
    async dispose() {
      if (disposed) return;
      disposed = true;
      try {
        await platform.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface FlowTiming {
  readonly succeeded: number;
  readonly failed: number;
  /** Error code → count, for flows that ended in error. */
  readonly failures: Readonly<Record<string, number>>;
}

/**
 * Times flows: `submit` publishes one line and stamps it; the stop event (matched by flow id =
 * directive id) closes it. Latencies are kept only when `keepLatencies` (a million numbers is
 * 8 MB that the RSS run must not count).
 */
export class FlowDriver {
  readonly #platform: Platform;
  readonly #started = new Map<string, { readonly publishedAt: number; readonly scheduledAt: number }>();
  readonly #latencies: number[] = [];
  readonly #scheduledLatencies: number[] = [];
  readonly #keep: boolean;
  readonly #unsubscribe: () => void;
  readonly #failures = new Map<string, number>();
  #submitted = 0;
  #succeeded = 0;
  #failed = 0;
  #lastStopAt = 0;
  #waiters: { readonly count: number; readonly resolve: () => void }[] = [];
  #line = 0;

  readonly #entryOrders: EntryOrderTimer | undefined;

  constructor(platform: Platform, options: { readonly keepLatencies?: boolean; readonly entryOrders?: EntryOrderTimer } = {}) {
    this.#platform = platform;
    this.#keep = options.keepLatencies ?? true;
    this.#entryOrders = options.entryOrders;
    const onStop = (ok: boolean) => (c: FlowCompletionDTO) => this.#onStop(ok, c);
    const a = platform.bus.subscribe('_flow_stop_success', onStop(true));
    const b = platform.bus.subscribe('_flow_stop_error', onStop(false));
    this.#unsubscribe = () => {
      platform.bus.unsubscribe(a);
      platform.bus.unsubscribe(b);
    };
  }

  get submitted(): number {
    return this.#submitted;
  }

  get stopped(): number {
    return this.#succeeded + this.#failed;
  }

  /** performance.now() of the latest stop. */
  get lastStopAt(): number {
    return this.#lastStopAt;
  }

  /** Latencies in ms, publish → stop, in completion order. */
  get latencies(): readonly number[] {
    return this.#latencies;
  }

  /** Latencies in ms from the time each line was due (publishNow's `scheduledAt`) → stop. */
  get scheduledLatencies(): readonly number[] {
    return this.#scheduledLatencies;
  }

  timing(): FlowTiming {
    return { succeeded: this.#succeeded, failed: this.#failed, failures: Object.fromEntries(this.#failures) };
  }

  /** Wait for room (as the CLI does), then publish. */
  async submit(text: string, directiveId: string): Promise<void> {
    await this.#platform.orchestrator.waitForCapacity();
    this.publishNow(text, directiveId);
  }

  /**
   * Publish without waiting for capacity (the fixed-rate run offers load whatever the backlog).
   * `scheduledAt`: when the line was due (performance.now() time), if it is sent late.
   */
  publishNow(text: string, directiveId: string, scheduledAt?: number): void {
    this.#line += 1;
    this.#submitted += 1;
    const now = performance.now();
    this.#started.set(directiveId, { publishedAt: now, scheduledAt: scheduledAt ?? now });
    this.#entryOrders?.expect(directiveId, now);
    this.#platform.bus.publish('EXECUTION_DIRECTIVE_READY', { input: text, source: { kind: 'cli', line: this.#line }, received_at: Date.now() });
  }

  /** Resolves once `count` flows (default: all submitted) have stopped. */
  waitForStops(count = this.#submitted): Promise<void> {
    if (this.stopped >= count) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push({ count, resolve });
    });
  }

  dispose(): void {
    this.#unsubscribe();
  }

  #onStop(ok: boolean, completion: FlowCompletionDTO): void {
    const now = performance.now();
    this.#lastStopAt = now;
    this.#entryOrders?.forget(completion.flow_id);
    const started = this.#started.get(completion.flow_id);
    if (started !== undefined) {
      this.#started.delete(completion.flow_id);
      if (this.#keep) {
        this.#latencies.push(now - started.publishedAt);
        this.#scheduledLatencies.push(now - started.scheduledAt);
      }
    }
    if (ok) this.#succeeded += 1;
    else {
      this.#failed += 1;
      const code = completion.error_details?.error_code ?? 'UNKNOWN';
      this.#failures.set(code, (this.#failures.get(code) ?? 0) + 1);
    }
    if (this.#waiters.length > 0) {
      const stopped = this.stopped;
      const ready = this.#waiters.filter((w) => stopped >= w.count);
      if (ready.length > 0) {
        this.#waiters = this.#waiters.filter((w) => stopped < w.count);
        for (const waiter of ready) waiter.resolve();
      }
    }
  }
}

/**
 * Accepted → entry order at the venue: a directive's publish time is kept under its entry leg's
 * client order id (`clientOrderId(directive, 'E')`, as the NEW_TRADE scope names it), and the
 * wrapped connector's placeOrder for that id closes the interval. Directives without an entry
 * leg (MODIFY, CLOSE) are forgotten at their stop.
 */
export class EntryOrderTimer {
  readonly #due = new Map<string, number>();
  readonly #latencies: number[] = [];

  /** Latencies in ms, publish → placeOrder of the entry leg, in call order. */
  get latencies(): readonly number[] {
    return this.#latencies;
  }

  expect(directiveId: string, publishedAt: number): void {
    this.#due.set(clientOrderId(directiveId, 'E'), publishedAt);
  }

  forget(directiveId: string): void {
    this.#due.delete(clientOrderId(directiveId, 'E'));
  }

  /** The connector as the orchestrator sees it: every call goes through, placeOrder is stamped first. */
  wrap(connector: IAPIConnector): IAPIConnector {
    const placeOrder: IAPIConnector['placeOrder'] = (request, options) => {
      const publishedAt = this.#due.get(request.client_order_id);
      if (publishedAt !== undefined) {
        this.#latencies.push(performance.now() - publishedAt);
        this.#due.delete(request.client_order_id);
      }
      return connector.placeOrder(request, options);
    };
    return new Proxy(connector, {
      get(target, property) {
        if (property === 'placeOrder') return placeOrder;
        const value: unknown = Reflect.get(target, property, target);
        // bound to the connector itself: its #private fields are not on the proxy
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}

/** What the store has written so far: durable commits (commit-queue batches) and rows (SQLite's total_changes). */
export interface WriteCounts {
  readonly commits: number;
  readonly rows: number;
}

/**
 * The platform's store as the SQLite store the bench configures (`storage.type: sqlite`): its
 * connection and writer, which the WAL page count reads. The platform itself sees only the port.
 */
export function sqliteStoreOf(platform: Platform): SqliteStore {
  const { store } = platform;
  if (!('database' in store && 'writer' in store)) throw new Error('the bench measures the SQLite store (storage.type: sqlite)');
  return store as SqliteStore;
}

export function writeCounts(platform: Platform): WriteCounts {
  const stats = platform.store.commitStats();
  return { commits: stats.batches, rows: stats.rows };
}

/**
 * WAL frames (pages) appended to `db` while `work` runs: the WAL is emptied first (TRUNCATE
 * checkpoint) and automatic checkpoints are off meanwhile, so the -wal file only grows. null when
 * the WAL could not be emptied (a reader held it) or the database is not a WAL file.
 */
export async function walPagesDuring(db: Database, work: () => Promise<void>, writer?: Pick<StoreWriter, 'pragma'>): Promise<number | null> {
  const walPath = `${db.name}-wal`;
  const [checkpoint] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  if (checkpoint === undefined || checkpoint.busy !== 0 || walSize(walPath) !== 0) {
    await work();
    return null;
  }
  // automatic checkpoints are the writing connection's: the writer thread's when there is one
  const setAutocheckpoint = async (pages: number): Promise<void> => {
    if (writer === undefined) db.pragma(`wal_autocheckpoint = ${pages}`);
    else await writer.pragma(`wal_autocheckpoint = ${pages}`);
  };
  const autocheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  await setAutocheckpoint(0);
  try {
    await work();
    const bytes = walSize(walPath);
    // a 32-byte file header, then per frame a 24-byte header and one page
    return bytes === 0 ? 0 : (bytes - 32) / (pageSize + 24);
  } finally {
    await setAutocheckpoint(autocheckpoint);
  }
}

function walSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** p-th percentile (nearest rank) of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  readonly mean_ms: number;
}

export function summariseLatencies(latencies: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  const sum = sorted.reduce((a, b) => a + b, 0);
  const round = (ms: number): number => Math.round(ms * 1000) / 1000;
  return {
    count: sorted.length,
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN),
    mean_ms: round(sorted.length > 0 ? sum / sorted.length : Number.NaN),
  };
}
