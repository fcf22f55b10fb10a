/**
 * What each platform.yaml key means, by key path (`*` stands for a map key such as an instrument
 * symbol). The JSON Schema carries these to editors; docs/configuration.md says the same at length,
 * and a test keeps all three in step with the schema.
 */
export const KEY_DESCRIPTIONS: Readonly<Record<string, string>> = {
  orchestration: 'Execution orchestration: how directives are executed and how flows end.',
  'orchestration.plan_execution': 'The PlanExecutionOrchestrator: timeouts, retries, failure policies, monitoring, concurrency.',
  'orchestration.plan_execution.enabled':
    'Master switch. false: directives are still validated and journaled, but nothing is sent to the venue and each flow stops with _flow_stop_error.',
  'orchestration.plan_execution.timeout_seconds':
    'Bounds all attempts of one execution together, backoff waits included. When it runs out, the call in flight is aborted and no new attempt starts; an order that may have reached the venue is then looked up (in_doubt), not failed.',
  'orchestration.plan_execution.attempt_timeout_ms':
    'Bounds one connector call. A call that times out after the request left is an unknown outcome (IN_DOUBT), never a failure.',
  'orchestration.plan_execution.allow_cross_strategy_targets':
    "false: a MODIFY_EXISTING or CLOSE_EXISTING whose target trade belongs to another strategy is refused (RiskDenied FOREIGN_TRADE) before anything is sent. true: any strategy may modify or close any trade.",
  'orchestration.plan_execution.execution_styles': 'How routing plans that slice or rest an entry (PASSIVE, TWAP, ICEBERG) are run; docs/execution-styles.md.',
  'orchestration.plan_execution.execution_styles.default_window_minutes':
    'The window of a PASSIVE entry chosen by execution_urgency below 0.3 when the plan gives no max_execution_window_minutes.',
  'orchestration.plan_execution.execution_styles.default_chunk_count': 'TWAP children when the plan gives no chunk_count_hint.',
  'orchestration.plan_execution.execution_styles.default_visibility': 'ICEBERG visible part, as a fraction of the size, when the plan gives no visibility_preference.',
  'orchestration.plan_execution.execution_styles.reprice_interval_seconds':
    'How often a resting PASSIVE or ICEBERG child is checked for fills and moved to the near touch, and how often a waiting TWAP looks at the kill switch.',
  'orchestration.plan_execution.retry_policy': 'Retries of connector calls that failed with a retryable error (network, rate limit, venue busy).',
  'orchestration.plan_execution.retry_policy.max_retries': 'Retries after the first attempt: up to max_retries + 1 attempts. 0 disables retries.',
  'orchestration.plan_execution.retry_policy.backoff_strategy':
    'Wait before retry n (n = 0 first): constant = initial_delay_ms; linear = initial_delay_ms × (n + 1); exponential = initial_delay_ms × 2ⁿ; each capped at max_delay_ms.',
  'orchestration.plan_execution.retry_policy.initial_delay_ms': 'The first wait between attempts, in milliseconds.',
  'orchestration.plan_execution.retry_policy.max_delay_ms': 'Cap on any wait between attempts, in milliseconds. Must be at least initial_delay_ms.',
  'orchestration.plan_execution.retry_policy.jitter':
    'Fraction of each wait randomised: the wait lies in [d × (1 − jitter), d × (1 + jitter)], still capped at max_delay_ms. 0 = exact waits.',
  'orchestration.plan_execution.error_handling': 'What to do when the venue, the ledger or the journal fails.',
  'orchestration.plan_execution.error_handling.on_api_failure':
    'The venue call definitively failed (rejected, or retries exhausted with nothing done). rollback_ledger: undo the ledger changes made for the directive; alert_only: keep them and raise an alert; continue: record and go on. Never applied to an unknown outcome.',
  'orchestration.plan_execution.error_handling.on_ledger_failure':
    'The order executed at the venue but the ledger write failed. alert_admin: raise an alert for an operator; rollback_api: compensate at the venue (cancel what is open, flatten what filled, journaled as compensation); continue: record and go on.',
  'orchestration.plan_execution.error_handling.on_journal_failure':
    'The journal cannot be written. continue: the entry goes to storage.journal_fallback_path, a warning alert, and the flow goes on; alert_admin: the same with a critical alert; fail_execution: abort the flow if nothing was sent to the venue yet (once something was sent: fallback file and critical alert).',
  'orchestration.plan_execution.error_handling.on_protection_failure':
    'A trade filled but the venue refused its stop loss or take profit (the trade then shows protection MISSING and a critical alert fires). flatten: close it at market at once (close_reason PROTECTION_MISSING); alert_only: keep it open and unprotected.',
  'orchestration.plan_execution.monitoring': 'Logs, slow-execution alerts and metrics of executions.',
  'orchestration.plan_execution.monitoring.log_all_executions': 'Log one line per execution; false logs failures only.',
  'orchestration.plan_execution.monitoring.alert_on_slow_execution_ms': 'An execution that takes longer than this (milliseconds) raises a slow-execution alert.',
  'orchestration.plan_execution.monitoring.metrics_enabled': 'Record Prometheus metrics in the process (/metrics of planexec serve is planned, not in this build).',
  'orchestration.plan_execution.concurrency': 'How many flows run at once and how many may wait.',
  'orchestration.plan_execution.concurrency.max_concurrent_strategies':
    'Strategies executing at once. One strategy\'s directives always run one at a time, in arrival order.',
  'orchestration.plan_execution.concurrency.max_pending_directives':
    'Directives accepted but not yet stopped. Beyond it intake waits (CLI) or answers 429 (HTTP); nothing is dropped.',
  'orchestration.plan_execution.in_doubt': 'Resolution of orders whose outcome is unknown, by looking them up at the venue by client order id.',
  'orchestration.plan_execution.in_doubt.max_checks': 'Venue look-ups before the flow stops with IN_DOUBT_UNRESOLVED.',
  'orchestration.plan_execution.in_doubt.check_interval_ms': 'Wait between two look-ups, in milliseconds.',
  'orchestration.plan_execution.in_doubt.not_found_grace_ms':
    'A venue may report a fresh order "not found" for a while; a "not found" counts as absent only after this many milliseconds.',
  'orchestration.flow_termination': 'The FlowTerminationHandler: what happens when a flow stops.',
  'orchestration.flow_termination.alert_on_error': 'Raise an alert for every flow that stops with _flow_stop_error.',
  'orchestration.flow_termination.ui_buffer_size':
    'Flow completions buffered per live-stream consumer; beyond it that consumer loses the oldest ones (other consumers are unaffected).',
  intake: 'How directives come in: how far the CLI reads ahead of execution, and how old a directive may be.',
  'intake.read_ahead_factor':
    'The CLI hands the orchestrator at most read_ahead_factor × max_concurrent_strategies directives that have not begun (no DIRECTIVE_ACCEPTED yet), then waits before reading on. Enough to keep every strategy busy; small, so Ctrl-C leaves little read but not started and memory stays flat.',
  'intake.max_directive_age_seconds':
    'A directive whose timestamp is older than this many seconds when it is accepted (its strategy\'s turn came) is refused as a failed flow (timestamp: [max_age]). 0 = no limit.',
  risk: 'Pre-trade risk limits, checked on every order leg before it is sent; 0 = that limit is off. Set them per environment under environments.<env>.risk.',
  'risk.max_order_notional': 'Largest notional of one order adding exposure (quantity × limit price, trigger price, or reference price for a market order), in the quote asset; refused RISK_MAX_ORDER_NOTIONAL. 0 = off.',
  'risk.max_strategy_notional':
    'Largest open exposure of one strategy (filled size × entry price plus resting entry size × its price, over its open trades) plus the new order, in the quote asset; refused RISK_MAX_STRATEGY_NOTIONAL. 0 = off.',
  'risk.max_symbol_notional': 'Largest open exposure on one symbol, over every strategy, plus the new order, in the quote asset; refused RISK_MAX_SYMBOL_NOTIONAL. 0 = off.',
  'risk.max_open_orders': 'Most orders live at the venue (per the ledger) once the new one is placed; refused RISK_MAX_OPEN_ORDERS. 0 = off.',
  'risk.order_rate': 'Order-rate budget of the account (a token bucket), on top of the venue client\'s own limiter.',
  'risk.order_rate.max_orders':
    'Orders, amends and cancels the account may send per per_seconds. An order adding exposure beyond it is refused (RISK_ORDER_RATE); a reduce-only order, amend of a protective order or cancel waits for its turn within timeout_seconds. 0 = off.',
  'risk.order_rate.per_seconds': 'The window of max_orders, in seconds; the budget refills evenly over it.',
  recovery: 'Crash recovery: how interrupted flows are finished at start-up and by planexec recover.',
  'recovery.resend_within_seconds':
    'An order leg journaled before a crash that the venue confirms it never received is sent again under the same client order id: a leg that reduces or closes exposure always, a leg that adds exposure (entry, increase) only within this many seconds of the flow\'s acceptance; later the flow fails with EXPIRED_DURING_OUTAGE. 0: never re-send adding legs.',
  connector: 'The venue directives are executed at.',
  'connector.type': 'paper: the built-in simulated venue; ccxt: an exchange\'s spot market through ccxt (connector.ccxt).',
  'connector.paper': 'The simulated venue (used when connector.type is paper).',
  'connector.paper.path': 'The simulated venue\'s own state file (unset: DB.venue.db beside the database). Relative to the config file. One venue serves one database. \':memory:\' keeps it in this process only: it is gone when the run ends, and verify cannot compare the ledger with it.',
  'connector.paper.latency_ms': 'Simulated round trip of every call, in milliseconds (half on the way in, half on the way back).',
  'connector.paper.slippage_bps': 'Price a taker pays away from the reference price, in basis points (1 bp = 0.01 %).',
  'connector.paper.taker_fee_rate': 'Fee on a taker fill, as a fraction of its notional (0.001 = 0.1 %).',
  'connector.paper.maker_fee_rate': 'Fee on a maker fill, as a fraction of its notional.',
  'connector.paper.partial_fill_threshold': 'Market orders above this quantity fill in several parts; 0 = always one fill.',
  'connector.paper.instruments':
    'Overrides and additions to the built-in instruments (BTC_USDT, ETH_USDT, SOL_USDT), by symbol (BASE_QUOTE, upper case).',
  'connector.paper.instruments.*.tick_size': 'Price increment; prices are rounded to it before risk checks and sending.',
  'connector.paper.instruments.*.lot_size': 'Quantity increment; quantities are rounded down to it.',
  'connector.paper.instruments.*.min_quantity': 'Smallest order quantity the venue accepts.',
  'connector.paper.instruments.*.min_notional': 'Smallest order value (price × quantity) the venue accepts.',
  'connector.paper.instruments.*.max_quantity': 'Largest quantity one order may carry; unset = no maximum.',
  'connector.paper.instruments.*.reference_price': 'The price the simulated market starts at.',
  'connector.paper.faults': 'Fault injection, to rehearse retries, rejections and unknown outcomes.',
  'connector.paper.faults.transient_error_rate': 'Probability per call of a retryable error (the request was not processed).',
  'connector.paper.faults.rejection_rate': 'Probability per submit of a venue rejection.',
  'connector.paper.faults.timeout_rate': 'Probability per call of a timeout after the request took effect (an unknown outcome).',
  'connector.paper.faults.seed': 'Seed of the fault dice, so a faulty run can be replayed exactly.',
  'connector.paper.idempotent_submit':
    'true: a repeated client order id returns the existing order; false: it is rejected as a duplicate (planexec then looks the order up).',
  'connector.paper.require_price':
    "true: an order, or a reference price asked for, on a symbol no price has reached yet (from the price source, the demo or a backtest's bars) is refused with NO_PRICE, instead of trading at the instrument's reference_price. planexec backtest always sets it.",
  'connector.paper.not_found_window_ms': 'A fresh order is reported "not found" for this long, as some venues do.',
  'connector.paper.position_mode':
    'hedge: each trade is its own position (its orders carry the trade id as position_id), so opposite trades on one symbol are each protected; netting: one net position per symbol, and a NEW_TRADE opposite an open trade is denied (NETTING_CONFLICT). A venue file keeps the mode it was created in.',
  'connector.paper.prices': 'Where the simulated venue\'s prices come from; stops, take-profits and resting limits trigger from them.',
  'connector.paper.prices.source': 'static: prices move only when set (the demo); ccxt: a real exchange\'s public tickers, polled without API keys; file: a CSV or JSON Lines price file, replayed.',
  'connector.paper.prices.exchange': 'The ccxt exchange id whose public tickers are polled (source ccxt), e.g. binance.',
  'connector.paper.prices.symbols': 'Symbols to follow (BTC_USDT); unset: every instrument the venue lists (ccxt), every row (file).',
  'connector.paper.prices.interval_ms': 'Between polls (ccxt, unset: 2000) or between rows (file, unset: 0 = as fast as the venue takes them).',
  'connector.paper.prices.api_base_url': 'Replaces the scheme and host of every REST endpoint of the exchange: a proxy or a local venue.',
  'connector.paper.prices.options': 'Passed to the ccxt exchange as its options (source ccxt); spot-only settings (defaultType, fetchMarkets types) are always applied over it.',
  'connector.paper.prices.path': 'The price file (source file): CSV timestamp,symbol,price or OHLCV bars, or JSON Lines. Relative to the config file.',
  'connector.ccxt': 'An exchange\'s spot market through ccxt (used when connector.type is ccxt).',
  'connector.ccxt.exchange': 'The ccxt exchange id, e.g. binance, kraken, okx. Required when connector.type is ccxt.',
  'connector.ccxt.sandbox': 'Use the exchange\'s testnet/sandbox. Set false only for real money (or for a local venue named by api_base_url).',
  'connector.ccxt.api_key': 'API key. Write it as ${ENV_VAR}: the value is then a secret, never printed or logged. Required to trade.',
  'connector.ccxt.api_secret': 'API secret. Write it as ${ENV_VAR}. Required to trade.',
  'connector.ccxt.password': 'API passphrase, for exchanges that have one (okx, kucoin, …). Write it as ${ENV_VAR}.',
  'connector.ccxt.options': 'Passed to the ccxt exchange constructor as its options (exchange-specific). Spot-only settings and the broker id are always applied over it.',
  'connector.ccxt.api_base_url': 'Replaces the scheme and host of every REST endpoint of the exchange, for a proxy or a local venue (e.g. http://127.0.0.1:9000).',
  'connector.ccxt.poll_interval_ms': 'How often resting orders are polled for fills and endings, in milliseconds.',
  'connector.ccxt.reference_price_max_age_ms':
    'How long a ticker price is reused as the reference of market orders (minimum notional, slippage bound), in milliseconds; 0 asks the venue for every order.',
  'connector.ccxt.rate_limit': 'true: ccxt spaces requests by the exchange\'s rate limit; false: no spacing (a local venue).',
  storage: 'Where the ledger, the journal and the flow table live.',
  'storage.type': 'sqlite: one embedded file, one writer; postgres: a PostgreSQL server shared by several workers (storage.url).',
  'storage.path': 'The SQLite database file; --db PATH overrides it. Relative to the config file.',
  'storage.url': 'storage.type postgres: the connection URL, postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE; write it as ${PLANEXEC_PG_URL} to keep the password out of the file. --db postgres://… overrides it.',
  'storage.lease_seconds': 'storage.type postgres: how long a worker\'s lease on its flows lasts without renewal (renewed every third of it); another worker recovers a dead worker\'s flows only after it expires.',
  'storage.journal_fallback_path':
    'Where journal entries go (fsync\'d JSON Lines) while the journal cannot be written; they are replayed when it recovers.',
  'storage.writer_thread':
    'true: SQLite commits (statements and fsyncs) run on a writer thread with its own connection, so the event loop keeps running flows; false: on the event loop. Reads see committed data either way.',
  bus: 'The event bus.',
  'bus.type': 'memory: in-process only; nats: the in-process bus, plus directives consumed from NATS JetStream by planexec serve and events mirrored there (distributed mode).',
  'bus.url': 'bus.type nats: the NATS server URL.',
  'bus.stream': 'bus.type nats: the JetStream stream directives are published to (subjects <stream lowercased>.directives.p<partition>.<strategy>); events go to <stream>_EVENTS.',
  'bus.partitions': 'bus.type nats: how many partitions the strategies are spread over; each live worker consumes its share, in order. Every publisher and worker must use the same number.',
  'bus.ack_wait_seconds': 'bus.type nats: a directive delivered and not acknowledged for this long (its worker died before accepting it) is delivered again.',
  server: 'The HTTP API, live stream, dashboard and /metrics of planexec serve.',
  'server.host': 'Interface to listen on. 127.0.0.1 keeps the API local; any other address needs a token (auth_token_env).',
  'server.port': 'TCP port to listen on; 0 picks a free port.',
  'server.auth_token_env':
    'Name of the environment variable holding the bearer token every /api route requires; unset: no token, and serve starts only on a loopback host.',
  'server.auth_token_label': 'Who a change made with the token is recorded as (e.g. changed_by of a trading-state change).',
  'server.body_limit_bytes': 'Largest request body accepted; larger bodies are answered 413.',
  'server.cors_origins': 'Origins allowed to call the API from a browser (CORS); empty: CORS off.',
  'server.sse_buffer_size': 'Live-stream events kept so a client that reconnects with Last-Event-ID misses nothing; an older resume gets a reset event.',
  'server.intake_max_pending':
    'Directives received over HTTP and not yet finished beyond which POST /api/directives answers 429 with Retry-After.',
  alerts: 'Where alerts (failed, slow and IN_DOUBT flows, missing protection, verify differences, trading-state changes) go, deduplicated, rate-limited and retried (docs/alerts.md).',
  'alerts.log': 'Alerts as log lines.',
  'alerts.log.enabled': 'Write every alert as a log line (level warn, error or fatal by severity).',
  'alerts.webhook': 'Alerts POSTed as JSON to a URL: the alert itself, or a Slack incoming-webhook message.',
  'alerts.webhook.url': 'http(s) URL to POST alerts to; unset: no webhook. Tokens in it belong in ${ENV_VAR}.',
  'alerts.webhook.format': 'generic: the alert object as JSON; slack: a Slack-compatible message ({"text", "blocks"}).',
  'alerts.webhook.timeout_ms': 'Timeout of one webhook request, in milliseconds.',
  'alerts.webhook.headers': 'Extra HTTP headers of each webhook request, e.g. Authorization: Bearer ${ALERT_TOKEN}.',
  'alerts.telegram': 'Alerts sent as Telegram messages through a bot (Bot API sendMessage).',
  'alerts.telegram.bot_token': 'The bot\'s token from @BotFather; unset: no Telegram. Write it as ${ENV_VAR}.',
  'alerts.telegram.chat_id': 'The chat to write to: a numeric id (negative for groups) or @channelname; set together with bot_token.',
  'alerts.telegram.api_base_url': 'Base URL of the Bot API (another server, or a local one in tests).',
  'alerts.telegram.timeout_ms': 'Timeout of one Telegram request, in milliseconds.',
  'alerts.dedupe_window_seconds': 'An alert with the same code and subject (flow, trade or symbol) within this many seconds is suppressed and counted; 0 = no deduplication.',
  'alerts.max_per_minute': 'Alerts each sink sends per minute; beyond, they are held back and one summary follows when the minute is over; 0 = no limit.',
  'alerts.retry': 'Retries of an alert whose delivery failed on the network, a timeout, 408, 429 or 5xx.',
  'alerts.retry.max_attempts': 'Delivery attempts of one alert, the first included; 1 = no retry.',
  'alerts.retry.initial_delay_ms': 'Wait before the second attempt, doubled after each failure; a Retry-After from the receiver wins.',
  'alerts.retry.max_delay_ms': 'Longest wait between two attempts (a Retry-After from the receiver is honoured even when longer).',
  logging: 'Log output (JSON lines on stderr).',
  'logging.level': 'Least severe level written; silent writes nothing.',
  backtest: 'planexec backtest: how a bar is walked, the equity a run starts with, the seed of its ids.',
  'backtest.intrabar_rule':
    'When one bar reaches both a stop and a limit (a trade whose stop and target lie inside the bar): pessimistic fills the stop first, optimistic the limit first.',
  'backtest.initial_equity': 'Equity at the start, in the quote asset: the base of the equity curve, the drawdown and the returns.',
  'backtest.seed': 'Seeds every generated id and random draw of a run: the same inputs and seed give the same journal bytes and report numbers.',
  environments: 'Overrides per environment, merged over the base sections; --env or PLANEXEC_ENV picks one.',
  'environments.backtest': 'Overrides for backtests: instant fills, no faults.',
  'environments.paper': 'Overrides for paper trading (simulated venue in real time).',
  'environments.live': 'Overrides for live trading (real exchange, real money).',
};
