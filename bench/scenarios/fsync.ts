/**
 * The machine's durable-write rate and the time of one fdatasync (p50, p99, max): 4 KiB append +
 * fdatasync, in a loop, for ~2 s, in the same temporary directory (same file system) the store
 * uses. What a commit with synchronous=FULL costs at least, once per group-commit batch; the
 * latency targets are stated in fsync p99.
 *
 *   node --import tsx bench/scenarios/fsync.ts [--seconds 2]
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from '../bench-platform.js';
import { log, numberArg, runIfMain, type ScenarioArgs, type ScenarioResult } from '../scenario.js';

export function fsyncRate(seconds: number): ScenarioResult {
  const dir = mkdtempSync(join(tmpdir(), 'planexec-bench-fsync-'));
  const block = Buffer.alloc(4096, 0x61);
  const fd = openSync(join(dir, 'append.bin'), 'a');
  try {
    // one untimed round: the file's first block allocation is not the steady state
    writeSync(fd, block);
    fdatasyncSync(fd);
    const syncMs: number[] = [];
    const start = performance.now();
    const end = start + seconds * 1000;
    let now = start;
    while (now < end) {
      writeSync(fd, block);
      const before = performance.now();
      fdatasyncSync(fd);
      now = performance.now();
      syncMs.push(now - before);
    }
    const count = syncMs.length;
    const elapsed = (now - start) / 1000;
    const perSecond = count / elapsed;
    const sorted = Float64Array.from(syncMs).sort();
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    log(`fsync: ${count} × (4 KiB append + fdatasync) in ${elapsed.toFixed(2)} s = ${perSecond.toFixed(0)}/s, fdatasync p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`);
    return {
      scenario: 'fsync',
      figures: {
        fdatasync_per_second: { value: perSecond, unit: 'fdatasync/s' },
        fdatasync_us: { value: (elapsed * 1e6) / count, unit: 'µs' },
        fdatasync_p50_ms: { value: p50, unit: 'ms' },
        fdatasync_p99_ms: { value: p99, unit: 'ms' },
        fdatasync_max_ms: { value: sorted[count - 1] ?? Number.NaN, unit: 'ms' },
      },
      details: { seconds: elapsed, count, block_bytes: block.length, directory: tmpdir(), timed: 'fdatasync alone (the write before it is not in the p50/p99)' },
    };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function fsyncFromArgs(args: ScenarioArgs): Promise<ScenarioResult> {
  return Promise.resolve(fsyncRate(numberArg(args, 'seconds', 2)));
}

runIfMain(import.meta.url, fsyncFromArgs);
