import { createReadStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { paperVenue } from '../../app/create-connector.js';
import { saveStoreCopy } from '../../app/open-store.js';
import { reportInputOf, type ReportInputs } from '../../backtest/report-data.js';
import type { BacktestReportInput } from '../../backtest/report-input.js';
import { withStyle } from '../../backtest/style-override.js';
import { EXECUTION_STYLES, type ExecutionStyle } from '../../domain/directive.js';
import { writeBacktestReport } from '../../backtest/report/write-report.js';
import { type BacktestMetrics, computeBacktestMetrics } from '../../backtest/report/metrics.js';
import type { DirectiveLine } from '../../backtest/directive-schedule.js';
import { type BacktestRun, type BacktestRunOptions, runBacktest } from '../../backtest/run-backtest.js';
import { loadStrategy } from '../../backtest/strategy.js';
import { ConfigError, PlanexecError } from '../../domain/errors.js';
import { mergeBarFiles, type BarFileSpec } from '../../market-data/bar-file.js';
import type { CliIo } from '../cli-io.js';
import { createCliLogger, type GlobalOptions, loadCliConfig, type WorldOptions } from '../cli-context.js';
import { UsageError } from '../exit-codes.js';
import { LineReader } from '../read-lines.js';
import { backtestSummaryJson, backtestSummaryText } from '../backtest-summary.js';

interface BacktestOptions extends Omit<WorldOptions, 'db'>, GlobalOptions {
  readonly prices?: string[];
  readonly symbol?: string[];
  readonly directives?: string;
  readonly strategy?: string;
  readonly out: string;
  readonly json?: boolean;
  readonly progress?: boolean;
  readonly style?: string[];
}

/** `--style NAME`: every NEW_TRADE of the run replayed with this execution style. */
function parseStyle(text: string): ExecutionStyle {
  const style = text.toUpperCase();
  if (!(EXECUTION_STYLES as readonly string[]).includes(style)) throw new UsageError(`--style ${text}: must be one of ${EXECUTION_STYLES.join(', ')}`);
  return style as ExecutionStyle;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Errors in what the user gave (a bad price file, a symbol without an instrument, a strategy that does not load): exit 2, as bad usage. */
const INPUT_ERRORS: ReadonlySet<string> = new Set([
  'PRICE_FILE_INVALID',
  'PRICE_FILE_UNREADABLE',
  'PRICE_FILE_EMPTY',
  'BACKTEST_NO_BARS',
  'BACKTEST_UNKNOWN_SYMBOL',
  'STRATEGY_LOAD_FAILED',
  'STRATEGY_INVALID',
  'STRATEGY_OUTPUT_INVALID',
]);

function asUsage(error: unknown): unknown {
  return error instanceof PlanexecError && INPUT_ERRORS.has(error.code) ? new UsageError(error.message) : error;
}

/** Which price file holds which symbol: one --symbol for every file, or one per file in order. */
export function barFileSpecs(prices: readonly string[], symbols: readonly string[]): BarFileSpec[] {
  if (prices.length === 0) throw new UsageError('no prices: give --prices FILE (CSV with a header, or JSON Lines; repeat it for several files)');
  if (symbols.length > 1 && symbols.length !== prices.length) {
    throw new UsageError(`--symbol given ${symbols.length} times for ${prices.length} --prices files: give one --symbol for every file, or one per file in the same order`);
  }
  return prices.map((path, i) => {
    if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`--prices ${path}: no such file`);
    const symbol = symbols.length === 1 ? symbols[0] : symbols[i];
    return symbol === undefined ? { path } : { path, symbol };
  });
}

function directiveSource(opts: BacktestOptions): string | undefined {
  if (opts.directives !== undefined && opts.strategy !== undefined) throw new UsageError('give either --directives FILE or --strategy MODULE, not both');
  if (opts.directives === undefined && opts.strategy === undefined) throw new UsageError('nothing to trade: give --directives FILE (JSON Lines) or --strategy MODULE');
  if (opts.directives !== undefined && !(existsSync(opts.directives) && statSync(opts.directives).isFile())) throw new UsageError(`--directives ${opts.directives}: no such file`);
  if (opts.strategy !== undefined && !existsSync(opts.strategy)) throw new UsageError(`--strategy ${opts.strategy}: no such file`);
  return opts.directives;
}

/** --env, else PLANEXEC_ENV, else the file's `backtest` overlay when it has one, else the base. */
function loadBacktestConfig(opts: BacktestOptions) {
  if (opts.env !== undefined || process.env.PLANEXEC_ENV !== undefined) return loadCliConfig(opts);
  try {
    return loadCliConfig({ ...opts, env: 'backtest' });
  } catch (error) {
    if (error instanceof ConfigError && error.issues.every((issue) => issue.rule === 'unknown_environment')) return loadCliConfig(opts);
    throw error;
  }
}

interface RunResult {
  readonly db: string;
  readonly run: Omit<BacktestRun, 'platform' | 'release'>;
  readonly input: BacktestReportInput;
  readonly metrics: BacktestMetrics;
}

/** One backtest: run, its store and venue saved beside the report, what the report needs read back. */
async function runOnce(job: { style: ExecutionStyle | null; db: string; rewrite: ((text: string) => string) | undefined; run: BacktestRunOptions; report: ReportInputs }): Promise<RunResult> {
  const run = await runBacktest({ ...job.run, ...(job.rewrite ? { rewriteDirective: job.rewrite } : {}) }).catch((error: unknown) => Promise.reject(asUsage(error)));
  let input: BacktestReportInput;
  try {
    // a rerun replaces the last run's database and venue
    for (const file of [job.db, `${job.db}-wal`, `${job.db}-shm`, `${job.db}.venue.db`, `${job.db}.venue.db-wal`, `${job.db}.venue.db-shm`]) rmSync(file, { force: true });
    // the identity first: it is made when first asked for, and the copy must carry it
    const owner = { ledger_id: run.platform.store.identity(), ledger_path: job.db };
    await saveStoreCopy(run.platform.store, job.db);
    // beside the database, where verify and positions look for a paper venue's file
    paperVenue(run.platform, 'a backtest').saveCopy(`${job.db}.venue.db`, run.prices.map((p) => p.symbol), owner);
    input = await reportInputOf(run, run.platform.store, job.report);
  } finally {
    await run.platform.close();
    run.release();
  }
  const { platform: _platform, release: _release, ...rest } = run;
  return { db: job.db, run: rest, input, metrics: computeBacktestMetrics(input) };
}

async function* directiveLines(path: string): AsyncGenerator<DirectiveLine> {
  for await (const item of new LineReader(createReadStream(path)).lines()) {
    if (item.text.trim() === '') continue;
    yield { text: item.text, line: item.line };
  }
}

/** `planexec backtest --prices FILE... (--directives FILE | --strategy MODULE) [--config FILE] [--env NAME] [--out DIR] [--json]`. */
export function registerBacktestCommand(program: Command, io: CliIo): Command {
  return program
    .command('backtest')
    .description('run directives (or a strategy module) through the orchestrator on simulated time against OHLCV bars, then write a report')
    .addOption(new Option('--prices <file>', 'OHLCV bars: CSV with a header or JSON Lines (timestamp, open, high, low, close, volume, symbol); repeat for several files').argParser(collect))
    .addOption(new Option('--symbol <symbol>', 'the symbol of a price file without a symbol column (BTC/USDT or BTC_USDT): once for every file, or once per --prices in order').argParser(collect))
    .option('--directives <file>', 'JSON Lines directives, executed at their timestamps')
    .option('--strategy <module>', 'a JavaScript or TypeScript module whose default export receives each bar and event and returns directives (docs/backtesting.md)')
    .option('--config <file>', 'platform.yaml; its backtest overlay applies unless --env names another')
    .option('--env <name>', 'environment overlay (default: PLANEXEC_ENV, else backtest when the file defines it)')
    .option('--out <dir>', 'where backtest.db and the report go', 'backtest-out')
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('--no-progress', 'no progress line, even on a terminal')
    .addOption(
      new Option('--style <style>', 'replay every NEW_TRADE entry with this execution style (SINGLE, PASSIVE, TWAP, ICEBERG); repeat to run once per style and compare their shortfall in one report').argParser(collect),
    )
    .action(async (_opts: BacktestOptions, command: Command) => {
      const opts = command.optsWithGlobals<BacktestOptions>();
      const prices = opts.prices ?? [];
      const specs = barFileSpecs(prices, opts.symbol ?? []);
      const directivesFile = directiveSource(opts);
      const loaded = loadBacktestConfig(opts);
      const out = resolve(opts.out);
      mkdirSync(out, { recursive: true });
      const log = createCliLogger(loaded, opts, join(out, 'backtest.log'));
      const strategy = opts.strategy === undefined ? undefined : await loadStrategy(opts.strategy, { config: loaded.config }).catch((error: unknown) => Promise.reject(asUsage(error)));
      const showProgress = !opts.json && opts.progress !== false && process.stderr.isTTY === true;
      const interrupt = new AbortController();
      const onSignal = (): void => {
        io.stderr('\nplanexec: interrupted: finishing the current bar, then writing what was done\n');
        interrupt.abort();
      };
      process.once('SIGINT', onSignal);
      const started = performance.now();
      try {
        const styles = (opts.style ?? []).map(parseStyle);
        const windowMinutes = loaded.config.orchestration.plan_execution.execution_styles.default_window_minutes;
        // one run as written, or one per --style over the same bars and directives
        const replays: readonly (ExecutionStyle | null)[] = styles.length === 0 ? [null] : styles;
        const runs: RunResult[] = [];
        for (const [i, style] of replays.entries()) {
          if (i > 0 && interrupt.signal.aborted) break;
          const dbName = i === 0 ? 'backtest.db' : `backtest-${style ?? 'as-written'}.db`;
          runs.push(
            await runOnce({
              style,
              db: join(out, dbName),
              rewrite: style === null ? undefined : (text: string) => withStyle(text, style, windowMinutes),
              run: {
                config: loaded.config,
                bars: mergeBarFiles(specs),
                ...(directivesFile === undefined ? {} : { directives: directiveLines(directivesFile) }),
                ...(strategy === undefined ? {} : { strategy }),
                logger: log.logger,
                configFile: loaded.file,
                signal: interrupt.signal,
                ...(showProgress ? { onProgress: (bars: number, nowMs: number) => io.stderr(`\rplanexec: ${style ? `${style}: ` : ''}${bars.toLocaleString('en-US')} bars, at ${new Date(nowMs).toISOString()}`) } : {}),
              },
              report: {
                title: `Backtest of ${directivesFile ?? opts.strategy ?? ''}${style ? ` (${style})` : ''}`,
                prices,
                directives: directivesFile ?? null,
                strategy: opts.strategy ?? null,
                config: loaded.file,
                initialEquity: loaded.config.backtest.initial_equity.toString(),
                runLabel: style ?? 'as written',
              },
            }),
          );
          if (showProgress) io.stderr('\n');
        }
        const first = runs[0]!;
        // every replay's styles in the first run's report, each row with its run's net P&L: the comparison
        const input = { ...first.input, executionStyles: runs.flatMap((r) => r.input.executionStyles.map((row) => ({ ...row, runNetPnl: r.metrics.net_pnl }))) };
        const report = await writeBacktestReport(out, input);
        const summary = {
          out,
          db: first.db,
          files: [...report.files, ...runs.slice(1).map((r) => r.db)],
          run: first.run,
          metrics: computeBacktestMetrics(input),
          executionStyles: input.executionStyles,
          seconds: (performance.now() - started) / 1000,
        };
        io.stdout(opts.json ? `${backtestSummaryJson(summary)}\n` : backtestSummaryText(summary));
      } finally {
        process.removeListener('SIGINT', onSignal);
        log.close();
      }
    });
}
