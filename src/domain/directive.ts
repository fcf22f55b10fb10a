import { isLosslessNumber, isSafeNumber, parse as parseLossless } from 'lossless-json';
import { z } from 'zod';
import { decimalToWire, isDecimal } from './decimal.js';
import { decimalField } from './decimal-field.js';
import { ENTRY_ORDER_TYPES, Scope } from './enums.js';
import { ValidationError, type ValidationIssue } from './errors.js';

/** Identifiers: 1–128 characters of [A-Za-z0-9_.:-]. */
export const IDENTIFIER = /^[A-Za-z0-9_.:-]{1,128}$/;
/** ISO-8601 with a time zone, e.g. 2026-11-24T10:15:00Z or 2026-11-24T10:15:00.123+00:00. */
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

export const MAX_DIRECTIVE_BYTES = 64 * 1024;
export const MAX_RATIONALE_LENGTH = 2000;
export const MAX_TRIGGER_CONTEXT_BYTES = 16 * 1024;
export const MAX_TRIGGER_CONTEXT_DEPTH = 8;
export const MAX_TARGET_TRADES = 100;
/** Keys that could reach a prototype if someone later merges the value into an object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Longer keys are shortened in issue paths, so an attack does not grow the error message. */
const MAX_PATH_KEY_LENGTH = 64;

/** A string matching `re`; a mismatch reports `rule`. */
function pattern(re: RegExp, rule: string, message: string) {
  return z.string().refine((s) => re.test(s), { params: { rule }, message });
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** ISO-8601 with a zone and a date that exists (no 30 February, no hour 24). */
export function isIsoTimestamp(text: string): boolean {
  const m = ISO_TIMESTAMP.exec(text);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0))) return false;
  return m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
}

export const identifierField = pattern(IDENTIFIER, 'identifier', 'must be 1-128 characters of [A-Za-z0-9_.:-]');

export const timestampField = z.string().refine(isIsoTimestamp, {
  params: { rule: 'iso8601' },
  message: 'must be an ISO-8601 timestamp with a time zone, e.g. 2026-11-24T10:15:00Z',
});

/** A JSON value as planexec keeps it: numbers a double cannot hold exactly are kept as their text. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type TriggerContext = { readonly [key: string]: JsonValue };

interface JsonWalk {
  budget: number;
  readonly issues: { path: PropertyKey[]; rule: string; message: string }[];
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Bounded copy of a JSON value: depth, serialised size and keys checked in one walk. */
function copyJson(value: unknown, depth: number, path: PropertyKey[], walk: JsonWalk): JsonValue | undefined {
  if (walk.budget < 0) return undefined;
  switch (typeof value) {
    case 'string':
      walk.budget -= (value.length > walk.budget ? value.length : Buffer.byteLength(value)) + 2;
      return value;
    case 'boolean':
      walk.budget -= 5;
      return value;
    case 'number':
      if (!Number.isFinite(value)) break;
      walk.budget -= 24;
      return value;
    case 'object': {
      if (value === null) {
        walk.budget -= 4;
        return null;
      }
      if (isLosslessNumber(value)) {
        walk.budget -= value.value.length;
        return isSafeNumber(value.value) ? Number(value.value) : value.value;
      }
      if (depth > MAX_TRIGGER_CONTEXT_DEPTH) {
        walk.issues.push({ path, rule: 'max_depth', message: `must nest at most ${MAX_TRIGGER_CONTEXT_DEPTH} levels` });
        return undefined;
      }
      if (Array.isArray(value)) {
        const out: JsonValue[] = [];
        for (let i = 0; i < value.length && walk.budget >= 0; i += 1) {
          walk.budget -= 1;
          const child = copyJson(value[i], depth + 1, [...path, i], walk);
          if (child !== undefined) out.push(child);
        }
        return out;
      }
      if (!isPlainObject(value)) break;
      const out: Record<string, JsonValue> = {};
      for (const key of Object.keys(value)) {
        if (walk.budget < 0) break;
        walk.budget -= key.length + 4;
        if (FORBIDDEN_KEYS.has(key)) {
          walk.issues.push({ path: [...path, key], rule: 'forbidden_key', message: `key "${key}" is not allowed` });
          continue;
        }
        const child = copyJson((value as Record<string, unknown>)[key], depth + 1, [...path, key], walk);
        if (child !== undefined) out[key] = child;
      }
      return out;
    }
  }
  walk.issues.push({ path, rule: 'json_value', message: 'must be a JSON value (string, finite number, boolean, null, array or object)' });
  return undefined;
}

