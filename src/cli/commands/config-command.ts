import type { Command } from 'commander';
import { stringify } from 'yaml';
import { configJsonSchema } from '../../config/json-schema.js';
import { loadConfig } from '../../config/load-config.js';
import { redactConfig, redactSecrets } from '../../config/redact.js';
import { formatConfigIssue, validateConfigFile } from '../../config/validate-config.js';
import type { Environ } from '../../config/env-substitution.js';
import { ConfigError } from '../../domain/errors.js';
import { printable } from '../../domain/printable.js';
import type { CliIo } from '../cli-io.js';

export const EXIT_OK = 0;
/** Bad usage or bad config (DESIGN §5). */
export const EXIT_BAD_CONFIG = 2;

export interface ConfigCommandOptions {
  /** Where `${NAME}` and PLANEXEC_ENV are looked up; default process.env. */
  readonly environ?: Environ;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function checkedText(checked: readonly (string | null)[]): string {
  const environments = checked.filter((c): c is string => c !== null);
  if (checked.length === 1 && environments.length === 1) return ` (environment: ${environments[0]})`;
  return environments.length === 0 ? '' : ` (base and environments: ${environments.join(', ')})`;
}

/**
 * `planexec config validate FILE [--env NAME]`, `config schema` and
 * `config show [--config FILE] [--env NAME] [--json]`.
 */
export function registerConfigCommand(program: Command, io: CliIo, options: ConfigCommandOptions = {}): Command {
  const environ = (): Environ => options.environ ?? process.env;
  const config = program.command('config').description('check platform.yaml, print its JSON Schema, show the effective config');

  config
    .command('validate')
    .description('check a platform.yaml: exit 0 when valid, 2 with every problem (file:line:col: key: message [rule])')
    .argument('<file>', 'the platform.yaml to check')
    .option('--env <name>', 'check this environment only, unset ${VARS} included (default: the base and every environment)')
    .action((file: string, opts: { env?: string }) => {
      const result = validateConfigFile(file, { env: opts.env, environ: environ() });
      for (const note of result.notes) io.stderr(`note: ${formatConfigIssue(note)}\n`);
      if (result.issues.length === 0) {
        io.stdout(`${printable(file)}: valid${checkedText(result.checked)}\n`);
        io.setExitCode(EXIT_OK);
        return;
      }
      for (const issue of result.issues) io.stderr(`${formatConfigIssue(issue)}\n`);
      io.stderr(`${printable(file)}: invalid (${plural(result.issues.length, 'problem')})\n`);
      io.setExitCode(EXIT_BAD_CONFIG);
    });

  config
    .command('schema')
    .description('print the JSON Schema of platform.yaml (for editor completion and validation)')
    .action(() => {
      io.stdout(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
      io.setExitCode(EXIT_OK);
    });

  config
    .command('show')
    .description('print the effective config (defaults, file, environment overlay), secrets masked')
    .option('--config <file>', 'platform.yaml (default: none, every key at its default)')
    .option('--env <name>', 'environment overlay to apply (default: PLANEXEC_ENV)')
    .option('--json', 'print JSON instead of YAML')
    .action((opts: { config?: string; env?: string; json?: boolean }) => {
      let loaded;
      try {
        loaded = loadConfig({ file: opts.config, env: opts.env, environ: environ() });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        for (const issue of error.issues) io.stderr(`${formatConfigIssue(issue)}\n`);
        io.setExitCode(EXIT_BAD_CONFIG);
        return;
      }
      const data = redactConfig(loaded.config, loaded.secrets);
      const text = opts.json
        ? `${JSON.stringify(data, null, 2)}\n`
        : `# effective config: file ${printable(loaded.file ?? '(none: defaults)')}, environment ${loaded.environment ?? '(none)'}\n${stringify(data)}`;
      io.stdout(redactSecrets(text, loaded.secrets));
      io.setExitCode(EXIT_OK);
    });

  return config;
}
