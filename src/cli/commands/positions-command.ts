import type { Command } from 'commander';
import { PositionStatus } from '../../domain/enums.js';
import type { CliIo } from '../cli-io.js';
import { loadReaderConfig, type WorldOptions } from '../cli-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { withExistingStore } from '../open-store.js';
import { positionTotals } from '../../app/position-totals.js';
import { positionJson, positionsFootnote, positionsTable, totalsLine } from '../positions-format.js';

interface PositionsOptions extends WorldOptions {
  readonly status?: string;
  readonly json?: boolean;
}

function parseStatus(text: string | undefined): PositionStatus | undefined {
  if (text === undefined) return undefined;
  const status = text.toUpperCase();
  if (status === PositionStatus.OPEN || status === PositionStatus.CLOSED) return status;
  throw new UsageError(`--status must be OPEN or CLOSED, got "${text}"`);
}

/** `planexec positions [--db PATH] [--status OPEN|CLOSED] [--json]`. */
export function registerPositionsCommand(program: Command, io: CliIo): Command {
  return program
    .command('positions')
    .description('list the ledger positions (trades), oldest first')
    .option('--db <path>', 'the database (default: storage.path, ./planexec.db)')
    .option('--config <file>', 'platform.yaml (for storage.path)')
    .option('--env <name>', 'environment overlay to apply (default: PLANEXEC_ENV)')
    .option('--status <status>', 'only OPEN or only CLOSED positions')
    .option('--json', 'a JSON array, decimals as strings')
    .action(async (opts: PositionsOptions) => {
      const status = parseStatus(opts.status);
      const { config } = loadReaderConfig(opts);
      const db = opts.db ?? config.storage.path;
      const positions = await withExistingStore(db, async (store) => store.ledger.listPositions(status === undefined ? {} : { status }));
      if (opts.json) {
        io.stdout(`${JSON.stringify(positions.map(positionJson), null, 2)}\n`);
      } else if (positions.length === 0) {
        io.stdout(`no ${status === undefined ? '' : `${status.toLowerCase()} `}positions in ${db}\n`);
      } else {
        const footnote = positionsFootnote(positions);
        io.stdout(`${positionsTable(positions)}\n\n${totalsLine(positionTotals(positions))}\n${footnote === null ? '' : `${footnote}\n`}`);
      }
      io.setExitCode(ExitCode.OK);
    });
}
