import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { validateConfigFile } from '../../src/config/validate-config.js';
import { ConfigError } from '../../src/domain/errors.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/platform.yaml', import.meta.url));

const ENVIRON = {
  PLANEXEC_API_KEY: 'example-api-key-0001',
  PLANEXEC_API_SECRET: 'example-api-secret-0002',
  PLANEXEC_ALERT_WEBHOOK: 'https://hooks.example.com/services/T000/B000/XXXX',
  PLANEXEC_API_TOKEN: 'example-api-token-0003',
};

describe('examples/platform.yaml', () => {
  it('defines backtest, paper and live, and all of them validate', () => {
    const result = validateConfigFile(EXAMPLE, { environ: ENVIRON });
    expect(result.issues).toEqual([]);
    expect(result.checked).toEqual([null, 'backtest', 'paper', 'live']);
  });

  it('the base alone is the paper venue on SQLite', () => {
    const { config } = loadConfig({ file: EXAMPLE, environ: {} });
    expect(config.connector.type).toBe('paper');
    expect(config.storage.type).toBe('sqlite');
    expect(config.connector.paper.instruments.ADA_USDT?.tick_size.toFixed()).toBe('0.0001');
  });

  it('backtest: zero latency, no faults, rollback_ledger', () => {
    const { config, environment } = loadConfig({ file: EXAMPLE, env: 'backtest', environ: {} });
    expect(environment).toBe('backtest');
    expect(config.connector.type).toBe('paper');
    expect(config.connector.paper.latency_ms).toBe(0);
    expect(config.connector.paper.faults).toMatchObject({ transient_error_rate: 0, rejection_rate: 0, timeout_rate: 0 });
    expect(config.orchestration.plan_execution.error_handling.on_api_failure).toBe('rollback_ledger');
  });

  it('paper: the simulated venue with latency and some faults', () => {
    const { config } = loadConfig({ file: EXAMPLE, env: 'paper', environ: {} });
    expect(config.connector.type).toBe('paper');
    expect(config.connector.paper.latency_ms).toBeGreaterThan(0);
    expect(config.connector.paper.faults.transient_error_rate).toBeGreaterThan(0);
    expect(config.connector.paper.faults.timeout_rate).toBeGreaterThan(0);
  });

  it('live: ccxt with credentials from the environment, stricter policies, webhook alerts', () => {
    const loaded = loadConfig({ file: EXAMPLE, env: 'live', environ: ENVIRON });
    const { config } = loaded;
    expect(config.connector.type).toBe('ccxt');
    expect(config.connector.ccxt).toMatchObject({ api_key: ENVIRON.PLANEXEC_API_KEY, secret: ENVIRON.PLANEXEC_API_SECRET, sandbox: false });
    expect(config.alerts.webhook.url).toBe(ENVIRON.PLANEXEC_ALERT_WEBHOOK);
    expect(config.orchestration.plan_execution.error_handling.on_journal_failure).toBe('fail_execution');
    expect(config.orchestration.plan_execution.retry_policy.max_retries).toBeLessThan(3);
    expect(config.server.auth_token).toBe(ENVIRON.PLANEXEC_API_TOKEN);
    expect(config.intake.max_directive_age_seconds).toBe(30);
    expect([...loaded.secrets]).toEqual(expect.arrayContaining(Object.values(ENVIRON)));
  });

  it('live without its credentials names each missing variable', () => {
    let error: unknown;
    try {
      loadConfig({ file: EXAMPLE, env: 'live', environ: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const missing = (error as ConfigError).issues.filter((i) => i.rule === 'env_var_missing').map((i) => i.keyPath);
    expect(missing).toEqual([
      'environments.live.connector.ccxt.api_key',
      'environments.live.connector.ccxt.secret',
      'environments.live.server.auth_token',
      'environments.live.alerts.webhook.url',
    ]);
  });
});
