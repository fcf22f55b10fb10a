import { isLosslessNumber } from 'lossless-json';
import { z } from 'zod';
import { Decimal } from './decimal.js';

/** Plain decimal text as it may appear on the wire ("65000.10", "-1.5", "2e-3"). */
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,4})?$/;
const MAX_TEXT_LENGTH = 64;
/** Larger magnitudes are not prices or quantities but typos or attacks. */
const MAX_MAGNITUDE = new Decimal('1e15');
const MAX_SCALE = 18;

export interface DecimalRule {
  /** 'positive': > 0; 'non_negative': >= 0; 'any': no sign rule. */
  readonly sign?: 'positive' | 'non_negative' | 'any';
  /** Inclusive upper bound, e.g. 1 for fractions. */
  readonly max?: string;
}

type Ctx = z.core.$RefinementCtx;

function fail(ctx: Ctx, input: unknown, rule: string, message: string): typeof z.NEVER {
  ctx.addIssue({ code: 'custom', message, params: { rule }, input });
  return z.NEVER;
}

/** Text of a wire decimal: a string, a JSON number kept as text, or a finite JS number. */
function decimalText(input: unknown): string | undefined {
  if (typeof input === 'string') return input.trim();
  if (isLosslessNumber(input)) return input.value;
  if (typeof input === 'number' && Number.isFinite(input)) return String(input);
  return undefined;
}

/**
 * A decimal on the wire (string, or JSON number read through its text) decoded to a Decimal.
 * Every failure names its rule in `params.rule`.
 */
export function decimalField(rule: DecimalRule = {}) {
  const sign = rule.sign ?? 'positive';
  const max = rule.max === undefined ? undefined : new Decimal(rule.max);
  return z.any().transform((input: unknown, ctx): Decimal => {
    if (input === undefined) return fail(ctx, input, 'required', 'is required');
    const text = decimalText(input);
    if (text === undefined) return fail(ctx, input, 'decimal', 'must be a decimal string such as "65000.10"');
    if (text.length > MAX_TEXT_LENGTH || !DECIMAL_TEXT.test(text)) {
      return fail(ctx, input, 'decimal', 'must be a decimal string such as "65000.10"');
    }
    const value = new Decimal(text);
    if (!value.isFinite() || value.abs().gt(MAX_MAGNITUDE)) {
      return fail(ctx, input, 'magnitude', `must lie within ±${MAX_MAGNITUDE.toFixed()}`);
    }
    if (value.decimalPlaces() > MAX_SCALE) {
      return fail(ctx, input, 'scale', `must have at most ${MAX_SCALE} decimal places`);
    }
    if (sign === 'positive' && !value.gt(0)) return fail(ctx, input, 'positive', 'must be greater than 0');
    if (sign === 'non_negative' && value.lt(0)) return fail(ctx, input, 'non_negative', 'must not be negative');
    if (max !== undefined && value.gt(max)) return fail(ctx, input, 'max', `must be at most ${max.toFixed()}`);
    return value.isZero() ? new Decimal(0) : value;
  });
}
