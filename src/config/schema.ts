import { z } from 'zod';
import { decimalField } from '../domain/decimal-field.js';

/**
 * platform.yaml. Keys are the spec's (snake_case); every key has a default, so planexec runs
 * with no file at all. docs/configuration.md documents each key; keep the two in step.
 */

const ms = (def: number) => z.number().int().min(0).default(def);
const rate = (def: string) => decimalField({ sign: 'non_negative', max: '1' }).prefault(def);

export const RetryPolicySchema = z
  .strictObject({
    max_retries: z.number().int().min(0).max(100).default(3),
    backoff_strategy: z.enum(['constant', 'linear', 'exponential']).default('exponential'),
    initial_delay_ms: ms(100),
    max_delay_ms: ms(5000),
    /** Fraction of each delay randomised (full jitter within ±jitter). */
    jitter: z.number().min(0).max(1).default(0.2),
  })
  .refine((r) => r.max_delay_ms >= r.initial_delay_ms, {
    message: 'max_delay_ms cannot be less than initial_delay_ms',
    params: { rule: 'max_delay_ms_gte_initial' },
    path: ['max_delay_ms'],
  });

export const ErrorHandlingSchema = z.strictObject({
  on_api_failure: z.enum(['rollback_ledger', 'alert_only', 'continue']).default('rollback_ledger'),
  on_ledger_failure: z.enum(['alert_admin', 'rollback_api', 'continue']).default('alert_admin'),
  on_journal_failure: z.enum(['continue', 'alert_admin', 'fail_execution']).default('continue'),
  /** A filled trade whose stop loss / take profit the venue would not take: flatten it (default) or keep it open, alerted. */
  on_protection_failure: z.enum(['flatten', 'alert_only']).default('flatten'),
});

export const MonitoringSchema = z.strictObject({
  log_all_executions: z.boolean().default(true),
  alert_on_slow_execution_ms: ms(1000),
  metrics_enabled: z.boolean().default(true),
});

export const ConcurrencySchema = z.strictObject({
  /** Strategies executing at once; one strategy's directives always run one at a time, in order. */
  max_concurrent_strategies: z.number().int().min(1).max(10_000).default(64),
  /** Directives accepted but not yet stopped; intake waits (CLI) or answers 429 (HTTP) beyond it. */
  max_pending_directives: z.number().int().min(1).max(1_000_000).default(10_000),
});

export const InDoubtSchema = z.strictObject({
  /** Venue look-ups by client order id before the flow stops with IN_DOUBT_UNRESOLVED. */
  max_checks: z.number().int().min(1).max(1000).default(8),
  check_interval_ms: ms(500),
  /** A venue may report a fresh order "not found" this long; absence counts only after it. */
  not_found_grace_ms: ms(5000),
});

/** How routing plans that slice or rest an entry are run (docs/execution-styles.md). */
export const ExecutionStylesSchema = z.strictObject({
  /** The window of a PASSIVE entry chosen by urgency (no max_execution_window_minutes given). */
  default_window_minutes: z.number().int().min(1).max(1440).default(5),
  /** TWAP children when the plan gives no chunk_count_hint. */
  default_chunk_count: z.number().int().min(1).max(100).default(5),
  /** ICEBERG's visible fraction when the plan gives no visibility_preference. */
  default_visibility: z.number().gt(0).max(1).default(0.1),
  /** How often a resting PASSIVE / ICEBERG child is checked and re-priced, and a waiting TWAP looks at the kill switch. */
  reprice_interval_seconds: z.number().positive().max(3600).default(5),
});

export const PlanExecutionSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Bounds all attempts of one execution together. */
  timeout_seconds: z.number().positive().max(3600).default(30),
  /** Bounds one connector call. */
  attempt_timeout_ms: z.number().int().positive().default(10_000),
  /** A MODIFY or CLOSE may target another strategy's trade (default: refused with FOREIGN_TRADE). */
  allow_cross_strategy_targets: z.boolean().default(false),
  retry_policy: RetryPolicySchema.prefault({}),
  error_handling: ErrorHandlingSchema.prefault({}),
  monitoring: MonitoringSchema.prefault({}),
  concurrency: ConcurrencySchema.prefault({}),
  in_doubt: InDoubtSchema.prefault({}),
  execution_styles: ExecutionStylesSchema.prefault({}),
});

export const FlowTerminationSchema = z.strictObject({
  alert_on_error: z.boolean().default(true),
  /** Completions buffered per UI stream consumer before the oldest are dropped for that consumer. */
  ui_buffer_size: z.number().int().min(1).max(1_000_000).default(1000),
});

