import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import { CcxtPriceSource } from '../../src/market-data/ccxt-price-source.js';
import type { PriceTick } from '../../src/ports/price-source.js';
import { BTC_MARKET, DOGE_MARKET, TickerServer } from './ticker-server.js';

const logger = pino({ level: 'silent' });

describe('ccxt price source (Binance-like public API on a local server)', () => {
  let server: TickerServer;
  let source: CcxtPriceSource | undefined;

  beforeEach(async () => {
    server = await TickerServer.start([BTC_MARKET, DOGE_MARKET]);
  });
  afterEach(async () => {
    await source?.close();
    source = undefined;
    await server.close();
  });

  const open = (symbols: readonly string[], extra: Partial<ConstructorParameters<typeof CcxtPriceSource>[0]> = {}): CcxtPriceSource =>
    (source = new CcxtPriceSource({ exchange: 'binance', symbols, intervalMs: 50, apiBaseUrl: server.url, clock: systemClock, logger, ...extra }));

  it('start resolves after the first poll, with the exchange’s price strings as decimals', async () => {
    server.prices.set('BTCUSDT', '65000.12345678');
    server.prices.set('DOGEUSDT', '0.12345');
    const s = open(['BTC_USDT', 'DOGE_USDT']);
    await s.start();
    expect(s.name).toBe('ccxt:binance');
    expect(s.latest('BTC_USDT')?.price.toFixed()).toBe('65000.12345678');
    expect(s.latest('DOGE_USDT')?.price.toFixed()).toBe('0.12345');
    expect(server.requests.some((r) => r.startsWith('/api/v3/ticker'))).toBe(true);
  });

  it('reports each new price to listeners, in order, and skips unchanged polls', async () => {
    server.prices.set('BTCUSDT', '100');
    const s = open(['BTC_USDT']);
    const seen: PriceTick[] = [];
    s.onPrice((t) => void seen.push(t));
    await s.start();
    server.prices.set('BTCUSDT', '101.5');
    await waitFor(() => seen.length >= 2);
    const polls = server.tickerRequests();
    await waitFor(() => server.tickerRequests() >= polls + 2);
    expect(seen.map((t) => t.price.toFixed())).toEqual(['100', '101.5']);
  });

  it('a failed poll is counted, the last price kept, and the next interval tries again', async () => {
    server.prices.set('BTCUSDT', '100');
    const s = open(['BTC_USDT']);
    await s.start();
    server.failNext = 2;
    server.prices.set('BTCUSDT', '99');
    await waitFor(() => s.latest('BTC_USDT')?.price.toFixed() === '99');
    expect(s.failedPolls).toBe(2);
  });

  it('a market list that failed at start is asked for again, not failed for good (ccxt would keep the failed load)', async () => {
    server.prices.set('BTCUSDT', '100');
    server.failMarketsNext = 2;
    const s = open(['BTC_USDT']);
    await s.start();
    expect(s.latest('BTC_USDT')?.price.toFixed()).toBe('100');
    expect(s.failedPolls).toBe(2);
  });

  it('start rejects after its bounded wait, naming the exchange and the symbols', async () => {
    server.failNext = 1_000;
    const s = open(['BTC_USDT'], { startTimeoutMs: 300 });
    await expect(s.start()).rejects.toThrow(/ccxt:binance: no prices for BTC_USDT from binance within 300 ms/);
    expect(s.failedPolls).toBeGreaterThan(0);
  });

  it('a symbol the exchange does not list fails the start at once', async () => {
    server.prices.set('BTCUSDT', '100');
    const s = open(['NOPE_USDT'], { startTimeoutMs: 60_000 });
    const started = Date.now();
    await expect(s.start()).rejects.toThrow(/NOPE_USDT/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('instruments come from the exchange’s public market list, as decimals', async () => {
    const s = open(['DOGE_USDT']);
    const [doge] = await s.instruments();
    expect(doge?.symbol).toBe('DOGE_USDT');
    expect([doge?.tick_size.toFixed(), doge?.lot_size.toFixed(), doge?.min_quantity.toFixed(), doge?.min_notional.toFixed(), doge?.max_quantity?.toFixed()]).toEqual([
      '0.00001',
      '1',
      '1',
      '1',
      '9000000',
    ]);
    await expect(s.instruments(['NOPE_USDT'])).rejects.toThrow(/binance lists no spot market NOPE\/USDT/);
  });

  it('an unknown exchange id is refused when the source is made', () => {
    expect(() => open(['BTC_USDT'], { exchange: 'no-such-exchange' })).toThrow(/"no-such-exchange" is not a ccxt exchange id/);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
