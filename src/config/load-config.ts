import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, errorMessage } from '../domain/errors.js';
import { analyseConfigText } from './analyse-config.js';
import type { Environ } from './env-substitution.js';
import { defaultConfig, ENVIRONMENT_NAMES, type PlatformConfig } from './schema.js';

export interface LoadConfigOptions {
  /** platform.yaml; undefined: no file, every key takes its default. */
  readonly file?: string;
  /** The environment overlay to apply; default `PLANEXEC_ENV`, else none. */
  readonly env?: string;
  /** Where `${NAME}` and `PLANEXEC_ENV` are looked up; default `process.env`. */
  readonly environ?: Environ;
  /**
   * 'error' (default): an unset `${NAME}` is a config error. 'omit': a key whose value needs an
   * unset variable takes its default instead, for commands that only read and need no secrets.
   */
  readonly unsetVariables?: 'error' | 'omit';
}

export interface LoadedConfig {
  readonly config: PlatformConfig;
  /** The file read, or null when planexec runs on defaults. */
  readonly file: string | null;
  readonly environment: string | null;
  /** Values substituted from the environment: redact them from every output and log line. */
  readonly secrets: ReadonlySet<string>;
}

function chosenEnvironment(options: Omit<LoadConfigOptions, 'file'>, environ: Environ): string | null {
  const name = options.env ?? environ.PLANEXEC_ENV;
  return name === undefined || name === '' ? null : name;
}

export interface LoadConfigTextOptions extends Omit<LoadConfigOptions, 'file'> {
  /** Relative paths written in the text resolve against this folder; undefined: kept as written. */
  readonly relativeTo?: string;
}

/** Parses and validates platform.yaml text; throws ConfigError with every issue found. */
export function loadConfigText(text: string, fileName: string, options: LoadConfigTextOptions = {}): LoadedConfig {
  const environ = options.environ ?? process.env;
  const environment = chosenEnvironment(options, environ);
  const analysis = analyseConfigText(text, fileName, {
    environment,
    environ,
    ...(options.unsetVariables === 'omit' ? { missingVariables: 'omit' as const } : {}),
    ...(options.relativeTo === undefined ? {} : { relativeTo: options.relativeTo }),
  });
  if (analysis.config === null) throw new ConfigError(analysis.issues);
  return { config: analysis.config, file: fileName, environment, secrets: analysis.secrets };
}

/**
 * The effective platform config: the file's base sections with the chosen environment's overlay
 * merged over them, `${ENV}` references substituted, validated. Relative paths the file writes
 * (storage.path, connector.paper.path, …) resolve against the file's folder, whatever the working
 * directory. No file: all defaults.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const environ = options.environ ?? process.env;
  if (options.file === undefined) {
    const environment = chosenEnvironment(options, environ);
    if (environment !== null && !(ENVIRONMENT_NAMES as readonly string[]).includes(environment)) {
      throw new ConfigError([
        {
          file: '(defaults)',
          line: null,
          column: null,
          keyPath: 'environments',
          rule: 'unknown_environment',
          message: `environment "${environment}" is not one of ${ENVIRONMENT_NAMES.join(', ')}`,
        },
      ]);
    }
    return { config: defaultConfig(), file: null, environment, secrets: new Set() };
  }
  return loadConfigText(readConfigFile(options.file), options.file, { ...options, environ, relativeTo: dirname(resolve(options.file)) });
}

/** The file's text, or a ConfigError (rule `file_unreadable`) that says why not. */
export function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : errorMessage(error);
    throw new ConfigError([{ file, line: null, column: null, keyPath: '', rule: 'file_unreadable', message: `cannot read the config file: ${reason}` }]);
  }
}
