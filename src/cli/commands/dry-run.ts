import type { Readable } from 'node:stream';
import { createPlatform } from '../../app/create-platform.js';
import { DirectiveIntake, type IntakeResult } from '../../app/directive-intake.js';
import { prepareDryRunWorld } from '../../app/dry-run-world.js';
import { DryRunConnector } from '../../connectors/dry-run-connector.js';
import { systemClock } from '../../domain/clock.js';
import type { OrderRecord } from '../../domain/trading.js';
import { orderRecordToWire } from '../../domain/wire.js';
import type { CliIo } from '../cli-io.js';
import { createCliLogger, type GlobalOptions, loadCliConfig, type WorldOptions } from '../cli-context.js';
import { dryRunLine, type DryRunLine, type DryRunOrder, dryRunText } from '../dry-run-report.js';
import { ExitCode } from '../exit-codes.js';
import { LineReader } from '../read-lines.js';

export interface DryRunOptions extends WorldOptions, GlobalOptions {
  readonly json?: boolean;
}

function withCancelled(order: DryRunOrder, row: OrderRecord | undefined): DryRunOrder {
  if (!row) return order;
  const wire = orderRecordToWire(row);
  return {
    ...order,
    symbol: wire.symbol,
    side: wire.side,
    order_type: wire.order_type,
    quantity: wire.quantity,
    limit_price: wire.limit_price,
    stop_price: wire.stop_price,
    time_in_force: wire.time_in_force,
    reduce_only: wire.reduce_only,
  };
}

/** Counts of a dry run (the JSON summary, last line of `--json` output). */
function summaryOf(lines: readonly DryRunLine[], source: string, db: string) {
  const count = (outcome: DryRunLine['outcome']): number => lines.filter((l) => l.outcome === outcome).length;
  return {
    dry_run: true,
    processed: lines.length,
    would_send: count('WOULD_SEND'),
    denied: count('DENIED'),
    invalid: count('INVALID'),
    duplicates: count('DUPLICATE'),
    failed: count('FAILED'),
    in_doubt: count('IN_DOUBT'),
    orders: lines.reduce((n, l) => n + l.orders.length, 0),
    source,
    db,
  };
}

/**
 * `planexec run --dry-run`: every directive goes through validation, the venue's instrument rules
 * (read from the venue), rounding and the risk checks, against a throwaway copy of the ledger and
 * the venue file, with a DryRunConnector in front of the venue: reads pass, writes are answered
 * locally and never leave. Prints per directive the orders it would send or why it would not;
 * nothing is written to the real database, journal or venue file. No recovery runs (it would act).
 * Exit 0 when every directive would be sent, 1 when one would not.
 */
export async function runDryRun(io: CliIo, opts: DryRunOptions, input: { readonly name: string; readonly stream: Readable }): Promise<void> {
  const loaded = loadCliConfig(opts);
  const log = createCliLogger(loaded, opts);
  const world = await prepareDryRunWorld(loaded.config, opts.db);
  const results: IntakeResult[] = [];
  let platform: Awaited<ReturnType<typeof createPlatform>> | undefined;
  try {
    platform = await createPlatform({
      config: world.config,
      dbPath: world.db,
      logger: log.logger,
      configFile: loaded.file,
      clock: systemClock,
      lease: null,
      recover: false,
      wrapConnector: (connector) => new DryRunConnector(connector, systemClock),
    });
    // one flow at a time (the world's concurrency is 1): each reads what the one before it left
    const intake = new DirectiveIntake(platform, { readAhead: 1 });
    intake.onResult((r) => results.push(r));
    const interrupt = new AbortController();
    const onSignal = (): void => interrupt.abort();
    process.once('SIGINT', onSignal);
    try {
      const reader = new LineReader(input.stream);
      for await (const item of reader.lines(interrupt.signal)) {
        if (!(await intake.submit(item.text, item.line, { signal: interrupt.signal, oversize: item.oversize }))) break;
      }
      await intake.settled();
    } finally {
      process.off('SIGINT', onSignal);
      input.stream.destroy();
      intake.dispose();
    }
    const { journal, ledger } = platform.store;
    const lines: DryRunLine[] = [];
    for (const result of results.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))) {
      const line = dryRunLine(result, result.outcome === 'DUPLICATE' ? [] : await journal.read({ flow_id: result.flow_id }));
      // a cancel's intent names only the order: show what it cancels
      const orders = await Promise.all(line.orders.map(async (o) => (o.action === 'CANCEL' ? withCancelled(o, await ledger.getOrder(o.client_order_id)) : o)));
      lines.push({ ...line, orders });
    }
    const summary = summaryOf(lines, input.name, world.real.db);
    if (opts.json) {
      io.stdout(lines.map((l) => `${JSON.stringify(l)}\n`).join('') + `${JSON.stringify(summary)}\n`);
    } else {
      io.stdout(dryRunText(lines));
      io.stdout(
        `\nplanexec run --dry-run: ${summary.processed} directive(s) from ${input.name}: ${summary.would_send} would be sent, ${summary.denied} denied, ${summary.invalid} invalid, ` +
          `${summary.duplicates} duplicate(s), ${summary.failed + summary.in_doubt} would fail. Nothing was sent; ${world.real.db} was not written.\n`,
      );
    }
    io.setExitCode(summary.would_send === summary.processed ? ExitCode.OK : ExitCode.FAILURE);
  } finally {
    try {
      await platform?.close();
    } finally {
      world.dispose();
      log.close();
    }
  }
}
