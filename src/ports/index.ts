/**
 * The ports: every interface the orchestration needs from the world outside it, one file each.
 * Ports import only src/domain; adapters (connectors, store, market-data, metrics, alerts, bus)
 * implement them and src/app wires them. The clock is the one port kept in src/domain
 * (domain/clock.ts): it is pure and every layer reads time, so it sits below the ports.
 */
export type { Alert, IAlertMetrics, IAlertSink, IManagedAlertSink } from './alerts.js';
export type { EventHandler, EventMap, IEventBus, PublishScope, SubscribeOptions, SubscriptionScope } from './bus.js';
export type { Clock } from '../domain/clock.js';
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
} from './connector.js';
export type { PlanexecEvents } from './events.js';
export type { BeginFlowResult, FlowListFilter, FlowRecord, IFlowReader, IFlowStore } from './flow-store.js';
export type { IJournalReader, IJournalWriter, JournalEntry, JournalEntryInput, JournalFilter, JournalVerifyResult } from './journal.js';
export type { ILedgerProvider, ILedgerReader, LedgerApplyResult, LedgerChange, OrderFilter, PositionFilter } from './ledger.js';
export type { IMetricsCollector, IPlatformMetrics, IVenueErrorMetrics, MetricsExposition } from './metrics.js';
export type { IPriceSource, PriceListener, PriceTick } from './price-source.js';
export { EXPORT_KINDS } from './read-models.js';
export type {
  ExportKind,
  ExportPage,
  ExportRange,
  ExportRecordOf,
  IExecutionQualitySource,
  IExportSource,
  IReadModels,
  QualityFill,
  QualityLeg,
  QualityLegFilter,
} from './read-models.js';
export type { Disposable, IComponentRegistry } from './registry.js';
export type { IPlatformStore, IReadOnlyStore, IVenueBaseline, IVenueBaselineReader, StoreCommitStats, VenueBaselineEntry } from './store.js';
export { TRADING_STATES } from './trading-state.js';
export type { ITradingStateControl, TradingState, TradingStateChange, TradingStateRecord } from './trading-state.js';
export type { IWriterLock, WriterLease, WriterLeaseRequest } from './writer-lock.js';
