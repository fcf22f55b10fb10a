import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { platformPaths } from '../../src/app/platform-paths.js';
import { unbuiltChoices } from '../../src/config/build-support.js';
import { loadConfig } from '../../src/config/load-config.js';
import { defaultConfig } from '../../src/config/schema.js';
import { validateConfigFile } from '../../src/config/validate-config.js';
import { ConfigError } from '../../src/domain/errors.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/platform.yaml', import.meta.url));

const ENVIRON = {
  PLANEXEC_ALERT_WEBHOOK: 'https://hooks.example.com/services/T000/B000/XXXX',
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

  it('live: the paper venue, stricter policies, webhook alerts, a database outside the checkout', () => {
    const loaded = loadConfig({ file: EXAMPLE, env: 'live', environ: ENVIRON });
    const { config } = loaded;
    expect(config.connector.type).toBe('paper');
    expect(config.storage).toMatchObject({ type: 'sqlite', path: '/var/lib/planexec/planexec.db' });
    expect(config.alerts.webhook.url).toBe(ENVIRON.PLANEXEC_ALERT_WEBHOOK);
    expect(config.orchestration.plan_execution.error_handling.on_journal_failure).toBe('fail_execution');
    expect(config.orchestration.plan_execution.retry_policy.max_retries).toBeLessThan(3);
    expect(config.intake.max_directive_age_seconds).toBe(30);
    expect([...loaded.secrets]).toEqual([ENVIRON.PLANEXEC_ALERT_WEBHOOK]);
  });

  it('live without its webhook variable names it', () => {
    let error: unknown;
    try {
      loadConfig({ file: EXAMPLE, env: 'live', environ: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const missing = (error as ConfigError).issues.filter((i) => i.rule === 'env_var_missing').map((i) => i.keyPath);
    expect(missing).toEqual(['environments.live.alerts.webhook.url']);
  });

  it('names no venue or fallback file, so each database gets its own; its relative paths are relative to examples/', () => {
    for (const env of [undefined, 'backtest', 'paper', 'live'] as const) {
      const { config } = loadConfig({ file: EXAMPLE, ...(env === undefined ? {} : { env }), environ: ENVIRON });
      expect(config.connector.paper.path).toBe(defaultConfig().connector.paper.path);
      expect(config.storage.journal_fallback_path).toBe(defaultConfig().storage.journal_fallback_path);
      expect(platformPaths(config, '/w/a.db').venue).toBe('/w/a.db.venue.db');
      expect(isAbsolute(config.storage.path)).toBe(true);
    }
    expect(loadConfig({ file: EXAMPLE, environ: {} }).config.storage.path).toBe(join(dirname(EXAMPLE), 'data', 'planexec.db'));
  });

  it('chooses nothing this build lacks in any environment', () => {
    for (const env of [undefined, 'backtest', 'paper', 'live'] as const) {
      const { config } = loadConfig({ file: EXAMPLE, ...(env === undefined ? {} : { env }), environ: ENVIRON });
      expect(unbuiltChoices(config)).toEqual([]);
    }
  });
});
