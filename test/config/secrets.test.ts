import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registerConfigCommand } from '../../src/cli/commands/config-command.js';
import { loadConfigText } from '../../src/config/load-config.js';
import { redactConfig, redactSecrets } from '../../src/config/redact.js';
import { ConfigError } from '../../src/domain/errors.js';
import { createLogger } from '../../src/logging/create-logger.js';

/** Realistic token alphabets: what API keys, passwords and webhook tokens are made of. */
const secretArb = fc.stringMatching(/^[A-Za-z0-9_\-+/=.~:@%!]{8,48}$/);

const dir = mkdtempSync(join(tmpdir(), 'planexec-secrets-'));

function writeTemp(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function runCli(args: string[], environ: Record<string, string>): Promise<{ out: string; err: string; code: number | undefined }> {
  let out = '';
  let err = '';
  let code: number | undefined;
  const program = new Command().exitOverride();
  registerConfigCommand(program, { stdout: (s) => (out += s), stderr: (s) => (err += s), setExitCode: (c) => (code = c) }, { environ });
  await program.parseAsync(['node', 'planexec', ...args]);
  return { out, err, code };
}

const INVALID = `connector:
  type: \${TOKEN}
  ccxt:
    api_key: \${TOKEN}
alerts:
  webhook:
    url: "not a url \${TOKEN}"
    headers:
      Authorization: Bearer \${TOKEN}
logging:
  level: \${TOKEN}
server:
  port: \${TOKEN}
`;

const VALID = `connector:
  ccxt:
    api_key: \${TOKEN}
    api_secret: "\${TOKEN}"
storage:
  url: postgres://planexec:\${TOKEN}@db.internal/planexec
alerts:
  webhook:
    url: https://hooks.example.com/services/\${TOKEN}
    headers:
      Authorization: Bearer \${TOKEN}
`;

describe('a secret never appears in output', () => {
  it('in config errors (messages, key paths, issue details)', () => {
    fc.assert(
      fc.property(secretArb, (secret) => {
        let error: unknown;
        try {
          loadConfigText(INVALID, 'platform.yaml', { environ: { TOKEN: secret } });
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const issues = (error as ConfigError).issues;
        expect(issues.map((i) => i.keyPath)).toEqual(expect.arrayContaining(['connector.type', 'alerts.webhook.url', 'logging.level']));
        expect((error as Error).message).not.toContain(secret);
        expect(JSON.stringify(issues)).not.toContain(secret);
        expect(String((error as Error).stack)).not.toContain(secret);
      }),
      { numRuns: 100 },
    );
  });

  it('the error shows the key path, the rule and the value as written, ${NAME} in place of the secret', () => {
    let issues: ConfigError['issues'] = [];
    try {
      loadConfigText(INVALID, 'platform.yaml', { environ: { TOKEN: 'hunter2-very-secret' } });
    } catch (e) {
      issues = (e as ConfigError).issues;
    }
    expect(issues.find((i) => i.keyPath === 'alerts.webhook.url')).toEqual({
      file: 'platform.yaml',
      line: 7,
      column: 10,
      keyPath: 'alerts.webhook.url',
      rule: 'format',
      message: 'must be a valid URL (got "not a url ${TOKEN}")',
    });
  });

  it('in config validate output', async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, async (secret) => {
        const file = writeTemp('invalid.yaml', INVALID);
        const result = await runCli(['config', 'validate', file], { TOKEN: secret });
        expect(result.code).toBe(2);
        expect(result.err).toContain('alerts.webhook.url');
        expect(result.out + result.err).not.toContain(secret);
      }),
      { numRuns: 30 },
    );
  });

  it('in config show output, YAML and JSON', async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, fc.boolean(), async (secret, json) => {
        const file = writeTemp('valid.yaml', VALID);
        const args = ['config', 'show', '--config', file, ...(json ? ['--json'] : [])];
        const result = await runCli(args, { TOKEN: secret });
        expect(result.code).toBe(0);
        expect(result.out).toContain('***');
        expect(result.out + result.err).not.toContain(secret);
      }),
      { numRuns: 40 },
    );
  });

  it('in log lines, whatever is logged', () => {
    fc.assert(
      fc.property(secretArb, (secret) => {
        const loaded = loadConfigText(VALID, 'platform.yaml', { environ: { TOKEN: secret } });
        let written = '';
        const stream = new Writable({
          write(chunk: Buffer, _encoding, callback) {
            written += chunk.toString();
            callback();
          },
        });
        const logger = createLogger({ level: 'trace', secrets: loaded.secrets, destination: stream });
        logger.info({ config: loaded.config }, 'loaded config');
        logger.warn(`connecting with ${secret}`);
        logger.error(new Error(`venue said: bad key ${secret}`), 'venue error');
        logger.child({ url: loaded.config.alerts.webhook.url }).debug({ nested: { deeper: [secret] } }, 'child');
        expect(written.split('\n').filter(Boolean)).toHaveLength(4);
        expect(written).not.toContain(secret);
      }),
      { numRuns: 60 },
    );
  });
});

describe('redaction helpers', () => {
  it('redactSecrets masks raw and JSON-escaped forms, longest first', () => {
    const secrets = new Set(['ab"c\\d', 'ab']);
    expect(redactSecrets('x ab"c\\d y', secrets)).toBe('x *** y');
    expect(redactSecrets(JSON.stringify({ v: 'ab"c\\d' }), secrets)).toBe('{"v":"***"}');
    expect(redactSecrets('ab-ab', secrets)).toBe('***-***');
  });

  it('redactSecrets leaves text alone when there are no secrets', () => {
    expect(redactSecrets('nothing to hide', new Set())).toBe('nothing to hide');
  });

  it('redactConfig turns decimals into wire strings and masks values containing secrets', () => {
    const loaded = loadConfigText(VALID, 'platform.yaml', { environ: { TOKEN: 'tok-123456' } });
    const plain = redactConfig(loaded.config, loaded.secrets) as Record<string, Record<string, Record<string, unknown>>>;
    expect(plain.connector?.ccxt).toMatchObject({ api_key: '***', api_secret: '***' });
    expect(plain.storage?.url).toBe('postgres://planexec:***@db.internal/planexec');
    expect(plain.connector?.paper?.taker_fee_rate).toBe('0.001');
  });
});
