import { isLosslessNumber } from 'lossless-json';

/**
 * A journal body as it is stored and hashed: JSON.stringify's text (members in the order the body
 * was built, `toJSON` honoured: Decimal → string, Date → ISO, undefined members dropped; a
 * lossless number → its text, as toWire writes it), except
 * that non-finite numbers and bigints are refused with their path instead of becoming null. The
 * hash chain covers the stored text itself, so no canonical key order is needed: verifying never
 * re-serialises, and the native serialiser costs a third of a sorting one on the hot path.
 */
export function bodyJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, refuseUnrepresentable);
  } catch (error) {
    if (error instanceof Unrepresentable) throw new TypeError(`bodyJson: ${error.what} at ${pathOf(value, error.culprit) ?? '$'}${error.hint}`);
    throw error;
  }
  if (text === undefined) throw new TypeError('bodyJson: value is not representable in JSON');
  return text;
}

/** Thrown by the replacer; the path is found only then (building it for every member costs every entry). */
class Unrepresentable extends Error {
  constructor(
    readonly what: string,
    readonly culprit: unknown,
    readonly hint = '',
  ) {
    super(what);
  }
}

function refuseUnrepresentable(_key: string, value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new Unrepresentable('non-finite number', value);
      return value;
    case 'bigint':
      throw new Unrepresentable('bigint', value, ' (use a string)');
    case 'object':
      // a number read losslessly from input is written as its text, as toWire does
      return value !== null && isLosslessNumber(value) ? value.value : value;
    default:
      return value;
  }
}

/** Where `culprit` sits in `value`, as `$.a[0].b`. */
function pathOf(value: unknown, culprit: unknown, path = '$'): string | undefined {
  if (Object.is(value, culprit)) return path;
  if (value === null || typeof value !== 'object') return undefined;
  const object = value as { toJSON?: (key: string) => unknown };
  if (typeof object.toJSON === 'function') return pathOf(object.toJSON(''), culprit, path);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = pathOf(value[i], culprit, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const found = pathOf((value as Record<string, unknown>)[key], culprit, `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
