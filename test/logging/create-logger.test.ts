import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/create-logger.js';

function capture(): { stream: Writable; text: () => string; lines: () => Record<string, unknown>[] } {
  let written = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written += chunk.toString();
      callback();
    },
  });
  return {
    stream,
    text: () => written,
    lines: () =>
      written
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON lines with a level name and an ISO-8601 UTC time', () => {
    const out = capture();
    createLogger({ level: 'info', destination: out.stream }).info({ directive_id: 'DIR_1' }, 'executed');
    const [line] = out.lines();
    expect(line).toMatchObject({ level: 'info', directive_id: 'DIR_1', msg: 'executed' });
    expect(line?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('drops lines below the level', () => {
    const out = capture();
    const logger = createLogger({ level: 'warn', destination: out.stream });
    logger.info('hidden');
    logger.warn('shown');
    expect(out.lines().map((l) => l.msg)).toEqual(['shown']);
  });

  it('silent writes nothing', () => {
    const out = capture();
    createLogger({ level: 'silent', destination: out.stream }).fatal('nothing');
    expect(out.text()).toBe('');
  });

  it('masks a secret in messages, fields, errors and child bindings', () => {
    const out = capture();
    const secret = 'sk_live_51HxYz-secret';
    const logger = createLogger({ level: 'debug', secrets: new Set([secret]), destination: out.stream });
    logger.info(`token ${secret}`);
    logger.info({ url: `https://hooks.example.com/${secret}` }, 'alert sent');
    logger.error(new Error(`rejected key ${secret}`), 'venue error');
    logger.child({ key: secret }).debug('child');
    expect(out.text()).not.toContain(secret);
    expect(out.lines()[1]?.url).toBe('https://hooks.example.com/***');
    expect(out.lines()).toHaveLength(4);
  });

  it('masks any secret text, including quotes, backslashes and control characters JSON escapes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 6, maxLength: 30 }), (secret) => {
        const out = capture();
        const logger = createLogger({ level: 'info', secrets: new Set([secret]), destination: out.stream });
        logger.info({ value: secret, text: `before ${secret} after` }, secret);
        const escaped = JSON.stringify(secret).slice(1, -1);
        expect(out.text()).not.toContain(escaped);
        expect(out.text()).not.toContain(secret);
      }),
      { numRuns: 200 },
    );
  });

  it('masks credential fields by name whatever their value', () => {
    const out = capture();
    createLogger({ level: 'info', destination: out.stream }).info(
      { api_key: 'k1', connector: { secret: 's1', api_key: 'k2' }, headers: { authorization: 'Bearer t' } },
      'creds',
    );
    expect(out.lines()[0]).toMatchObject({ api_key: '***', connector: { secret: '***', api_key: '***' }, headers: { authorization: '***' } });
  });

  it('writes to a file descriptor synchronously', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'planexec-log-')), 'log.jsonl');
    const fd = openSync(file, 'w');
    createLogger({ level: 'info', secrets: new Set(['p4ssw0rd!']), destination: fd }).info('login with p4ssw0rd!');
    closeSync(fd);
    const line = JSON.parse(readFileSync(file, 'utf8').trim()) as { msg: string };
    expect(line.msg).toBe('login with ***');
  });

  it('rejects an unknown level', () => {
    expect(() => createLogger({ level: 'verbose', destination: capture().stream })).toThrow();
  });
});
