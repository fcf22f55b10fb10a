import type { BusLogger } from '../../src/bus/in-memory-event-bus.js';

export interface LogRecord {
  readonly level: 'error' | 'fatal';
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

/** A BusLogger that keeps what it was told, for assertions. */
export class RecordingLogger implements BusLogger {
  readonly records: LogRecord[] = [];

  error(obj: object, msg: string): void {
    this.records.push({ level: 'error', obj: obj as Record<string, unknown>, msg });
  }

  fatal(obj: object, msg: string): void {
    this.records.push({ level: 'fatal', obj: obj as Record<string, unknown>, msg });
  }
}
