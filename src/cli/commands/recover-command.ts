import type { Command } from 'commander';
import { createPlatform } from '../../app/create-platform.js';
import { assertStoreExists } from '../../app/open-store.js';
import { platformPaths } from '../../app/platform-paths.js';
import { printable } from '../../domain/printable.js';
import type { RecoveryReport } from '../../orchestration/recovery/recovery.js';
import type { CliIo } from '../cli-io.js';
import { createCliLogger, type GlobalOptions, loadCliConfig, WAIT_OPTION_HELP, type WorldOptions, type WriterOptions, writerLockRequest } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';

interface RecoverOptions extends WorldOptions, GlobalOptions, WriterOptions {
  readonly json?: boolean;
}

/** The report as `recover --json` prints it (one object on the last line of stdout). */
export function recoveryJson(report: RecoveryReport, db: string): string {
  return JSON.stringify({ ...report, db });
}

export function recoveryText(report: RecoveryReport, db: string): string {
  const lines = [
    `planexec recover: ${report.interrupted} interrupted flow(s): ${report.succeeded} succeeded, ${report.failed} failed, ${report.in_doubt} in doubt, ${report.unfinished} unfinished`,
    `journal fallback: ${report.fallback.replayed} entries replayed, ${report.fallback.already_journaled} already journaled, ${report.fallback.malformed} malformed` +
      (report.fallback.error ? ` (not replayed: ${report.fallback.error})` : ''),
    `venue orders: ${report.orders.checked} checked, ${report.orders.updated} updated, ${report.orders.not_placed} never placed, ${report.orders.unresolved} unresolved, ${report.orders.rebuilt_trades} trade(s) rebuilt`,
  ];
  for (const flow of report.flows) {
    lines.push(printable(`  ${flow.flow_id}: ${flow.outcome}${flow.error_code ? ` ${flow.error_code}` : ''}: ${flow.reason}`));
  }
  lines.push(`database: ${db}`, '');
  return lines.join('\n');
}

/** `planexec recover [--db PATH] [--config FILE] [--env NAME] [--json] [--wait]`: exit 0 when every interrupted flow was finished, 1 otherwise, 2 when there is no database, 3 when another process writes it. */
export function registerRecoverCommand(program: Command, io: CliIo): Command {
  return program
    .command('recover')
    .description('finish flows a crash interrupted and apply what the venue did meanwhile (also runs at the start of every command that executes)')
    .option('--config <file>', 'platform.yaml (default: none, every key at its default)')
    .option('--env <name>', 'environment overlay to apply (default: PLANEXEC_ENV)')
    .option('--db <path>', 'the database (default: storage.path, ./planexec.db); the paper venue file is beside it')
    .option('--json', 'print the report as one JSON object on the last line of stdout')
    .option('--wait', WAIT_OPTION_HELP)
    .action(async (_opts: RecoverOptions, command: Command) => {
      const opts = command.optsWithGlobals<RecoverOptions>();
      const loaded = loadCliConfig(opts);
      // nothing to recover where no database is: exit 2, and no file created (not even the lock)
      await assertStoreExists(platformPaths(loaded.config, opts.db).store);
      const { logger } = createCliLogger(loaded, opts);
      // createPlatform takes the writer lease (exit 3 when another process holds it), then runs the recovery
      const platform = await createPlatform({ config: loaded.config, dbPath: opts.db, logger, configFile: loaded.file, writerLock: writerLockRequest(io, opts) });
      const report = platform.recovery!;
      await platform.close();
      io.stdout(opts.json ? `${recoveryJson(report, platform.paths.db)}\n` : recoveryText(report, platform.paths.db));
      io.setExitCode(report.ok ? ExitCode.OK : ExitCode.FAILURE);
    });
}
