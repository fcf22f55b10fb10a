import { decimalToWire, isDecimal } from '../domain/decimal.js';

export const REDACTED = '***';

/** The forms a secret can take in output: as is, and escaped inside a JSON string. */
function forms(secret: string): string[] {
  const escaped = JSON.stringify(secret).slice(1, -1);
  return escaped === secret ? [secret] : [secret, escaped];
}

/**
 * Masks every occurrence of every secret (raw or JSON-escaped) with `***`. Longer secrets are
 * masked first, so a secret that contains another is not left half visible.
 */
export function redactSecrets(text: string, secrets: ReadonlySet<string>): string {
  if (secrets.size === 0) return text;
  const all = [...secrets]
    .filter((s) => s.length > 0)
    .flatMap(forms)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const form of all) {
    if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}

function containsSecret(text: string, secrets: ReadonlySet<string>): boolean {
  return redactSecrets(text, secrets) !== text;
}

/**
 * The config as plain JSON data for output: decimals as their wire strings, and every value
 * (or key) that contains a secret masked.
 */
export function redactConfig(config: unknown, secrets: ReadonlySet<string>): unknown {
  if (isDecimal(config)) {
    const wire = decimalToWire(config);
    return containsSecret(wire, secrets) ? REDACTED : wire;
  }
  if (typeof config === 'string') return redactSecrets(config, secrets);
  if (typeof config === 'number' || typeof config === 'boolean' || typeof config === 'bigint') {
    return containsSecret(String(config), secrets) ? REDACTED : config;
  }
  if (Array.isArray(config)) return config.map((item) => redactConfig(item, secrets));
  if (config !== null && typeof config === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) {
      Object.defineProperty(out, redactSecrets(key, secrets), {
        value: redactConfig(value, secrets),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return config ?? null;
}
