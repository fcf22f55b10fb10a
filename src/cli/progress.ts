import { SingleBar } from 'cli-progress';
import type { FlowCounts } from '../app/flow-tally.js';

/** Progress of a run on the terminal; a no-op when output is not for a human at a TTY. */
export interface Progress {
  /** `position` is in the unit of `total` (bytes of a file, steps of the demo). */
  update(position: number, counts: FlowCounts): void;
  stop(): void;
}

const NONE: Progress = { update: () => undefined, stop: () => undefined };

function payload(counts: FlowCounts): Record<string, number> {
  return {
    processed: counts.processed,
    succeeded: counts.succeeded,
    failed: counts.failed + counts.in_doubt,
    duplicates: counts.duplicates,
  };
}

/**
 * A cli-progress bar on stderr. With `total` it shows a bar and a percentage; without (stdin), the
 * counts only. Callers pass `enabled: false` for --json or when stderr is not a TTY.
 */
export function createProgress(options: { readonly enabled: boolean; readonly total?: number; readonly stream?: NodeJS.WriteStream }): Progress {
  const stream = options.stream ?? process.stderr;
  if (!options.enabled || !stream.isTTY) return NONE;
  const counts = ' {processed} done: {succeeded} ok, {failed} failed, {duplicates} duplicates';
  const withTotal = options.total !== undefined && options.total > 0;
  const bar = new SingleBar({
    stream,
    format: withTotal ? ` {bar} {percentage}% |${counts}` : counts.trimStart(),
    hideCursor: true,
    clearOnComplete: true,
    barsize: 30,
  });
  bar.start(withTotal ? options.total! : 1, 0, payload({ processed: 0, succeeded: 0, failed: 0, in_doubt: 0, duplicates: 0, adjusted: 0, failures_by_reason: {} }));
  return {
    update: (position, c) => bar.update(withTotal ? Math.min(position, options.total!) : 0, payload(c)),
    stop: () => bar.stop(),
  };
}
