import { loadMarks } from '../../app/position-marks.js';
import { systemClock } from '../../domain/clock.js';
import { orderRecordToWire, positionToWire } from '../../domain/wire.js';
import { positionJson } from '../../cli/positions-format.js';
import type { ApiRouter } from '../api-router.js';
import { ErrorSchema, OrdersAnswer, OrdersQuery, PositionsAnswer, PositionsQuery } from '../api-schemas.js';
import type { ServerContext } from '../server-context.js';

/** How long live-exchange tickers are waited for when marking positions. */
const MARK_TIMEOUT_MS = 2000;

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
      const marks = await loadMarks(ctx.platform.config, ctx.platform.paths, open, { clock: systemClock, logger: ctx.logger, timeoutMs: MARK_TIMEOUT_MS });
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
