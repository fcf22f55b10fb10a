import type { LineCounter } from 'yaml';
import type { z } from 'zod';
import type { ConfigIssue } from '../domain/errors.js';
import { redactSecrets } from './redact.js';
import { objectKeysAtPath } from './schema-walk.js';
import { joinKeyPath, siteKey, type KeyPath, type LayerProblem, type NodeSite, type YamlLayer } from './yaml-layer.js';

/** What turning schema issues into located ConfigIssues needs to know about the file. */
export interface IssueContext {
  readonly file: string;
  readonly lineCounter: LineCounter;
  /** Searched in order: the environment overlay first, then the base. */
  readonly layers: readonly YamlLayer[];
  /** The merged data that was validated. */
  readonly data: unknown;
  readonly secrets: ReadonlySet<string>;
  /** Keys accepted at the top level besides the schema's own (`environments`). */
  readonly extraTopLevelKeys?: readonly string[];
}

interface Located {
  readonly site: NodeSite | undefined;
  /** The site belongs to the path itself, not to an ancestor. */
  readonly exact: boolean;
}

const MAX_RAW = 60;

/** The node that gave the value at `path`: the deepest ancestor any layer defines, overlay first. */
function locate(path: KeyPath, layers: readonly YamlLayer[]): Located {
  for (let length = path.length; length >= 0; length -= 1) {
    const key = siteKey(path.slice(0, length));
    for (const layer of layers) {
      const site = layer.sites.get(key);
      if (site !== undefined) return { site, exact: length === path.length };
    }
  }
  return { site: undefined, exact: false };
}

function hasValueAt(data: unknown, path: KeyPath): boolean {
  let current: unknown = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return false;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current !== undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

function suggestion(key: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

function shown(raw: string | null): string {
  if (raw === null) return '';
  if (raw === '') return ' (got an empty value)';
  return ` (got ${raw.length > MAX_RAW ? `${raw.slice(0, MAX_RAW)}…` : raw})`;
}

function bound(value: number | bigint, inclusive: boolean | undefined, above: boolean): string {
  if (above) return inclusive === false ? `less than ${value}` : `at most ${value}`;
  return inclusive === false ? `greater than ${value}` : `at least ${value}`;
}

function describeSize(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall, above: boolean): string {
  const limit = above ? (issue as z.core.$ZodIssueTooBig).maximum : (issue as z.core.$ZodIssueTooSmall).minimum;
  if (issue.origin === 'string') {
    return !above && Number(limit) === 1 ? 'must not be empty' : `must be ${bound(limit, issue.inclusive, above)} characters long`;
  }
  return `must be ${bound(limit, issue.inclusive, above)}`;
}

interface Described {
  readonly rule: string;
  readonly message: string;
  /** Show how the value is written in the file. */
  readonly showValue: boolean;
}

function describe(issue: z.core.$ZodIssue, missing: boolean): Described {
  switch (issue.code) {
    case 'invalid_type': {
      if (missing) return { rule: 'required', message: 'is required', showValue: false };
      const expected = issue.expected === 'int' ? 'an integer' : issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`;
      return { rule: 'type', message: `must be ${expected}`, showValue: true };
    }
    case 'invalid_value':
      return { rule: 'enum', message: `must be one of ${issue.values.map((v) => String(v)).join(', ')}`, showValue: true };
    case 'too_small':
      return { rule: 'min', message: describeSize(issue, false), showValue: true };
    case 'too_big':
      return { rule: 'max', message: describeSize(issue, true), showValue: true };
    case 'invalid_format': {
      const what = issue.format === 'url' ? 'URL' : issue.format === 'regex' ? `text matching ${issue.pattern ?? ''}` : issue.format;
      return { rule: 'format', message: `must be a valid ${what}`, showValue: true };
    }
    case 'custom': {
      const rule = typeof issue.params?.rule === 'string' ? issue.params.rule : 'custom';
      return { rule, message: issue.message, showValue: rule !== 'required' };
    }
    default:
      return { rule: issue.code, message: issue.message, showValue: true };
  }
}

export class ConfigIssueFactory {
  readonly #context: IssueContext;

  constructor(context: IssueContext) {
    this.#context = context;
  }

  /** One ConfigIssue per zod issue (one per key for unknown keys), located in the file. */
  fromZodIssues(issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
    return issues.flatMap((issue) => this.#fromZodIssue(issue, issue.path.map((p) => (typeof p === 'number' ? p : String(p)))));
  }

  fromLayerProblem(problem: LayerProblem): ConfigIssue {
    return this.at(problem.offset, problem.keyPath, problem.rule, problem.message);
  }

  /** An issue about the value at `path`, located where the file (overlay first) sets it. */
  atValue(path: KeyPath, rule: string, message: string): ConfigIssue {
    return this.#located(path, rule, message, false);
  }

  /** An issue at a source offset (null: no position, e.g. the file cannot be read). */
  at(offset: number | null, keyPath: string, rule: string, message: string): ConfigIssue {
    const pos = offset === null ? null : this.#context.lineCounter.linePos(offset);
    return {
      file: this.#context.file,
      line: pos === null ? null : pos.line,
      column: pos === null ? null : pos.col,
      keyPath: redactSecrets(keyPath, this.#context.secrets),
      rule,
      message: redactSecrets(message, this.#context.secrets),
    };
  }

  #fromZodIssue(issue: z.core.$ZodIssue, path: KeyPath): ConfigIssue[] {
    if (issue.code === 'unrecognized_keys') {
      const known = [...objectKeysAtPath(path), ...(path.length === 0 ? (this.#context.extraTopLevelKeys ?? []) : [])];
      return issue.keys.map((key) => this.#located([...path, key], 'unknown_key', `unknown key "${key}"${suggestion(key, known)}`, true));
    }
    if (issue.code === 'invalid_key') {
      const inner = issue.issues[0];
      const detail = inner === undefined ? 'is not allowed' : describe(inner, false).message;
      const key = String(path[path.length - 1] ?? '');
      return [this.#located(path, 'invalid_key', `key "${key}" ${detail}`, true)];
    }
    const missing = !hasValueAt(this.#context.data, path);
    const described = describe(issue, missing);
    return [this.#located(path, described.rule, described.message, false, described.showValue)];
  }

  #located(path: KeyPath, rule: string, message: string, atKey: boolean, showValue = false): ConfigIssue {
    const { site, exact } = locate(path, this.#context.layers);
    // unknown keys point at the key; a missing key at the key of the mapping that lacks it
    const useKey = (atKey || !exact) && site?.keyOffset !== null && site?.keyOffset !== undefined;
    const offset = site === undefined ? null : useKey ? (site.keyOffset as number) : site.valueOffset;
    const text = showValue && exact && site !== undefined ? `${message}${shown(site.raw)}` : message;
    return this.at(offset, `${site?.prefix ?? ''}${joinKeyPath(path)}`, rule, text);
  }
}
