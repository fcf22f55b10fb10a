import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/domain/errors.js';

describe('alerts.webhook.url', () => {
  it('accepts an https URL', () => {
    const { config } = loadConfigText('alerts:\n  webhook:\n    url: https://hooks.example.test/x\n', 'p.yaml', { environ: {} });
    expect(config.alerts.webhook.url).toBe('https://hooks.example.test/x');
  });

  it('refuses a scheme the webhook sink cannot post to, naming the key and line', () => {
    try {
      loadConfigText('alerts:\n  webhook:\n    url: ftp://hooks.example.test/x\n', 'p.yaml', { environ: {} });
      expect.unreachable('an ftp URL must be refused');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issue = (error as ConfigError).issues[0];
      expect(issue).toMatchObject({ keyPath: 'alerts.webhook.url', line: 3 });
    }
  });
});
