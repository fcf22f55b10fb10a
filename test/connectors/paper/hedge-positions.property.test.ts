import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderRequest } from '../../../src/ports/connector.js';
import type { PaperConnector } from '../../../src/connectors/paper/paper-connector.js';
import { Decimal } from '../../../src/domain/decimal.js';
import { openVenue } from './paper-fixture.js';
import { applyShared, isShared, LOT, refusalsExpected, sharedCommands, STEP, type SharedCommand } from './venue-traffic.js';

/** Random traffic on a few positions of one symbol: entries, reduce-only exits of every kind, price moves, cancels, amends. */
type Command =
  | {
      readonly kind: 'place';
      readonly position: number;
      readonly side: 'BUY' | 'SELL';
      readonly type: OrderRequest['order_type'];
      readonly lots: number;
      readonly offset: number;
      readonly reduceOnly: boolean;
    }
  /** A trade as planexec sends it: a market entry, then a reduce-only stop and target for the same size. */
  | { readonly kind: 'bracket'; readonly position: number; readonly side: 'BUY' | 'SELL'; readonly lots: number; readonly width: number }
  | SharedCommand;

const POSITIONS = ['P0', 'P1', undefined] as const;

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('place' as const),
    position: fc.integer({ min: 0, max: POSITIONS.length - 1 }),
    side: fc.constantFrom('BUY' as const, 'SELL' as const),
    type: fc.constantFrom('MARKET' as const, 'LIMIT' as const, 'STOP_MARKET' as const, 'STOP_LIMIT' as const),
    lots: fc.integer({ min: 1, max: 30 }),
    offset: fc.integer({ min: -6, max: 6 }),
    reduceOnly: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('bracket' as const),
    position: fc.integer({ min: 0, max: POSITIONS.length - 1 }),
    side: fc.constantFrom('BUY' as const, 'SELL' as const),
    lots: fc.integer({ min: 1, max: 30 }),
    width: fc.integer({ min: 1, max: 5 }),
  }),
  ...sharedCommands({ priceSteps: 8, maxLots: 30 }),
);

const ZERO = new Decimal(0);

async function apply(venue: PaperConnector, cmd: Command, index: number): Promise<void> {
  const reference = await venue.getReferencePrice('BTC_USDT');
  if (isShared(cmd)) return refusalsExpected(() => applyShared(venue, cmd, reference));
  return refusalsExpected(async () => {
    switch (cmd.kind) {
      case 'place': {
        const isStop = cmd.type === 'STOP_MARKET' || cmd.type === 'STOP_LIMIT';
        const offset = isStop ? (cmd.side === 'SELL' ? -1 : 1) * (Math.abs(cmd.offset) + 1) : cmd.offset;
        const price = reference.plus(STEP.mul(offset)).toDecimalPlaces(2);
        await venue.placeOrder({
          client_order_id: `PXhedge${index}-E`,
          symbol: 'BTC_USDT',
          side: cmd.side,
          order_type: cmd.type,
          quantity: LOT.mul(cmd.lots),
          limit_price: cmd.type === 'STOP_LIMIT' ? price.plus(cmd.side === 'BUY' ? 50 : -50) : price,
          stop_price: price,
          time_in_force: 'GTC',
          reduce_only: cmd.reduceOnly,
          position_id: POSITIONS[cmd.position],
        });
        return;
      }
      case 'bracket': {
        const base = { symbol: 'BTC_USDT', quantity: LOT.mul(cmd.lots), time_in_force: 'GTC', position_id: POSITIONS[cmd.position] } as const;
        const exit = cmd.side === 'BUY' ? 'SELL' : 'BUY';
        const sign = cmd.side === 'BUY' ? 1 : -1;
        await venue.placeOrder({ ...base, client_order_id: `PXhedge${index}-E`, side: cmd.side, order_type: 'MARKET', reduce_only: false });
        await venue.placeOrder({ ...base, client_order_id: `PXhedge${index}-SL`, side: exit, order_type: 'STOP_MARKET', stop_price: reference.minus(STEP.mul(sign * cmd.width)), reduce_only: true });
        await venue.placeOrder({ ...base, client_order_id: `PXhedge${index}-TP`, side: exit, order_type: 'LIMIT', limit_price: reference.plus(STEP.mul(sign * cmd.width)), reduce_only: true });
        return;
      }
    }
  });
}

/**
 * Replays every fill in venue order onto its order's position: a reduce-only fill only ever moves
 * its position towards zero and never past it; the replay equals positions(), and per symbol the
 * positions add up to netPositions().
 */
function checkInvariants(venue: PaperConnector): void {
  const orders = new Map(venue.allOrders().map((o) => [o.client_order_id, o]));
  const replay = new Map<string | null, Decimal>();
  for (const fill of venue.allFills()) {
    const order = orders.get(fill.client_order_id);
    if (!order) throw new Error(`fill of unknown order ${fill.client_order_id}`);
    const before = replay.get(order.position_id) ?? ZERO;
    const after = fill.side === 'BUY' ? before.plus(fill.quantity) : before.minus(fill.quantity);
    if (order.reduce_only) {
      expect(after.abs().lte(before.abs()), `${fill.client_order_id} grew position ${order.position_id}`).toBe(true);
      expect(after.isZero() || after.isNegative() === before.isNegative(), `${fill.client_order_id} took ${order.position_id} past zero`).toBe(true);
    }
    replay.set(order.position_id, after);
  }
  const reported = venue.positions().filter((p) => p.symbol === 'BTC_USDT');
  for (const position of reported) expect(position.size.eq(replay.get(position.position_id) ?? ZERO), String(position.position_id)).toBe(true);
  for (const [id, size] of replay) expect(size.isZero() || reported.some((p) => p.position_id === id)).toBe(true);
  const sum = reported.reduce((total, p) => total.plus(p.size), ZERO);
  expect((venue.netPositions().get('BTC_USDT') ?? ZERO).eq(sum)).toBe(true);
}

describe('paper venue in hedge mode, properties', () => {
  it('never lets a reduce-only order grow its position or take it past zero, and its positions add up to the net', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 60, size: 'large' }), fc.constantFrom('0', '0.004'), async (commands, threshold) => {
        const { venue } = openVenue({ partial_fill_threshold: threshold, position_mode: 'hedge' });
        try {
          for (const [index, cmd] of commands.entries()) {
            await apply(venue, cmd, index);
            checkInvariants(venue);
          }
        } finally {
          await venue.close();
        }
      }),
      { numRuns: 200 },
    );
  });
});
