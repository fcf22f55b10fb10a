import type { ValidationIssue } from '../domain/errors.js';

/** One refused field of a request: `index` is the item of a batch (null for a single object or a query). */
export interface ApiIssue extends ValidationIssue {
  readonly index: number | null;
}

/**
 * An answer other than success, as the API contract writes it: `{"error": code, "message", ...extra}`.
 * Thrown by route handlers; the server's error handler turns it into the reply.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly extra: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, extra: Readonly<Record<string, unknown>> = {}, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.extra = extra;
    this.headers = headers;
  }

  body(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.extra };
  }
}

/** 400 naming every refused field with its rule. */
export function validationError(issues: readonly ApiIssue[], what = 'request'): ApiError {
  const list = issues.map((i) => `${i.index === null ? '' : `[${i.index}] `}${i.path || '(root)'}: ${i.message} [${i.rule}]`).join('; ');
  return new ApiError(400, 'validation', `invalid ${what}: ${list}`, { issues });
}

export function notFound(message: string): ApiError {
  return new ApiError(404, 'not_found', message);
}
