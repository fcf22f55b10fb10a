/**
 * The platform as the bench runs it: the embedded default (SQLite in WAL with synchronous=FULL,
 * in-memory bus, paper venue) in a fresh temporary directory, logging silent, metrics on,
 * venue latency 0, no faults. Plus a driver that submits directive lines the way the CLI does
 * (wait for capacity, publish EXECUTION_DIRECTIVE_READY) and times each flow from its publish to
 * its stop event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatform, type Platform } from '../src/app/create-platform.js';
import { PlatformConfigSchema, type PlatformConfig } from '../src/config/schema.js';
import type { FlowCompletionDTO } from '../src/domain/dto.js';
import { createLogger } from '../src/logging/create-logger.js';

export interface BenchPlatform {
  readonly platform: Platform;
  readonly dir: string;
  /** Close the platform and delete its files. */
  dispose(): Promise<void>;
}

/** The bench's config: defaults, plus what the issue fixes (silent logs, metrics on, paper, no latency, no faults). */
export function benchConfig(overrides: Record<string, unknown> = {}): PlatformConfig {
  return PlatformConfigSchema.parse({
    logging: { level: 'silent' },
    orchestration: { plan_execution: { monitoring: { metrics_enabled: true } } },
    connector: { type: 'paper', paper: { latency_ms: 0, faults: { transient_error_rate: 0, rejection_rate: 0, timeout_rate: 0 } } },
    storage: { type: 'sqlite' },
    ...overrides,
  });
}

export async function openBenchPlatform(config: PlatformConfig = benchConfig()): Promise<BenchPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'planexec-bench-'));
  const logger = createLogger({ level: config.logging.level });
  const platform = await createPlatform({ config, dbPath: join(dir, 'planexec.db'), logger });
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

  constructor(platform: Platform, options: { readonly keepLatencies?: boolean } = {}) {
    this.#platform = platform;
    this.#keep = options.keepLatencies ?? true;
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
