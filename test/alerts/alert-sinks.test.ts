import { describe, expect, it } from 'vitest';
import { CompositeAlertSink } from '../../src/alerts/composite-alert-sink.js';
import { createAlertSink } from '../../src/alerts/create-alert-sink.js';
import { DeliveryPolicySink } from '../../src/alerts/delivery-policy-sink.js';
import { LogAlertSink } from '../../src/alerts/log-alert-sink.js';
import { NoopAlertSink } from '../../src/alerts/noop-alert-sink.js';
import { loadConfigText } from '../../src/config/load-config.js';
import { AlertsSchema } from '../../src/config/schema.js';
import { ConfigError } from '../../src/domain/errors.js';
import type { Alert, IAlertSink } from '../../src/ports/alerts.js';
import { captureLogger } from './capture-logger.js';

const alert = (severity: Alert['severity']): Alert => ({
  severity,
  code: 'INSUFFICIENT_FUNDS',
  message: 'flow DIR_1 ended FAILED: insufficient funds',
  flow_id: 'DIR_1',
  directive_id: 'DIR_1',
  details: { strategy_id: 'btc_momentum' },
  timestamp: '2026-11-24T10:15:03.000Z',
});

describe('LogAlertSink', () => {
  it('logs info alerts at warn, warnings at error and critical alerts at fatal, with the alert', async () => {
    const { logger, lines } = captureLogger();
    const sink = new LogAlertSink(logger);
    await sink.send(alert('info'));
    await sink.send(alert('warning'));
    await sink.send(alert('critical'));
    expect(lines.map((l) => l.levelName)).toEqual(['warn', 'error', 'fatal']);
    expect(lines[2]).toMatchObject({ msg: 'ALERT INSUFFICIENT_FUNDS: flow DIR_1 ended FAILED: insufficient funds', alert: alert('critical') });
  });

  it('resolves even when the logger throws', async () => {
    const { logger } = captureLogger();
    logger.error = () => {
      throw new Error('disk full');
    };
    await expect(new LogAlertSink(logger).send(alert('warning'))).resolves.toBeUndefined();
  });
});

describe('CompositeAlertSink', () => {
  it('sends to every sink and waits for all of them, even when one breaks its contract', async () => {
    const seen: string[] = [];
    let releaseSlow!: () => void;
    const slow: IAlertSink = {
      send: () =>
        new Promise<void>((resolve) => {
          releaseSlow = () => {
            seen.push('slow');
            resolve();
          };
        }),
    };
    const broken: IAlertSink = { send: () => Promise.reject(new Error('broken sink')) };
    const fast: IAlertSink = {
      send: (a) => {
        seen.push(`fast:${a.code}`);
        return Promise.resolve();
      },
    };
    let done = false;
    const sending = new CompositeAlertSink([slow, broken, fast]).send(alert('warning')).then(() => {
      done = true;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual(['fast:INSUFFICIENT_FUNDS']);
    expect(done).toBe(false);
    releaseSlow();
    await sending;
    expect(seen).toEqual(['fast:INSUFFICIENT_FUNDS', 'slow']);
  });
});

describe('createAlertSink', () => {
  const names = (sink: unknown): string[] =>
    sink instanceof CompositeAlertSink ? sink.sinks.map((s) => (s as DeliveryPolicySink).name) : sink instanceof DeliveryPolicySink ? [sink.name] : [];

  it('builds a log sink behind a delivery policy by default', () => {
    const { logger } = captureLogger();
    const sink = createAlertSink(AlertsSchema.parse({}), logger);
    expect(sink).toBeInstanceOf(DeliveryPolicySink);
    expect(names(sink)).toEqual(['log']);
  });

  it('builds a webhook sink alone, log, webhook and telegram together, or nothing', () => {
    const { logger } = captureLogger();
    const webhookOnly = AlertsSchema.parse({ log: { enabled: false }, webhook: { url: 'https://hooks.example.com/x' } });
    expect(names(createAlertSink(webhookOnly, logger))).toEqual(['webhook']);
    const all = createAlertSink(AlertsSchema.parse({ webhook: { url: 'https://hooks.example.com/x', format: 'slack' }, telegram: { bot_token: '123:abc', chat_id: -100 } }), logger);
    expect(all).toBeInstanceOf(CompositeAlertSink);
    expect(names(all)).toEqual(['log', 'webhook', 'telegram']);
    expect(createAlertSink(AlertsSchema.parse({ log: { enabled: false } }), logger)).toBeInstanceOf(NoopAlertSink);
  });

  it('the log sink it builds writes through the given logger before send resolves', async () => {
    const { logger, lines } = captureLogger();
    await createAlertSink(AlertsSchema.parse({}), logger).send(alert('critical'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ levelName: 'fatal', component: 'alerts' });
  });

  it('refuses a Telegram bot token without a chat id, located at the key and naming the missing one', () => {
    const text = 'alerts:\n  telegram:\n    bot_token: ${TG_TOKEN}\n';
    try {
      loadConfigText(text, 'platform.yaml', { environ: { TG_TOKEN: '123:TOKENSECRET' } });
      expect.unreachable('half a Telegram config must be refused');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([
        expect.objectContaining({
          line: 3,
          keyPath: 'alerts.telegram.bot_token',
          rule: 'telegram_token_and_chat',
          message: 'alerts.telegram.chat_id is required when alerts.telegram.bot_token is set: Telegram alerts need both (or neither)',
        }),
      ]);
      expect(JSON.stringify((error as ConfigError).issues)).not.toContain('TOKENSECRET');
    }
  });

  it('lets a command that only reads load a config whose Telegram token variable is unset, with no Telegram sink', () => {
    const text = 'alerts:\n  telegram:\n    bot_token: ${TG_TOKEN}\n    chat_id: -1001\n';
    const { config } = loadConfigText(text, 'platform.yaml', { environ: {}, unsetVariables: 'omit' });
    expect(config.alerts.telegram.bot_token).toBeUndefined();
    const { logger } = captureLogger();
    expect(names(createAlertSink(config.alerts, logger))).toEqual(['log']);
  });

  it('refuses a retry whose max_delay_ms is below initial_delay_ms', () => {
    const parsed = AlertsSchema.safeParse({ retry: { initial_delay_ms: 5000, max_delay_ms: 1000 } });
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['retry', 'max_delay_ms'], message: 'max_delay_ms cannot be less than initial_delay_ms' });
  });
});
