import { HeldExitsConnector } from '../../connectors/held-exits/held-exits-connector.js';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { createPlatform } from '../../app/create-platform.js';
import { DirectiveIntake } from '../../app/directive-intake.js';
import { errorMessage } from '../../domain/errors.js';
import type { RecoveryReport } from '../../orchestration/recovery/recovery.js';
import type { CliIo } from '../cli-io.js';
import { createCliLogger, type GlobalOptions, loadCliConfig, WAIT_OPTION_HELP, type WorldOptions, type WriterOptions, writerLockRequest } from '../cli-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { LineReader } from '../read-lines.js';
import { type FailedLine, MAX_LISTED_FAILURES, runSummary, runSummaryJson, runSummaryText } from '../run-summary.js';
import { runDryRun } from './dry-run.js';

interface RunOptions extends WorldOptions, GlobalOptions, WriterOptions {
  readonly directives?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
  readonly dryRun?: boolean;
}

/** What start-up recovery did, when it did anything (`recovery` in the JSON summary). */
function recoverySummary(report: RecoveryReport | null) {
  if (!report) return null;
  const { interrupted, succeeded, failed, in_doubt, unfinished, fallback, orders } = report;
  if (interrupted === 0 && fallback.replayed === 0 && orders.updated + orders.not_placed + orders.rebuilt_trades === 0) return null;
  return {
    interrupted,
    succeeded,
    failed,
    in_doubt,
    unfinished,
    fallback_replayed: fallback.replayed,
    orders_updated: orders.updated,
    orders_not_placed: orders.not_placed,
    trades_rebuilt: orders.rebuilt_trades,
  };
}

function withRecovery(json: string, recovery: ReturnType<typeof recoverySummary>): string {
  return recovery ? `${json.slice(0, -1)},"recovery":${JSON.stringify(recovery)}}` : json;
}

