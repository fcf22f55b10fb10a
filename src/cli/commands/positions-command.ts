import type { Command } from 'commander';
import { pino } from 'pino';
import { platformPaths } from '../../app/platform-paths.js';
import { loadMarks } from '../../app/position-marks.js';
import { systemClock } from '../../domain/clock.js';
import { PositionStatus } from '../../domain/enums.js';
import type { CliIo } from '../cli-io.js';
import { loadReaderConfig, type WorldOptions } from '../cli-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { withExistingStore } from '../open-store.js';
import { positionTotals } from '../../app/position-totals.js';
import { positionJson } from '../../app/position-json.js';
import { positionsFootnote, positionsTable, totalsLine } from '../positions-format.js';

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
      const paths = platformPaths(config, opts.db);
      const db = paths.db;
      const positions = await withExistingStore(paths.store, async (store) => store.ledger.listPositions(status === undefined ? {} : { status }));
      const open = positions.filter((p) => p.status === PositionStatus.OPEN).map((p) => p.symbol);
      // read-only: the venue file opened for reading, a live exchange asked for public tickers only
      const marks = await loadMarks(config, paths, open, { clock: systemClock, logger: pino({ level: 'silent' }) });
      if (opts.json) {
        io.stdout(`${JSON.stringify(positions.map((p) => positionJson(p, marks)), null, 2)}\n`);
      } else if (positions.length === 0) {
        io.stdout(`no ${status === undefined ? '' : `${status.toLowerCase()} `}positions in ${db}\n`);
      } else {
        const footnote = positionsFootnote(positions, marks);
        io.stdout(`${positionsTable(positions, marks)}\n\n${totalsLine(positionTotals(positions))}\n${footnote === null ? '' : `${footnote}\n`}`);
      }
      io.setExitCode(ExitCode.OK);
    });
}