/** Free-form causality context from the planner, bounded in size and depth, with safe keys only. */
const triggerContextField = z.any().transform((value: unknown, ctx): TriggerContext => {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isLosslessNumber(value) || !isPlainObject(value)) {
    ctx.addIssue({ code: 'custom', message: 'must be an object', params: { rule: 'object' }, input: value });
    return z.NEVER;
  }
  const walk: JsonWalk = { budget: MAX_TRIGGER_CONTEXT_BYTES, issues: [] };
  const copy = copyJson(value, 1, [], walk);
  if (walk.budget < 0) {
    ctx.addIssue({ code: 'custom', message: `must serialise to at most ${MAX_TRIGGER_CONTEXT_BYTES} bytes`, params: { rule: 'max_size' }, input: value });
    return z.NEVER;
  }
  for (const issue of walk.issues) {
    ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, params: { rule: issue.rule }, input: value });
  }
  return walk.issues.length > 0 ? z.NEVER : (copy as TriggerContext);
});

const price = decimalField();

export const EntryPlanSchema = z.strictObject({
  symbol: pattern(/^[A-Z0-9]{1,20}_[A-Z0-9]{1,20}$/, 'symbol', 'must be BASE_QUOTE in capitals, e.g. BTC_USDT'),
  direction: z.enum(['BUY', 'SELL']),
  order_type: z.enum(ENTRY_ORDER_TYPES),
  limit_price: price.optional(),
  stop_price: price.optional(),
});

export const SizePlanSchema = z.strictObject({
  /** Absolute target size in the base asset (MODIFY: the desired size, not a delta). */
  position_size: decimalField(),
  position_value: decimalField().optional(),
  risk_amount: decimalField().optional(),
  leverage: decimalField({ min: '1', max: '125' }).optional(),
});

export const ExitPlanSchema = z.strictObject({
  stop_loss_price: price.optional(),
  take_profit_price: price.optional(),
});

/** A whole number from a JSON line (read through its text, so a LosslessNumber) or from code. */
function integerField(min: number, max: number) {
  const whole = z.number().superRefine((value, ctx) => {
    const broken = !Number.isInteger(value) ? ['integer', 'must be a whole number'] : value < min ? ['min', `must be at least ${min}`] : value > max ? ['max', `must be at most ${max}`] : null;
    if (broken) ctx.addIssue({ code: 'custom', params: { rule: broken[0] }, message: broken[1]!, input: value });
  });
  return z.preprocess((value) => (isLosslessNumber(value) && isSafeNumber(value.toString()) ? Number(value.toString()) : value), whole);
}

export const EXECUTION_STYLES = ['SINGLE', 'PASSIVE', 'TWAP', 'ICEBERG'] as const;
export type ExecutionStyle = (typeof EXECUTION_STYLES)[number];
export const CHUNK_DISTRIBUTIONS = ['UNIFORM', 'FRONT_LOADED', 'BACK_LOADED'] as const;
export type ChunkDistribution = (typeof CHUNK_DISTRIBUTIONS)[number];

export const RoutingPlanSchema = z.strictObject({
  execution_urgency: decimalField({ sign: 'non_negative', max: '1' }).optional(),
  visibility_preference: decimalField({ sign: 'non_negative', max: '1' }).optional(),
  max_slippage_pct: decimalField({ sign: 'non_negative', max: '1' }).optional(),
  time_in_force: z.enum(['GTC', 'IOC', 'FOK']).optional(),
  must_complete_immediately: z.boolean().optional(),
  max_execution_window_minutes: integerField(1, 1440).optional(),
  preferred_execution_style: z.enum(EXECUTION_STYLES).optional(),
  chunk_count_hint: integerField(1, 100).optional(),
  chunk_distribution: z.enum(CHUNK_DISTRIBUTIONS).optional(),
  min_fill_ratio: decimalField({ sign: 'non_negative', max: '1' }).optional(),
});