/** `work`, or less when `signal` aborts first (Ctrl-C stops waiting for a price file's replay). */
function untilOrAborted(work: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Where directives come from: a file, or stdin (`-` or `--directives -`). */
export interface InputSource {
  readonly name: string;
  readonly path: string | null;
  readonly size: number | undefined;
}

/** What `run` may read; everything else is bad usage (exit 2). */
export async function inputSource(positional: string | undefined, directives: string | undefined): Promise<InputSource> {
  if (positional !== undefined && positional !== '-') {
    throw new UsageError(`unexpected argument "${positional}": give --directives FILE, or - to read stdin`);
  }
  if (positional === '-' && directives !== undefined) throw new UsageError('give either --directives FILE or -, not both');
  if (positional === undefined && directives === undefined) {
    throw new UsageError('no input: give --directives FILE (JSON Lines), or - to read stdin');
  }
  if (positional === '-' || directives === '-') return { name: 'stdin', path: null, size: undefined };
  const path = directives!;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`--directives ${path} is not a file`);
    return { name: path, path, size: info.size };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read --directives ${path}: ${code === 'ENOENT' ? 'no such file' : errorMessage(error)}`);
  }
}

export function openInput(source: InputSource, stdin: Readable): Readable {
  // bytes, not text: an over-long line is measured and dropped as it streams, never decoded whole
  return source.path === null ? stdin : createReadStream(source.path);
}

/** `planexec run [--config FILE] [--env NAME] [--db PATH] [--json] [--wait] [--dry-run] (--directives FILE | -)`. */
export function registerRunCommand(program: Command, io: CliIo, stdin: Readable = process.stdin): Command {
  return program
    .command('run')
    .description('execute ExecutionDirectives read as JSON Lines from a file or stdin, then print a summary')
    .argument('[-]', 'read the directives from stdin')
    .option('--directives <file>', 'JSON Lines file, one directive per line ("-" = stdin)')
    .option('--config <file>', 'platform.yaml (default: none, every key at its default)')
    .option('--env <name>', 'environment overlay to apply (default: PLANEXEC_ENV)')
    .option('--db <path>', 'the database (default: storage.path, ./planexec.db); the paper venue file goes beside it')
    .option('--json', 'print the summary as one JSON object on the last line of stdout')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option('--wait', WAIT_OPTION_HELP)
    .option('--dry-run', 'validate, round to the venue\'s rules and check risk, print the orders each directive would send, and send and write nothing')
    .action(async (positional: string | undefined, _opts: RunOptions, command: Command) => {
      const opts = command.optsWithGlobals<RunOptions>();
      const source = await inputSource(positional, opts.directives);
      if (opts.dryRun) return runDryRun(io, opts, { name: source.name, stream: openInput(source, stdin) });
      const loaded = loadCliConfig(opts);
      // with a progress bar on the terminal, log lines would tear it apart: they go to a file beside the db
      const showProgress = !opts.json && opts.progress !== false && process.stderr.isTTY === true;
      const log = createCliLogger(loaded, opts, showProgress ? `${opts.db ?? loaded.config.storage.path}.log` : undefined);
      const logger = log.logger;
      // takes the database's writer lease (exit 3 when another process holds it), then finishes what a crash interrupted before the first line is read
      const platform = await createPlatform({ config: loaded.config, dbPath: opts.db, logger, configFile: loaded.file, writerLock: writerLockRequest(io, opts) });
      const recovery = recoverySummary(platform.recovery);
      if (recovery && !opts.json) {
        io.stderr(`planexec: recovered ${recovery.interrupted} interrupted flow(s), replayed ${recovery.fallback_replayed} journal fallback entries, updated ${recovery.orders_updated} order(s) from the venue\n`);
      }
      const started = performance.now();
      const { intake: intakeConfig, orchestration } = loaded.config;
      // read ahead only a few times the concurrency: what is read but not begun does not run on Ctrl-C
      const intake = new DirectiveIntake(platform, { readAhead: intakeConfig.read_ahead_factor * orchestration.plan_execution.concurrency.max_concurrent_strategies });
      const progress = createProgress({ enabled: showProgress, total: source.size });
      let bytes = 0;
      const failures: FailedLine[] = [];
      intake.onResult((r) => {
        progress.update(bytes, intake.tally.counts());
        if ((r.outcome === 'FAILED' || r.outcome === 'IN_DOUBT') && failures.length < MAX_LISTED_FAILURES) {
          failures.push({ line: r.line, flow_id: r.flow_id, directive_id: r.directive_id, outcome: r.outcome, error_code: r.error_code, reason: r.reason });
        }
      });

      const input = openInput(source, stdin);
      const reader = new LineReader(input);
      const summarise = () => {
        const notStarted = intake.notStarted;
        // the lines of the file after reading stopped, as far as counted (a file only: stdin is not drained)
        const unread = reader.counted;
        const lines = [notStarted.firstLine, unread?.firstLine ?? null].filter((l): l is number => l !== null);
        return runSummary(intake.tally.counts(), {
          failures,
          submitted: intake.submitted,
          duration_ms: Math.round(performance.now() - started),
          source: source.name,
          db: platform.paths.db,
          interrupted: interrupt.signal.aborted,
          not_started: notStarted.count + (unread?.count ?? 0),
          first_not_started_line: lines.length > 0 ? Math.min(...lines) : null,
          unread_counted: source.path !== null,
        });
      };
      const print = (summary: ReturnType<typeof summarise>): void => {
        io.stdout(opts.json ? `${withRecovery(runSummaryJson(summary), recovery)}\n` : runSummaryText(summary));
        if (!opts.json && log.file !== null) io.stdout(`logs:     ${log.file}\n`);
      };

      // First Ctrl-C (or SIGTERM): stop reading, drop what was read but not begun, finish the flows
      // in flight, summarise. Second: summarise what is known and leave now (recovery finishes the rest).
      const interrupt = new AbortController();
      const counting = new AbortController();
      const onSignal = (signal: NodeJS.Signals): void => {
        if (interrupt.signal.aborted) {
          counting.abort();
          progress.stop();
          print(summarise());
          process.exit(ExitCode.INTERRUPTED);
        }
        interrupt.abort();
        const dropped = intake.abandon();
        progress.stop();
        io.stderr(
          `\nplanexec: ${signal === 'SIGINT' ? 'interrupted' : signal}: stopped reading; ${dropped} directive(s) read but not started will not run; finishing the flows in flight (Ctrl-C again to leave now)\n`,
        );
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);

      if (source.path === null && (stdin as { isTTY?: boolean }).isTTY) io.stderr('planexec: reading directives from the terminal, one per line (Ctrl-D to end)\n');
      let failure: unknown;
      let heldExits = 0;
      try {
        try {
          for await (const item of reader.lines(interrupt.signal)) {
            bytes += item.bytes + 1;
            if (!(await intake.submit(item.text, item.line, { signal: interrupt.signal, oversize: item.oversize }))) break;
            progress.update(bytes, intake.tally.counts());
          }
          // counted while the flows in flight finish: streaming, nothing kept
          const rest = interrupt.signal.aborted && source.path !== null ? reader.countRest(counting.signal) : null;
          await intake.settled();
          await rest;
          // a price file is part of the run: its every row is applied (stops it triggers booked) before the summary
          if (platform.prices !== null && !interrupt.signal.aborted) await untilOrAborted(platform.prices.replayed(), interrupt.signal);
        } catch (error) {
          failure = error;
        } finally {
          // stdin too: a read left waiting after Ctrl-C would keep the process alive
          input.destroy();
          progress.stop();
          heldExits = platform.connector instanceof HeldExitsConnector ? platform.connector.heldOrders().length : 0;
          try {
            await platform.close();
          } catch (error) {
            failure ??= error;
          }
          intake.dispose();
          log.close();
        }
        if (failure !== undefined) throw failure;

        const summary = summarise();
        print(summary);
        if (heldExits > 0) {
          // nothing rests at the venue for them: a user must not read "protected" as "protected while away"
          io.stderr(
            `planexec: ${heldExits} stop loss / take profit order(s) are held by planexec (the venue rests none): they fire only while planexec runs; keep a run going (--directives - on an open pipe) while trades are open (docs/venues.md, "Exits held by planexec")\n`,
          );
        }
        if (summary.unfinished > 0) io.setExitCode(ExitCode.FAILURE);
        else io.setExitCode(interrupt.signal.aborted ? ExitCode.INTERRUPTED : ExitCode.OK);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
