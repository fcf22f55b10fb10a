export { startLoopbackVenue, type LoopbackVenue, type LoopbackVenueOptions } from './server.js';
export { LoopbackVenueClient, type FillView, type OrderTarget, type PriceMoveResult } from './control-client.js';
export { loopbackExchange, type LoopbackExchangeOptions } from './ccxt-exchange.js';
export type { EndpointKind, FaultPlan, FaultRule, InstrumentConfig, VenueConfig } from './options.js';
export { DEFAULT_INSTRUMENTS } from './options.js';
export type { LoggedRequest } from './request-log.js';
export type { VenueSnapshot } from './venue-state.js';
