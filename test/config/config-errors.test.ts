import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load-config.js';
import { ConfigError, type ConfigIssue } from '../../src/domain/errors.js';

function issuesOf(text: string, env?: string): readonly ConfigIssue[] {
  try {
    loadConfigText(text, 'platform.yaml', { env, environ: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function only(text: string, env?: string): ConfigIssue {
  const issues = issuesOf(text, env);
  expect(issues).toHaveLength(1);
  return issues[0] as ConfigIssue;
}

const MANY_PROBLEMS = `orchestration:
  plan_execution:
    timeout_seconds: -1
    retry_policy:
      max_retries: lots
      backoff_strategy: fibonacci
    error_handling:
      on_api_failure: panic
connector:
  type: binance
server:
  port: 70000
alerts:
  webhook:
    url: not a url
logging:
  level: verbose
`;

describe('every issue is located', () => {
  const issues = issuesOf(MANY_PROBLEMS);

  it('reports all issues at once, in file order', () => {
    expect(issues.map((i) => [i.line, i.keyPath, i.rule])).toEqual([
      [3, 'orchestration.plan_execution.timeout_seconds', 'min'],
      [5, 'orchestration.plan_execution.retry_policy.max_retries', 'type'],
      [6, 'orchestration.plan_execution.retry_policy.backoff_strategy', 'enum'],
      [8, 'orchestration.plan_execution.error_handling.on_api_failure', 'enum'],
      [10, 'connector.type', 'enum'],
      [12, 'server.port', 'max'],
      [15, 'alerts.webhook.url', 'format'],
      [17, 'logging.level', 'enum'],
    ]);
  });

  it('each has file, line, column, key path, rule and message', () => {
    for (const issue of issues) {
      expect(issue.file).toBe('platform.yaml');
      expect(issue.line).toBeGreaterThan(0);
      expect(issue.column).toBeGreaterThan(0);
      expect(issue.keyPath).not.toBe('');
      expect(issue.rule).toMatch(/^[a-z_]+$/);
      expect(issue.message.length).toBeGreaterThan(0);
    }
  });

  it('the column is the value’s, and the message shows the value as written', () => {
    expect(issues[1]).toEqual({
      file: 'platform.yaml',
      line: 5,
      column: 20,
      keyPath: 'orchestration.plan_execution.retry_policy.max_retries',
      rule: 'type',
      message: 'must be a number (got lots)',
    });
    expect(issues[2]?.message).toBe('must be one of constant, linear, exponential (got fibonacci)');
    expect(issues[0]?.message).toBe('must be greater than 0 (got -1)');
    expect(issues[5]?.message).toBe('must be at most 65535 (got 70000)');
  });

  it('the ConfigError message lists them as file:line:col: key: message [rule]', () => {
    let message = '';
    try {
      loadConfigText(MANY_PROBLEMS, 'platform.yaml', { environ: {} });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')[0]).toBe('platform.yaml:3:22: orchestration.plan_execution.timeout_seconds: must be greater than 0 (got -1) [min]');
    expect(message.split('\n')).toHaveLength(8);
  });
});

describe('unknown keys', () => {
  it('at the top level, pointing at the key, with a suggestion', () => {
    expect(only('orchestation:\n  plan_execution: {}\n')).toEqual({
      file: 'platform.yaml',
      line: 1,
      column: 1,
      keyPath: 'orchestation',
      rule: 'unknown_key',
      message: 'unknown key "orchestation" (did you mean "orchestration"?)',
    });
  });

  it('in a section', () => {
    expect(only('server:\n  host: 0.0.0.0\n  prot: 80\n')).toMatchObject({ line: 3, column: 3, keyPath: 'server.prot', rule: 'unknown_key' });
  });

  it('three levels down', () => {
    const issue = only('orchestration:\n  plan_execution:\n    retry_policy:\n      max_retry: 2\n');
    expect(issue).toMatchObject({ line: 4, column: 7, keyPath: 'orchestration.plan_execution.retry_policy.max_retry', rule: 'unknown_key' });
    expect(issue.message).toContain('did you mean "max_retries"');
  });

  it('inside a map entry (an instrument)', () => {
    const text = 'connector:\n  paper:\n    instruments:\n      ADA_USDT: { tick_size: "0.1", lot_size: "1", min_quantity: "1", min_notional: "1", reference_price: "1", tick: 1 }\n';
    expect(only(text)).toMatchObject({ line: 4, keyPath: 'connector.paper.instruments.ADA_USDT.tick', rule: 'unknown_key' });
  });

  it('several unknown keys in one mapping are one issue each', () => {
    const issues = issuesOf('bus:\n  kind: nats\n  host: x\n');
    expect(issues.map((i) => [i.line, i.keyPath])).toEqual([
      [2, 'bus.kind'],
      [3, 'bus.host'],
    ]);
  });

  it('in the chosen overlay, pointing into the overlay', () => {
    const text = 'server:\n  port: 80\nenvironments:\n  live:\n    server:\n      porto: 81\n';
    expect(only(text, 'live')).toMatchObject({ line: 6, column: 7, keyPath: 'environments.live.server.porto', rule: 'unknown_key' });
  });

  it('in an overlay that is not chosen', () => {
    const text = 'environments:\n  paper:\n    connector:\n      paper:\n        latency: 5\n';
    expect(only(text)).toMatchObject({ line: 5, keyPath: 'environments.paper.connector.paper.latency', rule: 'unknown_key' });
  });

  it('an environment name other than backtest, paper, live', () => {
    expect(only('environments:\n  staging:\n    server: {}\n')).toMatchObject({
      line: 2,
      column: 3,
      keyPath: 'environments.staging',
      rule: 'unknown_key',
    });
  });

  it('a key such as __proto__ is an ordinary unknown key', () => {
    expect(only('server:\n  __proto__: { port: 1 }\n')).toMatchObject({ keyPath: 'server.__proto__', rule: 'unknown_key' });
  });
});

describe('wrong values for every policy key', () => {
  const policies = [
    ['retry_policy', 'backoff_strategy', 'constant, linear, exponential'],
    ['error_handling', 'on_api_failure', 'rollback_ledger, alert_only, continue'],
    ['error_handling', 'on_ledger_failure', 'alert_admin, rollback_api, continue'],
    ['error_handling', 'on_journal_failure', 'continue, alert_admin, fail_execution'],
  ] as const;

  for (const [block, key, allowed] of policies) {
    it(`${block}.${key} rejects an unknown policy and names the allowed ones`, () => {
      const issue = only(`orchestration:\n  plan_execution:\n    ${block}:\n      ${key}: retry_forever\n`);
      expect(issue).toEqual({
        file: 'platform.yaml',
        line: 4,
        column: 9 + key.length,
        keyPath: `orchestration.plan_execution.${block}.${key}`,
        rule: 'enum',
        message: `must be one of ${allowed} (got retry_forever)`,
      });
    });
  }

  it('connector, storage, bus types and the log level are enums too', () => {
    const text = 'connector: { type: x }\nstorage: { type: x }\nbus: { type: x }\nlogging: { level: x }\n';
    expect(issuesOf(text).map((i) => [i.keyPath, i.rule])).toEqual([
      ['connector.type', 'enum'],
      ['storage.type', 'enum'],
      ['bus.type', 'enum'],
      ['logging.level', 'enum'],
    ]);
  });
});

describe('cross-field and required rules', () => {
  it('max_delay_ms less than initial_delay_ms', () => {
    const issue = only('orchestration:\n  plan_execution:\n    retry_policy:\n      initial_delay_ms: 500\n      max_delay_ms: 100\n');
    expect(issue).toMatchObject({
      line: 5,
      column: 21,
      keyPath: 'orchestration.plan_execution.retry_policy.max_delay_ms',
      rule: 'max_delay_ms_gte_initial',
      message: expect.stringContaining('cannot be less than initial_delay_ms'),
    });
  });

  it('a missing required key points at the key of the mapping that lacks it', () => {
    const text = 'connector:\n  paper:\n    instruments:\n      ADA_USDT:\n        tick_size: "0.1"\n        lot_size: "1"\n        min_quantity: "1"\n        min_notional: "1"\n';
    expect(only(text)).toEqual({
      file: 'platform.yaml',
      line: 4,
      column: 7,
      keyPath: 'connector.paper.instruments.ADA_USDT.reference_price',
      rule: 'required',
      message: 'is required',
    });
  });

  it('an instrument symbol of the wrong form', () => {
    const text = 'connector:\n  paper:\n    instruments:\n      ada-usdt: { tick_size: "0.1", lot_size: "1", min_quantity: "1", min_notional: "1", reference_price: "1" }\n';
    expect(only(text)).toMatchObject({ line: 4, column: 7, keyPath: 'connector.paper.instruments.ada-usdt', rule: 'invalid_key' });
  });

  it('decimal rules come from the decimal field', () => {
    const text = 'connector:\n  paper:\n    taker_fee_rate: "1.5"\n    slippage_bps: abc\n    maker_fee_rate: -0.1\n';
    expect(issuesOf(text).map((i) => [i.line, i.rule])).toEqual([
      [3, 'max'],
      [4, 'decimal'],
      [5, 'non_negative'],
    ]);
  });

  it('a section given as a scalar', () => {
    expect(only('orchestration:\n  plan_execution: yes please\n')).toMatchObject({
      line: 2,
      column: 19,
      keyPath: 'orchestration.plan_execution',
      rule: 'type',
      message: 'must be a mapping (got yes please)',
    });
  });

  it('an empty section value is a type error, not silently the defaults', () => {
    expect(only('server:\n')).toMatchObject({ line: 1, keyPath: 'server', rule: 'type', message: 'must be a mapping (got an empty value)' });
  });
});

describe('errors from an environment overlay point into the overlay', () => {
  const text = `connector:
  type: paper
environments:
  live:
    connector:
      type: kraken
    orchestration:
      plan_execution:
        retry_policy:
          max_retries: 1000
`;

  it('the value’s line and column in the overlay, with the overlay key path', () => {
    expect(issuesOf(text, 'live')).toEqual([
      expect.objectContaining({ line: 6, column: 13, keyPath: 'environments.live.connector.type', rule: 'enum' }),
      expect.objectContaining({ line: 10, column: 24, keyPath: 'environments.live.orchestration.plan_execution.retry_policy.max_retries', rule: 'max' }),
    ]);
  });

  it('the base alone is valid', () => {
    expect(() => loadConfigText(text, 'platform.yaml', { environ: {} })).not.toThrow();
  });
});

describe('YAML problems', () => {
  it('a syntax error gives its line and column', () => {
    const issue = only('server:\n  port: [80\nbus: {}\n');
    expect(issue.rule).toBe('yaml_syntax');
    expect(issue.line).toBeGreaterThanOrEqual(2);
    expect(issue.column).toBeGreaterThan(0);
    expect(issue.message).not.toContain('\n');
  });

  it('a duplicate key is an error at the second occurrence', () => {
    expect(only('server:\n  port: 80\n  port: 81\n')).toMatchObject({ line: 3, column: 3, rule: 'duplicate_key' });
  });

  it('a file that is not a mapping', () => {
    expect(only('- a\n- b\n')).toMatchObject({ line: 1, column: 1, keyPath: '', rule: 'type' });
  });

  it('environments that are not a mapping', () => {
    expect(only('environments: [live]\n')).toMatchObject({ line: 1, column: 15, keyPath: 'environments', rule: 'type' });
  });

  it('aliases resolve to their anchor', () => {
    const text = 'orchestration:\n  plan_execution:\n    retry_policy: &fast { max_retries: 1, initial_delay_ms: 10, max_delay_ms: 20 }\nenvironments:\n  live:\n    orchestration:\n      plan_execution:\n        retry_policy: *fast\n';
    expect(loadConfigText(text, 'p.yaml', { env: 'live', environ: {} }).config.orchestration.plan_execution.retry_policy.max_retries).toBe(1);
  });
});
