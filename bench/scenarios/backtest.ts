/**
 * How fast a backtest runs, and how it compares with `run` on the same directives:
 *
 * 1. A year of 1-minute bars on 3 symbols (3 × 525,600 = 1.58 M bars, synthetic, in CSV files)
 *    with 10,000 directives spread over the year (NEW_TRADE with a stop and a target that rest
 *    until a CLOSE_EXISTING takes the trade off), read from a JSON Lines file: wall time of
 *    runBacktest, files read included (target ≤ 10 s).
 * 2. Bars per second with nothing resting, and with 100 resting orders (50 trades' stops and
 *    targets, far from the price), over the same bars.
 * 3. The same 10,000 directives through `run`'s path on the durable store (createPlatform on a
 *    database file, DirectiveIntake as the CLI does), and the ratio run time ÷ backtest time
 *    (target ≥ 20).
 *
 *   node --import tsx bench/scenarios/backtest.ts [--bars-per-symbol 525600] [--directives 10000]
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatform } from '../../src/app/create-platform.js';
import { DirectiveIntake } from '../../src/app/directive-intake.js';
import type { DirectiveLine } from '../../src/backtest/directive-schedule.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { LineReader } from '../../src/cli/read-lines.js';
import { PlatformConfigSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { mergeBarFiles } from '../../src/market-data/bar-file.js';
import { syntheticBars, writeBarCsv } from '../../src/market-data/synthetic-bars.js';
import { log, memory, numberArg, runIfMain, type ScenarioArgs, type ScenarioResult } from '../scenario.js';

const START = Date.UTC(2025, 0, 1);
const MINUTE = 60_000;
/** Start prices and the far levels of the resting stops and targets (a fifth and five times the start). */
const SYMBOLS = [
  { symbol: 'BTC_USDT', startPrice: '65000', tick: '0.01', size: '0.001', stop: '13000', target: '325000' },
  { symbol: 'ETH_USDT', startPrice: '3500', tick: '0.01', size: '0.01', stop: '700', target: '17500' },
  { symbol: 'SOL_USDT', startPrice: '150', tick: '0.01', size: '1', stop: '30', target: '750' },
] as const;

const logger = createLogger({ level: 'silent' });
const config = PlatformConfigSchema.parse({ logging: { level: 'silent' } });

/** Pairs of NEW_TRADE (stop and target resting) and CLOSE_EXISTING, spread evenly over `spanMs`; `openOnly` NEW_TRADEs first, never closed. */
function directiveLines(count: number, spanMs: number, openOnly = 0): string[] {
  const lines: string[] = [];
  const trade = (id: string, at: number, k: number) => {
    const s = SYMBOLS[k % SYMBOLS.length]!;
    return JSON.stringify({
      directive_id: id,
      strategy_id: `s${k % SYMBOLS.length}`,
      scope: 'NEW_TRADE',
      timestamp: new Date(at).toISOString(),
      entry_plan: { symbol: s.symbol, direction: 'BUY', order_type: 'MARKET' },
      size_plan: { position_size: s.size },
      exit_plan: { stop_loss_price: s.stop, take_profit_price: s.target },
      routing_plan: { time_in_force: 'GTC' },
    });
  };
  for (let i = 0; i < openOnly; i += 1) lines.push(trade(`R${i}`, START + MINUTE + i, i));
  const step = Math.floor(spanMs / Math.max(1, count));
  for (let i = 0; i < count; i += 1) {
    const at = START + 2 * MINUTE + i * step + 1_000;
    if (i % 2 === 0) lines.push(trade(`D${i}`, at, i));
    else lines.push(JSON.stringify({ directive_id: `D${i}`, strategy_id: `s${(i - 1) % SYMBOLS.length}`, scope: 'CLOSE_EXISTING', timestamp: new Date(at).toISOString(), target_trade_ids: [`D${i - 1}`], routing_plan: { time_in_force: 'GTC' } }));
  }
  return lines;
}

async function* fileLines(path: string): AsyncGenerator<DirectiveLine> {
  for await (const item of new LineReader(createReadStream(path)).lines()) yield { text: item.text, line: item.line };
}

