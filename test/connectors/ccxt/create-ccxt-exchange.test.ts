import { describe, expect, it } from 'vitest';
import { createCcxtExchange, rebaseApiUrls } from '../../../src/connectors/ccxt/create-ccxt-exchange.js';
import { ConfigError } from '../../../src/domain/errors.js';

const base = { exchange: 'binance', sandbox: false, options: {}, rate_limit: true } as const;

describe('createCcxtExchange', () => {
  it('keeps ccxt on the spot market, with the configured options under the spot-only ones, and no broker id', () => {
    const exchange = createCcxtExchange({ ...base, api_key: 'k', api_secret: 's', options: { recvWindow: 7000, defaultType: 'future' } });
    expect(exchange.options).toMatchObject({ recvWindow: 7000, defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false });
    expect(exchange.options.broker).toBeUndefined();
    expect(exchange.options.brokerId).toBeUndefined();
    expect([exchange.apiKey, exchange.secret, exchange.enableRateLimit]).toEqual(['k', 's', true]);
  });

  it('api_base_url replaces scheme and host of every REST endpoint, keeping each path', () => {
    const exchange = createCcxtExchange({ ...base, api_base_url: 'http://127.0.0.1:9000/' });
    const urls = Object.values(exchange.urls.api as Record<string, string>);
    expect(urls.length).toBeGreaterThan(5);
    for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:9000\//);
    expect((exchange.urls.api as Record<string, string>).public).toBe('http://127.0.0.1:9000/api/v3');
  });

  it('rebases nested URL maps and leaves other values alone', () => {
    expect(rebaseApiUrls({ rest: { public: 'https://api.x.com/v1', ws: 'wss://ws.x.com' }, n: 1 }, 'http://proxy:8080')).toEqual({
      rest: { public: 'http://proxy:8080/v1', ws: 'wss://ws.x.com' },
      n: 1,
    });
  });

  it('sandbox: true switches to the testnet endpoints', () => {
    const live = createCcxtExchange(base);
    const test = createCcxtExchange({ ...base, sandbox: true });
    expect((test.urls.api as Record<string, string>).public).not.toBe((live.urls.api as Record<string, string>).public);
    expect((test.urls.api as Record<string, string>).public).toContain('testnet');
  });

  it('an exchange without a sandbox in ccxt is a ConfigError on connector.ccxt.sandbox', () => {
    expect(() => createCcxtExchange({ ...base, exchange: 'bitbank', sandbox: true })).toThrow(ConfigError);
    expect(() => createCcxtExchange({ ...base, exchange: 'bitbank', sandbox: true })).toThrow(/connector\.ccxt\.sandbox: bitbank has no sandbox/);
  });

  it('sends strings as written and leaves numbers to ccxt', async () => {
    const exchange = createCcxtExchange(base);
    exchange.markets = {} as typeof exchange.markets;
    expect(exchange.amountToPrecision('BTC/USDT', '0.00012345' as unknown as number)).toBe('0.00012345');
    expect(exchange.priceToPrecision('BTC/USDT', '65000.125' as unknown as number)).toBe('65000.125');
  });
});