export const RecoverySchema = z.strictObject({
  /** An order leg that ADDS exposure, journaled but never received by the venue, is sent on resume only this long after its flow was accepted. */
  resend_within_seconds: z.number().min(0).max(86_400).default(60),
});

export const InstrumentSchema = z.strictObject({
  tick_size: decimalField(),
  lot_size: decimalField(),
  min_quantity: decimalField(),
  min_notional: decimalField({ sign: 'non_negative' }),
  /** Largest quantity one order may carry; unset = no maximum. */
  max_quantity: decimalField().optional(),
  reference_price: decimalField(),
});

export const PaperFaultsSchema = z.strictObject({
  /** Probability per call of a retryable error (request not processed). */
  transient_error_rate: z.number().min(0).max(1).default(0),
  /** Probability per submit of a venue rejection. */
  rejection_rate: z.number().min(0).max(1).default(0),
  /** Probability per call of a timeout after the request took effect (unknown outcome). */
  timeout_rate: z.number().min(0).max(1).default(0),
  seed: z.number().int().default(42),
});

const SYMBOL = /^[A-Z0-9]{1,20}_[A-Z0-9]{1,20}$/;

/** Where the paper venue's prices come from (docs/paper-venue.md). */
export const PaperPricesSchema = z
  .strictObject({
    /** static: only what something sets (the demo); ccxt: a real exchange's public tickers; file: a replayed price file. */
    source: z.enum(['static', 'ccxt', 'file']).default('static'),
    /** ccxt exchange id, for source ccxt. */
    exchange: z.string().min(1).optional(),
    /** Symbols to follow; unset = every instrument the paper venue lists (ccxt) or every row (file). */
    symbols: z.array(z.string().regex(SYMBOL)).optional(),
    /** Between polls (ccxt, default 2000) or rows (file, default 0 = as fast as the venue takes them). */
    interval_ms: z.number().int().min(0).max(86_400_000).optional(),
    /** Replaces the scheme and host of every REST endpoint of the exchange (a proxy, a local venue). */
    api_base_url: z.url({ protocol: /^https?$/ }).optional(),
    /** Passed to the ccxt exchange as its `options` (defaultType is spot). */
    options: z.record(z.string(), z.unknown()).default({}),
    /** The price file, for source file. */
    path: z.string().min(1).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.source === 'ccxt' && p.exchange === undefined) {
      ctx.addIssue({ code: 'custom', path: ['exchange'], message: 'source ccxt needs exchange (a ccxt exchange id, e.g. binance)', params: { rule: 'required_for_source' } });
    }
    if (p.source === 'file' && p.path === undefined) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'source file needs path (a CSV or JSON Lines price file)', params: { rule: 'required_for_source' } });
    }
  });

export const PaperConnectorSchema = z.strictObject({
  /** The simulated venue's own state file; it outlives planexec restarts like a real venue. */
  path: z.string().min(1).default('./planexec-venue.db'),
  latency_ms: ms(0),
  slippage_bps: decimalField({ sign: 'non_negative', max: '10000' }).prefault('2'),
  taker_fee_rate: rate('0.001'),
  maker_fee_rate: rate('0.0008'),
  /** Market orders above this quantity fill in several parts (0 = always one fill). */
  partial_fill_threshold: decimalField({ sign: 'non_negative' }).prefault('0'),
  /** Overrides and additions to the built-in instruments (BTC_USDT, ETH_USDT, SOL_USDT). */
  instruments: z.record(z.string().regex(/^[A-Z0-9]{1,20}_[A-Z0-9]{1,20}$/), InstrumentSchema).default({}),
  faults: PaperFaultsSchema.prefault({}),
  /** true: a repeated client order id returns the existing order; false: it is rejected as a duplicate. */
  idempotent_submit: z.boolean().default(false),
  /** A fresh order is reported "not found" for this long, as some venues do. */
  not_found_window_ms: ms(0),
  /** hedge: one position per trade (position_id), so opposite trades on a symbol are each protected; netting: one net per symbol. */
  position_mode: z.enum(['hedge', 'netting']).default('hedge'),
  /** true: a symbol no price has reached yet is refused (NO_PRICE) instead of trading at its instrument's reference_price. */
  require_price: z.boolean().default(false),
  prices: PaperPricesSchema.prefault({}),
});

export const CcxtConnectorSchema = z.strictObject({
  /** A ccxt exchange id (binance, kraken, okx, …); required when connector.type is ccxt. */
  exchange: z.string().min(1).optional(),
  sandbox: z.boolean().default(true),
  api_key: z.string().optional(),
  api_secret: z.string().optional(),
  password: z.string().optional(),
  /** Passed to the ccxt exchange constructor as its `options`. */
  options: z.record(z.string(), z.unknown()).default({}),
  /** Replaces scheme and host of every REST endpoint (a proxy, a local venue). */
  api_base_url: z.url({ protocol: /^https?$/ }).optional(),
  poll_interval_ms: z.number().int().min(10).max(3_600_000).default(1000),
  /** A ticker price is reused as a market order's reference this long; 0 asks the venue for every order. */
  reference_price_max_age_ms: z.number().int().min(0).max(60_000).default(1000),
  rate_limit: z.boolean().default(true),
});

