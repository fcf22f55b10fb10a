/**
 * Canonical JSON: object keys sorted (UTF-16 code unit order), no whitespace, `toJSON` honoured
 * (Decimal → string, Date → ISO), undefined members dropped as JSON.stringify does. The same
 * value always gives the same text, which is what the journal's hash chain needs.
 * Non-finite numbers and bigints are refused rather than silently turned into null.
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = write(value);
  } catch (error) {
    if (error instanceof Unrepresentable) throw new TypeError(`canonicalJson: ${error.what} at ${pathOf(value, error.culprit) ?? '$'}${error.hint}`);
    throw error;
  }
  if (text === undefined) throw new TypeError('canonicalJson: value is not representable in JSON');
  return text;
}

/** Thrown by the writer; the path is found only then (building it for every member costs every entry). */
class Unrepresentable extends Error {
  constructor(
    readonly what: string,
    readonly culprit: unknown,
    readonly hint = '',
  ) {
    super(what);
  }
}

function write(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Unrepresentable('non-finite number', value);
      return JSON.stringify(value);
    case 'bigint':
      throw new Unrepresentable('bigint', value, ' (use a string)');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  const object = value as { toJSON?: (key: string) => unknown };
  if (typeof object.toJSON === 'function') return write(object.toJSON(''));
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) text += ',';
      text += write(value[i]) ?? 'null';
    }
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let text = '{';
  let first = true;
  for (const key of keys) {
    const member = write(record[key]);
    if (member === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(key)}:${member}`;
    first = false;
  }
  return `${text}}`;
}

/** Where `culprit` sits in `value`, as `$.a[0].b` (sorted key order, as written). */
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
  for (const key of Object.keys(value).sort()) {
    const found = pathOf((value as Record<string, unknown>)[key], culprit, `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
