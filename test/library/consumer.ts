/**
 * A typed consumer of the library's public surface, compiled (never run) by `npm run typecheck`
 * against src/ and by public-types.test.ts against the built declarations (dist/index.d.ts).
 * Each @ts-expect-error fails the compile if the type it guards became `any` or lost its shape.
 */
import {
  ConfigError,
  createPlatform,
  Decimal,
  defaultConfig,
  loadConfigText,
  parseDirective,
  PlanexecError,
  positionToWire,
  Scope,
  tradeExecutedFromWire,
  ValidationError,
  type ExecutionDirective,
  type ExecutionDirectiveWire,
  type FlowResult,
  type IAPIConnector,
  type IEventBus,
  type IJournalWriter,
  type ILedgerProvider,
  type IPriceSource,
  type Platform,
  type PlatformConfig,
  type PlatformOptions,
  type PlanexecEvents,
  type Position,
  type PositionWire,
  type TradeExecutedDTO,
} from 'planexec';

export async function embed(options: PlatformOptions): Promise<readonly PositionWire[]> {
  const platform: Platform = await createPlatform(options);
  // the platform's parts are usable through their ports
  const bus: IEventBus<PlanexecEvents> = platform.bus;
  const connector: IAPIConnector = platform.connector;
  const ledger: ILedgerProvider = platform.store.ledger;
  const journal: IJournalWriter = platform.store.journal;
  void [connector, journal];

  bus.subscribe('TRADE_EXECUTED', (trade: TradeExecutedDTO) => {
    const price: Decimal | null = trade.fill_price;
    // @ts-expect-error money is a Decimal, never a number
    const asNumber: number = trade.filled_quantity;
    void [price, asNumber];
  });
  // @ts-expect-error a TRADE_EXECUTED handler receives a TradeExecutedDTO, not a position
  bus.subscribe('TRADE_EXECUTED', (position: Position) => position.trade_id);
  bus.subscribe('_flow_stop_error', (stop) => {
    const state: 'SUCCESS' | 'ERROR' = stop.final_state;
    void state;
  });
  bus.publish('EXECUTION_DIRECTIVE_READY', { input: '{}', source: { kind: 'internal' }, received_at: Date.now() });
  // @ts-expect-error a submission needs its source and the time it was received
  bus.publish('EXECUTION_DIRECTIVE_READY', { input: '{}' });

  const result: FlowResult = await platform.orchestrator.submit({ input: '{}', source: { kind: 'internal' }, received_at: 0 });
  const outcome: 'SUCCEEDED' | 'FAILED' | 'IN_DOUBT' | 'DUPLICATE' = result.outcome;
  void outcome;

  const positions: Position[] = await ledger.listPositions({ status: 'OPEN' });
  // @ts-expect-error a position's status is OPEN or CLOSED
  await ledger.listPositions({ status: 'PENDING' });
  await platform.close();
  return positions.map(positionToWire);
}

export function wire(text: string): ExecutionDirective {
  const directive: ExecutionDirectiveWire = {
    directive_id: 'DIR_20261124_101500_a1b2c3d4',
    strategy_id: 'typed',
    scope: Scope.NEW_TRADE,
    timestamp: '2026-11-24T10:15:00Z',
    entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'MARKET' },
    size_plan: { position_size: '0.015' },
    routing_plan: { time_in_force: 'IOC' },
  };
  // @ts-expect-error a scope is one of the three the spec names
  const bad: ExecutionDirectiveWire = { ...directive, scope: 'OPEN' };
  void bad;
  const parsed = parseDirective(JSON.parse(text) as unknown);
  const size: Decimal | undefined = parsed.size_plan?.position_size;
  void [size, tradeExecutedFromWire];
  return parsed;
}

export function errors(error: unknown): string {
  if (error instanceof ValidationError) return error.issues.map((issue) => `${issue.path}: ${issue.rule}`).join('\n');
  if (error instanceof ConfigError) return error.message;
  if (error instanceof PlanexecError) return `${error.code} retryable=${String(error.retryable)}`;
  return String(error);
}

export function config(text: string): PlatformConfig {
  const base: PlatformConfig = defaultConfig();
  const loaded = loadConfigText(text, 'embedded.yaml').config;
  // @ts-expect-error the connector type is a closed set
  const venue: 'kraken' = loaded.connector.type;
  void venue;
  return base.storage.path === loaded.storage.path ? base : loaded;
}

export type PriceSource = IPriceSource;
export const ZERO_FEE = new Decimal('0');
