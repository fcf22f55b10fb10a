import { ConfigError, type ConfigIssue } from '../domain/errors.js';
import { analyseConfigText } from './analyse-config.js';
import type { Environ } from './env-substitution.js';
import { readConfigFile } from './load-config.js';

export interface ConfigValidation {
  readonly issues: readonly ConfigIssue[];
  /** What was checked: null for the base alone, else an environment name. */
  readonly checked: readonly (string | null)[];
}

export interface ValidateConfigOptions {
  /** Check this environment only; undefined: the base alone and every environment the file defines. */
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
    return { issues: analyseConfigText(text, file, { environment: options.env, environ }).issues, checked: [options.env] };
  }
  const base = analyseConfigText(text, file, { environment: null, environ });
  const checked: (string | null)[] = [null];
  const seen = new Set(base.issues.map(issueKey));
  const issues = [...base.issues];
  for (const environment of base.environments) {
    checked.push(environment);
    for (const issue of analyseConfigText(text, file, { environment, environ }).issues) {
      if (seen.has(issueKey(issue))) continue;
      seen.add(issueKey(issue));
      issues.push(issue);
    }
  }
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { issues, checked };
}

/** As validateConfigText, reading the file; an unreadable file is one issue (rule file_unreadable). */
export function validateConfigFile(file: string, options: ValidateConfigOptions = {}): ConfigValidation {
  let text: string;
  try {
    text = readConfigFile(file);
  } catch (error) {
    if (error instanceof ConfigError) return { issues: error.issues, checked: [] };
    throw error;
  }
  return validateConfigText(text, file, options);
}

/** `file:line:col: key.path: message [rule]`, the one format of config problems everywhere. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line === null ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  return `${where}: ${issue.keyPath || '(root)'}: ${issue.message} [${issue.rule}]`;
}
