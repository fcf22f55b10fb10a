/**
 * The HTTP intake against `run`'s, in the same run: N NEW_TRADE directives for 100 strategies,
 * once through DirectiveIntake (what `planexec run` does with each line) and once POSTed to a
 * listening `planexec serve` server in batches of 100 by keep-alive clients, each batch answered
 * once its directives are accepted (DIRECTIVE_ACCEPTED durable). Figure: accepted per second over
 * HTTP ÷ through `run`'s intake (target ≥ 0.8). Rounds alternate A B A B; medians.
 *
 * Then the live stream's cost: the same server runs N flows with 0 and with 50 SSE clients
 * connected (reading every event), in pairs; figure: the median over pairs of time with clients ÷
 * time without − 1 (target ≤ 0.10).
 *
 *   node --import tsx bench/scenarios/http-intake.ts [--count 5000] [--clients 8] [--rounds 2] [--fan-out-rounds 5] [--sse-clients 50]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { DirectiveIntake } from '../../src/app/directive-intake.js';
import type { Platform } from '../../src/app/create-platform.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { buildServer, type PlanexecServer } from '../../src/server/build-server.js';
import { benchConfig, openBenchPlatform } from '../bench-platform.js';
import { log, numberArg, runIfMain, type ScenarioArgs, type ScenarioResult } from '../scenario.js';

const STRATEGIES = 100;
const BATCH = 100;

export interface HttpIntakeOptions {
  readonly count: number;
  readonly clients: number;
  readonly rounds: number;
  /** Pairs of fan-out rounds (without, then with the live-stream clients). */
  readonly fanOutRounds: number;
  readonly sseClients: number;
}

let sequence = 0;

function directives(count: number, tag: string): { readonly wire: Record<string, unknown>; readonly id: string }[] {
  sequence += 1;
  return Array.from({ length: count }, (_, i) => {
    const id = `DIR_HTTP${tag}${sequence}_${i}`;
    return {
      id,
      wire: {
        directive_id: id,
        strategy_id: `http_${i % STRATEGIES}`,
        scope: 'NEW_TRADE',
        timestamp: new Date().toISOString(),
        entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'MARKET' },
        size_plan: { position_size: '0.001' },
        routing_plan: { time_in_force: 'IOC' },
      },
    };
  });
}

/** Resolves when `count` directives of this run were accepted; the time of the last acceptance. */
function acceptances(platform: Platform, count: number): Promise<number> {
  let seen = 0;
  return new Promise((resolve) => {
    const id = platform.bus.subscribe('DIRECTIVE_ACCEPTED', () => {
      seen += 1;
      if (seen === count) {
        platform.bus.unsubscribe(id);
        resolve(performance.now());
      }
    });
  });
}

const benchPlatform = () => openBenchPlatform(benchConfig({ server: { intake_max_pending: 5000 } }));

/** `run`'s way: each line through DirectiveIntake (waits for room, publishes EXECUTION_DIRECTIVE_READY). */
async function runRound(count: number): Promise<number> {
  const bench = await benchPlatform();
  try {
    const { platform } = bench;
    const { intake: intakeConfig, orchestration } = platform.config;
    const intake = new DirectiveIntake(platform, { readAhead: intakeConfig.read_ahead_factor * orchestration.plan_execution.concurrency.max_concurrent_strategies });
    const lines = directives(count, 'R').map((d) => JSON.stringify(d.wire));
    const done = acceptances(platform, count);
    const start = performance.now();
    for (let i = 0; i < lines.length; i += 1) await intake.submit(lines[i]!, i + 1);
    const ms = (await done) - start;
    await intake.settled();
    intake.dispose();
    return (count / ms) * 1000;
  } finally {
    await bench.dispose();
  }
}

interface Listening {
  readonly url: string;
  readonly server: PlanexecServer;
}

async function listen(platform: Platform): Promise<Listening> {
  const server = await buildServer({ platform, token: null, logger: createLogger({ level: 'silent' }) });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  return { server, url: `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}` };
}

