import { describe, expect, it } from 'vitest';
import { substituteEnv } from '../../src/config/env-substitution.js';
import { loadConfigText } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/domain/errors.js';
import { configError } from '../support/config-error.js';


describe('substituteEnv', () => {
  it('replaces a whole-value reference and reports the value as a secret', () => {
    expect(substituteEnv('${TOKEN}', { TOKEN: 'abc123' })).toEqual({ text: 'abc123', substituted: true, secrets: ['abc123'], problems: [] });
  });

  it('replaces references embedded in text', () => {
    const result = substituteEnv('postgres://u:${PW}@${HOST}/db', { PW: 'p@ss', HOST: 'db.local' });
    expect(result.text).toBe('postgres://u:p@ss@db.local/db');
    expect(result.secrets).toEqual(['p@ss', 'db.local']);
  });

  it('uses the default when the variable is unset or empty, and the default is no secret', () => {
    expect(substituteEnv('${PORT:-8080}', {})).toMatchObject({ text: '8080', secrets: [] });
    expect(substituteEnv('${PORT:-8080}', { PORT: '' })).toMatchObject({ text: '8080', secrets: [] });
    expect(substituteEnv('${PORT:-8080}', { PORT: '9090' })).toMatchObject({ text: '9090', secrets: ['9090'] });
    expect(substituteEnv('${X:-}', {})).toMatchObject({ text: '', problems: [] });
  });

  it('a default may contain colons and slashes', () => {
    expect(substituteEnv('${URL:-https://example.com:8443/x}', {}).text).toBe('https://example.com:8443/x');
  });

  it('a missing variable without default is a problem naming it', () => {
    const result = substituteEnv('${API_KEY}', {});
    expect(result.problems).toEqual([{ rule: 'env_var_missing', message: expect.stringContaining('API_KEY') }]);
  });

  it('an empty but set variable without default is the empty string', () => {
    expect(substituteEnv('a${E}b', { E: '' })).toMatchObject({ text: 'ab', problems: [], secrets: [] });
  });

  it('$${ is a literal ${', () => {
    expect(substituteEnv('cost: $${NOT_A_VAR}', {})).toMatchObject({ text: 'cost: ${NOT_A_VAR}', substituted: false, problems: [] });
  });

  it('text without references is returned as is', () => {
    expect(substituteEnv('plain $5 text', {})).toEqual({ text: 'plain $5 text', substituted: false, secrets: [], problems: [] });
  });

  it('malformed references are problems', () => {
    expect(substituteEnv('${1X}', {}).problems[0]?.rule).toBe('env_var_syntax');
    expect(substituteEnv('${UNCLOSED', {}).problems[0]?.rule).toBe('env_var_syntax');
    expect(substituteEnv('${}', {}).problems[0]?.rule).toBe('env_var_syntax');
  });
});

describe('substitution in platform.yaml', () => {
  it('substitutes string values and collects the secrets', () => {
    const text = 'connector:\n  ccxt:\n    api_key: ${KEY}\n    api_secret: "${SECRET}"\n';
    const loaded = loadConfigText(text, 'p.yaml', { environ: { KEY: 'k-123', SECRET: 's-456' } });
    expect(loaded.config.connector.ccxt).toMatchObject({ api_key: 'k-123', api_secret: 's-456' });
    expect([...loaded.secrets].sort()).toEqual(['k-123', 's-456']);
  });

  it('an unquoted reference resolves like YAML: numbers and booleans', () => {
    const text = 'server:\n  port: ${PORT}\nconnector:\n  ccxt:\n    sandbox: ${SANDBOX}\n';
    const { config } = loadConfigText(text, 'p.yaml', { environ: { PORT: '9090', SANDBOX: 'false' } });
    expect(config.server.port).toBe(9090);
    expect(config.connector.ccxt.sandbox).toBe(false);
  });

  it('a quoted reference stays a string (and then fails a number key)', () => {
    const error = configError(() => loadConfigText('server:\n  port: "${PORT}"\n', 'p.yaml', { environ: { PORT: '9090' } }));
    expect(error.issues[0]).toMatchObject({ keyPath: 'server.port', rule: 'type' });
  });

  it('a decimal key takes substituted text exactly', () => {
    const { config } = loadConfigText('connector:\n  paper:\n    taker_fee_rate: ${FEE}\n', 'p.yaml', { environ: { FEE: '0.001000000000000001' } });
    expect(config.connector.paper.taker_fee_rate.toFixed()).toBe('0.001000000000000001');
  });

  it('the default syntax works in the file', () => {
    const { config, secrets } = loadConfigText('storage:\n  path: ${DB_PATH:-./data/p.db}\n', 'p.yaml', { environ: {} });
    expect(config.storage.path).toBe('./data/p.db');
    expect(secrets.size).toBe(0);
  });

  it('a missing variable is an error at the value, naming the variable', () => {
    const text = 'alerts:\n  webhook:\n    url: ${PLANEXEC_ALERT_WEBHOOK}\n';
    const error = configError(() => loadConfigText(text, 'p.yaml', { environ: {} }));
    expect(error.issues).toEqual([
      {
        file: 'p.yaml',
        line: 3,
        column: 10,
        keyPath: 'alerts.webhook.url',
        rule: 'env_var_missing',
        message: expect.stringContaining('PLANEXEC_ALERT_WEBHOOK'),
      },
    ]);
  });

  it('references in an overlay that is not chosen are not evaluated', () => {
    const text = 'environments:\n  live:\n    connector:\n      ccxt:\n        api_key: ${LIVE_KEY}\n';
    expect(() => loadConfigText(text, 'p.yaml', { env: 'live', environ: {} })).toThrow(ConfigError);
    expect(loadConfigText(text, 'p.yaml', { environ: {} }).secrets.size).toBe(0);
  });

  it('keys are never substituted', () => {
    const error = configError(() => loadConfigText('${SECTION}:\n  x: 1\n', 'p.yaml', { environ: { SECTION: 'server' } }));
    expect(error.issues[0]).toMatchObject({ keyPath: '${SECTION}', rule: 'unknown_key' });
  });
});
