import { platformPaths } from '../../app/platform-paths.js';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { EXPORT_FORMATS, EXPORT_KINDS, exportStream, parseExportRequest, type ExportRequest } from '../../app/export/index.js';
import { ValidationError } from '../../domain/errors.js';
import type { CliIo } from '../cli-io.js';
import { loadReaderConfig, type WorldOptions } from '../cli-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { withExistingStore } from '../open-store.js';

interface ExportOptions extends WorldOptions {
  readonly format: string;
  readonly from?: string;
  readonly to?: string;
  readonly out?: string;
}

const FLAG: Readonly<Record<string, string>> = { kind: 'the kind', format: '--format', from: '--from', to: '--to' };

function quoted(value: unknown): string {
  return value === undefined ? '' : `; got ${JSON.stringify(value)}`;
}

/** The request, or a UsageError naming each bad argument, the rule and what was given. */
function exportRequest(kind: string, opts: ExportOptions): ExportRequest {
  const given: Record<string, unknown> = { kind, format: opts.format, from: opts.from, to: opts.to };
  const query = Object.fromEntries(Object.entries({ format: opts.format, from: opts.from, to: opts.to }).filter(([, v]) => v !== undefined));
  try {
    return parseExportRequest(kind, query);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const problems = error.issues.map((i) => `${FLAG[i.path] ?? i.path} ${i.message}${i.rule === 'after_from' ? '' : quoted(given[i.path])}`);
    throw new UsageError(`export: ${problems.join('; ')}`);
  }
}

/** Into FILE through FILE.partial, renamed once complete: a failed export never leaves a file that looks whole. */
async function writeFile(out: string, source: NodeJS.ReadableStream): Promise<void> {
  const partial = `${out}.partial`;
  try {
    await pipeline(source, createWriteStream(partial));
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** `planexec export trades|orders|fills|journal [--format csv|jsonl] [--from ISO] [--to ISO] [--out FILE]`. */
export function registerExportCommand(program: Command, io: CliIo): Command {
  return program
    .command('export')
    .argument('<kind>', `what to export: ${EXPORT_KINDS.join(', ')}`)
    .description('export trades, orders, fills or journal entries as CSV or JSON Lines (read only: works beside a running writer)')
    .option('--db <path>', 'the database (default: storage.path, ./planexec.db)')
    .option('--config <file>', 'platform.yaml (for storage.path)')
    .option('--env <name>', 'environment overlay to apply (default: PLANEXEC_ENV)')
    .option('--format <format>', `${EXPORT_FORMATS.join(' or ')}`, 'csv')
    .option('--from <time>', 'only records at or after this ISO-8601 time (trades: opened_at, orders: created_at, fills: executed_at, journal: timestamp)')
    .option('--to <time>', 'only records before this ISO-8601 time')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (kind: string, opts: ExportOptions) => {
      const request = exportRequest(kind, opts);
      const { config } = loadReaderConfig(opts);
      const paths = platformPaths(config, opts.db);
      await withExistingStore(paths.store, async (store) => {
        const stream = exportStream(request.kind, request.format, store.readModels, request.range);
        if (opts.out !== undefined) {
          await writeFile(opts.out, stream);
        } else {
          for await (const chunk of stream) io.stdout(String(chunk));
        }
      });
      io.setExitCode(ExitCode.OK);
    });
}
