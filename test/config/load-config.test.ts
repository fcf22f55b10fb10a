import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deepMerge } from '../../src/config/deep-merge.js';
import { loadConfig, loadConfigText } from '../../src/config/load-config.js';
import { defaultConfig } from '../../src/config/schema.js';
import { configError } from '../support/config-error.js';

function writeTemp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'planexec-config-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}


describe('loadConfig without a file', () => {
  it('returns every default, no environment and no secrets', () => {
    const loaded = loadConfig({ environ: {} });
    expect(loaded.file).toBeNull();
    expect(loaded.environment).toBeNull();
    expect(loaded.secrets.size).toBe(0);
    expect(loaded.config).toEqual(defaultConfig());
  });

  it('defaults to the paper connector, SQLite and the in-process bus', () => {
    const { config } = loadConfig({ environ: {} });
    expect(config.connector.type).toBe('paper');
    expect(config.storage).toMatchObject({ type: 'sqlite', path: './planexec.db' });
    expect(config.bus.type).toBe('memory');
  });

  it('keeps a known environment name from PLANEXEC_ENV', () => {
    expect(loadConfig({ environ: { PLANEXEC_ENV: 'paper' } }).environment).toBe('paper');
  });

  it('rejects an environment name that does not exist', () => {
    const error = configError(() => loadConfig({ env: 'staging', environ: {} }));
    expect(error.issues[0]?.rule).toBe('unknown_environment');
  });
});

describe('section defaults', () => {
  const { config } = loadConfigText('', 'empty.yaml', { environ: {} });

  it('plan_execution keeps the spec values as defaults', () => {
    const pe = config.orchestration.plan_execution;
    expect(pe.enabled).toBe(true);
    expect(pe.timeout_seconds).toBe(30);
    expect(pe.attempt_timeout_ms).toBe(10_000);
    expect(pe.retry_policy).toEqual({
      max_retries: 3,
      backoff_strategy: 'exponential',
      initial_delay_ms: 100,
      max_delay_ms: 5000,
      jitter: 0.2,
    });
    expect(pe.error_handling).toEqual({
      on_api_failure: 'rollback_ledger',
      on_ledger_failure: 'alert_admin',
      on_journal_failure: 'continue',
      on_protection_failure: 'flatten',
    });
    expect(pe.monitoring).toEqual({ log_all_executions: true, alert_on_slow_execution_ms: 1000, metrics_enabled: true });
    expect(pe.concurrency).toEqual({ max_concurrent_strategies: 64, max_pending_directives: 10_000 });
    expect(pe.in_doubt).toEqual({ max_checks: 8, check_interval_ms: 500, not_found_grace_ms: 5000 });
  });

  it('flow_termination alerts on error by default', () => {
    expect(config.orchestration.flow_termination).toEqual({ alert_on_error: true, ui_buffer_size: 1000 });
  });

  it('the paper venue has decimal fees and no faults', () => {
    const paper = config.connector.paper;
    expect(paper.taker_fee_rate.toFixed()).toBe('0.001');
    expect(paper.maker_fee_rate.toFixed()).toBe('0.0008');
    expect(paper.slippage_bps.toFixed()).toBe('2');
    expect(paper.faults).toEqual({ transient_error_rate: 0, rejection_rate: 0, timeout_rate: 0, seed: 42 });
    expect(paper.instruments).toEqual({});
  });

  it('ccxt is a sandbox without credentials or an exchange, with ccxt\'s rate limiter and a one-second poll, a reference price reused for a second', () => {
    expect(config.connector.ccxt).toEqual({ sandbox: true, options: {}, poll_interval_ms: 1000, reference_price_max_age_ms: 1000, rate_limit: true });
  });

  it('connector.type ccxt without connector.ccxt.exchange is refused, naming the key and the rule', () => {
    expect(() => loadConfigText('connector:\n  type: ccxt\n', 'p.yaml', { environ: {} })).toThrow(/connector\.ccxt\.exchange: .*required when connector\.type is ccxt.*\[required_for_ccxt\]/);
    expect(loadConfigText('connector:\n  type: ccxt\n  ccxt:\n    exchange: binance\n', 'p.yaml', { environ: {} }).config.connector.ccxt.exchange).toBe('binance');
  });

  it('infrastructure sections', () => {
    expect(config.storage.journal_fallback_path).toBe('./planexec-journal-fallback.jsonl');
    expect(config.bus).toEqual({ type: 'memory', url: 'nats://127.0.0.1:4222', stream: 'PLANEXEC', partitions: 16, ack_wait_seconds: 15 });
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8080, auth_token_label: 'api', body_limit_bytes: 1048576, cors_origins: [], sse_buffer_size: 10000, intake_max_pending: 5000 });
    expect(config.alerts).toEqual({
      log: { enabled: true },
      webhook: { format: 'generic', timeout_ms: 5000, headers: {} },
      telegram: { api_base_url: 'https://api.telegram.org', timeout_ms: 5000 },
      dedupe_window_seconds: 300,
      max_per_minute: 10,
      retry: { max_attempts: 5, initial_delay_ms: 1000, max_delay_ms: 60_000 },
    });
    expect(config.logging.level).toBe('info');
  });

  it('a file of comments only is the same as no file', () => {
    expect(loadConfigText('# nothing here\n', 'c.yaml', { environ: {} }).config).toEqual(defaultConfig());
  });
});

