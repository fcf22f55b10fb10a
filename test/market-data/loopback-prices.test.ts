import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import { CcxtPriceSource } from '../../src/market-data/ccxt-price-source.js';
import { startLoopbackVenue, type LoopbackVenue } from '../support/loopback-venue/index.js';

const logger = pino({ level: 'silent' });

describe('ccxt price source against the loopback Binance venue', () => {
  let venue: LoopbackVenue;
  let source: CcxtPriceSource | undefined;
  beforeEach(async () => {
    venue = await startLoopbackVenue();
  });
  afterEach(async () => {
    await source?.close();
    await venue.close();
  });

  it('reads its tickers and spot rules (loadMarkets kept to spot), and follows a price the venue moves', async () => {
    source = new CcxtPriceSource({
      exchange: 'binance',
      symbols: ['BTC_USDT'],
      intervalMs: 50,
      apiBaseUrl: venue.url,
      clock: systemClock,
      logger,
    });
    await source.start();
    expect(source.latest('BTC_USDT')?.price.toFixed()).toBe('65000');
    const [btc] = await source.instruments(['BTC_USDT']);
    expect(btc?.tick_size.toFixed()).toBe('0.01');
    await venue.client.setPrice('BTCUSDT', '64321.09');
    const until = Date.now() + 10_000;
    while (source.latest('BTC_USDT')?.price.toFixed() !== '64321.09' && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(source.latest('BTC_USDT')?.price.toFixed()).toBe('64321.09');
  });
});
