import type { Exchange } from 'ccxt';
import type { Logger } from 'pino';
import { CcxtConnector } from '../../../src/connectors/ccxt/ccxt-connector.js';
import { createCcxtExchange } from '../../../src/connectors/ccxt/create-ccxt-exchange.js';
import type { PollScheduler } from '../../../src/connectors/ccxt/resting-order-poller.js';
import type { VenueProfile } from '../../../src/connectors/ccxt/venue-profiles.js';
import { systemClock } from '../../../src/domain/clock.js';
import type { Decimal } from '../../../src/domain/decimal.js';
import { VenueErrorMetrics } from '../../../src/metrics/venue-error-metrics.js';
import { startLoopbackVenue, type LoopbackVenue, type LoopbackVenueOptions } from '../../support/loopback-venue/index.js';
import { silentLogger } from '../../support/fakes.js';

/** Polls only when the test says so (`pollNow`), so reports arrive at known moments. */
export const manualScheduler: PollScheduler = () => () => undefined;

export interface CcxtOverLoopback {
  readonly venue: LoopbackVenue;
  readonly connector: CcxtConnector;
  /** The connector's ccxt instance (to inject an error the venue cannot produce). */
  readonly exchange: Exchange;
  readonly errorMetrics: VenueErrorMetrics;
  /** Moves the loopback price (`BTC_USDT` -> BTCUSDT), then runs one polling pass. */
  setPrice(symbol: string, price: Decimal): Promise<void>;
  close(): Promise<void>;
}

export interface CcxtOverLoopbackOptions {
  readonly venue?: LoopbackVenueOptions;
  readonly logger?: Logger;
  /** ccxt's per-request timeout, in ms. */
  readonly timeoutMs?: number;
  readonly profile?: VenueProfile;
}

/** A CcxtConnector for `binance` whose REST endpoints point at a fresh loopback venue. */
export async function ccxtOverLoopback(options: CcxtOverLoopbackOptions = {}): Promise<CcxtOverLoopback> {
  const venue = await startLoopbackVenue(options.venue ?? {});
  const exchange = createCcxtExchange({
    exchange: 'binance',
    sandbox: false,
    api_key: 'loopback-key',
    api_secret: 'loopback-secret',
    options: {},
    api_base_url: venue.url,
    rate_limit: false,
  });
  if (options.timeoutMs !== undefined) exchange.timeout = options.timeoutMs;
  const errorMetrics = new VenueErrorMetrics();
  const connector = new CcxtConnector({
    exchange,
    clock: systemClock,
    logger: options.logger ?? silentLogger,
    pollIntervalMs: 1000,
    pollScheduler: manualScheduler,
    errorMetrics,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
  });
  return {
    venue,
    connector,
    exchange,
    errorMetrics,
    setPrice: async (symbol, price) => {
      await venue.client.setPrice(symbol.replace('_', ''), price.toFixed());
      await connector.pollNow();
    },
    close: async () => {
      await connector.close();
      await venue.close();
    },
  };
}
