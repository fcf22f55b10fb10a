/**
 * Memory over a long run in ONE process (the paper venue's state in its own file, not in memory): the throughput workload (100 strategies) streamed
 * through the platform (lines are generated as they are sent, latencies not kept, so the bench
 * itself holds nothing per directive). At each checkpoint the pipeline is drained and the heap
 * collected (--expose-gc), then RSS and heap are read. Samples in between show the trend.
 *
 *   node --expose-gc --import tsx bench/scenarios/rss.ts --checkpoints 1000,100000,1000000 [--sample-every 10000] [--max-seconds 0]
 *
 * --max-seconds > 0 stops early; the result then says which checkpoints were reached.
 */
import { benchConfig, FlowDriver, openBenchPlatform } from '../bench-platform.js';
import { checkpointLabel, log, memory, numberArg, runIfMain, settleHeap, type Figure, type ScenarioArgs, type ScenarioResult } from '../scenario.js';
import { workloadStream } from '../workload.js';

export interface RssOptions {
  readonly strategies: number;
  /** Directive counts at which RSS is a figure, ascending. */
  readonly checkpoints: readonly number[];
  /** Also sample every this many directives. @default the first checkpoint */
  readonly sampleEvery?: number;
  /** 0 = no limit. */
  readonly maxSeconds?: number;
}

interface Sample {
  readonly directives: number;
  readonly seconds: number;
  readonly rss_bytes: number;
  readonly heap_used_bytes: number;
  readonly external_bytes: number;
}

export async function rss(options: RssOptions): Promise<ScenarioResult> {
  const checkpoints = [...options.checkpoints].sort((a, b) => a - b);
  const last = checkpoints[checkpoints.length - 1] ?? 0;
  const sampleEvery = options.sampleEvery ?? checkpoints[0] ?? last;
  const maxMs = (options.maxSeconds ?? 0) * 1000;
  // the venue's own state on disk: its memory is the stand-in exchange's, not planexec's
  const bench = await openBenchPlatform(benchConfig({}, { venue: 'file' }));
  const driver = new FlowDriver(bench.platform, { keepLatencies: false });
  const samples: Sample[] = [];
  const figures: Record<string, Figure> = {};
  let cut = false;
  try {
    await settleHeap();
    const baseline = memory();
    const start = performance.now();
    const measure = async (directives: number): Promise<Sample> => {
      await driver.waitForStops();
      await settleHeap();
      const sample = { directives, seconds: (performance.now() - start) / 1000, ...memory() };
      samples.push(sample);
      return sample;
    };
    let sent = 0;
    for (const line of workloadStream({ count: last, strategies: options.strategies, seed: 1, idPrefix: 'B' })) {
      await driver.submit(line.text, line.directiveId);
      sent += 1;
      const checkpoint = checkpoints.includes(sent);
      if (checkpoint || sent % sampleEvery === 0) {
        const sample = await measure(sent);
        if (checkpoint) {
          figures[`rss_after_${checkpointLabel(sent)}_bytes`] = { value: sample.rss_bytes, unit: 'bytes' };
          log(`rss after ${sent} directives: ${(sample.rss_bytes / 2 ** 20).toFixed(1)} MiB (heap ${(sample.heap_used_bytes / 2 ** 20).toFixed(1)} MiB) at ${sample.seconds.toFixed(0)} s`);
        }
      }
      if (maxMs > 0 && performance.now() - start > maxMs) {
        cut = true;
        break;
      }
    }
    const final = samples[samples.length - 1]?.directives === sent ? samples[samples.length - 1]! : await measure(sent);
    const reached = checkpoints.filter((c) => c <= sent);
    const first = samples.find((s) => s.directives === checkpoints[1]) ?? samples.find((s) => s.directives === checkpoints[0]);
    // the last checkpoint, or (cut short) wherever the run got to
    const top = final;
    if (first && top.directives > first.directives) figures['rss_ratio'] = { value: top.rss_bytes / first.rss_bytes, unit: 'ratio' };
    if (cut) figures[`rss_after_${checkpointLabel(top.directives)}_bytes`] = { value: top.rss_bytes, unit: 'bytes' };
    // least-squares slope of heap and RSS over the samples after the first checkpoint: growth per directive
    const tail = samples.filter((s) => s.directives >= (checkpoints[0] ?? 0));
    const slope = (pick: (s: Sample) => number): number | null => {
      if (tail.length < 3) return null;
      const mx = tail.reduce((a, s) => a + s.directives, 0) / tail.length;
      const my = tail.reduce((a, s) => a + pick(s), 0) / tail.length;
      const num = tail.reduce((a, s) => a + (s.directives - mx) * (pick(s) - my), 0);
      const den = tail.reduce((a, s) => a + (s.directives - mx) ** 2, 0);
      return den === 0 ? null : num / den;
    };
    return {
      scenario: 'rss',
      figures,
      details: {
        strategies: options.strategies,
        checkpoints,
        checkpoints_reached: reached,
        rss_ratio_of: first && top.directives > first.directives ? { numerator: top.directives, denominator: first.directives } : null,
        directives: sent,
        cut_by_time_limit: cut,
        seconds: (performance.now() - start) / 1000,
        directives_per_second: sent / ((performance.now() - start) / 1000),
        failed: driver.timing().failed,
        baseline,
        rss_growth_bytes_per_directive: slope((s) => s.rss_bytes),
        heap_growth_bytes_per_directive: slope((s) => s.heap_used_bytes),
        samples,
      },
    };
  } finally {
    driver.dispose();
    await bench.dispose();
  }
}

export function rssFromArgs(args: ScenarioArgs): Promise<ScenarioResult> {
  const checkpoints = (args.get('checkpoints') ?? '1000,100000,1000000').split(',').map((t) => Number(t.replace(/_/g, '')));
  const sampleEvery = args.get('sample-every');
  return rss({
    strategies: numberArg(args, 'strategies', 100),
    checkpoints,
    maxSeconds: numberArg(args, 'max-seconds', 0),
    ...(sampleEvery === undefined ? {} : { sampleEvery: numberArg(args, 'sample-every', 10_000) }),
  });
}

runIfMain(import.meta.url, rssFromArgs);
