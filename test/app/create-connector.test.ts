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

function withCcxt(ccxt: Partial<PlatformConfig['connector']['ccxt']>): PlatformConfig {
  const config = withType('ccxt');
  return { ...config, connector: { ...config.connector, ccxt: { ...config.connector.ccxt, ...ccxt } } };
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

  async function configError(config: PlatformConfig, readOnly?: boolean): Promise<ConfigError> {
    try {
      const built = await createConnector(config, { clock: new FakeClock(), paths: platformPaths(config, ':memory:'), logger, ...(readOnly === undefined ? {} : { readOnly }) });
      void built.connector.close();
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  it('builds the ccxt connector for connector.type ccxt: the exchange is the venue, no paper simulator beside it', async () => {
    const config = withCcxt({ exchange: 'binance', api_key: 'k', api_secret: 's', sandbox: false, api_base_url: 'http://127.0.0.1:9' });
    const built = await createConnector(config, { clock: new FakeClock(), paths: platformPaths(config, ':memory:'), logger });
    try {
      expect(built.paper).toBeNull();
      expect(built.connector.venue).toBe('binance');
      // a spot market rests no stops: planexec holds them (HeldExitsConnector)
      expect(built.connector.capabilities).toMatchObject({ positionMode: 'netting', shortSelling: false, nativeStops: true });
    } finally {
      await built.connector.close();
    }
  });

  it('refuses ccxt without trading keys, naming each missing key; a reader needs none', async () => {
    const config = withCcxt({ exchange: 'binance' });
    expect((await configError(config)).issues.map((i) => [i.keyPath, i.rule])).toEqual([
      ['connector.ccxt.api_key', 'required_to_trade'],
      ['connector.ccxt.api_secret', 'required_to_trade'],
    ]);
    const reader = await createConnector(config, { clock: new FakeClock(), paths: platformPaths(config, ':memory:'), logger, readOnly: true });
    expect(reader.connector.venue).toBe('binance');
    return reader.connector.close();
  });

  it('refuses an exchange id ccxt does not know, naming connector.ccxt.exchange', async () => {
    const error = await configError(withCcxt({ exchange: 'nosuchexchange', api_key: 'k', api_secret: 's' }));
    expect(error.issues[0]).toMatchObject({ keyPath: 'connector.ccxt.exchange', rule: 'unknown_exchange' });
    expect(error.message).toContain('nosuchexchange is not an exchange ccxt');
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

describe('the platform over a live venue', () => {
  it("exposes the venue's unmapped-error counter in the platform's metrics registry", async () => {
    const { startLoopbackVenue } = await import('../support/loopback-venue/index.js');
    const venue = await startLoopbackVenue();
    const config = withCcxt({ exchange: 'binance', api_key: 'k', api_secret: 's', sandbox: false, api_base_url: venue.url, rate_limit: false });
    const platform = await createPlatform({ config, dbPath: ':memory:', logger, clock: new FakeClock(), recover: false });
    try {
      expect(platform.paper).toBeNull();
      expect(platform.connector.venue).toBe('binance');
      expect(await platform.metrics.exposition()?.render()).toContain('planexec_venue_unmapped_errors_total');
    } finally {
      await platform.close();
      await venue.close();
    }
  });
});
