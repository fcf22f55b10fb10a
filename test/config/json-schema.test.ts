import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, DECIMAL_PATTERN, walkJsonSchemaProperties } from '../../src/config/json-schema.js';
import { KEY_DESCRIPTIONS } from '../../src/config/key-descriptions.js';
import { decimalField } from '../../src/domain/decimal-field.js';

type Json = Record<string, unknown>;

const schema = configJsonSchema() as Json;

/** The object at `keys` below `node` (throws when there is none). */
function obj(node: unknown, ...keys: string[]): Json {
  let current = node;
  for (const key of keys) current = (current as Json | undefined)?.[key];
  if (current === null || typeof current !== 'object') throw new Error(`no object at ${keys.join('.')}`);
  return current as Json;
}

function at(path: string): Json {
  let node: Json = schema;
  for (const segment of path.split('.')) node = segment === '*' ? obj(node, 'additionalProperties') : obj(node, 'properties', segment);
  return node;
}

describe('configJsonSchema', () => {
  it('is plain JSON that survives a round trip', () => {
    const text = JSON.stringify(schema);
    expect(JSON.parse(text)).toEqual(schema);
  });

  it('declares its dialect and a title for editors', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.title).toBe('planexec platform.yaml');
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
  });

  it('has every section and environments at the top level', () => {
    expect(Object.keys(obj(schema, 'properties')).sort()).toEqual(
      ['alerts', 'backtest', 'bus', 'connector', 'environments', 'intake', 'logging', 'orchestration', 'recovery', 'risk', 'server', 'storage'].sort(),
    );
  });

  it('carries the spec keys with their defaults and allowed values', () => {
    expect(at('orchestration.plan_execution.timeout_seconds').default).toBe(30);
    expect(at('orchestration.plan_execution.retry_policy.max_retries')).toMatchObject({ type: 'integer', default: 3, minimum: 0, maximum: 100 });
    expect(at('orchestration.plan_execution.retry_policy.backoff_strategy')).toMatchObject({
      default: 'exponential',
      enum: ['constant', 'linear', 'exponential'],
    });
    expect(at('orchestration.plan_execution.error_handling.on_api_failure').enum).toEqual(['rollback_ledger', 'alert_only', 'continue']);
    expect(at('orchestration.plan_execution.error_handling.on_ledger_failure').default).toBe('alert_admin');
    expect(at('orchestration.plan_execution.error_handling.on_journal_failure').default).toBe('continue');
    expect(at('orchestration.plan_execution.monitoring.alert_on_slow_execution_ms').default).toBe(1000);
    expect(at('orchestration.flow_termination.alert_on_error').default).toBe(true);
    expect(at('connector.type').enum).toEqual(['paper', 'ccxt']);
    expect(at('connector.paper.instruments').default).toEqual({});
  });

  it('rejects unknown keys in every section', () => {
    walkJsonSchemaProperties(schema, (path, node) => {
      if (node.type === 'object' && node.properties !== undefined) expect(node.additionalProperties, path).toBe(false);
    });
  });

  it('decimal keys accept a decimal string or a number', () => {
    expect(at('connector.paper.taker_fee_rate')).toMatchObject({
      default: '0.001',
      anyOf: [{ type: 'string', pattern: DECIMAL_PATTERN }, { type: 'number' }],
    });
    expect(at('connector.paper.instruments.*.tick_size').anyOf).toHaveLength(2);
    expect(at('connector.paper.instruments.*').required).toEqual(['tick_size', 'lot_size', 'min_quantity', 'min_notional', 'reference_price']);
  });

  it('the decimal pattern agrees with the decimal field on arbitrary text', () => {
    const pattern = new RegExp(DECIMAL_PATTERN);
    const field = decimalField({ sign: 'any' });
    const text = fc.oneof(fc.string({ maxLength: 12 }), fc.stringMatching(/^[+-]?[0-9]{0,6}\.?[0-9]{0,6}([eE][+-]?[0-9]{1,3})?$/));
    fc.assert(
      fc.property(text, (s) => {
        const accepted = field.safeParse(s).success;
        const issueRule = field.safeParse(s).error?.issues[0] as { params?: { rule?: string } } | undefined;
        // the field trims and bounds magnitude and scale; the pattern judges the form only
        if (s.trim() === s && issueRule?.params?.rule !== 'magnitude' && issueRule?.params?.rule !== 'scale') {
          expect(pattern.test(s)).toBe(accepted);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('describes every key', () => {
    walkJsonSchemaProperties(schema, (path, node) => {
      if (path.startsWith('environments')) return;
      expect(node.description, path).toBe(KEY_DESCRIPTIONS[path]);
      expect(typeof node.description, path).toBe('string');
    });
  });

  it('environments are deep-partial overlays: no required keys, no defaults', () => {
    const environments = at('environments');
    expect(Object.keys(obj(environments, 'properties'))).toEqual(['backtest', 'paper', 'live']);
    expect(environments.additionalProperties).toBe(false);
    expect(obj(environments, 'properties', 'live', 'anyOf', '0')).toEqual({ $ref: '#/definitions/environment_overlay' });
    const overlay = obj(schema, 'definitions', 'environment_overlay');
    expect(JSON.stringify(overlay)).not.toContain('"default"');
    expect(JSON.stringify(overlay)).not.toContain('"required"');
    expect(obj(overlay, 'properties', 'connector', 'properties', 'type').enum).toEqual(['paper', 'ccxt']);
  });
});
