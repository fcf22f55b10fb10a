import { z } from 'zod';
import { ExecutionDirectiveSchema, identifierField, timestampField } from '../domain/directive.js';
import { FinalState, FlowOutcome, OrderStatus, PositionStatus } from '../domain/enums.js';
import { ExecutionFailedSchema, FlowCompletionSchema, OrderRecordSchema, PositionSchema, TradeExecutedSchema } from '../domain/wire.js';

/**
 * The API's request and answer shapes. Requests are validated with these schemas; every one of
 * them is also what GET /api/openapi.json describes.
 */

const FLOW_STATUS = ['RUNNING', ...Object.values(FlowOutcome)] as const;

const pageLimit = z.coerce.number().int().min(1).max(1000).default(100).describe('page size, 1..1000');
const flag = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((v) => v === 'true' || v === '1');

export const ErrorSchema = z.object({ error: z.string(), message: z.string() }).describe('an error answer; some carry more fields');

export const ApiIssueSchema = z.object({
  index: z.number().int().nullable().describe('item of a batch; null for a single directive or a query'),
  path: z.string(),
  rule: z.string(),
  message: z.string(),
});
export const ValidationErrorSchema = z.object({ error: z.literal('validation'), message: z.string(), issues: z.array(ApiIssueSchema) });

export const FlowRecordSchema = z.object({
  flow_id: z.string(),
  directive_id: z.string().nullable(),
  strategy_id: z.string().nullable(),
  status: z.enum(FLOW_STATUS),
  final_state: z.enum(FinalState).nullable(),
  reason: z.string().nullable(),
  error_details: z.object({ error_type: z.string(), error_code: z.string(), error_message: z.string() }).nullable(),
  started_at: z.string(),
  completed_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
});

// --- POST /api/directives
export const DirectivesQuery = z.strictObject({ wait: flag.describe('answer when the flows stopped, with their outcome') });
export const DirectivesBody = z.union([ExecutionDirectiveSchema, z.strictObject({ directives: z.array(ExecutionDirectiveSchema).min(1) })]);
export const FlowStatusSchema = z.object({
  flow_id: z.string(),
  directive_id: z.string(),
  status: z.enum(['RUNNING', ...Object.values(FlowOutcome), 'DUPLICATE']),
  final_state: z.enum(FinalState).nullable().optional(),
  reason: z.string().nullable().optional(),
  error_details: FlowRecordSchema.shape.error_details.optional(),
  original: FlowRecordSchema.nullable().optional().describe('DUPLICATE: the flow that executed this directive_id'),
});
export const DirectivesAnswer = z.object({ flows: z.array(FlowStatusSchema) });
export const DuplicateAnswer = z.object({ error: z.literal('duplicate'), message: z.string(), flows: z.array(FlowRecordSchema) });

// --- flows
export const FlowsQuery = z.strictObject({
  state: z.enum(FLOW_STATUS).optional(),
  strategy_id: identifierField.optional(),
  since: timestampField.optional().describe('flows started at or after this time'),
  limit: pageLimit,
  cursor: z.string().max(600).optional().describe('next_cursor of the previous page'),
});
export const FlowsAnswer = z.object({ flows: z.array(FlowRecordSchema), next_cursor: z.string().nullable() });
export const FlowParams = z.strictObject({ flow_id: z.string().min(1).max(300) });
export const TIMELINE_KINDS = ['directive', 'plan', 'order', 'fill', 'ledger', 'event', 'error', 'stop'] as const;
export const TimelineItemSchema = z.object({
  seq: z.number().int(),
  entry_id: z.string(),
  event_type: z.string(),
  kind: z.enum(TIMELINE_KINDS),
  timestamp: z.string(),
  causation_id: z.string().nullable(),
  body: z.record(z.string(), z.unknown()),
});
export const FlowAnswer = z.object({ flow: FlowRecordSchema, timeline: z.array(TimelineItemSchema) });

// --- ledger
export const PositionsQuery = z.strictObject({ status: z.enum(PositionStatus).optional() });
export const PositionsAnswer = z.object({
  positions: z.array(PositionSchema.extend({ mark_price: z.string().nullable(), unrealized_pnl: z.string().nullable() })),
});
export const OrdersQuery = z.strictObject({ trade_id: identifierField.optional(), status: z.enum(OrderStatus).optional() });
export const OrdersAnswer = z.object({ orders: z.array(OrderRecordSchema) });

// --- journal
export const JournalQuery = z.strictObject({ after_seq: z.coerce.number().int().min(0).default(0), limit: pageLimit });
export const JournalEntrySchema = z.object({
  seq: z.number().int(),
  entry_id: z.string(),
  event_type: z.string(),
  flow_id: z.string(),
  directive_id: z.string().nullable(),
  strategy_id: z.string().nullable(),
  timestamp: z.string(),
  correlation_id: z.string(),
  causation_id: z.string().nullable(),
  body: z.record(z.string(), z.unknown()),
  prev_hash: z.string(),
  hash: z.string(),
});
export const JournalAnswer = z.object({ entries: z.array(JournalEntrySchema), next_after_seq: z.number().int().nullable() });

// --- verify
export const VerifyAnswer = z.object({
  ok: z.boolean(),
  differences: z.array(z.record(z.string(), z.unknown())),
  checked: z.record(z.string(), z.number().nullable().or(z.boolean())),
  db: z.string(),
  venue: z.string(),
});

// --- live stream
export const EventsQuery = z.strictObject({
  last_event_id: z.coerce.number().int().min(0).optional().describe('resume after this event (EventSource cannot send Last-Event-ID on its first connection)'),
  access_token: z.string().optional().describe('the bearer token, for EventSource, which cannot set headers'),
});
/** What each live event's `data:` holds, by event name (documented with the stream). */
export const LiveEventSchemas = z.object({
  flow_stop: FlowCompletionSchema,
  TRADE_EXECUTED: TradeExecutedSchema,
  EXECUTION_FAILED: ExecutionFailedSchema,
  order_update: OrderRecordSchema,
  trading_state: z.object({ state: z.enum(['ACTIVE', 'REDUCING', 'HALTED']), reason: z.string().nullable(), changed_by: z.string().nullable(), changed_at: z.string().nullable() }),
  reset: z.object({ reason: z.string() }),
});

// --- operations
export const HealthAnswer = z.object({ status: z.literal('ok') });
export const ReadyAnswer = z.object({ ready: z.boolean(), checks: z.object({ store: z.string(), venue: z.string(), recovery: z.string() }) });
