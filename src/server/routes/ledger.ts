import type { Mark } from '../../app/position-marks.js';
import type { IAPIConnector } from '../../ports/connector.js';
import { errorMessage } from '../../domain/errors.js';
import { orderRecordToWire, positionToWire } from '../../domain/wire.js';
import { positionJson } from '../../app/position-json.js';
import type { ApiRouter } from '../api-router.js';
import { ErrorSchema, OrdersAnswer, OrdersQuery, PositionsAnswer, PositionsQuery } from '../api-schemas.js';
import type { ServerContext } from '../server-context.js';

/** How long the venue's price of a symbol is waited for when marking positions. */
const MARK_TIMEOUT_MS = 2000;

/** Marks from the running venue itself (the paper venue's current price, a live exchange's ticker), each bounded in time. */
async function venueMarks(connector: IAPIConnector, symbols: readonly string[]): Promise<Map<string, Mark>> {
  const marks = await Promise.all(
    [...new Set(symbols)].map(async (symbol): Promise<[string, Mark]> => {
      const signal = AbortSignal.timeout(MARK_TIMEOUT_MS);
      try {
        const price = await Promise.race([
          connector.getReferencePrice(symbol, { signal }),
          new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`no price within ${MARK_TIMEOUT_MS} ms`)), { once: true })),
        ]);
        return [symbol, { price, unknown: null }];
      } catch (error) {
        return [symbol, { price: null, unknown: errorMessage(error) }];
      }
    }),
  );
  return new Map(marks);
}

export function ledgerRoutes(api: ApiRouter, ctx: ServerContext): void {
  const { ledger } = ctx.platform.store;

  api.route(
    {
      method: 'GET',
      path: '/api/positions',
      tag: 'ledger',
      summary: 'Ledger positions; open ones with their mark price and unrealised PnL',
      query: PositionsQuery,
      responses: { 200: { description: 'positions', schema: PositionsAnswer }, 400: { description: 'invalid query', schema: ErrorSchema } },
    },
    async ({ query }) => {
      const positions = await ledger.listPositions(query.status ? { status: query.status } : {});
      const open = positions.filter((p) => p.status === 'OPEN').map((p) => p.symbol);
      const marks = await venueMarks(ctx.platform.connector, open);
      return {
        positions: positions.map((p) => {
          const shown = positionJson(p, marks);
          return { ...positionToWire(p), mark_price: shown.mark, unrealized_pnl: shown.unrealized_pnl };
        }),
      };
    },
  );

  api.route(
    {
      method: 'GET',
      path: '/api/orders',
      tag: 'ledger',
      summary: 'The ledger\'s orders (Order wire objects), by trade and status',
      query: OrdersQuery,
      responses: { 200: { description: 'orders', schema: OrdersAnswer }, 400: { description: 'invalid query', schema: ErrorSchema } },
    },
    async ({ query }) => {
      const orders = await ledger.listOrders({ ...(query.trade_id ? { trade_id: query.trade_id } : {}), ...(query.status ? { statuses: [query.status] } : {}) });
      return { orders: orders.map(orderRecordToWire) };
    },
  );
}