export const ConnectorSchema = z
  .strictObject({
    type: z.enum(['paper', 'ccxt']).default('paper'),
    paper: PaperConnectorSchema.prefault({}),
    ccxt: CcxtConnectorSchema.prefault({}),
  })
  .refine((c) => c.type !== 'ccxt' || c.ccxt.exchange !== undefined, {
    message: 'connector.ccxt.exchange is required when connector.type is ccxt (a ccxt exchange id, e.g. binance)',
    params: { rule: 'required_for_ccxt' },
    path: ['ccxt', 'exchange'],
  });

export const StorageSchema = z.strictObject({
  type: z.enum(['sqlite', 'postgres']).default('sqlite'),
  path: z.string().min(1).default('./planexec.db'),
  /** type postgres: the database, `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (usually `${PLANEXEC_PG_URL}`). */
  url: z.string().optional(),
  /** type postgres: how long a worker's lease on its flows lasts without renewal; a dead worker's flows are recovered by another after it. */
  lease_seconds: z.number().int().min(2).max(600).default(15),
  /** Where journal entries go (fsync'd JSON Lines) while the journal cannot be written; replayed when it recovers. */
  journal_fallback_path: z.string().min(1).default('./planexec-journal-fallback.jsonl'),
  /** SQLite commits on a writer thread with its own connection (the event loop keeps the flows). */
  writer_thread: z.boolean().default(true),
});

export const BusSchema = z.strictObject({
  type: z.enum(['memory', 'nats']).default('memory'),
  url: z.string().default('nats://127.0.0.1:4222'),
  stream: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, { message: 'must be a JetStream stream name: letters, digits, _ and - only' })
    .default('PLANEXEC'),
  /** Strategies are spread over this many partitions (one durable consumer each); every publisher and worker must agree. */
  partitions: z.number().int().min(1).max(1024).default(16),
  /** A delivered directive not acknowledged for this long is redelivered (to whoever holds its partition then). */
  ack_wait_seconds: z.number().int().min(2).max(3600).default(15),
});

/** The name of an environment variable (the token itself never sits in the file). */
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const ServerSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Name of the environment variable that holds the API's bearer token; unset: no token (loopback hosts only). */
  auth_token_env: z
    .string()
    .refine((s) => ENV_VAR_NAME.test(s), { params: { rule: 'env_var_name' }, message: 'must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*), not the token itself' })
    .optional(),
  /** Who a change made with the token is recorded as (trading-state changes). */
  auth_token_label: z.string().min(1).max(64).default('api'),
  body_limit_bytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Origins allowed to call the API from a browser; empty: CORS off. */
  cors_origins: z.array(z.string().min(1)).default([]),
  /** Live-stream events kept for clients that resume with Last-Event-ID. */
  sse_buffer_size: z.number().int().min(1).max(1_000_000).default(10_000),
  /** Directives received over HTTP and not yet finished beyond which POST /api/directives answers 429. */
  intake_max_pending: z.number().int().min(1).max(1_000_000).default(5000),
});

export const ALERT_WEBHOOK_FORMATS = ['generic', 'slack'] as const;

export const AlertsSchema = z.strictObject({
  log: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
  webhook: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }).optional(),
      /** generic: the alert as JSON; slack: a Slack incoming-webhook message (`text` + `blocks`). */
      format: z.enum(ALERT_WEBHOOK_FORMATS).default('generic'),
      timeout_ms: z.number().int().positive().default(5000),
      headers: z.record(z.string(), z.string()).default({}),
    })
    .prefault({}),
  telegram: z
    .strictObject({
      bot_token: z.string().min(1).optional(),
      /** A numeric chat id (negative for groups) or `@channelname`. */
      chat_id: z.union([z.string().min(1), z.number().int()]).optional(),
      api_base_url: z.url({ protocol: /^https?$/ }).default('https://api.telegram.org'),
      timeout_ms: z.number().int().positive().default(5000),
    })
    // bot_token and chat_id go together; checked where alerts are sent (createPlatform), not here:
    // a command that only reads omits an unset ${TOKEN}, and must still load the file
    .prefault({}),
  /** The same alert (code and subject) again within this window is suppressed and counted; 0 = no deduplication. */
  dedupe_window_seconds: z.number().int().min(0).max(86_400).default(300),
  /** Alerts each sink sends per minute; beyond, they are held back and summarised once; 0 = no limit. */
  max_per_minute: z.number().int().min(0).max(10_000).default(10),
  retry: z
    .strictObject({
      /** Deliveries of one alert, the first included; 1 = no retry. */
      max_attempts: z.number().int().min(1).max(20).default(5),
      initial_delay_ms: z.number().int().min(0).default(1000),
      max_delay_ms: z.number().int().min(0).default(60_000),
    })
    .refine((r) => r.max_delay_ms >= r.initial_delay_ms, {
      message: 'max_delay_ms cannot be less than initial_delay_ms',
      params: { rule: 'max_delay_ms_gte_initial' },
      path: ['max_delay_ms'],
    })
    .prefault({}),
});