const OVERLAYS = `orchestration:
  plan_execution:
    retry_policy:
      max_retries: 5
      initial_delay_ms: 200
connector:
  paper:
    latency_ms: 10
    instruments:
      ADA_USDT: { tick_size: "0.0001", lot_size: "0.1", min_quantity: "1", min_notional: "5", reference_price: "0.45" }
alerts:
  webhook:
    headers: { X-A: a, X-B: b }
environments:
  backtest:
  live:
    orchestration:
      plan_execution:
        retry_policy:
          max_retries: 1
    connector:
      paper:
        instruments:
          DOT_USDT: { tick_size: "0.001", lot_size: "0.01", min_quantity: "0.1", min_notional: "5", reference_price: "6.5" }
    alerts:
      webhook:
        headers: { X-C: c }
`;

describe('environment overlays', () => {
  it('the base alone applies when no environment is chosen', () => {
    const loaded = loadConfigText(OVERLAYS, 'p.yaml', { environ: {} });
    expect(loaded.environment).toBeNull();
    expect(loaded.config.orchestration.plan_execution.retry_policy.max_retries).toBe(5);
    expect(loaded.config.connector.type).toBe('paper');
  });

  it('mappings merge key by key: the overlay changes only what it names', () => {
    const { config } = loadConfigText(OVERLAYS, 'p.yaml', { env: 'live', environ: {} });
    expect(config.orchestration.plan_execution.retry_policy.max_retries).toBe(1);
    expect(config.orchestration.plan_execution.retry_policy.initial_delay_ms).toBe(200);
    expect(config.connector.type).toBe('paper');
    expect(config.connector.paper.latency_ms).toBe(10);
    expect(Object.keys(config.connector.paper.instruments).sort()).toEqual(['ADA_USDT', 'DOT_USDT']);
    expect(config.alerts.webhook.headers).toEqual({ 'X-A': 'a', 'X-B': 'b', 'X-C': 'c' });
  });

  it('an empty overlay changes nothing', () => {
    const base = loadConfigText(OVERLAYS, 'p.yaml', { environ: {} }).config;
    expect(loadConfigText(OVERLAYS, 'p.yaml', { env: 'backtest', environ: {} }).config).toEqual(base);
  });

  it('PLANEXEC_ENV picks the overlay when no env option is given', () => {
    const loaded = loadConfigText(OVERLAYS, 'p.yaml', { environ: { PLANEXEC_ENV: 'live' } });
    expect(loaded.environment).toBe('live');
    expect(loaded.config.orchestration.plan_execution.retry_policy.max_retries).toBe(1);
  });

  it('the env option wins over PLANEXEC_ENV', () => {
    const loaded = loadConfigText(OVERLAYS, 'p.yaml', { env: 'backtest', environ: { PLANEXEC_ENV: 'live' } });
    expect(loaded.environment).toBe('backtest');
    expect(loaded.config.connector.type).toBe('paper');
  });

  it('scalars replace, and lists replace instead of merging', () => {
    expect(deepMerge({ a: [1, 2], b: { c: 1, d: 2 }, e: 'x' }, { a: [3], b: { d: 4 }, e: 'y' })).toEqual({
      a: [3],
      b: { c: 1, d: 4 },
      e: 'y',
    });
  });

  it('naming an environment the file does not define is an error with its position', () => {
    const error = configError(() => loadConfigText(OVERLAYS, 'p.yaml', { env: 'paper', environ: {} }));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ file: 'p.yaml', line: 14, column: 1, keyPath: 'environments', rule: 'unknown_environment' });
    expect(error.issues[0]?.message).toContain('defined: backtest, live');
  });

  it('the max_delay_ms rule is checked on the merged result', () => {
    const text = `orchestration:
  plan_execution:
    retry_policy: { initial_delay_ms: 100, max_delay_ms: 1000 }
environments:
  live:
    orchestration:
      plan_execution:
        retry_policy: { initial_delay_ms: 2000 }
`;
    expect(() => loadConfigText(text, 'p.yaml', { environ: {} })).not.toThrow();
    const error = configError(() => loadConfigText(text, 'p.yaml', { env: 'live', environ: {} }));
    expect(error.issues.map((i) => i.rule)).toEqual(['max_delay_ms_gte_initial']);
  });
});

