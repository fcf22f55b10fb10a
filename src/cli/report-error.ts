import { CommanderError } from 'commander';
import { formatConfigIssue } from '../config/validate-config.js';
import { ConfigError, DatabaseInUseError, errorMessage, StorageError, TransientError, UnknownOutcomeError, VenueRejected } from '../domain/errors.js';
import { printable } from '../domain/printable.js';
import type { CliIo } from './cli-io.js';
import { ExitCode, UsageError } from './exit-codes.js';

/** A database the command cannot use as asked: a usage problem (exit 2), not an internal error. */
const USAGE_STORAGE_CODES: ReadonlySet<string> = new Set(['STORAGE_NOT_FOUND', 'STORAGE_NOT_READABLE', 'STORAGE_NOT_WRITABLE', 'STORAGE_SCHEMA_TOO_OLD', 'STORAGE_SCHEMA_TOO_NEW']);

/** Print what went wrong and set the exit code: 2 for usage and config, 3 for a database in use, 1 for everything else. */
export function reportError(io: CliIo, error: unknown): void {
  if (error instanceof CommanderError) {
    // commander has already printed its message; help and version asked for end with 0, the rest is usage
    io.setExitCode(error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE);
    return;
  }
  if (error instanceof ConfigError) {
    for (const issue of error.issues) io.stderr(`${formatConfigIssue(issue)}\n`);
    io.setExitCode(ExitCode.USAGE);
    return;
  }
  if (error instanceof UsageError) {
    io.stderr(`planexec: ${printable(error.message)}\n`);
    io.setExitCode(ExitCode.USAGE);
    return;
  }
  if (error instanceof DatabaseInUseError) {
    io.stderr(`planexec: ${error.message}\nplanexec: nothing was done; run again once it has finished, or add --wait to wait for it\n`);
    io.setExitCode(ExitCode.DATABASE_IN_USE);
    return;
  }
  if (error instanceof StorageError && USAGE_STORAGE_CODES.has(error.code)) {
    io.stderr(`planexec: ${error.message}\n`);
    io.setExitCode(ExitCode.USAGE);
    return;
  }
  if (error instanceof TransientError || error instanceof VenueRejected || error instanceof UnknownOutcomeError) {
    // the venue, not planexec: said as such, with what it answered (reads were already asked again)
    io.stderr(`planexec: the venue failed (${error.code}): ${printable(error.message)}\nplanexec: check the venue's status and connector settings, then run again; a later start recovers whatever was in flight\n`);
    io.setExitCode(ExitCode.FAILURE);
    return;
  }
  io.stderr(`planexec: internal error: ${printable(errorMessage(error))}\n`);
  if (error instanceof Error && error.stack && process.env.PLANEXEC_DEBUG) io.stderr(`${error.stack}\n`);
  io.setExitCode(ExitCode.FAILURE);
}
