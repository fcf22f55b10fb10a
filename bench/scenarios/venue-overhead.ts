/**
 * What orchestration costs on top of a venue round trip: the same number of market orders sent to
 * the same loopback exchange (a Binance-like REST server in its own process, with a fixed latency
 * per request standing in for the network), once as direct ccxt `createOrder` calls and once as
 * NEW_TRADE directives through planexec with the ccxt connector (validation, risk, journal and
 * ledger commits, fills booked). Both sides keep the same number of orders in flight. Rounds
 * alternate A B A B and the figure is the ratio of the medians.
 *
 *   node --import tsx bench/scenarios/venue-overhead.ts [--orders 200] [--concurrency 10] [--venue-latency-ms 25] [--rounds 2]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loopbackExchange } from '../../test/support/loopback-venue/ccxt-exchange.js';
import { benchConfig, FlowDriver, openBenchPlatform } from '../bench-platform.js';
import { log, numberArg, runIfMain, type ScenarioArgs, type ScenarioResult } from '../scenario.js';

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const VENUE_MAIN = join(ROOT, 'test', 'support', 'loopback-venue', 'main.ts');
const QUANTITY = '0.001';

export interface VenueOverheadOptions {
  readonly orders: number;
  readonly concurrency: number;
  readonly venueLatencyMs: number;
  readonly rounds: number;
}

interface VenueProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/** The loopback exchange in a child process, so its work never queues behind planexec's. */
async function startVenue(latencyMs: number): Promise<VenueProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'planexec-bench-venue-'));
  const config = join(dir, 'venue.json');
  writeFileSync(config, JSON.stringify({ balances: { USDT: '1000000000' }, faults: { all: { latencyMs } }, requestLogLimit: 0 }));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', VENUE_MAIN, '--port', '0', '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const line = text.split('\n')[0];
      if (text.includes('\n') && line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`loopback venue exited with ${String(code)} before listening`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Runs `count` tasks with at most `concurrency` at once; ms from first start to last end. */
async function timed(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next;
      next += 1;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - start;
}

async function directRound(url: string, options: VenueOverheadOptions, round: number): Promise<number> {
  const exchange = loopbackExchange(url);
  await exchange.loadMarkets();
  return timed(options.orders, options.concurrency, (i) =>
    exchange.createOrder('BTC/USDT', 'market', 'buy', Number(QUANTITY), undefined, { clientOrderId: `BENCHD${round}x${i}` }),
  );
}

function directive(round: number, i: number, strategies: number): { text: string; id: string } {
  const id = `DIR_BENCHV${round}_${i}`;
  return {
    id,
    text: JSON.stringify({
      directive_id: id,
      strategy_id: `venue_${i % strategies}`,
      scope: 'NEW_TRADE',
      timestamp: '2026-11-24T10:15:00Z',
      entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'MARKET' },
      size_plan: { position_size: QUANTITY },
      routing_plan: { time_in_force: 'IOC' },
    }),
  };
}

async function orchestratedRound(url: string, options: VenueOverheadOptions, round: number): Promise<{ ms: number; failures: Record<string, number> }> {
  const bench = await openBenchPlatform(
    benchConfig({
      connector: {
        type: 'ccxt',
        ccxt: { exchange: 'binance', sandbox: false, api_key: 'loopback-key', api_secret: 'loopback-secret', api_base_url: url, rate_limit: false },
      },
      orchestration: { plan_execution: { monitoring: { metrics_enabled: true }, concurrency: { max_concurrent_strategies: options.concurrency } } },
    }),
  );
  const driver = new FlowDriver(bench.platform);
  try {
    // one untimed directive loads the markets, as the direct side's loadMarkets does
    const warm = directive(round, -1, options.concurrency);
    await driver.submit(warm.text, warm.id);
    await driver.waitForStops();
    const start = performance.now();
    for (let i = 0; i < options.orders; i += 1) {
      const { text, id } = directive(round, i, options.concurrency);
      await driver.submit(text, id);
    }
    await driver.waitForStops();
    const ms = performance.now() - start;
    const timing = driver.timing();
    if (timing.failed > 0) log(`venue-overhead: ${timing.failed} directives failed: ${JSON.stringify(timing.failures)}`);
    return { ms, failures: { ...timing.failures } };
  } finally {
    driver.dispose();
    await bench.dispose();
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export async function venueOverhead(options: VenueOverheadOptions): Promise<ScenarioResult> {
  const venue = await startVenue(options.venueLatencyMs);
  try {
    const direct: number[] = [];
    const orchestrated: number[] = [];
    let failures: Record<string, number> = {};
    for (let round = 0; round < options.rounds; round += 1) {
      direct.push(await directRound(venue.url, options, round));
      const run = await orchestratedRound(venue.url, options, round);
      orchestrated.push(run.ms);
      failures = { ...failures, ...run.failures };
      log(`venue-overhead round ${round + 1}: direct ${direct.at(-1)!.toFixed(0)} ms, orchestrated ${run.ms.toFixed(0)} ms for ${options.orders} orders`);
    }
    const directMs = median(direct) / options.orders;
    const orchestratedMs = median(orchestrated) / options.orders;
    return {
      scenario: 'venue-overhead',
      figures: {
        overhead_ratio: { value: orchestratedMs / directMs, unit: 'ratio' },
        direct_ms_per_order: { value: directMs, unit: 'ms' },
        orchestrated_ms_per_order: { value: orchestratedMs, unit: 'ms' },
      },
      details: { ...options, direct_round_ms: direct, orchestrated_round_ms: orchestrated, failures },
    };
  } finally {
    await venue.stop();
  }
}

export function venueOverheadFromArgs(args: ScenarioArgs): Promise<ScenarioResult> {
  return venueOverhead({
    orders: numberArg(args, 'orders', 200),
    concurrency: numberArg(args, 'concurrency', 10),
    venueLatencyMs: numberArg(args, 'venue-latency-ms', 25),
    rounds: numberArg(args, 'rounds', 2),
  });
}

runIfMain(import.meta.url, venueOverheadFromArgs);
