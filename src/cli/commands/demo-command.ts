import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { createPlatform } from '../../app/create-platform.js';
import { acquireWriterLease } from '../../app/open-store.js';
import { generateDemoDirectives } from '../../demo/generate-demo-directives.js';
import { runDemo } from '../../demo/demo-runner.js';
import type { CliIo } from '../cli-io.js';
import { createCliLogger, type GlobalOptions, loadCliConfig, WAIT_OPTION_HELP, type WorldOptions, type WriterOptions, writerLockRequest } from '../cli-context.js';
import { demoSummaryJson, demoSummaryText } from '../demo-summary.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { createProgress } from '../progress.js';

interface DemoOptions extends WorldOptions, GlobalOptions, WriterOptions {
  readonly seed: string;
  readonly directives: string;
  readonly json?: boolean;
  readonly progress?: boolean;
}

export const DEFAULT_DEMO_SEED = 42;
export const DEFAULT_DEMO_DIRECTIVES = 300;
const MAX_DEMO_DIRECTIVES = 1_000_000;

function integer(text: string, option: string, min: number, max: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${option} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** The demo's files: a fresh temporary folder unless --db names the database (its folder is made once the writer lease is held). */
function demoWorld(db: string | undefined): { db: string; directivesFile: string; logFile: string } {
  if (db !== undefined) return { db, directivesFile: `${db}.demo-directives.jsonl`, logFile: `${db}.demo.log` };
  const dir = mkdtempSync(join(tmpdir(), 'planexec-demo-'));
  return { db: join(dir, 'planexec.db'), directivesFile: join(dir, 'directives.jsonl'), logFile: join(dir, 'planexec.log') };
}

/** `planexec demo [--db PATH] [--seed N] [--directives N] [--json] [--wait]`. */
export function registerDemoCommand(program: Command, io: CliIo): Command {
  return program
    .command('demo')
    .description('a self-contained run: seeded breakout strategies trade a synthetic market on the paper venue')
    .option('--db <path>', 'the database (default: a fresh temporary folder per run)')
    .option('--seed <n>', 'seed of the price path and the strategies', String(DEFAULT_DEMO_SEED))
    .option('--directives <n>', 'number of directive lines to send', String(DEFAULT_DEMO_DIRECTIVES))
    .option('--config <file>', 'platform.yaml (default: none, every key at its default)')
    .option('--env <name>', 'environment overlay to apply (default: PLANEXEC_ENV)')
    .option('--json', 'print the summary as one JSON object on the last line of stdout')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option('--wait', WAIT_OPTION_HELP)
    .action(async (_opts: DemoOptions, command: Command) => {
      const opts = command.optsWithGlobals<DemoOptions>();
      const seed = integer(opts.seed, '--seed', 0, 2 ** 32 - 1);
      const count = integer(opts.directives, '--directives', 1, MAX_DEMO_DIRECTIVES);
      const loaded = loadCliConfig(opts);
      const world = demoWorld(opts.db);
      // the lease first: a demo refused (exit 3) or on an unwritable path (exit 2) leaves no file of its own beside another's database
      const lease = await acquireWriterLease({ type: 'sqlite', path: world.db }, writerLockRequest(io, opts));
      let log;
      try {
        mkdirSync(dirname(world.db), { recursive: true });
        log = createCliLogger(loaded, opts, world.logFile);
      } catch (error) {
        lease?.release();
        throw error;
      }
      const demo = generateDemoDirectives({ seed, count });
      let platform;
      try {
        writeFileSync(world.directivesFile, demo.lines.map((l) => `${l}\n`).join(''));
        if (!opts.json) {
          const symbols = Object.keys(demo.prices).join(', ');
          io.stderr(`planexec demo: seed ${seed}, ${demo.lines.length} directives over ${demo.steps.length} simulated minutes on ${symbols}\n`);
          io.stderr(`  database ${world.db}\n`);
        }
        // the platform owns the lease from here and releases it on close (or when it fails to start)
        // the demo plays its own price path: a configured price source would fight it
        const paper = loaded.config.connector.paper;
        const config = { ...loaded.config, connector: { ...loaded.config.connector, paper: { ...paper, prices: { ...paper.prices, source: 'static' as const } } } };
        platform = await createPlatform({ config, dbPath: world.db, logger: log.logger, configFile: loaded.file, lease });
      } catch (error) {
        lease?.release(); // idempotent
        log.close();
        throw error;
      }
      const started = performance.now();
      const progress = createProgress({ enabled: !opts.json && opts.progress !== false, total: demo.steps.length });
      let result;
      try {
        result = await runDemo(platform, demo, { onStep: (done, counts) => progress.update(done, counts) });
      } finally {
        progress.stop();
        try {
          await platform.close();
        } finally {
          log.close();
        }
      }
      const summary = {
        ...result,
        seed,
        directives: demo.lines.length,
        duration_ms: Math.round(performance.now() - started),
        db: platform.paths.db,
        directives_file: world.directivesFile,
        log_file: log.file,
      };
      io.stdout(opts.json ? `${demoSummaryJson(summary)}\n` : demoSummaryText(summary));
      const complete = result.journal.ok && result.counts.processed >= result.submitted;
      io.setExitCode(complete ? ExitCode.OK : ExitCode.FAILURE);
    });
}
