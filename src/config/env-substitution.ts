/** Values of the process environment, as `process.env` holds them. */
export type Environ = Readonly<Record<string, string | undefined>>;

export interface SubstitutionProblem {
  readonly rule: 'env_var_missing' | 'env_var_syntax';
  readonly message: string;
}

export interface SubstitutionResult {
  readonly text: string;
  /** True when at least one `${…}` reference was replaced. */
  readonly substituted: boolean;
  /** Values taken from the environment (not defaults written in the file): they are secrets. */
  readonly secrets: readonly string[];
  readonly problems: readonly SubstitutionProblem[];
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in a string scalar; `$${` is a literal `${`.
 * Like the shell, `:-` uses the default when the variable is unset or empty.
 */
export function substituteEnv(text: string, environ: Environ): SubstitutionResult {
  if (!text.includes('${')) return { text, substituted: false, secrets: [], problems: [] };
  const secrets: string[] = [];
  const problems: SubstitutionProblem[] = [];
  let out = '';
  let substituted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '$' && text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (ch !== '$' || text[i + 1] !== '{') {
      out += ch;
      i += 1;
      continue;
    }
    const close = text.indexOf('}', i + 2);
    const inner = close === -1 ? undefined : text.slice(i + 2, close);
    const match = inner === undefined ? null : REFERENCE.exec(inner);
    if (match === null || close === -1) {
      problems.push({
        rule: 'env_var_syntax',
        message: 'invalid environment reference: write ${NAME} or ${NAME:-default} (or $${ for a literal ${)',
      });
      out += text.slice(i);
      break;
    }
    const name = match[1] as string;
    const fallback = match[2];
    const value = environ[name];
    substituted = true;
    if (fallback !== undefined && (value === undefined || value === '')) {
      out += fallback;
    } else if (value === undefined) {
      problems.push({
        rule: 'env_var_missing',
        message: `environment variable ${name} is not set (write \${${name}:-default} to give a default)`,
      });
    } else {
      if (value !== '') secrets.push(value);
      out += value;
    }
    i = close + 1;
  }
  return { text: out, substituted, secrets, problems };
}
