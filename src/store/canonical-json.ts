/**
 * Canonical JSON: object keys sorted (UTF-16 code unit order), no whitespace, `toJSON` honoured
 * (Decimal → string, Date → ISO), undefined members dropped as JSON.stringify does. The same
 * value always gives the same text, which is what the journal's hash chain needs.
 * Non-finite numbers and bigints are refused rather than silently turned into null.
 */
export function canonicalJson(value: unknown): string {
  const text = write(value, '$');
  if (text === undefined) throw new TypeError('canonicalJson: value is not representable in JSON');
  return text;
}

function write(value: unknown, path: string): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${path}`);
      return JSON.stringify(value);
    case 'bigint':
      throw new TypeError(`canonicalJson: bigint at ${path} (use a string)`);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  const object = value as { toJSON?: (key: string) => unknown };
  if (typeof object.toJSON === 'function') return write(object.toJSON(''), path);
  if (Array.isArray(value)) {
    const items = value.map((item, index) => write(item, `${path}[${index}]`) ?? 'null');
    return `[${items.join(',')}]`;
  }
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const text = write(record[key], `${path}.${key}`);
    if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(',')}}`;
}
