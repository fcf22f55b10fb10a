import { z } from 'zod';
import { KEY_DESCRIPTIONS } from './key-descriptions.js';
import { redactConfig } from './redact.js';
import { defaultConfig, ENVIRONMENT_NAMES, PlatformConfigSchema } from './schema.js';
import { isDecimalSchema } from './schema-walk.js';

type JsonObject = Record<string, unknown>;

/** The decimal text decimalField accepts (src/domain/decimal-field.ts); a test keeps the two in agreement. */
export const DECIMAL_PATTERN = '^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d{1,4})?$';

const OVERLAY_DEFINITION = 'environment_overlay';

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Calls `visit` for each object-valued property schema with its key path (`*` for map keys). */
export function walkJsonSchemaProperties(schema: unknown, visit: (path: string, node: JsonObject) => void, prefix = ''): void {
  if (!isObject(schema)) return;
  if (isObject(schema.properties)) {
    for (const [key, child] of Object.entries(schema.properties)) {
      if (!isObject(child)) continue;
      const path = prefix === '' ? key : `${prefix}.${key}`;
      visit(path, child);
      walkJsonSchemaProperties(child, visit, path);
    }
  }
  if (isObject(schema.additionalProperties) && isObject(schema.additionalProperties.properties)) {
    walkJsonSchemaProperties(schema.additionalProperties, visit, prefix === '' ? '*' : `${prefix}.*`);
  }
}

/** An overlay changes only what it names: nothing is required and nothing has a default. */
function toOverlay(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOverlay);
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'default' || key === 'required' || key === '$schema') continue;
    out[key] = toOverlay(value);
  }
  return out;
}

function valueAt(data: unknown, path: string): unknown {
  let current = data;
  for (const segment of path.split('.')) {
    if (!isObject(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/** Zod's int() bounds (±2⁵³−1) say nothing to a reader; drop them. */
function dropSafeIntegerBounds(node: JsonObject): void {
  if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
  if (node.minimum === Number.MIN_SAFE_INTEGER) delete node.minimum;
}

function baseSchema(): JsonObject {
  return z.toJSONSchema(PlatformConfigSchema, {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'any',
    override: (ctx) => {
      if (isDecimalSchema(ctx.zodSchema as unknown as z.ZodType)) {
        Object.assign(ctx.jsonSchema, {
          anyOf: [{ type: 'string', pattern: DECIMAL_PATTERN }, { type: 'number' }],
        });
      }
    },
  }) as JsonObject;
}

/**
 * JSON Schema (draft-07, which every YAML editor understands) of the platform.yaml file format:
 * the base sections plus `environments:` overlays, with each key's description and default.
 * Decimal keys accept a decimal string or a number (read through its text).
 */
export function configJsonSchema(): JsonObject {
  const base = baseSchema();
  const defaults = redactConfig(defaultConfig(), new Set());
  walkJsonSchemaProperties(base, (path, node) => {
    const description = KEY_DESCRIPTIONS[path];
    if (description !== undefined) node.description = description;
    dropSafeIntegerBounds(node);
    const fallback = path.includes('*') ? undefined : valueAt(defaults, path);
    if (node.default === undefined && fallback !== undefined && !isObject(node.properties)) node.default = fallback;
  });
  const { $schema: _drop, ...body } = base;
  const overlayRef = { $ref: `#/definitions/${OVERLAY_DEFINITION}` };
  const environments = Object.fromEntries(
    ENVIRONMENT_NAMES.map((name) => [name, { description: KEY_DESCRIPTIONS[`environments.${name}`], anyOf: [overlayRef, { type: 'null' }] }]),
  );
  const properties = isObject(body.properties) ? body.properties : {};
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'planexec platform.yaml',
    description: 'Configuration of planexec. Every key has a default; an empty file (or none) is valid.',
    ...body,
    properties: {
      ...properties,
      environments: {
        description: KEY_DESCRIPTIONS.environments,
        type: 'object',
        properties: environments,
        additionalProperties: false,
      },
    },
    definitions: {
      [OVERLAY_DEFINITION]: {
        description: 'Any of the base sections; mappings merge into the base key by key, scalars and lists replace.',
        ...(toOverlay(body) as JsonObject),
      },
    },
  };
}
