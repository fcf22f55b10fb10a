/**
 * Latency per directive at a fixed offered rate: lines are published on a schedule (rate per
 * second, whatever the backlog: an open-loop load), and each flow is timed from its publish
 * (accepted) to its stop event. Also reported: the time from when each line was DUE to its stop
 * (counts the time a line waited because the event loop was busy: no coordinated omission),
 * the rate actually offered and the rate completed. Before the paced run, `unloaded` directives
 * are sent one at a time (each after the previous stopped): the latency floor of a lone flow,
 * and, for its NEW_TRADEs, the time from accepted to the entry order at the venue (the moment the
 * connector's placeOrder is called for the entry leg), with the durable commits per directive.
 *
 *   node --expose-gc --import tsx bench/scenarios/latency.ts --rate 1000 --seconds 10 --strategies 100 [--also-rates 200]
 */
import { EntryOrderTimer, FlowDriver, openBenchPlatform, summariseLatencies, writeCounts, type LatencySummary } from '../bench-platform.js';
import { log, numberArg, runIfMain, type Figure, type ScenarioArgs, type ScenarioResult } from '../scenario.js';
import { workloadStream } from '../workload.js';
import { wholeCycles } from './throughput.js';

export interface LatencyOptions {
  readonly rate: number;
  readonly seconds: number;
  readonly strategies: number;
  /** Give up waiting for the backlog after this long once the offered load ended. @default 120 */
  readonly drainSeconds?: number;
  /** Directives sent one at a time first, for the unloaded latency. @default 300 */
  readonly unloaded?: number;
  /** Further paced phases after the main one (e.g. a rate the platform can sustain). */
  readonly alsoRates?: readonly number[];
}

export async function latency(options: LatencyOptions): Promise<ScenarioResult> {
  const { rate, seconds, strategies } = options;
  const entryOrders = new EntryOrderTimer();
  const bench = await openBenchPlatform(undefined, { entryOrders });
  const { platform } = bench;
  const driver = new FlowDriver(platform, { entryOrders });
  try {
    const warmup = wholeCycles(strategies, 1000);
    for (const line of workloadStream({ count: warmup, strategies, seed: 2, idPrefix: 'W' })) await driver.submit(line.text, line.directiveId);
    await driver.waitForStops();

    const unloadedFrom = driver.latencies.length;
    const entryFrom = entryOrders.latencies.length;
    const writesBefore = writeCounts(platform);
    const unloadedCount = wholeCycles(1, options.unloaded ?? 300);
    for (const line of workloadStream({ count: unloadedCount, strategies: 1, seed: 3, idPrefix: 'U' })) {
      await driver.submit(line.text, line.directiveId);
      await driver.waitForStops();
    }
    const unloaded = summariseLatencies(driver.latencies.slice(unloadedFrom));
    const unloadedEntry = summariseLatencies(entryOrders.latencies.slice(entryFrom));
    const writesAfter = writeCounts(platform);
    const unloadedCommits = (writesAfter.commits - writesBefore.commits) / unloadedCount;
    log(`unloaded latency (one flow at a time): p50 ${unloaded.p50_ms} ms, p99 ${unloaded.p99_ms} ms; accepted → entry order at the venue p50 ${unloadedEntry.p50_ms} ms, p99 ${unloadedEntry.p99_ms} ms`);

    const main = await pacedPhase(driver, { rate, seconds, strategies, idPrefix: 'B', drainMs: (options.drainSeconds ?? 120) * 1000 });
    const { accepted } = main;
    log(`latency at ${rate}/s offered, ${strategies} strategies: p50 ${accepted.p50_ms} ms, p99 ${accepted.p99_ms} ms, max ${accepted.max_ms} ms`);
    const extra: Record<string, PacedPhase> = {};
    const figures: Record<string, Figure> = {
      p50_ms: { value: accepted.p50_ms, unit: 'ms' },
      p99_ms: { value: accepted.p99_ms, unit: 'ms' },
      max_ms: { value: accepted.max_ms, unit: 'ms' },
      offered_per_second: { value: main.offeredPerSecond, unit: 'directives/s' },
      completed_per_second: { value: main.completedPerSecond, unit: 'directives/s' },
      unloaded_p50_ms: { value: unloaded.p50_ms, unit: 'ms' },
      unloaded_p99_ms: { value: unloaded.p99_ms, unit: 'ms' },
      unloaded_max_ms: { value: unloaded.max_ms, unit: 'ms' },
      unloaded_entry_p50_ms: { value: unloadedEntry.p50_ms, unit: 'ms' },
      unloaded_entry_p99_ms: { value: unloadedEntry.p99_ms, unit: 'ms' },
      unloaded_entry_max_ms: { value: unloadedEntry.max_ms, unit: 'ms' },
      unloaded_commits_per_directive: { value: unloadedCommits, unit: 'commits' },
    };
    for (const [i, other] of (options.alsoRates ?? []).entries()) {
      const phase = await pacedPhase(driver, { rate: other, seconds, strategies, idPrefix: `R${i}`, drainMs: (options.drainSeconds ?? 120) * 1000 });
      extra[String(other)] = phase;
      figures[`p50_ms_at_${other}`] = { value: phase.accepted.p50_ms, unit: 'ms' };
      figures[`p99_ms_at_${other}`] = { value: phase.accepted.p99_ms, unit: 'ms' };
      log(`latency at ${other}/s offered: p50 ${phase.accepted.p50_ms} ms, p99 ${phase.accepted.p99_ms} ms, max ${phase.accepted.max_ms} ms`);
    }
    return {
      scenario: 'latency',
      figures,
      details: {
        rate,
        seconds,
        strategies,
        directives: main.sent,
        stopped: main.stopped,
        failed: main.failed,
        drained: main.drained,
        warmup,
        max_publish_lag_ms: main.maxLagMs,
        latency_from_publish: accepted,
        latency_from_due_time: main.fromDue,
        unloaded_latency: unloaded,
        unloaded_accepted_to_entry_order: unloadedEntry,
        unloaded_directives: unloadedCount,
        unloaded_commits_per_directive: unloadedCommits,
        unloaded_rows_per_directive: (writesAfter.rows - writesBefore.rows) / unloadedCount,
        other_rates: extra,
      },
    };
  } finally {
    driver.dispose();
    await bench.dispose();
  }
}

