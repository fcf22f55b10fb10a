import fc from 'fast-check';
import { createPlatform, type Platform } from '../../src/app/create-platform.js';
import { compareLedgerWithJournal } from '../../src/app/journal-ledger-check.js';
import { compareLedgerWithVenue } from '../../src/app/ledger-venue-check.js';
import type { VerifyDifference } from '../../src/app/verify-differences.js';
import { defaultConfig, type PlatformConfig } from '../../src/config/schema.js';
import { Decimal } from '../../src/domain/decimal.js';
import type { ExecutionDirectiveWire } from '../../src/domain/directive.js';
import { replayJournal, type JournalReplay } from '../../src/orchestration/journal-replay.js';
import { silentLogger } from '../support/fakes.js';

/**
 * A paper world driven by random operations, as a strategy session would: trades opened at market
 * or with a limit (resting or marketable), stops moved and sizes changed, trades closed, and
 * prices moved so resting entries fill and stops and targets trigger at the venue. One direction
 * per symbol: opposite trades on one symbol are another finding of issue 10.
 */

const SYMBOLS = [
  { symbol: 'BTC_USDT', direction: 'BUY', price: 65000, lot: [0.001, 0.01] },
  { symbol: 'ETH_USDT', direction: 'SELL', price: 3500, lot: [0.05, 0.5] },
  { symbol: 'SOL_USDT', direction: 'BUY', price: 150, lot: [0.5, 5] },
] as const;

export type Operation =
  | { readonly kind: 'open'; readonly s: number; readonly limit: number | null; readonly size: number; readonly risk: number; readonly stops: boolean }
  | { readonly kind: 'modify'; readonly s: number; readonly pick: number; readonly risk: number | null; readonly size: number | null }
  | { readonly kind: 'close'; readonly s: number; readonly pick: number }
  | { readonly kind: 'price'; readonly s: number; readonly move: number };

const symbolIndex = fc.integer({ min: 0, max: SYMBOLS.length - 1 });
const fraction = fc.double({ min: 0, max: 1, noNaN: true });

export const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('open' as const), s: symbolIndex, limit: fc.option(fc.double({ min: -0.03, max: 0.01, noNaN: true }), { nil: null }), size: fraction, risk: fc.double({ min: 0.005, max: 0.03, noNaN: true }), stops: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('modify' as const), s: symbolIndex, pick: fc.nat(), risk: fc.option(fc.double({ min: 0.005, max: 0.03, noNaN: true }), { nil: null }), size: fc.option(fraction, { nil: null }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('close' as const), s: symbolIndex, pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('price' as const), s: symbolIndex, move: fc.double({ min: -0.04, max: 0.04, noNaN: true }) }) },
);

export interface Faults {
  readonly transient_error_rate: number;
  readonly rejection_rate: number;
  readonly timeout_rate: number;
}

export function worldConfig(faults: Faults, seed: number): PlatformConfig {
  const config = defaultConfig();
  const plan = config.orchestration.plan_execution;
  return {
    ...config,
    orchestration: {
      ...config.orchestration,
      plan_execution: {
        ...plan,
        retry_policy: { ...plan.retry_policy, initial_delay_ms: 1, max_delay_ms: 2, jitter: 0 },
        in_doubt: { max_checks: 3, check_interval_ms: 1, not_found_grace_ms: 0 },
      },
    },
    connector: { ...config.connector, paper: { ...config.connector.paper, faults: { ...faults, seed } } },
  };
}

const ticks = (value: number): string => new Decimal(value).toDecimalPlaces(2).toFixed();

