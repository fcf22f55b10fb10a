import { errorMessage, JournalError, LedgerError } from '../../domain/errors.js';

/** SQLite's own error code (SQLITE_CONSTRAINT_UNIQUE, SQLITE_FULL, …) when there is one. */
function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function toLedgerError(error: unknown, operation: string): LedgerError {
  if (error instanceof LedgerError) return error;
  return new LedgerError(`ledger ${operation} failed: ${errorMessage(error)}`, { operation, cause_code: sqliteCode(error) ?? null }, error);
}

export function toJournalError(error: unknown, operation: string): JournalError {
  if (error instanceof JournalError) return error;
  return new JournalError(`journal ${operation} failed: ${errorMessage(error)}`, { operation, cause_code: sqliteCode(error) ?? null }, error);
}