interface PacedPhase {
  readonly sent: number;
  readonly stopped: number;
  readonly failed: number;
  readonly drained: boolean;
  readonly offeredPerSecond: number;
  readonly completedPerSecond: number;
  readonly maxLagMs: number;
  readonly accepted: LatencySummary;
  readonly fromDue: LatencySummary;
}

/** Publish `rate × seconds` lines on a fixed schedule (open loop), then wait for their stops. */
async function pacedPhase(
  driver: FlowDriver,
  options: { readonly rate: number; readonly seconds: number; readonly strategies: number; readonly idPrefix: string; readonly drainMs: number },
): Promise<PacedPhase> {
  const { rate, strategies } = options;
  const total = Math.round(rate * options.seconds);
  const fromLatency = driver.latencies.length;
  const stoppedBefore = driver.stopped;
  const failedBefore = driver.timing().failed;
  const lines = workloadStream({ count: total, strategies, seed: 1, idPrefix: options.idPrefix });
  const intervalMs = 1000 / rate;
  const start = performance.now();
  let sent = 0;
  let maxLagMs = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
      while (sent < due) {
        const next = lines.next();
        if (next.done) break;
        const scheduledAt = start + sent * intervalMs;
        maxLagMs = Math.max(maxLagMs, performance.now() - scheduledAt);
        driver.publishNow(next.value.text, next.value.directiveId, scheduledAt);
        sent += 1;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    tick();
  });
  const offeredSeconds = (performance.now() - start) / 1000;
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    driver.waitForStops().then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), options.drainMs);
    }),
  ]);
  clearTimeout(timer);
  const stopped = driver.stopped - stoppedBefore;
  return {
    sent,
    stopped,
    failed: driver.timing().failed - failedBefore,
    drained,
    offeredPerSecond: sent / offeredSeconds,
    completedPerSecond: stopped / ((driver.lastStopAt - start) / 1000),
    maxLagMs,
    accepted: summariseLatencies(driver.latencies.slice(fromLatency)),
    fromDue: summariseLatencies(driver.scheduledLatencies.slice(fromLatency)),
  };
}

export function latencyFromArgs(args: ScenarioArgs): Promise<ScenarioResult> {
  return latency({
    rate: numberArg(args, 'rate', 1000),
    seconds: numberArg(args, 'seconds', 10),
    strategies: numberArg(args, 'strategies', 100),
    drainSeconds: numberArg(args, 'drain-seconds', 120),
    unloaded: numberArg(args, 'unloaded', 300),
    alsoRates: (args.get('also-rates') ?? '').split(',').filter((t) => t !== '').map(Number),
  });
}

runIfMain(import.meta.url, latencyFromArgs);
