/**
 * Directives per second end to end: the NEW/MODIFY/CLOSE workload for N strategies, submitted as
 * fast as intake admits them (waitForCapacity, as the CLI does), timed from the first publish to
 * the last stop event, after a warm-up on the same platform. The bench also keeps at most
 * `window` directives in flight (default 4 per strategy, at least 256): every strategy always has
 * work queued, and --max-seconds can end the run without a backlog of thousands to drain.
 * Per directive: durable commits (commit-queue batches) and rows written, over the timed run; WAL
 * pages (--wal-directives N), over N more after it, with automatic checkpoints off.
 *
 *   node --expose-gc --import tsx bench/scenarios/throughput.ts --strategies 100 --count 20000 [--max-seconds 60] [--window N] [--max-concurrent N]
 */
import { benchConfig, FlowDriver, openBenchPlatform, sqliteStoreOf, summariseLatencies, walPagesDuring, writeCounts } from '../bench-platform.js';
import { log, memory, numberArg, runIfMain, type ScenarioArgs, type ScenarioResult } from '../scenario.js';
import { workloadStream } from '../workload.js';

export interface ThroughputOptions {
  readonly strategies: number;
  readonly count: number;
  /** Stop submitting after this long (the figure is then over the directives sent). @default 120 */
  readonly maxSeconds?: number;
  /** Directives run first, untimed. @default whole cycles of every strategy, at least 600 */
  readonly warmup?: number;
  /** Most directives in flight (submitted, not stopped). @default max(256, 4 × strategies) */
  readonly window?: number;
  /** Directives of the WAL-page count after the timed run, rounded up to whole cycles (0: none). @default 0 */
  readonly walDirectives?: number;
  /** Overrides concurrency.max_concurrent_strategies (default config: 64). */
  readonly maxConcurrentStrategies?: number;
  readonly seed?: number;
}

/** Whole NEW/MODIFY/CLOSE cycles for every strategy, at least `minimum` directives. */
export function wholeCycles(strategies: number, minimum: number): number {
  const cycle = 3 * strategies;
  return Math.max(1, Math.ceil(minimum / cycle)) * cycle;
}

export async function throughput(options: ThroughputOptions): Promise<ScenarioResult> {
  const { strategies, count } = options;
  const maxMs = (options.maxSeconds ?? 120) * 1000;
  const warmup = options.warmup ?? wholeCycles(strategies, 600);
  const window = options.window ?? Math.max(256, 4 * strategies);
  const bench = await openBenchPlatform(
    options.maxConcurrentStrategies === undefined
      ? benchConfig()
      : benchConfig({ orchestration: { plan_execution: { monitoring: { metrics_enabled: true }, concurrency: { max_concurrent_strategies: options.maxConcurrentStrategies } } } }),
  );
  const { platform } = bench;
  const driver = new FlowDriver(platform);
  try {
    for (const line of workloadStream({ count: warmup, strategies, seed: (options.seed ?? 1) + 1, idPrefix: 'W' })) {
      await driver.waitForStops(driver.submitted - window + 1);
      await driver.submit(line.text, line.directiveId);
    }
    await driver.waitForStops();
    const before = { ...driver.timing(), stopped: driver.stopped, writes: writeCounts(platform), latencies: driver.latencies.length };

    const start = performance.now();
    let sent = 0;
    let cut = false;
    for (const line of workloadStream({ count, strategies, seed: options.seed ?? 1, idPrefix: 'B' })) {
      if (performance.now() - start > maxMs) {
        cut = true;
        break;
      }
      await driver.waitForStops(driver.submitted - window + 1);
      await driver.submit(line.text, line.directiveId);
      sent += 1;
    }
    await driver.waitForStops();
    const seconds = (driver.lastStopAt - start) / 1000;
    const after = driver.timing();
    const failures = Object.fromEntries(
      Object.entries(after.failures)
        .map(([code, n]) => [code, n - (before.failures[code] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
    const writes = writeCounts(platform);
    const commits = writes.commits - before.writes.commits;
    const rows = writes.rows - before.writes.rows;
    const latency = summariseLatencies(driver.latencies.slice(before.latencies));
    const perSecond = sent / seconds;
    log(`throughput ${strategies} strategies: ${sent} directives in ${seconds.toFixed(2)} s = ${perSecond.toFixed(0)}/s, ${commits} commits, ${rows} rows`);

    const walDirectives = options.walDirectives ? wholeCycles(strategies, options.walDirectives) : 0;
    let walPages: number | null = null;
    if (walDirectives > 0) {
      // the writes that follow the last stop (a stop's own row) land before the WAL is emptied
      await new Promise((resolve) => setTimeout(resolve, 50));
      const store = sqliteStoreOf(platform);
      walPages = await walPagesDuring(store.database, async () => {
        for (const line of workloadStream({ count: walDirectives, strategies, seed: (options.seed ?? 1) + 2, idPrefix: 'P' })) {
          await driver.waitForStops(driver.submitted - window + 1);
          await driver.submit(line.text, line.directiveId);
        }
        await driver.waitForStops();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }, store.writer);
      if (walPages !== null) log(`throughput ${strategies} strategies: ${(walPages / walDirectives).toFixed(1)} WAL pages per directive (over ${walDirectives})`);
    }
    return {
      scenario: `throughput-${strategies}`,
      figures: {
        directives_per_second: { value: perSecond, unit: 'directives/s' },
        p50_ms: { value: latency.p50_ms, unit: 'ms' },
        p99_ms: { value: latency.p99_ms, unit: 'ms' },
        commits_per_directive: { value: commits / sent, unit: 'commits' },
        rows_per_directive: { value: rows / sent, unit: 'rows' },
        ...(walPages === null ? {} : { wal_pages_per_directive: { value: walPages / walDirectives, unit: 'pages' } }),
      },
      details: {
        strategies,
        directives: sent,
        cut_by_time_limit: cut,
        warmup,
        window,
        seconds,
        succeeded: after.succeeded - before.succeeded,
        failed: after.failed - before.failed,
        failures,
        commits,
        commits_per_directive: commits / sent,
        rows,
        rows_per_directive: rows / sent,
        rows_counted_as: 'SQLite total_changes() on the store connection: rows inserted, updated or deleted (triggers included)',
        wal_pages: walPages,
        wal_directives: walPages === null ? 0 : walDirectives,
        latency_under_saturation: latency,
        max_concurrent_strategies: platform.config.orchestration.plan_execution.concurrency.max_concurrent_strategies,
        max_pending_directives: platform.config.orchestration.plan_execution.concurrency.max_pending_directives,
        memory: memory(),
      },
    };
  } finally {
    driver.dispose();
    await bench.dispose();
  }
}

export function throughputFromArgs(args: ScenarioArgs): Promise<ScenarioResult> {
  const warmup = args.get('warmup');
  return throughput({
    strategies: numberArg(args, 'strategies', 100),
    count: numberArg(args, 'count', 20_000),
    maxSeconds: numberArg(args, 'max-seconds', 120),
    ...(warmup === undefined ? {} : { warmup: numberArg(args, 'warmup', 0) }),
    ...(args.has('wal-directives') ? { walDirectives: numberArg(args, 'wal-directives', 0) } : {}),
    ...(args.has('window') ? { window: numberArg(args, 'window', 256) } : {}),
    ...(args.has('max-concurrent') ? { maxConcurrentStrategies: numberArg(args, 'max-concurrent', 64) } : {}),
  });
}

runIfMain(import.meta.url, throughputFromArgs);
