import { closeSync, openSync } from 'node:fs';
import type { Logger } from 'pino';
import type { WriterLockRequest } from '../app/open-store.js';
import { type LoadedConfig, loadConfig } from '../config/load-config.js';
import type { PlatformConfig } from '../config/schema.js';
import { errorMessage } from '../domain/errors.js';
import { createLogger } from '../logging/create-logger.js';
import type { CliIo } from './cli-io.js';
import { UsageError } from './exit-codes.js';

/** Options every command that opens a world accepts. */
export interface WorldOptions {
  readonly config?: string;
  readonly env?: string;
  readonly db?: string;
}

/** Options of the commands that write a database (run, recover, demo). */
export interface WriterOptions {
  /** Wait for another writer to finish instead of exiting 3. */
  readonly wait?: boolean;
}

export const WAIT_OPTION_HELP = 'when another process is writing the database, wait for it to finish instead of exiting with code 3';

/**
 * How a writing command takes the database's writer lease: at once or exit 3, or with --wait
 * waiting, said once on stderr. The holder is shown as the command line the user typed.
 */
export function writerLockRequest(io: CliIo, options: WriterOptions): WriterLockRequest {
  return {
    wait: options.wait === true,
    command: ['planexec', ...process.argv.slice(2).map((arg) => (/^[\w./:=@%+,-]+$/.test(arg) ? arg : JSON.stringify(arg)))].join(' '),
    onWaiting: (holder) => {
      const who = holder === null ? 'another process' : `pid ${holder.pid} on ${holder.hostname}, since ${holder.started_at} (${holder.command})`;
      io.stderr(`planexec: the database is in use by another writer: ${who}; waiting for it to finish (--wait)\n`);
    },
  };
}

/** Program-wide options (before or after the command name). */
export interface GlobalOptions {
  readonly verbose?: boolean;
  readonly logLevel?: string;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/**
 * The CLI's log level. The schema's default (`info`) is too chatty next to command output, so a
 * command logs at `warn` unless `--log-level`, `--verbose` (= info) or a config file that sets a
 * level other than the default says otherwise.
 */
export function cliLogLevel(config: PlatformConfig, globals: GlobalOptions): string {
  if (globals.logLevel !== undefined) return globals.logLevel;
  if (globals.verbose) return 'info';
  return config.logging.level === 'info' ? 'warn' : config.logging.level;
}

/** The effective config of --config/--env (throws ConfigError). */
export function loadCliConfig(options: WorldOptions): LoadedConfig {
  return loadConfig({ file: options.config, env: options.env });
}

/** The config of a command that only reads: a key that needs an unset `${NAME}` takes its default (readers need no secrets). */
export function loadReaderConfig(options: Pick<WorldOptions, 'config' | 'env'>): LoadedConfig {
  return loadConfig({ file: options.config, env: options.env, unsetVariables: 'omit' });
}

export interface CliLogger {
  readonly logger: Logger;
  /** Where the lines go: a file, or null for stderr. */
  readonly file: string | null;
  close(): void;
}

/**
 * A logger masking the config's secrets: on stderr at the CLI's level, or — when `file` is given
 * and neither --verbose nor --log-level asked for the terminal — appended to that file at the
 * config's level (the demo keeps its terminal for the summary, and its logs beside its database).
 */
export function createCliLogger(loaded: LoadedConfig, globals: GlobalOptions, file?: string): CliLogger {
  const toTerminal = file === undefined || globals.verbose === true || globals.logLevel !== undefined;
  if (toTerminal) {
    return { logger: createLogger({ level: cliLogLevel(loaded.config, globals), secrets: loaded.secrets }), file: null, close: () => undefined };
  }
  let fd: number;
  try {
    fd = openSync(file, 'a');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : errorMessage(error);
    throw new UsageError(`cannot write the log file ${file}: ${reason}`);
  }
  const logger = createLogger({ level: loaded.config.logging.level, secrets: loaded.secrets, destination: fd });
  return { logger, file, close: () => closeSync(fd) };
}
