import { isLosslessNumber, parse as parseLossless } from 'lossless-json';
import { z } from 'zod';
import { type Decimal, decimalToWire, isDecimal } from './decimal.js';
import { decimalField } from './decimal-field.js';
import { ENTRY_ORDER_TYPES } from './enums.js';
import { ValidationError, type ValidationIssue } from './errors.js';

/** Identifiers: 1–128 characters of [A-Za-z0-9_.:-]. */
export const IDENTIFIER = /^[A-Za-z0-9_.:-]{1,128}$/;
/** ISO-8601 with a time zone, e.g. 2026-11-24T10:15:00Z or 2026-11-24T10:15:00.123+00:00. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export const MAX_DIRECTIVE_BYTES = 64 * 1024;
export const MAX_RATIONALE_LENGTH = 2000;
export const MAX_TRIGGER_CONTEXT_BYTES = 16 * 1024;
export const MAX_TRIGGER_CONTEXT_DEPTH = 8;
export const MAX_TARGET_TRADES = 100;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A string matching `re`; a mismatch reports `rule`. */
function pattern(re: RegExp, rule: string, message: string) {
  return z.string().refine((s) => re.test(s), { params: { rule }, message });
}

const identifier = pattern(IDENTIFIER, 'identifier', 'must be 1-128 characters of [A-Za-z0-9_.:-]');

const timestamp = pattern(ISO_TIMESTAMP, 'iso8601', 'must be an ISO-8601 timestamp with a time zone, e.g. 2026-11-24T10:15:00Z').refine(
  (s) => !Number.isNaN(Date.parse(s)),
  { params: { rule: 'iso8601' }, message: 'is not a real date and time' },
);

function jsonDepthAndKeys(value: unknown, depth: number, issues: string[]): number {
  if (value === null || typeof value !== 'object') return depth;
  if (depth > MAX_TRIGGER_CONTEXT_DEPTH) return depth;
  let deepest = depth;
  for (const [key, child] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) issues.push(key);
    deepest = Math.max(deepest, jsonDepthAndKeys(child, depth + 1, issues));
  }
  return deepest;
}

/** Free-form causality context from the planner, bounded in size and depth, with safe keys only. */
const triggerContext = z.any().superRefine((value, ctx) => {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isLosslessNumber(value)) {
    ctx.addIssue({ code: 'custom', message: 'must be an object', params: { rule: 'object' } });
    return;
  }
  const forbidden: string[] = [];
  const depth = jsonDepthAndKeys(value, 1, forbidden);
  if (depth > MAX_TRIGGER_CONTEXT_DEPTH) {
    ctx.addIssue({ code: 'custom', message: `must nest at most ${MAX_TRIGGER_CONTEXT_DEPTH} levels`, params: { rule: 'max_depth' } });
    return;
  }
  for (const key of forbidden) {
    ctx.addIssue({ code: 'custom', message: `key "${key}" is not allowed`, params: { rule: 'forbidden_key' } });
  }
  if (forbidden.length === 0 && JSON.stringify(value).length > MAX_TRIGGER_CONTEXT_BYTES) {
    ctx.addIssue({ code: 'custom', message: `must serialise to at most ${MAX_TRIGGER_CONTEXT_BYTES} bytes`, params: { rule: 'max_size' } });
  }
});

export const EntryPlanSchema = z.strictObject({
  symbol: pattern(/^[A-Z0-9]{1,20}_[A-Z0-9]{1,20}$/, 'symbol', 'must be BASE_QUOTE in capitals, e.g. BTC_USDT'),
  direction: z.enum(['BUY', 'SELL']),
  order_type: z.enum(ENTRY_ORDER_TYPES),
  limit_price: decimalField().optional(),
  stop_price: decimalField().optional(),
});

export const SizePlanSchema = z.strictObject({
  /** Absolute target size in the base asset (MODIFY: the desired size, not a delta). */
  position_size: decimalField(),
  position_value: decimalField().optional(),
  risk_amount: decimalField().optional(),
  leverage: decimalField({ max: '125' }).optional(),
});

export const ExitPlanSchema = z.strictObject({
  stop_loss_price: decimalField().optional(),
  take_profit_price: decimalField().optional(),
});

