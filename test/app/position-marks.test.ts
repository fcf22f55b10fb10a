import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { platformPaths } from '../../src/app/platform-paths.js';
import { loadMarks } from '../../src/app/position-marks.js';
import { defaultConfig, type PlatformConfig } from '../../src/config/schema.js';
import { systemClock } from '../../src/domain/clock.js';
import { BTC_MARKET, TickerServer } from '../market-data/ticker-server.js';

const logger = pino({ level: 'silent' });

function ccxtConfig(url: string): PlatformConfig {
  const base = defaultConfig();
  const ccxt = { ...base.connector.ccxt, exchange: 'binance', api_base_url: url };
  return { ...base, connector: { ...base.connector, type: 'ccxt', ccxt } } as PlatformConfig;
}

describe('marks of open trades', () => {
  let server: TickerServer;
  beforeEach(async () => {
    server = await TickerServer.start([BTC_MARKET]);
  });
  afterEach(() => server.close());

  it('a live venue: one public ticker fetch on its exchange', async () => {
    server.prices.set('BTCUSDT', '64123.45');
    const config = ccxtConfig(server.url);
    const marks = await loadMarks(config, platformPaths(config, '/tmp/none.db'), ['BTC_USDT'], { clock: systemClock, logger });
    expect(marks.get('BTC_USDT')?.price?.toFixed()).toBe('64123.45');
  });

  it('a live venue that does not answer in time: no mark, and the reason names the exchange and the symbol', async () => {
    server.failNext = 1000;
    const config = ccxtConfig(server.url);
    const marks = await loadMarks(config, platformPaths(config, '/tmp/none.db'), ['BTC_USDT'], { clock: systemClock, logger, timeoutMs: 300 });
    expect(marks.get('BTC_USDT')).toMatchObject({ price: null });
    expect(marks.get('BTC_USDT')?.unknown).toMatch(/ccxt:binance: no prices for BTC_USDT from binance within 300 ms/);
  });

  it('the paper venue without a venue file: no mark, saying so', async () => {
    const config = defaultConfig();
    const marks = await loadMarks(config, platformPaths(config, '/tmp/planexec-no-such-dir/x.db'), ['BTC_USDT'], { clock: systemClock, logger });
    expect(marks.get('BTC_USDT')?.unknown).toBe('no paper venue file at /tmp/planexec-no-such-dir/x.db.venue.db');
  });
});
