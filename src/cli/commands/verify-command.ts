import type { Command } from 'commander';
import { createAlertSink } from '../../alerts/create-alert-sink.js';
import { alertVerifyDifferences } from '../../app/verify-alerts.js';
import { openStoreForReading } from '../../app/open-store.js';
import { IN_MEMORY, type PlatformPaths, platformPaths } from '../../app/platform-paths.js';
import { verifyWorld, type VerifyReport } from '../../app/verify.js';
import { openVerifyVenue } from '../../app/verify-venue.js';
import { LIVE_ORDER_STATUSES } from '../../orchestration/order-sync.js';
import { systemClock } from '../../domain/clock.js';
import type { IReadOnlyStore } from '../../ports/store.js';
import type { CliIo } from '../cli-io.js';
import { createCliLogger, type GlobalOptions, loadReaderConfig, type WorldOptions } from '../cli-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { verifyText } from '../verify-format.js';

interface VerifyOptions extends WorldOptions, GlobalOptions {
  readonly json?: boolean;
}

async function openToVerify(paths: PlatformPaths): Promise<IReadOnlyStore> {
  if (paths.db === IN_MEMORY) throw new UsageError(`no planexec database at ${paths.db}`);
  // a missing or foreign database is a StorageError the CLI reports as bad usage (exit 2); verify leaves its bytes untouched
  return openStoreForReading(paths.store, { untouched: true });
}

/** `planexec verify [--db PATH] [--json]`: journal → ledger → venue agreement. */
export function registerVerifyCommand(program: Command, io: CliIo): Command {
  return program
    .command('verify')
    .description('rebuild the ledger from the journal and compare it with the ledger, then the ledger with the venue: orders, and an account\'s open orders and balances (read-only; differences are also alerted)')
    .option('--db <path>', 'the database (default: storage.path, ./planexec.db)')
    .option('--config <file>', 'platform.yaml (for storage.path and the venue)')
    .option('--env <name>', 'environment overlay to apply (default: PLANEXEC_ENV)')
    .option('--json', 'one JSON object: {"ok":…,"differences":[…],"checked":{…}}')
    .action(async (_opts: VerifyOptions, command: Command) => {
      const opts = command.optsWithGlobals<VerifyOptions>();
      const loaded = loadReaderConfig(opts);
      const { config } = loaded;
      const paths = platformPaths(config, opts.db);
      const store = await openToVerify(paths);
      let report: VerifyReport;
      let venueName: string;
      try {
        const log = createCliLogger(loaded, opts);
        try {
          const venue = await openVerifyVenue(config, paths, {
            clock: systemClock,
            logger: log.logger,
            liveOrders: () => store.ledger.listOrders({ statuses: LIVE_ORDER_STATUSES }),
          });
          venueName = venue.name;
          try {
            report = await verifyWorld({
              store,
              connector: venue.connector,
              venueMissing: venue.venueMissing,
              ...(venue.venueNetPositions ? { venueNetPositions: venue.venueNetPositions } : {}),
            });
          } finally {
            await venue.close();
          }
          // differences go to the configured alert sinks too, so a scheduled verify needs no one watching its output
          if (!report.ok) {
            const alerts = createAlertSink(config.alerts, log.logger);
            await alertVerifyDifferences(report, alerts);
            await alerts.close();
          }
        } finally {
          log.close();
        }
      } finally {
        await store.close();
      }
      if (opts.json) io.stdout(`${JSON.stringify({ ...report, db: paths.db, venue: venueName })}\n`);
      else io.stdout(verifyText(report, paths.db, venueName));
      io.setExitCode(report.ok ? ExitCode.OK : ExitCode.FAILURE);
    });
}