export const RoutingPlanSchema = z.strictObject({
  execution_urgency: decimalField({ sign: 'non_negative', max: '1' }).optional(),
  max_slippage_pct: decimalField({ sign: 'non_negative', max: '1' }).optional(),
  time_in_force: z.enum(['GTC', 'IOC', 'FOK']).optional(),
  must_complete_immediately: z.boolean().optional(),
});

export const ExecutionDirectiveSchema = z.strictObject({
  directive_id: identifier,
  strategy_id: identifier,
  scope: z.enum(['NEW_TRADE', 'MODIFY_EXISTING', 'CLOSE_EXISTING']),
  timestamp,
  trigger_context: triggerContext.optional(),
  rationale: z.string().max(MAX_RATIONALE_LENGTH).optional(),
  target_trade_ids: z
    .array(identifier)
    .max(MAX_TARGET_TRADES)
    .refine((ids) => new Set(ids).size === ids.length, { params: { rule: 'unique' }, message: 'must not repeat a trade id' })
    .optional(),
  entry_plan: EntryPlanSchema.optional(),
  size_plan: SizePlanSchema.optional(),
  exit_plan: ExitPlanSchema.optional(),
  routing_plan: RoutingPlanSchema.optional(),
});

export type EntryPlan = z.output<typeof EntryPlanSchema>;
export type SizePlan = z.output<typeof SizePlanSchema>;
export type ExitPlan = z.output<typeof ExitPlanSchema>;
export type RoutingPlan = z.output<typeof RoutingPlanSchema>;
export type ExecutionDirective = z.output<typeof ExecutionDirectiveSchema>;

/** The JSON shape of a directive, with decimals as strings. */
export type ExecutionDirectiveWire = z.input<typeof ExecutionDirectiveSchema>;

const PLAN_KEYS = ['entry_plan', 'size_plan', 'exit_plan', 'routing_plan'] as const;

/** Scope and cross-field rules (DESIGN §2), checked on the already-decoded directive. */
function crossFieldIssues(d: ExecutionDirective): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, rule: string, message: string): void => {
    issues.push({ path, rule, message });
  };
  const targets = d.target_trade_ids ?? [];
  switch (d.scope) {
    case 'NEW_TRADE':
      if (!d.entry_plan) add('entry_plan', 'required_for_scope', 'NEW_TRADE requires entry_plan');
      if (!d.size_plan) add('size_plan', 'required_for_scope', 'NEW_TRADE requires size_plan');
      if (!d.routing_plan) add('routing_plan', 'required_for_scope', 'NEW_TRADE requires routing_plan');
      if (targets.length > 0) add('target_trade_ids', 'forbidden_for_scope', 'NEW_TRADE must not name target_trade_ids');
      break;
    case 'MODIFY_EXISTING':
      if (!PLAN_KEYS.some((k) => d[k] !== undefined)) add('(plans)', 'required_for_scope', 'MODIFY_EXISTING requires at least one plan');
      if (targets.length === 0) add('target_trade_ids', 'required_for_scope', 'MODIFY_EXISTING requires target_trade_ids');
      break;
    case 'CLOSE_EXISTING':
      if (targets.length === 0) add('target_trade_ids', 'required_for_scope', 'CLOSE_EXISTING requires target_trade_ids');
      if (!d.routing_plan) add('routing_plan', 'required_for_scope', 'CLOSE_EXISTING requires routing_plan');
      break;
  }
  const entry = d.entry_plan;
  if (entry) {
    if ((entry.order_type === 'LIMIT' || entry.order_type === 'STOP_LIMIT') && !entry.limit_price) {
      add('entry_plan.limit_price', 'required_for_order_type', `${entry.order_type} requires limit_price`);
    }
    if (entry.order_type === 'STOP_LIMIT' && !entry.stop_price) {
      add('entry_plan.stop_price', 'required_for_order_type', 'STOP_LIMIT requires stop_price');
    }
    if (entry.order_type === 'MARKET' && entry.limit_price) {
      add('entry_plan.limit_price', 'forbidden_for_order_type', 'MARKET must not carry limit_price');
    }
    if (entry.order_type !== 'STOP_LIMIT' && entry.stop_price) {
      add('entry_plan.stop_price', 'forbidden_for_order_type', `${entry.order_type} must not carry stop_price`);
    }
  }
  const exit = d.exit_plan;
  if (exit && !exit.stop_loss_price && !exit.take_profit_price) {
    add('exit_plan', 'not_empty', 'exit_plan needs stop_loss_price or take_profit_price');
  }
  if (exit && entry) {
    const sl = exit.stop_loss_price;
    const tp = exit.take_profit_price;
    const ref: Decimal | undefined = entry.limit_price;
    const buy = entry.direction === 'BUY';
    const side = buy ? 'below' : 'above';
    const other = buy ? 'above' : 'below';
    if (sl && ref && (buy ? !sl.lt(ref) : !sl.gt(ref))) {
      add('exit_plan.stop_loss_price', 'stop_loss_side', `a ${entry.direction}'s stop loss must lie ${side} its entry price`);
    }
    if (tp && ref && (buy ? !tp.gt(ref) : !tp.lt(ref))) {
      add('exit_plan.take_profit_price', 'take_profit_side', `a ${entry.direction}'s take profit must lie ${other} its entry price`);
    }
    if (sl && tp && (buy ? !sl.lt(tp) : !sl.gt(tp))) {
      add('exit_plan.take_profit_price', 'take_profit_side', `a ${entry.direction}'s take profit must lie ${other} its stop loss`);
    }
  }
  return issues;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