async function backtestSeconds(barFiles: readonly string[], directivesFile: string | null): Promise<{ seconds: number; bars: number; succeeded: number; failed: number }> {
  const start = performance.now();
  const run = await runBacktest({
    config,
    bars: mergeBarFiles(barFiles.map((path) => ({ path }))),
    ...(directivesFile === null ? {} : { directives: fileLines(directivesFile) }),
    logger,
  });
  const seconds = (performance.now() - start) / 1000;
  const counts = run.counts;
  await run.platform.close();
  run.release();
  return { seconds, bars: run.bars, succeeded: counts.succeeded, failed: counts.failed + counts.in_doubt + run.refused.length };
}

/** The directives through `run`'s path: a durable database file, the CLI's intake, as fast as it admits them. */
async function runSeconds(dir: string, lines: readonly string[]): Promise<{ seconds: number; succeeded: number }> {
  const durable = PlatformConfigSchema.parse({ logging: { level: 'silent' }, connector: { paper: { path: ':memory:' } } });
  const platform = await createPlatform({ config: durable, dbPath: join(dir, 'run.db'), logger });
  const intake = new DirectiveIntake(platform, { readAhead: durable.intake.read_ahead_factor * durable.orchestration.plan_execution.concurrency.max_concurrent_strategies });
  try {
    const start = performance.now();
    let line = 0;
    for (const text of lines) await intake.submit(text, ++line);
    await intake.settled();
    await platform.orchestrator.drain();
    return { seconds: (performance.now() - start) / 1000, succeeded: intake.tally.counts().succeeded };
  } finally {
    intake.dispose();
    await platform.close();
  }
}

export async function backtestBench(barsPerSymbol: number, directives: number): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), 'planexec-bench-backtest-'));
  try {
    const barFiles = await Promise.all(
      SYMBOLS.map(async (s, k) => {
        const path = join(dir, `${s.symbol}.csv`);
        await writeBarCsv(path, syntheticBars({ symbols: [{ symbol: s.symbol, startPrice: s.startPrice, tick: s.tick }], startMs: START, timeframeMs: MINUTE, count: barsPerSymbol, seed: k + 1 }));
        return path;
      }),
    );
    const spanMs = (barsPerSymbol - 3) * MINUTE;
    const lines = directiveLines(directives, spanMs);
    const directivesFile = join(dir, 'directives.jsonl');
    writeFileSync(directivesFile, `${lines.join('\n')}\n`);
    const restingFile = join(dir, 'resting.jsonl');
    writeFileSync(restingFile, `${directiveLines(0, spanMs, 50).join('\n')}\n`);

    const empty = await backtestSeconds(barFiles, null);
    const resting = await backtestSeconds(barFiles, restingFile);
    const full = await backtestSeconds(barFiles, directivesFile);
    log(`backtest: ${full.bars} bars + ${directives} directives in ${full.seconds.toFixed(2)} s (${full.succeeded} succeeded, ${full.failed} not); bars only ${empty.seconds.toFixed(2)} s; 100 resting ${resting.seconds.toFixed(2)} s`);
    const run = await runSeconds(dir, lines);
    log(`backtest: the same directives through run on the durable store: ${run.seconds.toFixed(2)} s (${run.succeeded} succeeded)`);
    return {
      scenario: 'backtest',
      figures: {
        year_seconds: { value: full.seconds, unit: 's' },
        bars_per_second_nothing_resting: { value: empty.bars / empty.seconds, unit: 'bars/s' },
        bars_per_second_100_resting: { value: resting.bars / resting.seconds, unit: 'bars/s' },
        run_seconds_same_directives: { value: run.seconds, unit: 's' },
        run_over_backtest: { value: run.seconds / full.seconds, unit: 'ratio' },
      },
      details: {
        bars: full.bars,
        directives,
        succeeded: full.succeeded,
        not_succeeded: full.failed,
        run_succeeded: run.succeeded,
        bars_only_seconds: empty.seconds,
        resting_seconds: resting.seconds,
        directives_part_seconds: full.seconds - empty.seconds,
        ...memory(),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function backtestFromArgs(args: ScenarioArgs): Promise<ScenarioResult> {
  return backtestBench(numberArg(args, 'bars-per-symbol', 525_600), numberArg(args, 'directives', 10_000));
}

runIfMain(import.meta.url, backtestFromArgs);
