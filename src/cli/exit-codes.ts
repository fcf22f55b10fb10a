/** The `planexec` exit codes (docs/cli.md). */
export const ExitCode = {
  /** Done; for `run`: every flow reached its stop (whatever its outcome). */
  OK: 0,
  /** Internal error, flows that never stopped, or `journal --verify` found a broken chain. */
  FAILURE: 1,
  /** Bad usage or bad config (a missing or unwritable database included): nothing was done. */
  USAGE: 2,
  /** The database is in use by another writer (and --wait was not given): nothing was done. */
  DATABASE_IN_USE: 3,
  /** Interrupted (SIGINT): input reading stopped, in-flight flows were finished. */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The command line asks for something impossible (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