/** Batches of 100 from `clients` keep-alive connections; a 429 is retried after a short pause. */
async function postAll(url: string, count: number, clients: number, tag: string): Promise<{ ms: number; refused: number }> {
  const all = directives(count, tag).map((d) => d.wire);
  const batches: string[] = [];
  for (let i = 0; i < all.length; i += BATCH) batches.push(JSON.stringify({ directives: all.slice(i, i + BATCH) }));
  let next = 0;
  let refused = 0;
  const start = performance.now();
  const client = async (): Promise<void> => {
    while (next < batches.length) {
      const body = batches[next]!;
      next += 1;
      for (;;) {
        const response = await fetch(`${url}/api/directives`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await response.arrayBuffer();
        if (response.status === 202) break;
        if (response.status !== 429) throw new Error(`POST /api/directives answered ${response.status}`);
        refused += 1;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return { ms: performance.now() - start, refused };
}

async function httpRound(count: number, clients: number): Promise<{ rate: number; refused: number }> {
  const bench = await benchPlatform();
  const { server, url } = await listen(bench.platform);
  try {
    const { ms, refused } = await postAll(url, count, clients, 'H');
    await bench.platform.orchestrator.drain();
    return { rate: (count / ms) * 1000, refused };
  } finally {
    server.beginDrain();
    await bench.dispose();
    await server.close();
  }
}

/**
 * `count` live-stream clients in a child process (as remote watchers would be: their reading
 * does not take the server's CPU), each reading every byte until the process is killed. They
 * speak HTTP on a bare socket and drop what they read: on this two-core machine a heavier client
 * (fetch with a web stream per client) takes CPU from the server's core and measures itself.
 */
const WATCHERS = `
const net = require('node:net');
const [url, count] = process.argv.slice(1);
const { hostname, port } = new URL(url);
let open = 0;
for (let i = 0; i < Number(count); i += 1) {
  const socket = net.connect(Number(port), hostname, () => socket.write('GET /api/events HTTP/1.1\\r\\nHost: ' + hostname + '\\r\\nAccept: text/event-stream\\r\\n\\r\\n'));
  let counted = false;
  socket.on('data', () => {
    if (counted) return;
    counted = true;
    open += 1;
    if (open === Number(count)) process.stdout.write('ready\\n');
  });
  socket.on('error', () => undefined);
}
`;

async function startWatchers(url: string, count: number): Promise<ChildProcess | null> {
  if (count === 0) return null;
  const child = spawn(process.execPath, ['-e', WATCHERS, url, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`live-stream watchers exited with ${String(code)}`)));
  });
  return child;
}

/** ms from the first POST to the last flow stop, with `sse` live-stream clients watching. */
async function fanOutRound(count: number, clients: number, sse: number): Promise<{ ms: number; cpuMs: number }> {
  const bench = await benchPlatform();
  const { server, url } = await listen(bench.platform);
  const watchers = await startWatchers(url, sse);
  try {
    while (server.context.events.clientCount < sse) await new Promise((r) => setTimeout(r, 5));
    const stops = new Promise<number>((resolve) => {
      let seen = 0;
      const onStop = (): void => {
        seen += 1;
        if (seen === count) resolve(performance.now());
      };
      bench.platform.bus.subscribe('_flow_stop_success', onStop);
      bench.platform.bus.subscribe('_flow_stop_error', onStop);
    });
    const start = performance.now();
    const cpu = process.cpuUsage();
    await postAll(url, count, clients, `S${sse}`);
    const ms = (await stops) - start;
    const used = process.cpuUsage(cpu);
    return { ms, cpuMs: (used.user + used.system) / 1000 };
  } finally {
    watchers?.kill('SIGKILL');
    server.beginDrain();
    await bench.dispose();
    await server.close();
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export async function httpIntake(options: HttpIntakeOptions): Promise<ScenarioResult> {
  const runRates: number[] = [];
  const httpRates: number[] = [];
  let refused = 0;
  // warm-up: JIT and the page cache for both paths, untimed
  await runRound(Math.min(500, options.count));
  await httpRound(Math.min(500, options.count), options.clients);
  for (let round = 0; round < options.rounds; round += 1) {
    runRates.push(await runRound(options.count));
    const http = await httpRound(options.count, options.clients);
    httpRates.push(http.rate);
    refused += http.refused;
    log(`round ${round + 1}: run ${runRates.at(-1)!.toFixed(0)}/s, http ${http.rate.toFixed(0)}/s`);
  }
  const quiet: number[] = [];
  const watched: number[] = [];
  const quietCpu: number[] = [];
  const watchedCpu: number[] = [];
  // the fan-out's cost is a few per cent, the machine's noise between two rounds more: many pairs, compared pair by pair
  for (let round = 0; round < options.fanOutRounds; round += 1) {
    // the order alternates (without first, then with first): the second round of a pair runs on a warmer, fuller process
    const [without, withClients] =
      round % 2 === 0
        ? [await fanOutRound(options.count, options.clients, 0), await fanOutRound(options.count, options.clients, options.sseClients)]
        : await fanOutRound(options.count, options.clients, options.sseClients).then(async (w) => [await fanOutRound(options.count, options.clients, 0), w] as const);
    quiet.push(without.ms);
    watched.push(withClients.ms);
    quietCpu.push(without.cpuMs);
    watchedCpu.push(withClients.cpuMs);
    log(`fan-out round ${round + 1}: ${without.ms.toFixed(0)} ms (cpu ${without.cpuMs.toFixed(0)} ms) without, ${withClients.ms.toFixed(0)} ms (cpu ${withClients.cpuMs.toFixed(0)} ms) with ${options.sseClients} clients`);
  }
  const runRate = median(runRates);
  const httpRate = median(httpRates);
  return {
    scenario: 'http-intake',
    figures: {
      run_accepted_per_second: { value: runRate, unit: '/s' },
      http_accepted_per_second: { value: httpRate, unit: '/s' },
      http_over_run: { value: httpRate / runRate, unit: 'ratio' },
      sse_fanout_slowdown: { value: median(watched.map((ms, i) => ms / quiet[i]! - 1)), unit: 'ratio' },
      // the server process's own CPU per flow: what the watchers cost it, apart from the machine's noise
      sse_fanout_cpu_increase: { value: median(watchedCpu.map((ms, i) => ms / quietCpu[i]! - 1)), unit: 'ratio' },
    },
    details: { ...options, batch: BATCH, strategies: STRATEGIES, run_rates: runRates, http_rates: httpRates, refused_429: refused, quiet_ms: quiet, watched_ms: watched, quiet_cpu_ms: quietCpu, watched_cpu_ms: watchedCpu },
  };
}

runIfMain(import.meta.url, (args: ScenarioArgs) =>
  httpIntake({
    count: numberArg(args, 'count', 5000),
    clients: numberArg(args, 'clients', 8),
    rounds: numberArg(args, 'rounds', 2),
    fanOutRounds: numberArg(args, 'fan-out-rounds', 5),
    sseClients: numberArg(args, 'sse-clients', 50),
  }),
);
