import type { z } from 'zod';
import { PlatformConfigSchema } from './schema.js';

/**
 * Structural look-ups in the config schema: which key paths exist, and which hold decimals
 * (so the loader can hand them a YAML number's source text instead of a float).
 */

type Def = {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly valueType?: z.ZodType;
  readonly getter?: () => z.ZodType;
};

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** A decimal field (src/domain/decimal-field.ts) is `z.any().transform(…)`: a pipe from any into a transform. */
export function isDecimalSchema(schema: z.ZodType): boolean {
  const def = defOf(schema);
  return (
    def.type === 'pipe' &&
    def.in !== undefined &&
    def.out !== undefined &&
    defOf(def.in).type === 'any' &&
    defOf(def.out).type === 'transform'
  );
}

/** The schema with default/prefault/optional/… wrappers removed. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let depth = 0; depth < 32; depth += 1) {
    const def = defOf(current);
    if (WRAPPERS.has(def.type) && def.innerType !== undefined) current = def.innerType;
    else if (def.type === 'lazy' && def.getter !== undefined) current = def.getter();
    else if (def.type === 'pipe' && !isDecimalSchema(current) && def.in !== undefined) current = def.in;
    else return current;
  }
  return current;
}

/** The schema that validates the value at `path` (record keys match any segment), if any. */
export function schemaAtPath(path: readonly (string | number)[], root: z.ZodType = PlatformConfigSchema): z.ZodType | undefined {
  let current: z.ZodType | undefined = root;
  for (const segment of path) {
    if (current === undefined) return undefined;
    const def = defOf(unwrapSchema(current));
    if (def.type === 'object' && def.shape !== undefined) {
      current = Object.hasOwn(def.shape, String(segment)) ? def.shape[String(segment)] : undefined;
    } else if (def.type === 'record' && def.valueType !== undefined) {
      current = def.valueType;
    } else {
      return undefined;
    }
  }
  return current;
}

export function isDecimalPath(path: readonly (string | number)[]): boolean {
  const schema = schemaAtPath(path);
  return schema !== undefined && isDecimalSchema(unwrapSchema(schema));
}

/** The keys an object at `path` accepts, or [] when it is not an object with a fixed shape. */
export function objectKeysAtPath(path: readonly (string | number)[], root: z.ZodType = PlatformConfigSchema): string[] {
  const schema = schemaAtPath(path, root);
  if (schema === undefined) return [];
  const def = defOf(unwrapSchema(schema));
  return def.type === 'object' && def.shape !== undefined ? Object.keys(def.shape) : [];
}