/** zod issues → planexec issues: one per violated field path, with the rule's stable name. */
export function zodIssues(error: z.ZodError, input?: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const path = issuePath(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) out.push({ path: path ? `${path}.${key}` : key, rule: 'unknown_field', message: 'is not a known field' });
        break;
      case 'invalid_type': {
        const missing = valueAt(input, issue.path) === undefined;
        out.push({ path, rule: missing ? 'required' : 'type', message: missing ? 'is required' : `must be ${issue.expected}` });
        break;
      }
      case 'invalid_value':
        out.push({ path, rule: 'enum', message: `must be one of ${issue.values.map((v) => String(v)).join(', ')}` });
        break;
      case 'too_big':
        out.push({ path, rule: ruleOf(issue) ?? (issue.origin === 'array' ? 'max_items' : 'max_length'), message: issue.message });
        break;
      case 'too_small':
        out.push({ path, rule: ruleOf(issue) ?? 'min', message: issue.message });
        break;
      default:
        out.push({ path, rule: ruleOf(issue) ?? issue.code, message: issue.message });
    }
  }
  return out;
}

function ruleOf(issue: z.core.$ZodIssue): string | undefined {
  const params = (issue as { params?: { rule?: unknown } }).params;
  return typeof params?.rule === 'string' ? params.rule : undefined;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Validate a decoded JSON value as an ExecutionDirective. Throws ValidationError only. */
export function parseDirective(input: unknown): ExecutionDirective {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError([{ path: '', rule: 'object', message: 'a directive must be a JSON object' }]);
  }
  const result = ExecutionDirectiveSchema.safeParse(input);
  if (!result.success) throw new ValidationError(zodIssues(result.error, input));
  const issues = crossFieldIssues(result.data);
  if (issues.length > 0) throw new ValidationError(issues);
  return result.data;
}

/** Any JSON number token outside a string could lose digits in JSON.parse; such text goes the lossless way. */
const NUMBER_TOKEN = /[:[,]\s*-?\d/;

/** Decode one JSON Lines line (bounded, numbers kept as text). Throws ValidationError only. */
export function decodeDirectiveJson(text: string): unknown {
  if (Buffer.byteLength(text, 'utf8') > MAX_DIRECTIVE_BYTES) {
    throw new ValidationError([{ path: '', rule: 'max_size', message: `a directive line must be at most ${MAX_DIRECTIVE_BYTES} bytes` }]);
  }
  try {
    return NUMBER_TOKEN.test(text) ? parseLossless(text) : JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ValidationError([{ path: '', rule: 'json', message: `is not valid JSON (${detail})` }]);
  }
}

/** Decode and validate one line of input. Throws ValidationError only. */
export function parseDirectiveLine(text: string): ExecutionDirective {
  return parseDirective(decodeDirectiveJson(text));
}

/** The wire form of a directive: decimals as canonical strings, nothing added. */
export function directiveToWire(d: ExecutionDirective): ExecutionDirectiveWire {
  return toWire(d) as ExecutionDirectiveWire;
}

/** Deep copy for the wire: Decimal → canonical string, lossless numbers → their text. */
export function toWire(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isLosslessNumber(value)) return value.value;
  if (isDecimal(value)) return decimalToWire(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toWire);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (child !== undefined) Object.defineProperty(out, key, { value: toWire(child), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
