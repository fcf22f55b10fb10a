import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlatform, type Platform } from '../../src/app/create-platform.js';
import { openPaperPrices } from '../../src/app/paper-prices.js';
import { PlatformConfigSchema, type PlatformConfig } from '../../src/config/schema.js';
import { systemClock } from '../../src/domain/clock.js';
import { Decimal } from '../../src/domain/decimal.js';
import { ConfigError } from '../../src/domain/errors.js';
import { BTC_MARKET, DOGE_MARKET, TickerServer } from '../market-data/ticker-server.js';

const logger = pino({ level: 'silent' });

function config(prices: Record<string, unknown>): PlatformConfig {
  return PlatformConfigSchema.parse({ connector: { paper: { prices } } });
}

describe('the paper venue on a real exchange’s prices (source ccxt, local Binance-like server)', () => {
  let server: TickerServer;
  let platform: Platform | undefined;

  beforeEach(async () => {
    server = await TickerServer.start([BTC_MARKET, DOGE_MARKET]);
    server.prices.set('BTCUSDT', '64000.5');
    server.prices.set('DOGEUSDT', '0.15432');
  });
  afterEach(async () => {
    await platform?.close();
    platform = undefined;
    await server.close();
  });

  it('lists a symbol the paper config does not define with the exchange’s rules, priced at its first ticker', async () => {
    const prices = await openPaperPrices(config({ source: 'ccxt', exchange: 'binance', api_base_url: server.url, symbols: ['DOGE_USDT'], interval_ms: 50 }).connector.paper, {
      clock: systemClock,
      logger,
    });
    try {
      const doge = prices.instruments.DOGE_USDT;
      expect([doge?.tick_size.toFixed(), doge?.lot_size.toFixed(), doge?.min_quantity.toFixed(), doge?.min_notional.toFixed(), doge?.reference_price.toFixed()]).toEqual([
        '0.00001',
        '1',
        '1',
        '1',
        '0.15432',
      ]);
      expect(prices.source.name).toBe('ccxt:binance');
    } finally {
      await prices.source.close();
    }
  });

  it('a symbol the exchange does not list is a config error on connector.paper.prices.symbols', async () => {
    const error = await openPaperPrices(config({ source: 'ccxt', exchange: 'binance', api_base_url: server.url, symbols: ['NOPE_USDT'] }).connector.paper, { clock: systemClock, logger }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]).toMatchObject({ keyPath: 'connector.paper.prices.symbols', rule: 'symbol_not_listed', message: 'binance lists no spot market NOPE/USDT' });
  });

  it('without symbols it follows the venue’s instruments the exchange lists; each new ticker moves the venue and triggers a resting stop', async () => {
    platform = await createPlatform({
      config: config({ source: 'ccxt', exchange: 'binance', api_base_url: server.url, interval_ms: 50 }),
      dbPath: ':memory:',
      logger,
    });
    const venue = platform.paper!;
    expect(venue.lastPrice('BTC_USDT')?.toFixed()).toBe('64000.5');
    expect((await platform.connector.getReferencePrice('BTC_USDT')).toFixed()).toBe('64000.5');
    // ETH and SOL are not on this exchange: they keep their static prices
    expect(venue.lastPrice('ETH_USDT')).toBeUndefined();

    await venue.placeOrder({ client_order_id: 'PX0000000000000001-E', symbol: 'BTC_USDT', side: 'BUY', order_type: 'MARKET', quantity: new Decimal('0.01'), time_in_force: 'GTC', reduce_only: false });
    await venue.placeOrder({
      client_order_id: 'PX0000000000000001-SL',
      symbol: 'BTC_USDT',
      side: 'SELL',
      order_type: 'STOP_MARKET',
      quantity: new Decimal('0.01'),
      stop_price: new Decimal('63000'),
      time_in_force: 'GTC',
      reduce_only: true,
    });
    const triggered = new Promise((resolve) => venue.onExecution((r) => r.order.client_order_id.endsWith('-SL') && r.order.status === 'FILLED' && resolve(r)));
    server.prices.set('BTCUSDT', '62999.99');
    await triggered;
    expect(venue.lastPrice('BTC_USDT')?.toFixed()).toBe('62999.99');
  });
});
