import { z } from 'zod';
import type { Decimal } from './decimal.js';
import { type DecimalRule, decimalField } from './decimal-field.js';
import { identifierField, timestampField, toWire, zodIssues } from './directive.js';
import type { ExecutionFailedDTO, FlowCompletionDTO, TradeExecutedDTO } from './dto.js';
import { Direction, FinalState, FlowOutcome, OrderPurpose, OrderStatus, OrderType, PositionStatus, Protection, Scope, TimeInForce } from './enums.js';
import { ValidationError } from './errors.js';
import type { FillRecord, OrderRecord, Position } from './trading.js';

/**
 * Wire schemas of the ledger records and event DTOs: snake_case exactly as trading.ts and dto.ts,
 * decimals as strings decoded to Decimal. Unknown fields are refused, so drift between a writer
 * and a reader shows up as a ValidationError rather than a silently dropped field.
 */

/** The JSON form of a domain type: every Decimal becomes its string. */
export type WireOf<T> = T extends Decimal
  ? string
  : T extends readonly (infer U)[]
    ? readonly WireOf<U>[]
    : T extends object
      ? { readonly [K in keyof T]: WireOf<T[K]> }
      : T;

/** Values planexec computed (averages, PnL) carry up to the Decimal precision. */
const RECORD_SCALE = 60;
const amount = (rule: DecimalRule = {}) => decimalField({ maxScale: RECORD_SCALE, ...rule });
const positive = amount();
const nonNegative = amount({ sign: 'non_negative' });
const signed = amount({ sign: 'any' });
/** Ids chosen by a venue follow no rule of ours beyond being short text. */
const venueText = z.string().min(1).max(256);
const text = z.string().max(4096);
const ids = z.array(identifierField).readonly();

export const PositionSchema = z.strictObject({
  trade_id: identifierField,
  strategy_id: identifierField,
  symbol: venueText,
  direction: z.enum(Direction),
  status: z.enum(PositionStatus),
  entry_price: positive.nullable(),
  position_size: nonNegative,
  filled_size: nonNegative,
  remaining_size: nonNegative,
  average_entry_price: positive.nullable(),
  stop_loss: positive.nullable(),
  take_profit: positive.nullable(),
  protection: z.enum(Protection),
  exit_price: positive.nullable(),
  close_reason: text.nullable(),
  realized_pnl: signed,
  // Negative when maker rebates exceed fees.
  fees: signed,
  // Per asset, as the venue took them; absent in records written before fees were kept per asset.
  fees_by_asset: z.record(venueText, signed).readonly().default({}),
  opened_at: timestampField,
  closed_at: timestampField.nullable(),
  updated_at: timestampField,
  opened_by: identifierField,
  last_directive_id: identifierField.nullable(),
});

export const OrderRecordSchema = z.strictObject({
  client_order_id: identifierField,
  venue_order_id: venueText.nullable(),
  trade_id: identifierField,
  directive_id: identifierField.nullable(),
  purpose: z.enum(OrderPurpose),
  symbol: venueText,
  side: z.enum(Direction),
  order_type: z.enum(OrderType),
  time_in_force: z.enum(TimeInForce),
  quantity: positive,
  limit_price: positive.nullable(),
  stop_price: positive.nullable(),
  reduce_only: z.boolean(),
  status: z.enum(OrderStatus),
  filled_quantity: nonNegative,
  average_fill_price: positive.nullable(),
  reject_reason: text.nullable(),
  created_at: timestampField,
  updated_at: timestampField,
});

export const FillRecordSchema = z.strictObject({
  fill_id: venueText,
  venue: venueText,
  venue_trade_id: venueText,
  client_order_id: identifierField,
  trade_id: identifierField,
  directive_id: identifierField.nullable(),
  symbol: venueText,
  side: z.enum(Direction),
  quantity: positive,
  price: positive,
  // Negative for a rebate.
  fee: signed,
  fee_asset: venueText,
  executed_at: timestampField,
});

