import { describe, expect, it } from 'vitest';
import { ReferencePrices } from '../../../src/connectors/ccxt/reference-prices.js';
import { Decimal } from '../../../src/domain/decimal.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('ReferencePrices', () => {
  it('reuses a price younger than the max age, asks again once it is older, and shares one fetch between callers asking at once', async () => {
    const clock = new FakeClock();
    const prices = new ReferencePrices(clock, 1000);
    let fetches = 0;
    const fetch = async (): Promise<Decimal> => new Decimal(65000 + ++fetches);
    const [a, b] = await Promise.all([prices.get('BTC_USDT', fetch), prices.get('BTC_USDT', fetch)]);
    expect([a.toFixed(), b.toFixed(), fetches]).toEqual(['65001', '65001', 1]);
    await clock.advance(999);
    expect((await prices.get('BTC_USDT', fetch)).toFixed()).toBe('65001');
    await clock.advance(1);
    expect((await prices.get('BTC_USDT', fetch)).toFixed()).toBe('65002');
    expect((await prices.get('ETH_USDT', fetch)).toFixed()).toBe('65003');
  });

  it('with max age 0 asks the venue every time, and a failed fetch is not kept', async () => {
    const prices = new ReferencePrices(new FakeClock(), 0);
    let fetches = 0;
    await prices.get('BTC_USDT', async () => new Decimal(++fetches));
    await prices.get('BTC_USDT', async () => new Decimal(++fetches));
    expect(fetches).toBe(2);
    await expect(prices.get('BTC_USDT', () => Promise.reject(new Error('503')))).rejects.toThrow('503');
    expect((await prices.get('BTC_USDT', async () => new Decimal(7))).toFixed()).toBe('7');
  });
});