describe('loadConfig with a file', () => {
  it('reads the file and reports its name in the result', () => {
    const file = writeTemp('platform.yaml', 'server:\n  port: 9999\n');
    const loaded = loadConfig({ file, environ: {} });
    expect(loaded.file).toBe(file);
    expect(loaded.config.server.port).toBe(9999);
  });

  it('a missing file is a ConfigError naming the file', () => {
    const error = configError(() => loadConfig({ file: '/nonexistent/platform.yaml', environ: {} }));
    expect(error.issues[0]).toMatchObject({ file: '/nonexistent/platform.yaml', line: null, rule: 'file_unreadable' });
  });
});

describe('decimals from YAML numbers', () => {
  it('a number feeds a decimal field through its source text', () => {
    const text = 'connector:\n  paper:\n    taker_fee_rate: 0.0015\n    slippage_bps: 2.50\n    partial_fill_threshold: 1e-3\n';
    const { config } = loadConfigText(text, 'p.yaml', { environ: {} });
    expect(config.connector.paper.taker_fee_rate.toFixed()).toBe('0.0015');
    expect(config.connector.paper.slippage_bps.toFixed()).toBe('2.5');
    expect(config.connector.paper.partial_fill_threshold.toFixed()).toBe('0.001');
  });

  it('keeps digits a float would lose', () => {
    const text = 'connector:\n  paper:\n    instruments:\n      BTC_USDT: { tick_size: 0.01, lot_size: 0.00001, min_quantity: 0.00001, min_notional: 5, reference_price: 65000.123456789012345678 }\n';
    const { config } = loadConfigText(text, 'p.yaml', { environ: {} });
    expect(config.connector.paper.instruments.BTC_USDT?.reference_price.toFixed()).toBe('65000.123456789012345678');
  });

  it('judges the written text, not the float: 0.1000000000000000055 has 19 decimal places', () => {
    const error = configError(() => loadConfigText('connector:\n  paper:\n    taker_fee_rate: 0.1000000000000000055\n', 'p.yaml', { environ: {} }));
    expect(error.issues[0]).toMatchObject({ keyPath: 'connector.paper.taker_fee_rate', rule: 'scale', line: 3, column: 21 });
  });

  it('a decimal string stays exact too', () => {
    const { config } = loadConfigText('connector:\n  paper:\n    maker_fee_rate: "0.00075"\n', 'p.yaml', { environ: {} });
    expect(config.connector.paper.maker_fee_rate.toFixed()).toBe('0.00075');
  });
});
