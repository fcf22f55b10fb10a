export interface ClosedDatabase {
  readonly name: string;
  readonly bytes: Buffer;
  /** The connection that was closed. */
  readonly source: object;
}

export function captureClosedDatabases(sink: (db: ClosedDatabase) => void): void;