export const IntakeSchema = z.strictObject({
  /** Directives an intake may have handed over that have not begun, per concurrent strategy (× max_concurrent_strategies). */
  read_ahead_factor: z.number().int().min(1).max(10_000).default(4),
  /** A directive whose `timestamp` is older than this when it is accepted is refused; 0 = no limit. */
  max_directive_age_seconds: z.number().min(0).max(31_536_000).default(0),
});

const notionalLimit = () => decimalField({ sign: 'non_negative' }).prefault('0');

/** Pre-trade risk limits, checked on every order leg before it is sent; 0 = that limit is off (the default). */
export const RiskSchema = z.strictObject({
  /** Quantity × price (limit, trigger, or reference for a market order) of one order, in the quote asset. */
  max_order_notional: notionalLimit(),
  /** Open exposure of one strategy plus the new order, in the quote asset. */
  max_strategy_notional: notionalLimit(),
  /** Open exposure on one symbol (every strategy) plus the new order, in the quote asset. */
  max_symbol_notional: notionalLimit(),
  /** Orders live at the venue per the ledger, plus the new one. */
  max_open_orders: z.number().int().min(0).max(1_000_000).default(0),
  order_rate: z
    .strictObject({
      /** Orders (and amends and cancels) the account may send per `per_seconds`; 0 = no budget. */
      max_orders: z.number().int().min(0).max(1_000_000).default(0),
      per_seconds: z.number().positive().max(86_400).default(1),
    })
    .prefault({}),
});

/** `planexec backtest`: the bar walk, the starting equity, the seed (docs/backtesting.md). */
export const BacktestSchema = z.strictObject({
  intrabar_rule: z.enum(['pessimistic', 'optimistic']).default('pessimistic'),
  initial_equity: decimalField({ sign: 'positive' }).prefault('10000'),
  seed: z.number().int().min(0).max(4_294_967_295).default(1),
});

export const LoggingSchema = z.strictObject({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

const BaseShape = {
  orchestration: z
    .strictObject({
      plan_execution: PlanExecutionSchema.prefault({}),
      flow_termination: FlowTerminationSchema.prefault({}),
    })
    .prefault({}),
  intake: IntakeSchema.prefault({}),
  recovery: RecoverySchema.prefault({}),
  risk: RiskSchema.prefault({}),
  connector: ConnectorSchema.prefault({}),
  storage: StorageSchema.prefault({}),
  bus: BusSchema.prefault({}),
  server: ServerSchema.prefault({}),
  alerts: AlertsSchema.prefault({}),
  logging: LoggingSchema.prefault({}),
  backtest: BacktestSchema.prefault({}),
};

/** The resolved config (after the chosen environment's overrides were merged over the base). */
export const PlatformConfigSchema = z.strictObject(BaseShape);

export type PlatformConfig = z.output<typeof PlatformConfigSchema>;
export type PlanExecutionConfig = PlatformConfig['orchestration']['plan_execution'];
export type ExecutionStylesConfig = PlanExecutionConfig['execution_styles'];
export type FlowTerminationConfig = PlatformConfig['orchestration']['flow_termination'];
export type RetryPolicyConfig = PlanExecutionConfig['retry_policy'];
export type ErrorHandlingConfig = PlanExecutionConfig['error_handling'];
export type PaperConnectorConfig = PlatformConfig['connector']['paper'];
export type CcxtConnectorConfig = PlatformConfig['connector']['ccxt'];
export type PaperPricesConfig = PaperConnectorConfig['prices'];
export type AlertsConfig = PlatformConfig['alerts'];
export type IntakeConfig = PlatformConfig['intake'];
export type RecoveryConfig = PlatformConfig['recovery'];
export type RiskConfig = PlatformConfig['risk'];
export type BacktestConfig = PlatformConfig['backtest'];

export const ENVIRONMENT_NAMES = ['backtest', 'paper', 'live'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export function defaultConfig(): PlatformConfig {
  return PlatformConfigSchema.parse({});
}
