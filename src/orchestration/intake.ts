import { decodeDirectiveJson, IDENTIFIER, parseDirective, type ExecutionDirective } from '../domain/directive.js';
import type { DirectiveSubmission } from '../domain/dto.js';
import { ValidationError } from '../domain/errors.js';
import { invalidInputFlowId } from '../domain/ids.js';

/** Raw input kept in the journal for a rejected submission: enough to see what came, bounded. */
export const MAX_RAW_JOURNALED = 4 * 1024;

export type Intake =
  | { readonly kind: 'valid'; readonly directive: ExecutionDirective; readonly line: number | null }
  | {
      readonly kind: 'invalid';
      /** Stable for the same bytes: resubmitting the same bad input is a duplicate of the failed flow. */
      readonly flowId: string;
      readonly raw: string;
      readonly error: ValidationError;
      /** Reported when the input carries them as valid identifiers; they do not reserve the id. */
      readonly directiveId: string | null;
      readonly strategyId: string | null;
      readonly line: number | null;
    };

function rawText(input: unknown): string {
  if (typeof input === 'string') return input;
  try {
    return JSON.stringify(input) ?? String(input);
  } catch {
    return String(input);
  }
}

function identifierAt(value: unknown, key: string): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && IDENTIFIER.test(field) ? field : null;
}

/** Decode and validate one submission. Never throws: bad input becomes an `invalid` intake. */
export function runIntake(submission: DirectiveSubmission): Intake {
  const line = typeof submission?.source?.line === 'number' ? submission.source.line : null;
  const input: unknown = submission?.input;
  let decoded: unknown = input;
  try {
    if (typeof input === 'string') decoded = decodeDirectiveJson(input);
    return { kind: 'valid', directive: parseDirective(decoded), line };
  } catch (error) {
    const base = error instanceof ValidationError ? error : new ValidationError([{ path: '', rule: 'invalid', message: String(error) }]);
    const raw = rawText(input);
    return {
      kind: 'invalid',
      flowId: invalidInputFlowId(raw),
      raw,
      error: line === null ? base : new ValidationError(base.issues, `line ${line}`),
      directiveId: identifierAt(decoded, 'directive_id'),
      strategyId: identifierAt(decoded, 'strategy_id'),
      line,
    };
  }
}

export function truncateRaw(raw: string): { readonly raw: string; readonly raw_truncated: boolean } {
  return raw.length > MAX_RAW_JOURNALED ? { raw: raw.slice(0, MAX_RAW_JOURNALED), raw_truncated: true } : { raw, raw_truncated: false };
}
