import { platformPaths } from '../../app/platform-paths.js';
import type { Command } from 'commander';
import type { IJournalReader, JournalEntry } from '../../ports/journal.js';
import type { CliIo } from '../cli-io.js';
import { loadReaderConfig, type WorldOptions } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { journalEntryJson, journalTable } from '../journal-format.js';
import { withExistingStore } from '../open-store.js';

interface JournalOptions extends WorldOptions {
  readonly directive?: string;
  readonly verify?: boolean;
  readonly json?: boolean;
}

const PAGE = 1000;

/** Every entry matching, page by page (memory stays flat for --json). */
async function* entries(journal: IJournalReader, directiveId: string | undefined): AsyncGenerator<JournalEntry> {
  for (const key of directiveId === undefined ? [undefined] : (['directive_id', 'flow_id'] as const)) {
    let after = 0;
    let found = 0;
    for (;;) {
      const filter = key === undefined ? {} : { [key]: directiveId };
      const page = await journal.read({ ...filter, after_seq: after, limit: PAGE });
      for (const entry of page) yield entry;
      found += page.length;
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.seq;
    }
    // an invalid line has no directive id: then ID may name its flow (INV_…)
    if (found > 0) return;
  }
}

async function verify(io: CliIo, journal: IJournalReader, json: boolean): Promise<void> {
  const result = await journal.verify();
  if (json) io.stdout(`${JSON.stringify(result)}\n`);
  if (result.ok) {
    if (!json) io.stdout(`journal intact: ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'}\n`);
    io.setExitCode(ExitCode.OK);
    return;
  }
  if (!json) io.stdout(`journal broken at seq ${result.first_bad_seq}: ${result.reason}\n`);
  io.setExitCode(ExitCode.FAILURE);
}

/** `planexec journal [--db PATH] [--directive ID] [--verify] [--json]`. */
export function registerJournalCommand(program: Command, io: CliIo): Command {
  return program
    .command('journal')
    .description('print the causality journal (oldest first), or verify its hash chain')
    .option('--db <path>', 'the database (default: storage.path, ./planexec.db)')
    .option('--config <file>', 'platform.yaml (for storage.path)')
    .option('--env <name>', 'environment overlay to apply (default: PLANEXEC_ENV)')
    .option('--directive <id>', "only this directive's entries (or an INV_ flow id of an invalid line)")
    .option('--verify', 'check the whole hash chain: exit 0 intact, 1 broken with the first bad seq')
    .option('--json', 'JSON Lines, one entry per line (with --verify: one JSON object)')
    .action(async (opts: JournalOptions) => {
      const { config } = loadReaderConfig(opts);
      const paths = platformPaths(config, opts.db);
      await withExistingStore(paths.store, async (store) => {
        if (opts.verify) return verify(io, store.journal, opts.json === true);
        if (opts.json) {
          for await (const entry of entries(store.journal, opts.directive)) io.stdout(`${JSON.stringify(journalEntryJson(entry))}\n`);
        } else {
          const all: JournalEntry[] = [];
          for await (const entry of entries(store.journal, opts.directive)) all.push(entry);
          if (all.length === 0) io.stdout(opts.directive === undefined ? 'journal is empty\n' : `no journal entries for ${opts.directive}\n`);
          else io.stdout(`${journalTable(all)}\n`);
        }
        io.setExitCode(ExitCode.OK);
      });
    });
}
