import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One spot market the server lists, Binance style (BTCUSDT, filters as strings). */
export interface ServedMarket {
  readonly base: string;
  readonly quote: string;
  readonly tickSize: string;
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly minNotional: string;
}

/**
 * The public part of a Binance-like REST API, enough for ccxt's loadMarkets and fetchTickers:
 * exchangeInfo (spot; futures lists empty), ticker/24hr and ticker/price. Prices are set by the
 * test; `failNext` answers the next ticker requests with a 503.
 */
export class TickerServer {
  readonly prices = new Map<string, string>();
  readonly requests: string[] = [];
  failNext = 0;
  /** The next market-list (exchangeInfo) requests answered with a 503. */
  failMarketsNext = 0;
  readonly #markets: readonly ServedMarket[];
  readonly #server: Server;

  private constructor(markets: readonly ServedMarket[]) {
    this.#markets = markets;
    this.#server = createServer((req, res) => this.#answer(req, res));
  }

  static async start(markets: readonly ServedMarket[]): Promise<TickerServer> {
    const server = new TickerServer(markets);
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  tickerRequests(): number {
    return this.requests.filter((r) => r.includes('/ticker')).length;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://local');
    this.requests.push(url.pathname);
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname.endsWith('/exchangeInfo')) {
      if (this.failMarketsNext > 0) {
        this.failMarketsNext--;
        send(503, { code: -1001, msg: 'Service unavailable' });
        return;
      }
      send(200, url.pathname.startsWith('/api/') ? this.#exchangeInfo() : { timezone: 'UTC', serverTime: Date.now(), symbols: [] });
      return;
    }
    if (url.pathname === '/api/v3/ticker/24hr' || url.pathname === '/api/v3/ticker/price') {
      if (this.failNext > 0) {
        this.failNext--;
        send(503, { code: -1001, msg: 'Service unavailable' });
        return;
      }
      const wanted = url.searchParams.get('symbols');
      const ids = wanted === null ? [...this.prices.keys()] : (JSON.parse(wanted) as string[]);
      const now = Date.now();
      send(
        200,
        ids.filter((id) => this.prices.has(id)).map((id) => ({ symbol: id, lastPrice: this.prices.get(id), price: this.prices.get(id), openTime: now - 86_400_000, closeTime: now, count: 1 })),
      );
      return;
    }
    send(404, { code: -1, msg: `no route ${url.pathname}` });
  }

  #exchangeInfo(): unknown {
    return {
      timezone: 'UTC',
      serverTime: Date.now(),
      rateLimits: [],
      symbols: this.#markets.map((m) => ({
        symbol: `${m.base}${m.quote}`,
        status: 'TRADING',
        baseAsset: m.base,
        baseAssetPrecision: 8,
        quoteAsset: m.quote,
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        orderTypes: ['LIMIT', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        permissions: ['SPOT'],
        permissionSets: [['SPOT']],
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: m.tickSize, maxPrice: '1000000', tickSize: m.tickSize },
          { filterType: 'LOT_SIZE', minQty: m.minQty, maxQty: m.maxQty, stepSize: m.stepSize },
          { filterType: 'NOTIONAL', minNotional: m.minNotional, applyMinToMarket: true, maxNotional: '9000000', applyMaxToMarket: false, avgPriceMins: 5 },
        ],
      })),
    };
  }
}

export const BTC_MARKET: ServedMarket = { base: 'BTC', quote: 'USDT', tickSize: '0.01', stepSize: '0.00001', minQty: '0.00001', maxQty: '9000', minNotional: '5' };
export const DOGE_MARKET: ServedMarket = { base: 'DOGE', quote: 'USDT', tickSize: '0.00001', stepSize: '1', minQty: '1', maxQty: '9000000', minNotional: '1' };
