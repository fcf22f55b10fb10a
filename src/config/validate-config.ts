import { printable } from '../domain/printable.js';
import { ConfigError, type ConfigIssue } from '../domain/errors.js';
import { analyseConfigText } from './analyse-config.js';
import type { Environ } from './env-substitution.js';
import { readConfigFile } from './load-config.js';

export interface ConfigValidation {
  readonly issues: readonly ConfigIssue[];
  /** Variables not set here, checking all environments: not errors (see ValidateConfigOptions.env). */
  readonly notes: readonly ConfigIssue[];
  /** What was checked: null for the base alone, else an environment name. */
  readonly checked: readonly (string | null)[];
}

export interface ValidateConfigOptions {
  /**
   * Check this environment only, as `run --env` would load it (an unset variable is an error).
   * undefined: the base alone and every environment the file defines; an unset variable is then a
   * note, since the file may be meant for a machine where it is set.
   */
  readonly env?: string;
  readonly environ?: Environ;
}

function issueKey(issue: ConfigIssue): string {
  return JSON.stringify([issue.line, issue.column, issue.keyPath, issue.rule, issue.message]);
}

/** Every issue of platform.yaml text, for one environment or for all of them (deduplicated). */
export function validateConfigText(text: string, file: string, options: ValidateConfigOptions = {}): ConfigValidation {
  const environ = options.environ ?? process.env;
  if (options.env !== undefined) {
    const analysis = analyseConfigText(text, file, { environment: options.env, environ });
    return { issues: analysis.issues, notes: [], checked: [options.env] };
  }
  const base = analyseConfigText(text, file, { environment: null, environ, missingVariables: 'note' });
  const checked: (string | null)[] = [null];
  const issues = new Map(base.issues.map((i) => [issueKey(i), i]));
  const notes = new Map(base.notes.map((i) => [issueKey(i), i]));
  for (const environment of base.environments) {
    checked.push(environment);
    const analysis = analyseConfigText(text, file, { environment, environ, missingVariables: 'note' });
    for (const issue of analysis.issues) issues.set(issueKey(issue), issue);
    for (const note of analysis.notes) notes.set(issueKey(note), note);
  }
  return { issues: inFileOrder([...issues.values()]), notes: inFileOrder([...notes.values()]), checked };
}

function inFileOrder(issues: ConfigIssue[]): ConfigIssue[] {
  return issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** As validateConfigText, reading the file; an unreadable file is one issue (rule file_unreadable). */
export function validateConfigFile(file: string, options: ValidateConfigOptions = {}): ConfigValidation {
  let text: string;
  try {
    text = readConfigFile(file);
  } catch (error) {
    if (error instanceof ConfigError) return { issues: error.issues, notes: [], checked: [] };
    throw error;
  }
  return validateConfigText(text, file, options);
}

/** `file:line:col: key.path: message [rule]`, the one format of config problems everywhere. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line === null ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  // a key or value quoted from the file may hold control characters: show them, do not send them
  return printable(`${where}: ${issue.keyPath || '(root)'}: ${issue.message} [${issue.rule}]`);
}
