import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PlatformConfig } from '../config/schema.js';
import type { ExecutionFailedDTO, TradeExecutedDTO } from '../domain/dto.js';
import { PlanexecError } from '../domain/errors.js';
import type { OrderRecord } from '../domain/trading.js';

/** A bar as a strategy sees it: decimals as text, the time as ISO-8601. */
export interface StrategyBar {
  readonly symbol: string;
  /** The bar's opening time. */
  readonly time: string;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
}

export interface StrategyContext {
  /** Simulated time now, ISO-8601. */
  readonly now: string;
  /** A directive id unique in this run, the same on every run of the same inputs: `DIR_YYYYMMDD_HHMMSS_xxxxxxxx`. */
  nextDirectiveId(): string;
}

/**
 * A directive as docs/directives.md describes it. `timestamp` may be left out: a directive
 * returned for a bar is then stamped with the opening time of the next bar (decided at the close,
 * executed at the next open); one returned for an event, with the time of the event.
 */
export type StrategyDirective = Readonly<Record<string, unknown>>;

export type StrategyOutput = readonly StrategyDirective[] | StrategyDirective | undefined | void;

/** What a strategy module's default export is (or what its default export, a function, returns). */
export interface BacktestStrategy {
  onBar?(bar: StrategyBar, ctx: StrategyContext): StrategyOutput | Promise<StrategyOutput>;
  onTradeExecuted?(event: TradeExecutedDTO, ctx: StrategyContext): StrategyOutput | Promise<StrategyOutput>;
  onExecutionFailed?(event: ExecutionFailedDTO, ctx: StrategyContext): StrategyOutput | Promise<StrategyOutput>;
  /** Every change of an order row of the ledger (placed, filled, cancelled, …). */
  onOrderUpdate?(order: OrderRecord, ctx: StrategyContext): StrategyOutput | Promise<StrategyOutput>;
}

export interface StrategyInit {
  /** The run's resolved config (instruments, fees, the backtest section). */
  readonly config: PlatformConfig;
}

export type StrategyFactory = (init: StrategyInit) => BacktestStrategy | Promise<BacktestStrategy>;

const HANDLERS = ['onBar', 'onTradeExecuted', 'onExecutionFailed', 'onOrderUpdate'] as const;

/** A strategy's output as a list, each entry checked to be an object. */
export function strategyDirectives(output: StrategyOutput, from: string): StrategyDirective[] {
  if (output === undefined || output === null) return [];
  const list = Array.isArray(output) ? (output as readonly unknown[]) : [output];
  return list.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new PlanexecError(`strategy ${from} returned ${describe(item)} at index ${i}: expected a directive object`, { code: 'STRATEGY_OUTPUT_INVALID' });
    }
    return item as StrategyDirective;
  });
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/**
 * Load a strategy module (.js/.mjs, or .ts/.mts through tsx) and build its strategy. The default
 * export is a strategy object or a function returning one.
 */
export async function loadStrategy(path: string, init: StrategyInit): Promise<BacktestStrategy> {
  const url = pathToFileURL(resolve(path)).href;
  let module: { default?: unknown };
  try {
    module = ['.ts', '.mts', '.cts'].includes(extname(path)) ? await importTypeScript(url) : ((await import(url)) as { default?: unknown });
  } catch (error) {
    throw new PlanexecError(`--strategy ${path}: cannot load it: ${(error as Error).message}`, { code: 'STRATEGY_LOAD_FAILED', cause: error });
  }
  const exported = module.default;
  const strategy = typeof exported === 'function' ? await (exported as StrategyFactory)(init) : exported;
  if (strategy === null || typeof strategy !== 'object') {
    throw new PlanexecError(`--strategy ${path}: its default export must be a strategy object or a function returning one (with ${HANDLERS.join(', ')})`, {
      code: 'STRATEGY_INVALID',
    });
  }
  const handlers = HANDLERS.filter((name) => typeof (strategy as Record<string, unknown>)[name] === 'function');
  if (handlers.length === 0) {
    throw new PlanexecError(`--strategy ${path}: the strategy has none of ${HANDLERS.join(', ')}`, { code: 'STRATEGY_INVALID' });
  }
  return strategy as BacktestStrategy;
}

async function importTypeScript(url: string): Promise<{ default?: unknown }> {
  const { tsImport } = (await import('tsx/esm/api')) as { tsImport: (specifier: string, parent: string) => Promise<{ default?: unknown }> };
  return tsImport(url, import.meta.url);
}
