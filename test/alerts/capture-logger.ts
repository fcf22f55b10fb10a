import { pino, type Logger } from 'pino';

export interface CapturedLine {
  readonly level: number;
  readonly levelName: string;
  readonly msg: string;
  readonly raw: string;
  readonly [field: string]: unknown;
}

const NAMES: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A real pino logger whose lines are kept (parsed and raw) for assertions. */
export function captureLogger(): { logger: Logger; lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const logger = pino(
    { level: 'trace', base: null, timestamp: false },
    {
      write(raw: string): void {
        const parsed = JSON.parse(raw) as { level: number; msg: string };
        lines.push({ ...parsed, levelName: NAMES[parsed.level] ?? String(parsed.level), raw });
      },
    },
  );
  return { logger, lines };
}
