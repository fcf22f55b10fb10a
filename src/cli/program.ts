import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { Readable } from 'node:stream';
import type { CliIo } from './cli-io.js';
import { LOG_LEVELS } from './cli-context.js';
import { registerBacktestCommand } from './commands/backtest-command.js';
import { registerConfigCommand } from './commands/config-command.js';
import { registerDemoCommand } from './commands/demo-command.js';
import { registerExportCommand } from './commands/export-command.js';
import { registerJournalCommand } from './commands/journal-command.js';
import { registerOrdersCommand } from './commands/orders-command.js';
import { registerPositionsCommand } from './commands/positions-command.js';
import { registerPricesCommand } from './commands/prices-command.js';
import { registerRecoverCommand } from './commands/recover-command.js';
import { registerRunCommand } from './commands/run-command.js';
import { registerPublishCommand } from './commands/publish-command.js';
import { registerServeCommand } from './commands/serve-command.js';
import { registerTradingStateCommand } from './commands/trading-state-command.js';
import { registerVerifyCommand } from './commands/verify-command.js';
import { reportError } from './report-error.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export interface ProgramOptions {
  /** Where `run -` reads; default process.stdin. */
  readonly stdin?: Readable;
}

/** The `planexec` command tree. Usage errors throw (exitOverride) instead of exiting. */
export function buildProgram(io: CliIo, options: ProgramOptions = {}): Command {
  const program = new Command('planexec')
    .description('the execution layer of a trading platform: ExecutionDirectives in, orders, ledger and journal out')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('-v, --verbose', 'log at info level (the CLI logs at warn by default)')
    .addOption(new Option('--log-level <level>', 'log level, overriding --verbose and the config').choices(LOG_LEVELS))
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(planexec --help for usage)');
  registerRunCommand(program, io, options.stdin);
  registerJournalCommand(program, io);
  registerPositionsCommand(program, io);
  registerOrdersCommand(program, io);
  registerVerifyCommand(program, io);
  registerRecoverCommand(program, io);
  registerTradingStateCommand(program, io);
  registerExportCommand(program, io);
  registerConfigCommand(program, io);
  registerDemoCommand(program, io);
  registerBacktestCommand(program, io);
  registerPricesCommand(program, io);
  registerServeCommand(program, io, packageVersion());
  registerPublishCommand(program, io, options.stdin);
  return program;
}

/** Parse `argv` (without node and the script) and run the command; never throws, sets the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, options: ProgramOptions = {}): Promise<void> {
  try {
    await buildProgram(io, options).parseAsync([...argv], { from: 'user' });
  } catch (error) {
    reportError(io, error);
  }
}
