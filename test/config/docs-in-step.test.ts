import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, walkJsonSchemaProperties } from '../../src/config/json-schema.js';
import { KEY_DESCRIPTIONS } from '../../src/config/key-descriptions.js';
import { redactConfig } from '../../src/config/redact.js';
import { defaultConfig } from '../../src/config/schema.js';

const docs = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
const schema = configJsonSchema();

interface Key {
  readonly path: string;
  readonly leaf: boolean;
  readonly enumValues: readonly string[];
}

function schemaKeys(): Key[] {
  const keys: Key[] = [];
  walkJsonSchemaProperties(schema, (path, node) => {
    if (path.startsWith('environments.') && path.split('.').length > 2) return;
    const isSection = node.properties !== undefined;
    const values = Array.isArray(node.enum) ? node.enum.map(String) : [];
    keys.push({ path, leaf: !isSection, enumValues: values });
  });
  return keys;
}

/** The table row that documents `path`: a line starting with `| \`path\` |`. */
function rowOf(path: string): string | undefined {
  return docs.split('\n').find((line) => line.startsWith(`| \`${path}\` |`));
}

function defaultAt(path: string): unknown {
  let node: unknown = redactConfig(defaultConfig(), new Set());
  for (const segment of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function shown(value: unknown): string {
  return `\`${typeof value === 'object' ? JSON.stringify(value) : String(value)}\``;
}

describe('docs/configuration.md is in step with the schema', () => {
  const keys = schemaKeys();
  const leaves = keys.filter((k) => k.leaf);

  it('finds the keys to check', () => {
    expect(leaves.length).toBeGreaterThan(60);
    expect(leaves.map((k) => k.path)).toContain('orchestration.plan_execution.retry_policy.max_retries');
  });

  it('documents every leaf key in a table row', () => {
    const missing = leaves.filter((k) => rowOf(k.path) === undefined).map((k) => k.path);
    expect(missing).toEqual([]);
  });

  it('each row gives the key’s current default, or (unset)', () => {
    const wrong = leaves
      .filter((k) => !k.path.startsWith('environments.'))
      .filter((k) => {
        const value = k.path.includes('*') ? undefined : defaultAt(k.path);
        const expected = value === undefined ? '(unset)' : shown(value);
        return !(rowOf(k.path) ?? '').split('|')[3]?.includes(expected);
      })
      .map((k) => k.path);
    expect(wrong).toEqual([]);
  });

  it('each row lists every allowed value of an enum key', () => {
    const wrong = leaves.filter((k) => k.enumValues.some((v) => !(rowOf(k.path) ?? '').includes(`\`${v}\``))).map((k) => k.path);
    expect(wrong).toEqual([]);
  });

  it('documents no key the schema does not have', () => {
    const known = new Set(keys.map((k) => k.path));
    const documented = [...docs.matchAll(/^\| `([a-z_.*]+)` \|/gm)].map((m) => m[1] as string).filter((p) => p.includes('.'));
    expect(documented.filter((p) => !known.has(p))).toEqual([]);
  });

  it('every key has a description for editors', () => {
    expect(keys.filter((k) => KEY_DESCRIPTIONS[k.path] === undefined).map((k) => k.path)).toEqual([]);
  });

  it('explains the policies, backoff formulas, environments, secrets and running without a file', () => {
    for (const term of ['rollback_ledger', 'rollback_api', 'alert_only', 'alert_admin', 'fail_execution', 'continue']) {
      expect(docs).toContain(`\`${term}\``);
    }
    expect(docs).toContain('initial_delay_ms × (n + 1)');
    expect(docs).toContain('initial_delay_ms × 2ⁿ');
    expect(docs).toContain('all attempts of one execution together');
    expect(docs).toContain('${NAME:-default}');
    expect(docs).toContain('## Running with no config file');
    expect(docs).toContain('## Environments: backtest, paper, live');
  });
});
