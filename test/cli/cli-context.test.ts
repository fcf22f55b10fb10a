import { describe, expect, it } from 'vitest';
import { cliLogLevel } from '../../src/cli/cli-context.js';
import { defaultConfig, type PlatformConfig } from '../../src/config/schema.js';

function withLevel(level: PlatformConfig['logging']['level']): PlatformConfig {
  return { ...defaultConfig(), logging: { level } };
}

describe('cliLogLevel', () => {
  it('logs at warn by default: info lines would drown the command output', () => {
    expect(cliLogLevel(defaultConfig(), {})).toBe('warn');
  });

  it('logs at info with --verbose', () => {
    expect(cliLogLevel(defaultConfig(), { verbose: true })).toBe('info');
  });

  it('follows a config that sets another level', () => {
    expect(cliLogLevel(withLevel('debug'), {})).toBe('debug');
    expect(cliLogLevel(withLevel('error'), { verbose: true })).toBe('info');
  });

  it('lets --log-level override everything', () => {
    expect(cliLogLevel(withLevel('debug'), { verbose: true, logLevel: 'silent' })).toBe('silent');
  });
});
