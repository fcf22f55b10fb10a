/**
 * The ports as the library exports them (src/index.ts), gathered in this one file so that moving
 * their definitions changes only the paths below.
 */
export type { Alert, IAlertMetrics, IAlertSink, IManagedAlertSink } from './orchestration/ports.js';
export type { EventHandler, EventMap, IEventBus, PublishScope, SubscribeOptions, SubscriptionScope } from './bus/event-bus.js';
export type { Clock } from './domain/clock.js';
export type {
  AmendRequest,
  CallOptions,
  ConnectorCapabilities,
  ExecutionListener,
  ExecutionReport,
  IAPIConnector,
  InstrumentRules,
  OrderRequest,
  PositionMode,
  VenueBalance,
  VenueFill,
  VenueOrder,
} from './connectors/connector.js';
export type { PlanexecEvents } from './bus/events.js';
export type { BeginFlowResult, FlowListFilter, FlowRecord, IFlowStore } from './orchestration/ports.js';
export type { IJournalWriter, JournalEntry, JournalEntryInput, JournalFilter, JournalVerifyResult } from './orchestration/ports.js';
export type { ILedgerProvider, LedgerApplyResult, LedgerChange, OrderFilter, PositionFilter } from './orchestration/ports.js';
export type { IMetricsCollector } from './orchestration/ports.js';
export type { IPriceSource, PriceListener, PriceTick } from './market-data/price-source.js';
export type { Disposable, IComponentRegistry } from './orchestration/ports.js';
export { TRADING_STATES } from './orchestration/ports.js';
export type { ITradingStateControl, TradingState, TradingStateChange, TradingStateRecord } from './orchestration/ports.js';
export type { IWriterLock, WriterLease, WriterLeaseRequest } from './orchestration/ports.js';
