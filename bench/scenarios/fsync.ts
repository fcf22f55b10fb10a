/**
 * The machine's durable-write rate: 4 KiB append + fdatasync, in a loop, for ~2 s, in the same
 * temporary directory (same file system) the store uses. What a commit with synchronous=FULL
 * costs at least, once per group-commit batch.
 *
 *   node --import tsx bench/scenarios/fsync.ts [--seconds 2]
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log, numberArg, runIfMain, type ScenarioArgs, type ScenarioResult } from '../scenario.js';

export function fsyncRate(seconds: number): ScenarioResult {
  const dir = mkdtempSync(join(tmpdir(), 'planexec-bench-fsync-'));
  const block = Buffer.alloc(4096, 0x61);
  const fd = openSync(join(dir, 'append.bin'), 'a');
  try {
    // one untimed round: the file's first block allocation is not the steady state
    writeSync(fd, block);
    fdatasyncSync(fd);
    let count = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    let now = start;
    while (now < end) {
      writeSync(fd, block);
      fdatasyncSync(fd);
      count += 1;
      now = performance.now();
    }
    const elapsed = (now - start) / 1000;
    const perSecond = count / elapsed;
    log(`fsync: ${count} × (4 KiB append + fdatasync) in ${elapsed.toFixed(2)} s = ${perSecond.toFixed(0)}/s`);
    return {
      scenario: 'fsync',
      figures: {
        fdatasync_per_second: { value: perSecond, unit: 'fdatasync/s' },
        fdatasync_us: { value: (elapsed * 1e6) / count, unit: 'µs' },
      },
      details: { seconds: elapsed, count, block_bytes: block.length, directory: tmpdir() },
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