export const ExecutionDirectiveSchema = z.strictObject({
  directive_id: identifierField,
  strategy_id: identifierField,
  scope: z.enum(['NEW_TRADE', 'MODIFY_EXISTING', 'CLOSE_EXISTING']),
  timestamp: timestampField,
  trigger_context: triggerContextField.optional(),
  rationale: z.string().max(MAX_RATIONALE_LENGTH).optional(),
  target_trade_ids: z
    .array(identifierField)
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
const SCOPES: ReadonlySet<unknown> = new Set(Object.values(Scope));
const ORDER_TYPES: ReadonlySet<unknown> = new Set(ENTRY_ORDER_TYPES);

/**
 * What the scope and cross-field rules read. A decoded directive is one; so is the tolerant view
 * of input with field errors (`looseView`), so every violated rule is reported at once.
 */
type RuleView = { readonly [K in 'scope' | 'target_trade_ids' | (typeof PLAN_KEYS)[number]]?: unknown };

function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function own(record: Readonly<Record<string, unknown>> | undefined, key: string): unknown {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** A price as the rules need it: its Decimal when it decodes, the raw value (present, unusable) when not. */
function loosePrice(value: unknown): unknown {
  if (value === undefined) return undefined;
  const result = price.safeParse(value);
  return result.success ? result.data : value;
}

function loosePlan(value: unknown, keys: readonly string[], priceKeys: readonly string[]): unknown {
  const plan = asRecord(value);
  if (plan === undefined) return value;
  const view: Record<string, unknown> = {};
  for (const key of keys) view[key] = own(plan, key);
  for (const key of priceKeys) view[key] = loosePrice(own(plan, key));
  return view;
}

function looseView(input: Readonly<Record<string, unknown>>): RuleView {
  return {
    scope: own(input, 'scope'),
    target_trade_ids: own(input, 'target_trade_ids'),
    entry_plan: loosePlan(own(input, 'entry_plan'), ['direction', 'order_type'], ['limit_price', 'stop_price']),
    size_plan: own(input, 'size_plan'),
    exit_plan: loosePlan(own(input, 'exit_plan'), [], ['stop_loss_price', 'take_profit_price']),
    routing_plan: own(input, 'routing_plan'),
  };
}

const SLICED_STYLES: ReadonlySet<unknown> = new Set(['PASSIVE', 'TWAP', 'ICEBERG']);

/** The routing plan's own rules: what must_complete_immediately excludes, what a style needs (docs/execution-styles.md). */
function routingIssues(d: RuleView, orderType: string | undefined): ValidationIssue[] {
  const routing = asRecord(d.routing_plan);
  if (routing === undefined) return [];
  const issues: ValidationIssue[] = [];
  const add = (field: string, rule: string, message: string): void => {
    issues.push({ path: `routing_plan.${field}`, rule, message });
  };
  const style = own(routing, 'preferred_execution_style');
  const tif = own(routing, 'time_in_force');
  const window = own(routing, 'max_execution_window_minutes');
  const sliced = SLICED_STYLES.has(style);
  if (own(routing, 'must_complete_immediately') === true) {
    if (sliced) add('preferred_execution_style', 'conflicts_with_immediate', `${String(style)} works over a window; must_complete_immediately allows one immediate order`);
    if (window !== undefined) add('max_execution_window_minutes', 'conflicts_with_immediate', 'must_complete_immediately has no window: drop one of the two');
  }
  if (!sliced) return issues;
  if (window === undefined) add('max_execution_window_minutes', 'required_for_style', `${String(style)} needs max_execution_window_minutes (how long it may work)`);
  if (d.scope !== undefined && d.scope !== 'NEW_TRADE') {
    add('preferred_execution_style', 'style_not_for_scope', `execution styles apply to NEW_TRADE entries; a ${String(d.scope)} is sent as one order (use SINGLE or leave it out)`);
  }
  if (orderType === 'STOP_LIMIT') add('preferred_execution_style', 'style_not_for_order_type', `${String(style)} needs a MARKET or LIMIT entry, not STOP_LIMIT`);
  if (tif === 'FOK') add('time_in_force', 'style_conflicts_with_fok', `a ${String(style)} entry is sent in parts, so it cannot be all-or-nothing (FOK)`);
  return issues;
}

/** Scope and cross-field rules (DESIGN §2), including those upstream forgot (reference §1.20). */
function ruleIssues(d: RuleView): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, rule: string, message: string): void => {
    issues.push({ path, rule, message });
  };
  const targets = d.target_trade_ids;
  // An unusable target list already has its own issue; the count rules need a real list.
  const targetCount = targets === undefined ? 0 : Array.isArray(targets) ? targets.length : undefined;
  switch (SCOPES.has(d.scope) ? (d.scope as Scope) : undefined) {
    case 'NEW_TRADE':
      if (d.entry_plan === undefined) add('entry_plan', 'required_for_scope', 'NEW_TRADE requires entry_plan');
      if (d.size_plan === undefined) add('size_plan', 'required_for_scope', 'NEW_TRADE requires size_plan');
      if (d.routing_plan === undefined) add('routing_plan', 'required_for_scope', 'NEW_TRADE requires routing_plan');
      if (targetCount !== undefined && targetCount > 0) add('target_trade_ids', 'forbidden_for_scope', 'NEW_TRADE must not name target_trade_ids');
      break;
    case 'MODIFY_EXISTING':
      if (!PLAN_KEYS.some((k) => d[k] !== undefined)) add('(plans)', 'required_for_scope', 'MODIFY_EXISTING requires at least one plan');
      if (targetCount === 0) add('target_trade_ids', 'required_for_scope', 'MODIFY_EXISTING requires target_trade_ids');
      break;
    case 'CLOSE_EXISTING':
      if (targetCount === 0) add('target_trade_ids', 'required_for_scope', 'CLOSE_EXISTING requires target_trade_ids');
      if (d.routing_plan === undefined) add('routing_plan', 'required_for_scope', 'CLOSE_EXISTING requires routing_plan');
      break;
    case undefined:
      break;
  }
  const entry = asRecord(d.entry_plan);
  const limit = entry?.limit_price;
  const stop = entry?.stop_price;
  const orderType = ORDER_TYPES.has(entry?.order_type) ? (entry?.order_type as string) : undefined;
  if (orderType !== undefined) {
    if ((orderType === 'LIMIT' || orderType === 'STOP_LIMIT') && limit === undefined) {
      add('entry_plan.limit_price', 'required_for_order_type', `${orderType} requires limit_price`);
    }
    if (orderType === 'STOP_LIMIT' && stop === undefined) add('entry_plan.stop_price', 'required_for_order_type', 'STOP_LIMIT requires stop_price');
    if (orderType === 'MARKET' && limit !== undefined) add('entry_plan.limit_price', 'forbidden_for_order_type', 'MARKET must not carry limit_price');
    if (orderType !== 'STOP_LIMIT' && stop !== undefined) {
      add('entry_plan.stop_price', 'forbidden_for_order_type', `${orderType} must not carry stop_price`);
    }
  }
  issues.push(...routingIssues(d, orderType));
  const exit = asRecord(d.exit_plan);
  if (exit === undefined) return issues;
  const sl = exit.stop_loss_price;
  const tp = exit.take_profit_price;
  if (sl === undefined && tp === undefined) add('exit_plan', 'not_empty', 'exit_plan needs stop_loss_price or take_profit_price');
  const direction = entry?.direction;
  if (direction !== 'BUY' && direction !== 'SELL') return issues;
  const buy = direction === 'BUY';
  const below = buy ? 'below' : 'above';
  const above = buy ? 'above' : 'below';
  // The entry reference is the limit price; a MARKET entry has none, so only SL against TP is checked.
  if (isDecimal(sl) && isDecimal(limit) && (buy ? !sl.lt(limit) : !sl.gt(limit))) {
    add('exit_plan.stop_loss_price', 'stop_loss_side', `a ${direction}'s stop loss must lie ${below} its entry price`);
  }
  if (isDecimal(tp) && isDecimal(limit) && (buy ? !tp.gt(limit) : !tp.lt(limit))) {
    add('exit_plan.take_profit_price', 'take_profit_side', `a ${direction}'s take profit must lie ${above} its entry price`);
  } else if (isDecimal(sl) && isDecimal(tp) && (buy ? !sl.lt(tp) : !sl.gt(tp))) {
    add('exit_plan.take_profit_price', 'take_profit_side', `a ${direction}'s take profit must lie ${above} its stop loss`);
  }
  return issues;
}

function pathKey(p: PropertyKey): string {
  if (typeof p === 'number') return `[${p}]`;
  const key = String(p);
  return key.length > MAX_PATH_KEY_LENGTH ? `${key.slice(0, MAX_PATH_KEY_LENGTH)}…` : key;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map(pathKey).join('.').replace(/\.\[/g, '[');
}

/** zod issues → planexec issues: one per violated field path, with the rule's stable name. */
export function zodIssues(error: z.ZodError, input?: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const path = issuePath(issue.path);
    const missing = (): boolean => valueAt(input, issue.path) === undefined;
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) out.push({ path: path ? `${path}.${pathKey(key)}` : pathKey(key), rule: 'unknown_field', message: 'is not a known field' });
        break;
      case 'invalid_type':
        if (missing()) out.push({ path, rule: 'required', message: 'is required' });
        else out.push({ path, rule: 'type', message: `must be ${issue.expected}` });
        break;
      case 'invalid_value':
        if (missing()) out.push({ path, rule: 'required', message: 'is required' });
        else out.push({ path, rule: 'enum', message: `must be one of ${issue.values.map((v) => String(v)).join(', ')}` });
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

function mergeIssues(first: readonly ValidationIssue[], second: readonly ValidationIssue[]): ValidationIssue[] {
  const seen = new Set(first.map((i) => `${i.path}\u0000${i.rule}`));
  return [...first, ...second.filter((i) => !seen.has(`${i.path}\u0000${i.rule}`))];
}

/** Validate a decoded JSON value as an ExecutionDirective. Throws ValidationError only, listing every violation. */
export function parseDirective(input: unknown): ExecutionDirective {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError([{ path: '', rule: 'object', message: 'a directive must be a JSON object' }]);
  }
  let issues: ValidationIssue[];
  try {
    const result = ExecutionDirectiveSchema.safeParse(input);
    if (result.success) {
      issues = ruleIssues(result.data);
      if (issues.length === 0) return result.data;
    } else {
      issues = mergeIssues(zodIssues(result.error, input), ruleIssues(looseView(input as Record<string, unknown>)));
    }
  } catch (error) {
    // Not JSON-shaped input (throwing getters, proxies): still a refusal, never a crash.
    issues = [{ path: '', rule: 'unreadable', message: `cannot be read (${error instanceof Error ? error.message : String(error)})` }];
  }
  throw new ValidationError(issues);
}

/** True when a decoded JSON value holds a number, which JSON.parse may have rounded. */
export function holdsNumber(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'number') return true;
    if (value !== null && typeof value === 'object') {
      for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push(child);
    }
  }
  return false;
}

