/**
 * planexec as a library (`import … from 'planexec'`): what a strategy process needs to embed the
 * execution layer without the CLI — the platform, its config, the ports' types, the wire schemas
 * and types, decimals and the error classes. docs/library.md shows it in use.
 */

// the platform (composition root)
export { createPlatform, type Platform, type PlatformOptions } from './app/create-platform.js';
export { acquireWriterLease, type WriterLockRequest } from './app/open-store.js';
export { platformPaths, type PlatformPaths } from './app/platform-paths.js';
export type { FlowResult, NotStarted, PlanExecutionOrchestrator } from './orchestration/plan-execution-orchestrator.js';
export { createLogger, type CreateLoggerOptions } from './logging/create-logger.js';

// config
export { loadConfig, loadConfigText, type LoadConfigOptions, type LoadConfigTextOptions, type LoadedConfig } from './config/load-config.js';
export {
  defaultConfig,
  ENVIRONMENT_NAMES,
  PlatformConfigSchema,
  type AlertsConfig,
  type EnvironmentName,
  type FlowTerminationConfig,
  type IntakeConfig,
  type PlanExecutionConfig,
  type PlatformConfig,
  type RecoveryConfig,
  type RiskConfig,
} from './config/schema.js';
export { configJsonSchema } from './config/json-schema.js';

// ports (the interfaces the platform is built from) and the bus's event map
export * from './ports/index.js';
export { systemClock, isoTime } from './domain/clock.js';

// wire: directives, event DTOs, ledger records, their schemas and wire forms
export {
  decodeDirectiveJson,
  directiveToWire,
  EntryPlanSchema,
  ExecutionDirectiveSchema,
  ExitPlanSchema,
  IDENTIFIER,
  MAX_DIRECTIVE_BYTES,
  parseDirective,
  parseDirectiveLine,
  RoutingPlanSchema,
  SizePlanSchema,
  toWire,
  type EntryPlan,
  type ExecutionDirective,
  type ExecutionDirectiveWire,
  type ExitPlan,
  type JsonValue,
  type RoutingPlan,
  type SizePlan,
  type TriggerContext,
} from './domain/directive.js';
export type { DirectiveSubmission, ExecutionFailedDTO, FlowCompletionDTO, TradeExecutedDTO } from './domain/dto.js';
export type { Anomaly, FillRecord, OrderRecord, Position } from './domain/trading.js';
export * from './domain/wire.js';
export * from './domain/enums.js';
export { generateId, IdPrefix, isGeneratedId } from './domain/ids.js';

// decimals (money is never a JS number)
export { Decimal, decimalToWire, isDecimal } from './domain/decimal.js';

// errors
export * from './domain/errors.js';

// backtest strategy modules (docs/backtesting.md)
export type { BacktestStrategy, StrategyBar, StrategyContext, StrategyDirective, StrategyInit, StrategyOutput } from './backtest/strategy.js';
