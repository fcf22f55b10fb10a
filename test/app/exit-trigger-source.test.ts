import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exitTriggerSource } from '../../src/app/exit-trigger-source.js';
import type { OrderRequest } from '../../src/ports/connector.js';
import { withHeldExits } from '../../src/connectors/held-exits/held-exits-connector.js';
import { defaultConfig, type PlatformConfig } from '../../src/config/schema.js';
import { systemClock } from '../../src/domain/clock.js';
import { Decimal } from '../../src/domain/decimal.js';
import { StaticPriceSource } from '../../src/market-data/static-price-source.js';
import { FakeConnector } from '../support/fakes.js';
import { BTC_MARKET, TickerServer } from '../market-data/ticker-server.js';

const logger = pino({ level: 'silent' });

/** connector.type ccxt on the exchange behind `url`, polled every 50 ms. */
function ccxtConfig(url: string): PlatformConfig {
  const base = defaultConfig();
  const ccxt = { ...base.connector.ccxt, exchange: 'binance', api_base_url: url, poll_interval_ms: 50 };
  return { ...base, connector: { ...base.connector, type: 'ccxt', ccxt } } as PlatformConfig;
}

describe('the price source held exits fire from', () => {
  let server: TickerServer;
  beforeEach(async () => {
    server = await TickerServer.start([BTC_MARKET]);
    server.prices.set('BTCUSDT', '65000');
  });
  afterEach(() => server.close());

  it('is static for a venue that is not a live exchange', async () => {
    expect((await exitTriggerSource(defaultConfig(), { clock: systemClock, logger })).source).toBeInstanceOf(StaticPriceSource);
  });

  it('for a live venue: its exchange’s public tickers at its api_base_url, polling each symbol an exit is held for; a held stop fires from them', async () => {
    const trigger = await exitTriggerSource(ccxtConfig(server.url), { clock: systemClock, logger });
    expect(trigger.source.name).toBe('ccxt:binance');
    const inner = new FakeConnector({ clock: systemClock, capabilities: { nativeStops: false } });
    const venue = withHeldExits(inner, trigger.source, { clock: systemClock, logger, follow: trigger.follow });
    try {
      // nothing held yet: nothing to wait for
      await trigger.source.start();
      expect(server.tickerRequests()).toBe(0);
      const base = { symbol: 'BTC_USDT', quantity: new Decimal('0.01'), time_in_force: 'GTC', position_id: 'T1' } as const;
      await venue.placeOrder({ ...base, client_order_id: 'PX00000000000000c1-E', side: 'BUY', order_type: 'MARKET', reduce_only: false });
      await venue.placeOrder({ ...base, client_order_id: 'PX00000000000000c1-SL', side: 'SELL', order_type: 'STOP_MARKET', stop_price: new Decimal('64000'), reduce_only: true });
      await waitFor(() => trigger.source.latest('BTC_USDT') !== undefined);
      expect(inner.placed().filter((p: OrderRequest) => p.client_order_id.endsWith('-SL'))).toEqual([]);
      server.prices.set('BTCUSDT', '63999.5');
      await waitFor(() => inner.placed().some((p: OrderRequest) => p.client_order_id === 'PX00000000000000c1-SL'));
      expect((await venue.fetchOrder('PX00000000000000c1-SL', 'BTC_USDT'))?.status).toBe('FILLED');
    } finally {
      await trigger.source.close();
      await venue.close();
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
