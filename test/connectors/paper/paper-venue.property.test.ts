import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderRequest } from '../../../src/ports/connector.js';
import type { PaperConnector } from '../../../src/connectors/paper/paper-connector.js';
import { Decimal } from '../../../src/domain/decimal.js';
import { dec, openVenue } from './paper-fixture.js';
import { applyShared, isShared, LOT, refusalsExpected, sharedCommands, STEP, type SharedCommand } from './venue-traffic.js';

type Command =
  | { readonly kind: 'place'; readonly side: 'BUY' | 'SELL'; readonly type: OrderRequest['order_type']; readonly lots: number; readonly offset: number; readonly tif: OrderRequest['time_in_force']; readonly reduceOnly: boolean }
  | SharedCommand;

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('place' as const),
    side: fc.constantFrom('BUY' as const, 'SELL' as const),
    type: fc.constantFrom('MARKET' as const, 'LIMIT' as const, 'STOP_MARKET' as const, 'STOP_LIMIT' as const),
    lots: fc.integer({ min: 1, max: 40 }),
    offset: fc.integer({ min: -20, max: 20 }),
    tif: fc.constantFrom('GTC' as const, 'IOC' as const, 'FOK' as const),
    reduceOnly: fc.constantFrom(false, false, false, true),
  }),
  ...sharedCommands({ priceSteps: 30, maxLots: 40 }),
);


async function apply(venue: PaperConnector, cmd: Command, index: number): Promise<void> {
  const reference = await venue.getReferencePrice('BTC_USDT');
  if (isShared(cmd)) return refusalsExpected(() => applyShared(venue, cmd, reference));
  return refusalsExpected(async () => {
    switch (cmd.kind) {
      case 'place': {
        const isStop = cmd.type === 'STOP_MARKET' || cmd.type === 'STOP_LIMIT';
        // stops mostly on the side where they rest (a SELL stop below the price), sometimes not
        const offset = isStop && cmd.offset % 5 !== 0 ? (cmd.side === 'SELL' ? -1 : 1) * (Math.abs(cmd.offset) + 1) : cmd.offset;
        const price = reference.plus(STEP.mul(offset)).toDecimalPlaces(2);
        const away = cmd.side === 'BUY' ? dec(50) : dec(-50);
        await venue.placeOrder({
          client_order_id: `PXprop${index}-E`,
          symbol: 'BTC_USDT',
          side: cmd.side,
          order_type: cmd.type,
          quantity: LOT.mul(cmd.lots),
          limit_price: cmd.type === 'STOP_LIMIT' ? price.plus(away) : price,
          stop_price: price,
          time_in_force: cmd.tif,
          reduce_only: cmd.reduceOnly,
        });
        return;
      }
    }
  });
}

function checkInvariants(venue: PaperConnector): void {
  const fills = venue.allFills();
  const tradeIds = fills.map((f) => f.venue_trade_id);
  expect(new Set(tradeIds).size).toBe(tradeIds.length);
  for (const order of venue.allOrders()) {
    const sum = order.fills.reduce((total, f) => total.plus(f.quantity), new Decimal(0));
    expect(order.filled_quantity.eq(sum)).toBe(true);
    expect(order.filled_quantity.lte(order.quantity)).toBe(true);
    expect(order.status === 'FILLED').toBe(order.filled_quantity.eq(order.quantity));
    expect(fills.filter((f) => f.client_order_id === order.client_order_id).map((f) => f.venue_trade_id)).toEqual(
      order.fills.map((f) => f.venue_trade_id),
    );
  }
  const signed = fills.reduce((net, f) => (f.side === 'BUY' ? net.plus(f.quantity) : net.minus(f.quantity)), new Decimal(0));
  expect((venue.netPositions().get('BTC_USDT') ?? new Decimal(0)).eq(signed)).toBe(true);
}

describe('paper venue properties', () => {
  it('keeps every order’s filled quantity equal to its fills, within its quantity, and the net position equal to the signed fills', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40, size: 'large' }), fc.constantFrom('0', '0.003', '0.0105'), async (commands, threshold) => {
        const { venue } = openVenue({ partial_fill_threshold: threshold });
        try {
          for (const [index, cmd] of commands.entries()) {
            await apply(venue, cmd, index);
            checkInvariants(venue);
          }
        } finally {
          await venue.close();
        }
      }),
      { numRuns: 100 },
    );
  });
});