/** Run the operations through a fresh in-memory platform; the caller closes it. */
export async function runWorld(operations: readonly Operation[], faults: Faults, seed: number): Promise<Platform> {
  const platform = await createPlatform({ config: worldConfig(faults, seed), dbPath: ':memory:', logger: silentLogger, recover: false });
  const prices: number[] = SYMBOLS.map((s) => s.price);
  const trades: string[][] = SYMBOLS.map(() => []);
  let counter = 0;
  const id = (): string => `DIR_20261124_101500_${(++counter).toString(16).padStart(8, '0')}`;
  const submit = async (directive: ExecutionDirectiveWire): Promise<void> => {
    await platform.orchestrator.submit({ input: directive, source: { kind: 'internal' }, received_at: Date.now() });
  };
  for (const op of operations) {
    const market = SYMBOLS[op.s]!;
    const strategy = `${market.symbol.toLowerCase()}_s`;
    const sign = market.direction === 'BUY' ? 1 : -1;
    const price = prices[op.s]!;
    switch (op.kind) {
      case 'open': {
        const directiveId = id();
        const reference = op.limit === null ? price : price * (1 + op.limit * sign);
        const size = market.lot[0] + (market.lot[1] - market.lot[0]) * op.size;
        trades[op.s]!.push(directiveId);
        await submit({
          directive_id: directiveId,
          strategy_id: strategy,
          scope: 'NEW_TRADE',
          timestamp: '2026-11-24T10:15:00Z',
          entry_plan: op.limit === null ? { symbol: market.symbol, direction: market.direction, order_type: 'MARKET' } : { symbol: market.symbol, direction: market.direction, order_type: 'LIMIT', limit_price: ticks(reference) },
          size_plan: { position_size: new Decimal(size).toDecimalPlaces(3).toFixed() },
          ...(op.stops ? { exit_plan: { stop_loss_price: ticks(reference * (1 - op.risk * sign)), take_profit_price: ticks(reference * (1 + 2 * op.risk * sign)) } } : {}),
          routing_plan: { time_in_force: 'GTC' },
        });
        break;
      }
      case 'modify': {
        const open = trades[op.s]!;
        if (open.length === 0 || (op.risk === null && op.size === null)) break;
        const size = op.size === null ? null : market.lot[0] + (market.lot[1] - market.lot[0]) * op.size;
        await submit({
          directive_id: id(),
          strategy_id: strategy,
          scope: 'MODIFY_EXISTING',
          timestamp: '2026-11-24T10:16:00Z',
          target_trade_ids: [open[op.pick % open.length]!],
          ...(op.risk === null ? {} : { exit_plan: { stop_loss_price: ticks(price * (1 - op.risk * sign)) } }),
          ...(size === null ? {} : { size_plan: { position_size: new Decimal(size).toDecimalPlaces(3).toFixed() } }),
        });
        break;
      }
      case 'close': {
        const open = trades[op.s]!;
        if (open.length === 0) break;
        const [target] = open.splice(op.pick % open.length, 1);
        await submit({
          directive_id: id(),
          strategy_id: strategy,
          scope: 'CLOSE_EXISTING',
          timestamp: '2026-11-24T10:17:00Z',
          rationale: 'property test close',
          target_trade_ids: [target!],
          routing_plan: { time_in_force: 'IOC' },
        });
        break;
      }
      case 'price':
        prices[op.s] = price * (1 + op.move);
        await platform.paper!.setPrice(market.symbol, new Decimal(ticks(prices[op.s]!)));
        await platform.orchestrator.drain();
        break;
    }
  }
  await platform.orchestrator.drain();
  await platform.termination.drain();
  return platform;
}

/** The journal replayed, and what differs from the ledger; and from the venue. */
export async function compareWorld(platform: Platform, withVenue: boolean): Promise<{ replay: JournalReplay; journal: VerifyDifference[]; venue: VerifyDifference[] }> {
  const { ledger, journal } = platform.store;
  const replay = replayJournal(await journal.read());
  const positions = await ledger.listPositions();
  const orders = await ledger.listOrders();
  const venue = withVenue
    ? (await compareLedgerWithVenue({ positions, orders, journalOrders: replay.orders, connector: platform.connector, venueNetPositions: () => platform.paper!.netPositions() })).differences
    : [];
  return { replay, journal: compareLedgerWithJournal({ positions, orders, fills: await ledger.listFills() }, replay), venue: [...venue] };
}
