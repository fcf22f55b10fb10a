import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { objectKeysAtPath } from '../../src/config/schema-walk.js';
import { MAX_DECIMAL_MAGNITUDE, MAX_DECIMAL_SCALE } from '../../src/domain/decimal-field.js';
import {
  ExecutionDirectiveSchema,
  MAX_DIRECTIVE_BYTES,
  MAX_RATIONALE_LENGTH,
  MAX_TARGET_TRADES,
  MAX_TRIGGER_CONTEXT_BYTES,
  MAX_TRIGGER_CONTEXT_DEPTH,
  parseDirectiveLine,
} from '../../src/domain/directive.js';
import { Direction, ENTRY_ORDER_TYPES, Scope, TimeInForce } from '../../src/domain/enums.js';

const doc = readFileSync(new URL('../../docs/directives.md', import.meta.url), 'utf8');

/** Every field path of the directive schema: top-level keys and the keys of each plan. */
function schemaPaths(): string[] {
  const paths: string[] = [];
  for (const key of objectKeysAtPath([], ExecutionDirectiveSchema)) {
    paths.push(key);
    for (const inner of objectKeysAtPath([key], ExecutionDirectiveSchema)) paths.push(`${key}.${inner}`);
  }
  return paths;
}

/** The rows of the fields table (section "Fields"): lines starting with | `path` |. */
function documentedPaths(): string[] {
  const section = doc.slice(doc.indexOf('\n## Fields\n'), doc.indexOf('\n## Rules by scope\n'));
  return [...section.matchAll(/^\| `([a-z_.]+)` \|/gm)].map((m) => m[1] as string);
}

/** The lines of every ```json block. */
function jsonExamples(): string[] {
  return [...doc.matchAll(/```json\n([\s\S]*?)```/g)].flatMap((m) => (m[1] as string).split('\n').filter((l) => l.trim() !== ''));
}

describe('docs/directives.md is in step with the directive schema', () => {
  it('finds the fields to check', () => {
    expect(schemaPaths()).toContain('routing_plan.time_in_force');
    expect(schemaPaths().length).toBeGreaterThan(20);
  });

  it('documents every field of the schema in its fields table', () => {
    const documented = new Set(documentedPaths());
    expect(schemaPaths().filter((p) => !documented.has(p))).toEqual([]);
  });

  it('documents no field the schema does not have', () => {
    const known = new Set(schemaPaths());
    expect(documentedPaths().filter((p) => !known.has(p))).toEqual([]);
  });

  it('names every allowed value of every enum field', () => {
    for (const value of [...Object.values(Scope), ...Object.values(Direction), ...ENTRY_ORDER_TYPES, ...Object.values(TimeInForce)]) {
      expect(doc).toContain(`\`${value}\``);
    }
  });

  it('gives the limits the code enforces', () => {
    expect(doc).toContain(`**${MAX_DIRECTIVE_BYTES} bytes**`);
    expect(doc).toContain(`**${MAX_RATIONALE_LENGTH}** characters`);
    expect(doc).toContain(`**${MAX_TARGET_TRADES}**`);
    expect(doc).toContain(`**${MAX_TRIGGER_CONTEXT_BYTES} bytes**`);
    expect(doc).toContain(`**${MAX_TRIGGER_CONTEXT_DEPTH}** levels`);
    expect(doc).toContain(`**${MAX_DECIMAL_SCALE} decimal places**`);
    expect(MAX_DECIMAL_MAGNITUDE.toFixed()).toBe('1000000000000000');
    expect(doc).toContain('**±10¹⁵**');
  });

  it('every example is a valid directive, and there is a complete one for each scope', () => {
    const examples = jsonExamples();
    const scopes = examples.map((line) => parseDirectiveLine(line).scope);
    expect(new Set(scopes)).toEqual(new Set(Object.values(Scope)));
    // the NEW_TRADE example uses every field of the schema but target_trade_ids
    const complete = JSON.stringify(JSON.parse(examples[0]!));
    for (const path of schemaPaths().filter((p) => !p.startsWith('target_trade_ids') && !p.startsWith('entry_plan.'))) {
      expect(complete, path).toContain(`"${path.split('.').pop()}"`);
    }
  });
});