export const TradeExecutedSchema = z.strictObject({
  directive_id: identifierField,
  strategy_id: identifierField,
  scope: z.enum(Scope),
  execution_time: timestampField,
  fill_price: positive.nullable(),
  order_id: venueText.nullable(),
  target_trade_ids: ids,
  client_order_id: identifierField.nullable(),
  status: z.enum(OrderStatus).nullable(),
  filled_quantity: nonNegative,
  trade_ids: ids,
  /** A NEW_TRADE's entry: how it was executed (docs/execution-styles.md). */
  execution: z
    .strictObject({
      style: z.enum(['SINGLE', 'PASSIVE', 'TWAP', 'ICEBERG']),
      chosen_by: z.enum(['preferred', 'urgency', 'immediate', 'order_type', 'default']),
      decision_price: positive.nullable(),
      planned_quantity: nonNegative,
      filled_quantity: nonNegative,
      average_fill_price: positive.nullable(),
      child_orders: z.number().int().nonnegative(),
      shortfall_bps: signed.nullable(),
      ended_by: z.enum(['filled', 'window', 'halted', 'schedule']),
    })
    .optional(),
});

export const ExecutionFailedSchema = z.strictObject({
  directive_id: identifierField.nullable(),
  strategy_id: identifierField.nullable(),
  flow_id: identifierField,
  error_type: venueText,
  error_code: venueText,
  error_message: z.string(),
  timestamp: timestampField,
  line: z.number().int().positive().nullable(),
});

const errorDetails = z.strictObject({ error_type: venueText, error_code: venueText, error_message: z.string() });

export const FlowCompletionSchema = z.strictObject({
  flow_id: identifierField,
  directive_id: identifierField.nullable(),
  strategy_id: identifierField.nullable(),
  completion_time: timestampField,
  started_at: timestampField,
  duration_ms: z.number().nonnegative().finite(),
  reason: z.string(),
  final_state: z.enum(FinalState),
  outcome: z.enum(FlowOutcome),
  error_details: errorDetails.nullable(),
});

export type PositionWire = WireOf<Position>;
export type OrderRecordWire = WireOf<OrderRecord>;
export type FillRecordWire = WireOf<FillRecord>;
export type TradeExecutedWire = WireOf<TradeExecutedDTO>;
export type ExecutionFailedWire = WireOf<ExecutionFailedDTO>;
export type FlowCompletionWire = WireOf<FlowCompletionDTO>;

/** Compile-time proof that each schema decodes to exactly its interface (both directions). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type WireSchemasMatchInterfaces = [
  Assert<Same<z.output<typeof PositionSchema>, Position>>,
  Assert<Same<z.output<typeof OrderRecordSchema>, OrderRecord>>,
  Assert<Same<z.output<typeof FillRecordSchema>, FillRecord>>,
  Assert<Same<z.output<typeof TradeExecutedSchema>, TradeExecutedDTO>>,
  Assert<Same<z.output<typeof ExecutionFailedSchema>, ExecutionFailedDTO>>,
  Assert<Same<z.output<typeof FlowCompletionSchema>, FlowCompletionDTO>>,
];

function decoder<S extends z.ZodType>(schema: S, what: string): (input: unknown) => z.output<S> {
  return (input) => {
    const result = schema.safeParse(input);
    if (!result.success) throw new ValidationError(zodIssues(result.error, input), what);
    return result.data;
  };
}

/** Decode a wire record (throws ValidationError listing every violated path). */
export const positionFromWire: (input: unknown) => Position = decoder(PositionSchema, 'Position');
export const orderRecordFromWire: (input: unknown) => OrderRecord = decoder(OrderRecordSchema, 'OrderRecord');
export const fillRecordFromWire: (input: unknown) => FillRecord = decoder(FillRecordSchema, 'FillRecord');
export const tradeExecutedFromWire: (input: unknown) => TradeExecutedDTO = decoder(TradeExecutedSchema, 'TradeExecutedDTO');
export const executionFailedFromWire: (input: unknown) => ExecutionFailedDTO = decoder(ExecutionFailedSchema, 'ExecutionFailedDTO');
export const flowCompletionFromWire: (input: unknown) => FlowCompletionDTO = decoder(FlowCompletionSchema, 'FlowCompletionDTO');

/** Encode for JSON: decimals become canonical strings. */
export const positionToWire = (p: Position): PositionWire => toWire(p) as PositionWire;
export const orderRecordToWire = (o: OrderRecord): OrderRecordWire => toWire(o) as OrderRecordWire;
export const fillRecordToWire = (f: FillRecord): FillRecordWire => toWire(f) as FillRecordWire;
export const tradeExecutedToWire = (e: TradeExecutedDTO): TradeExecutedWire => toWire(e) as TradeExecutedWire;
export const executionFailedToWire = (e: ExecutionFailedDTO): ExecutionFailedWire => toWire(e) as ExecutionFailedWire;
export const flowCompletionToWire = (e: FlowCompletionDTO): FlowCompletionWire => toWire(e) as FlowCompletionWire;