function jsonIssue(error: unknown): ValidationError {
  const detail = error instanceof RangeError ? 'nests too deeply' : error instanceof Error ? error.message : String(error);
  return new ValidationError([{ path: '', rule: 'json', message: `is not valid JSON (${detail})` }]);
}

/** Decode one JSON Lines line (bounded; numbers read through their text). Throws ValidationError only. */
export function decodeDirectiveJson(text: string): unknown {
  if (typeof text !== 'string') throw new ValidationError([{ path: '', rule: 'type', message: 'a directive line must be text' }]);
  // Each UTF-16 unit is at least one UTF-8 byte, so the cheap length test settles most lines.
  if (text.length > MAX_DIRECTIVE_BYTES || (text.length * 3 > MAX_DIRECTIVE_BYTES && Buffer.byteLength(text, 'utf8') > MAX_DIRECTIVE_BYTES)) {
    throw new ValidationError([{ path: '', rule: 'max_size', message: `a directive line must be at most ${MAX_DIRECTIVE_BYTES} bytes` }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw jsonIssue(error);
  }
  if (!holdsNumber(value)) return value;
  // JSON numbers: read again keeping each number's text, so 0.1 stays exactly 0.1.
  try {
    return parseLossless(text);
  } catch (error) {
    throw jsonIssue(error);
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
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const child = (value as Record<string, unknown>)[key];
    if (child === undefined) continue;
    // a plain assignment would set the prototype for a "__proto__" key (input decoded from JSON may have one)
    if (key === '__proto__') Object.defineProperty(out, key, { value: toWire(child), enumerable: true, writable: true, configurable: true });
    else out[key] = toWire(child);
  }
  return out;
}
