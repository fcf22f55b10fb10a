import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { platformPaths } from '../../app/platform-paths.js';
import { verifyWorld, type VerifyReport } from '../../app/verify.js';
import type { PaperConnectorConfig } from '../../config/schema.js';
import { PaperConnector } from '../../connectors/paper/paper-connector.js';
import { systemClock } from '../../domain/clock.js';
import { errorMessage } from '../../domain/errors.js';
import { openReadOnlyStore, type ReadOnlyStore } from '../../store/sqlite/open-read-only-store.js';
import type { CliIo } from '../cli-io.js';
import { loadReaderConfig, type WorldOptions } from '../cli-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { verifyText } from '../verify-format.js';

interface VerifyOptions extends WorldOptions {
  readonly json?: boolean;
}

/** The venue as verify looks at it: read-only, no simulated faults or latency, no "not found" window (it must tell the truth, now). */
function lookingVenue(paper: PaperConnectorConfig, path: string): PaperConnector {
  return new PaperConnector(
    { ...paper, path, latency_ms: 0, not_found_window_ms: 0, faults: { ...paper.faults, transient_error_rate: 0, rejection_rate: 0, timeout_rate: 0 } },
    { clock: systemClock, readonly: true },
  );
}

function openStore(db: string): ReadOnlyStore {
  if (db === ':memory:') throw new UsageError(`no planexec database at ${db}`);
  // a missing or foreign database is a StorageError the CLI reports as bad usage (exit 2)
  return openReadOnlyStore(db);
}

/** `planexec verify [--db PATH] [--json]`: journal → ledger → venue agreement. */
export function registerVerifyCommand(program: Command, io: CliIo): Command {
  return program
    .command('verify')
    .description('rebuild the ledger from the journal and compare it with the ledger, then the ledger with the venue (read-only)')
    .option('--db <path>', 'the database (default: storage.path, ./planexec.db)')
    .option('--config <file>', 'platform.yaml (for storage.path and the venue)')
    .option('--env <name>', 'environment overlay to apply (default: PLANEXEC_ENV)')
    .option('--json', 'one JSON object: {"ok":…,"differences":[…],"checked":{…}}')
    .action(async (opts: VerifyOptions) => {
      const { config } = loadReaderConfig(opts);
      if (config.connector.type !== 'paper') throw new UsageError(`connector.type ${config.connector.type} is not available in this build`);
      const paths = platformPaths(config, opts.db);
      const store = openStore(paths.db);
      let report: VerifyReport;
      try {
        const venueExists = paths.venue !== ':memory:' && existsSync(paths.venue);
        let venue: PaperConnector | null = null;
        let venueMissing: string | null = null;
        if (venueExists) {
          try {
            venue = lookingVenue(config.connector.paper, paths.venue);
          } catch (error) {
            venueMissing = `venue file ${paths.venue} cannot be read: ${errorMessage(error)}`;
          }
        } else {
          venueMissing = `venue file ${paths.venue} does not exist, but the ledger has orders`;
        }
        try {
          const connector = venue;
          report = await verifyWorld({
            store,
            connector,
            venueMissing,
            ...(connector ? { venueNetPositions: () => connector.netPositions() } : {}),
          });
        } finally {
          await venue?.close();
        }
      } finally {
        store.close();
      }
      if (opts.json) io.stdout(`${JSON.stringify({ ...report, db: paths.db, venue: paths.venue })}\n`);
      else io.stdout(verifyText(report, paths.db, paths.venue));
      io.setExitCode(report.ok ? ExitCode.OK : ExitCode.FAILURE);
    });
}
