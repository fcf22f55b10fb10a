import { isLosslessNumber } from 'lossless-json';
import { z } from 'zod';
import { Decimal } from './decimal.js';

/** Plain decimal text as it may appear on the wire ("65000.10", "-1.5", "2e-3"). */
const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$/;
/** Beyond this exponent a number is an attack ("1e999999"), whatever its mantissa. */
const MAX_EXPONENT = 100;
/** Larger magnitudes are not prices or quantities but typos or attacks. */
export const MAX_DECIMAL_MAGNITUDE = new Decimal('1e15');
/** Decimal places accepted on input: well beyond any venue's tick or lot. */
export const MAX_DECIMAL_SCALE = 18;

export interface DecimalRule {
  /** 'positive': > 0 (default); 'non_negative': >= 0; 'any': no sign rule. */
  readonly sign?: 'positive' | 'non_negative' | 'any';
  /** Inclusive lower bound, e.g. 1 for leverage. */
  readonly min?: string;
  /** Inclusive upper bound, e.g. 1 for fractions. */
  readonly max?: string;
  /**
   * Most decimal places accepted (default 18). Records planexec computed itself (averages, PnL)
   * carry up to the Decimal precision, 40, and are decoded with that.
   */
  readonly maxScale?: number;
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

const DECIMAL_MESSAGE = 'must be a decimal string such as "65000.10"';

/**
 * A decimal on the wire (string, or JSON number read through its text) decoded to a Decimal.
 * Every failure names its rule in `params.rule`: required, decimal, magnitude, scale, positive,
 * non_negative, min, max. The checks are built once per field, so parsing stays cheap.
 */
export function decimalField(rule: DecimalRule = {}) {
  const sign = rule.sign ?? 'positive';
  const min = rule.min === undefined ? undefined : new Decimal(rule.min);
  const max = rule.max === undefined ? undefined : new Decimal(rule.max);
  const maxScale = rule.maxScale ?? MAX_DECIMAL_SCALE;
  // Room for sign, point, exponent and 15 integer digits around the widest fraction allowed.
  const maxTextLength = Math.max(64, maxScale + 24);
  return z.any().transform((input: unknown, ctx): Decimal => {
    if (input === undefined) return fail(ctx, input, 'required', 'is required');
    const text = decimalText(input);
    if (text === undefined || text.length > maxTextLength) return fail(ctx, input, 'decimal', DECIMAL_MESSAGE);
    const match = DECIMAL_TEXT.exec(text);
    if (match === null) return fail(ctx, input, 'decimal', DECIMAL_MESSAGE);
    const exponent = match[1];
    if (exponent !== undefined && Math.abs(Number(exponent)) > MAX_EXPONENT) {
      return fail(ctx, input, 'magnitude', `exponent must lie within ±${MAX_EXPONENT}`);
    }
    const value = new Decimal(text);
    if (!value.isFinite() || value.abs().gt(MAX_DECIMAL_MAGNITUDE)) {
      return fail(ctx, input, 'magnitude', `must lie within ±${MAX_DECIMAL_MAGNITUDE.toFixed()}`);
    }
    if (value.decimalPlaces() > maxScale) {
      return fail(ctx, input, 'scale', `must have at most ${maxScale} decimal places`);
    }
    if (sign === 'positive' && !value.gt(0)) return fail(ctx, input, 'positive', 'must be greater than 0');
    if (sign === 'non_negative' && value.lt(0)) return fail(ctx, input, 'non_negative', 'must not be negative');
    if (min !== undefined && value.lt(min)) return fail(ctx, input, 'min', `must be at least ${min.toFixed()}`);
    if (max !== undefined && value.gt(max)) return fail(ctx, input, 'max', `must be at most ${max.toFixed()}`);
    return value.isZero() ? new Decimal(0) : value;
  });
}
