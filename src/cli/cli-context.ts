import type { Logger } from 'pino';
import { type LoadedConfig, loadConfig } from '../config/load-config.js';
import type { PlatformConfig } from '../config/schema.js';
import { createLogger } from '../logging/create-logger.js';

/** Options every command that opens a world accepts. */
export interface WorldOptions {
  readonly config?: string;
  readonly env?: string;
  readonly db?: string;
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

/** Config (throws ConfigError) and a stderr logger at the CLI's level, masking the config's secrets. */
export function loadCliConfig(options: WorldOptions, globals: GlobalOptions): { loaded: LoadedConfig; logger: Logger } {
  const loaded = loadConfig({ file: options.config, env: options.env });
  const logger = createLogger({ level: cliLogLevel(loaded.config, globals), secrets: loaded.secrets });
  return { loaded, logger };
}
