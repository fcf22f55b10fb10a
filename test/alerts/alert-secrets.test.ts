import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAlertSink } from '../../src/alerts/create-alert-sink.js';
import { AlertsSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/create-logger.js';
import { FakeClock } from '../support/fake-clock.js';

function capturingLogger(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  let out = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString('utf8');
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', destination }), text: () => out };
}

describe('alert sink secrets', () => {
  it('a logged alerts config shows neither the Telegram bot token nor a webhook Authorization header', () => {
    const { logger, text } = capturingLogger();
    const alerts = AlertsSchema.parse({ webhook: { url: 'https://hooks.example.com/x', headers: { authorization: 'Bearer HEADERSECRET' } }, telegram: { bot_token: '123:TOKENSECRET', chat_id: 1 } });
    logger.info({ alerts }, 'config');
    expect(text()).toContain('"bot_token":"***"');
    expect(text()).not.toMatch(/TOKENSECRET|HEADERSECRET/);
  });

  it('a Telegram API that cannot be reached is logged by its origin, never with the token in the request path', async () => {
    const { logger, text } = capturingLogger();
    const config = AlertsSchema.parse({ log: { enabled: false }, telegram: { bot_token: '123:TOKENSECRET', chat_id: 1, api_base_url: 'http://127.0.0.1:9', timeout_ms: 500 }, retry: { max_attempts: 1 } });
    const sink = createAlertSink(config, logger, { clock: new FakeClock() });
    await sink.send({ severity: 'critical', code: 'FLOW_IN_DOUBT', message: 'flow DIR_1 ended IN_DOUBT', flow_id: 'DIR_1', timestamp: '2026-11-24T10:00:00.000Z' });
    await sink.close();
    expect(text()).toContain('"msg":"alert delivery failed"');
    expect(text()).toContain('"destination":"http://127.0.0.1:9"');
    expect(text()).not.toContain('TOKENSECRET');
  });
});
