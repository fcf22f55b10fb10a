import { platformPaths } from '../../app/platform-paths.js';
import type { Command } from 'commander';
import { OrderStatus } from '../../domain/enums.js';
import type { CliIo } from '../cli-io.js';
import { loadReaderConfig, type WorldOptions } from '../cli-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { withExistingStore } from '../open-store.js';
import { orderJson, ordersSummary, ordersTable } from '../orders-format.js';

interface OrdersOptions extends WorldOptions {
  readonly trade?: string;
  readonly status?: string;
  readonly json?: boolean;
}

const STATUSES: readonly OrderStatus[] = Object.values(OrderStatus);

function parseStatus(text: string | undefined): OrderStatus | undefined {
  if (text === undefined) return undefined;
  const status = text.toUpperCase();
  const known = STATUSES.find((s) => s === status);
  if (known === undefined) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}; got "${text}"`);
  return known;
}

/** `planexec orders [--db PATH] [--trade ID] [--status S] [--json]`. */
export function registerOrdersCommand(program: Command, io: CliIo): Command {
  return program
    .command('orders')
    .description("list the ledger's orders (every leg sent or about to be sent), oldest first")
    .option('--db <path>', 'the database (default: storage.path, ./planexec.db)')
    .option('--config <file>', 'platform.yaml (for storage.path)')
    .option('--env <name>', 'environment overlay to apply (default: PLANEXEC_ENV)')
    .option('--trade <id>', "only this trade's orders")
    .option('--status <status>', `only orders in this status (${STATUSES.join(', ')})`)
    .option('--json', 'a JSON array of Order objects, decimals as strings')
    .action(async (opts: OrdersOptions) => {
      const status = parseStatus(opts.status);
      const { config } = loadReaderConfig(opts);
      const paths = platformPaths(config, opts.db);
      const db = paths.db;
      const orders = await withExistingStore(paths.store, (store) =>
        store.ledger.listOrders({ ...(opts.trade === undefined ? {} : { trade_id: opts.trade }), ...(status === undefined ? {} : { statuses: [status] }) }),
      );
      if (opts.json) {
        io.stdout(`${JSON.stringify(orders.map(orderJson), null, 2)}\n`);
      } else if (orders.length === 0) {
        const what = [status === undefined ? '' : `${status} `, 'orders', opts.trade === undefined ? '' : ` of trade ${opts.trade}`].join('');
        io.stdout(`no ${what} in ${db}\n`);
      } else {
        io.stdout(`${ordersTable(orders)}\n\n${ordersSummary(orders)}\n`);
      }
      io.setExitCode(ExitCode.OK);
    });
}
