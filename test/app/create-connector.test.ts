import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createConnector, paperVenue } from '../../src/app/create-connector.js';
import { createPlatform } from '../../src/app/create-platform.js';
import { platformPaths } from '../../src/app/platform-paths.js';
import { defaultConfig, type PlatformConfig } from '../../src/config/schema.js';
import { ConfigError, PlanexecError } from '../../src/domain/errors.js';
import { FakeClock } from '../support/fake-clock.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-create-connector-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const logger = pino({ level: 'silent' });

function withType(type: 'paper' | 'ccxt'): PlatformConfig {
  const config = defaultConfig();
  return { ...config, connector: { ...config.connector, type } };
}

describe('createConnector', () => {
  it('builds the paper venue for connector.type paper, in the folder the paths name, and exposes the simulator beside the port', async () => {
    const config = withType('paper');
    const paths = platformPaths(config, join(dir, 'nested', 'a.db'));
    const built = await createConnector(config, { clock: new FakeClock(), paths, logger });
    try {
      expect(built.paper).toBe(built.connector);
      expect(built.connector.venue).toBe('paper');
      expect(built.connector.capabilities.positionMode).toBe(config.connector.paper.position_mode);
      expect((await built.connector.getReferencePrice('BTC_USDT')).gt(0)).toBe(true);
    } finally {
      await built.connector.close();
    }
  });

  it('refuses a connector type this build does not have, with a ConfigError on connector.type', async () => {
    const config = withType('ccxt');
    const error = await createConnector(config, { clock: new FakeClock(), paths: platformPaths(config, ':memory:'), logger }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]).toMatchObject({ keyPath: 'connector.type', rule: 'not_in_this_build' });
  });

  it('paperVenue hands out the simulator, and refuses clearly when the venue is not the paper one', async () => {
    const config = withType('paper');
    const built = await createConnector(config, { clock: new FakeClock(), paths: platformPaths(config, ':memory:'), logger });
    expect(paperVenue(built, 'the demo')).toBe(built.paper);
    const live = { connector: built.connector, paper: null };
    expect(() => paperVenue(live, 'the demo')).toThrow(PlanexecError);
    expect(() => paperVenue(live, 'the demo')).toThrow(/the demo needs the paper venue/);
    return built.connector.close();
  });
});

describe('the platform', () => {
  it('trades through the connector the factory built and keeps the paper simulator reachable beside it', async () => {
    const platform = await createPlatform({ config: defaultConfig(), dbPath: ':memory:', logger, clock: new FakeClock() });
    try {
      expect(platform.paper).toBe(platform.connector);
      expect(platform.connector.venue).toBe('paper');
    } finally {
      await platform.close();
    }
  });
});
