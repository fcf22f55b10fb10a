function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An environment overlay over the base: mappings merge key by key; scalars and lists replace. */
export function deepMerge(base: unknown, overlay: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overlay)) return overlay === undefined ? base : overlay;
  const out: Record<string, unknown> = {};
  for (const source of [base, overlay]) {
    for (const key of Object.keys(source)) {
      const value = Object.hasOwn(out, key) ? deepMerge(out[key], source[key]) : source[key];
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}
