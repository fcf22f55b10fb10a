import { isAbsolute, resolve } from 'node:path';
import type { ConfigIssue } from '../domain/errors.js';
import { MEMORY_DATABASE as MEMORY } from './memory-database.js';

/**
 * What this build can run, next to what the schema accepts. The schema keeps the planned choices
 * (so a file written for a later build still parses and its keys stay documented), but choosing
 * one is a located config issue (rule `not_in_this_build`) for every command that loads the file:
 * `config validate` and `run` agree.
 */
export const BUILT_CHOICES = [
  { path: ['connector', 'type'], built: ['paper', 'ccxt'] },
  { path: ['storage', 'type'], built: ['sqlite', 'postgres'] },
  { path: ['bus', 'type'], built: ['memory', 'nats'] },
] as const satisfies readonly { readonly path: readonly string[]; readonly built: readonly string[] }[];

export const NOT_IN_THIS_BUILD = 'not_in_this_build';

/** The rule's message for a planned `value` at `path`. */
export function notInThisBuildMessage(path: readonly string[], value: string): string {
  const choice = BUILT_CHOICES.find((c) => c.path.join('.') === path.join('.'));
  const built = choice === undefined ? '' : `; this build runs ${choice.built.join(' or ')}`;
  return `${value} is planned — not in this build${built}`;
}

export interface UnbuiltChoice {
  readonly path: readonly string[];
  readonly value: string;
}

/**
 * The issue for a planned choice in a config no loader checked (one built in code), located by
 * its key path in `configFile` (else '(defaults)'): what createPlatform and the factories throw.
 */
export function notInThisBuildIssue(choice: UnbuiltChoice, configFile: string | null | undefined): ConfigIssue {
  return {
    file: configFile ?? '(defaults)',
    line: null,
    column: null,
    keyPath: choice.path.join('.'),
    rule: NOT_IN_THIS_BUILD,
    message: notInThisBuildMessage(choice.path, choice.value),
  };
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * The planned choices `data` makes: a string the schema may accept but this build cannot run.
 * A value that is not a string is left to the schema, which reports its type.
 */
export function unbuiltChoices(data: unknown): UnbuiltChoice[] {
  const out: UnbuiltChoice[] = [];
  for (const choice of BUILT_CHOICES) {
    const value = valueAt(data, choice.path);
    if (typeof value === 'string' && !(choice.built as readonly string[]).includes(value)) out.push({ path: choice.path, value });
  }
  return out;
}

/**
 * Every key that names a file. A relative value written in a config file is resolved against the
 * file's folder, so the file means the same from any working directory; a default (no file, or
 * the key not written) stays relative to the working directory. test/config/build-support.test.ts
 * checks that every `*path` key of the schema is listed.
 */
export const CONFIG_PATH_KEYS = [
  ['storage', 'path'],
  ['storage', 'journal_fallback_path'],
  ['connector', 'paper', 'path'],
  ['connector', 'paper', 'prices', 'path'],
] as const satisfies readonly (readonly string[])[];


function withValueAt<T>(data: T, path: readonly string[], value: string): T {
  const [head, ...rest] = path;
  if (head === undefined) return value as T;
  const record = data as Record<string, unknown>;
  return { ...record, [head]: withValueAt(record[head], rest, value) } as T;
}

/**
 * `config` with each path key that `written` (the file's own data) sets resolved against `dir`.
 * Absolute paths and `:memory:` are kept. Returns a copy (shallow along the changed paths).
 */
export function resolveConfigPaths<T extends object>(config: T, written: unknown, dir: string): T {
  let out = config;
  for (const path of CONFIG_PATH_KEYS) {
    if (valueAt(written, path) === undefined) continue;
    const value = valueAt(config, path);
    if (typeof value !== 'string' || value === MEMORY || isAbsolute(value)) continue;
    out = withValueAt(out, path, resolve(dir, value));
  }
  return out;
}
