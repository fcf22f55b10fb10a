import { decodeDirectiveJson, IDENTIFIER, MAX_DIRECTIVE_BYTES, parseDirective, type ExecutionDirective } from '../domain/directive.js';
import type { DirectiveSubmission } from '../domain/dto.js';
import { ValidationError } from '../domain/errors.js';
import { IdPrefix, invalidInputFlowId } from '../domain/ids.js';

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

type Invalid = Extract<Intake, { kind: 'invalid' }>;

function invalid(raw: string, flowId: string, issue: ValidationError['issues'][number], line: number | null, ids: Pick<Invalid, 'directiveId' | 'strategyId'>): Invalid {
  return { kind: 'invalid', flowId, raw, error: new ValidationError([issue], line === null ? undefined : `line ${line}`), ...ids, line };
}

/** Decode and validate one submission. Never throws: bad input becomes an `invalid` intake. */
export function runIntake(submission: DirectiveSubmission): Intake {
  const line = typeof submission?.source?.line === 'number' ? submission.source.line : null;
  const input: unknown = submission?.input;
  const oversize = submission?.oversize;
  if (oversize) {
    // the intake kept only the start of it: the same bytes still give the same flow, through their hash
    const issue = { path: '', rule: 'max_size', message: `a directive line must be at most ${MAX_DIRECTIVE_BYTES} bytes; this one has ${oversize.bytes}` };
    return invalid(rawText(input), `${IdPrefix.INVALID_INPUT}_${oversize.sha256.slice(0, 24)}`, issue, line, { directiveId: null, strategyId: null });
  }
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

/**
 * intake.max_directive_age_seconds, checked when the directive is accepted (its turn came, the
 * flow is about to begin): a directive whose `timestamp` is older than that becomes an invalid
 * intake, refused like any validation failure. `maxAgeSeconds` 0 or null: no limit.
 */
export function refuseStale(intake: Intake, submission: DirectiveSubmission, nowMs: number, maxAgeSeconds: number | null): Intake {
  if (intake.kind !== 'valid' || !maxAgeSeconds) return intake;
  const issuedMs = Date.parse(intake.directive.timestamp);
  const ageMs = nowMs - issuedMs;
  if (!Number.isFinite(issuedMs) || ageMs <= maxAgeSeconds * 1000) return intake;
  const raw = rawText(submission.input);
  const issue = {
    path: 'timestamp',
    rule: 'max_age',
    message: `was issued ${formatSeconds(ageMs)} s before acceptance: older than intake.max_directive_age_seconds (${maxAgeSeconds} s)`,
  };
  return invalid(raw, invalidInputFlowId(raw), issue, intake.line, { directiveId: intake.directive.directive_id, strategyId: intake.directive.strategy_id });
}

function formatSeconds(ms: number): string {
  return (Math.floor(ms / 100) / 10).toFixed(1);
}
