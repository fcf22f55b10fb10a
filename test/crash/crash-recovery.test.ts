import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWorld, crashDirectives, crashLoop, verifyWorld, writeWorldFiles } from './crash-world.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-crash-'));
// CRASH_KEEP=1 keeps the world's files to look into
afterAll(() => (process.env['CRASH_KEEP'] === '1' ? process.stdout.write(`crash world kept: ${dir}\n`) : rmSync(dir, { recursive: true, force: true })));

/**
 * The short crash test (the long one: test/crash/crash-recovery.long.ts, `npm run test:crash`):
 * `planexec run` over ~500 directives against the paper venue with random faults, SIGKILLed at
 * random moments and at random commits, restarted until the input is done. Most kills here come
 * right after a COMMIT, where a leg's intent is durable and its order not yet sent: recovery must
 * send it then, not fail the flow.
 */
describe('planexec survives kill -9 at random moments', () => {
  it('every directive ends with exactly one stop, nothing is lost for a crash, no leg is sent twice, ledger = venue, the journal verifies', { timeout: 120_000 }, async () => {
    const input = crashDirectives(500, 20261124);
    const files = writeWorldFiles(dir, input);
    const db = join(dir, 'crash.db');
    const run = await crashLoop({
      db,
      config: files.config,
      directives: files.directives,
      directiveIds: input.directiveIds,
      kills: 8,
      seed: 7,
      startupMs: 400,
      msPerDirective: 5,
      crashPointShare: 0.75,
      afterCommitShare: 0.8,
    });
    expect(run.kills).toBe(8);
    expect(run.final).toMatchObject({ unfinished: 0, interrupted: false, submitted: input.lines });

    const world = await checkWorld(db, input.directiveIds, input);
    expect(world.missing).toEqual([]);
    expect(world.running).toBe(0);
    expect(world.finished).toBe(input.directiveIds.length);
    expect(world.doubleFinal).toEqual([]);
    expect(world.doubleSent).toEqual([]);
    expect(world.positionMismatches).toEqual([]);
    expect(world.journal.ok).toBe(true);
    // planexec verify agrees: positions rebuilt from the journal = ledger = venue
    const verify = await verifyWorld(db, files.config);
    expect(verify.differences.slice(0, 5)).toEqual([]);
    expect(verify).toMatchObject({ code: 0, ok: true });
    // every NEW_TRADE opened once (or refused by the venue), every CLOSE of an opened trade done (or its close refused)
    expect(world.openedTwice).toEqual([]);
    expect(world.lost).toEqual([]);
    expect(world.failuresByCode['NOT_FOUND_AT_VENUE'] ?? 0).toBe(0);
    expect(world.expiredLegs).toBe(0);
    // the kills did interrupt flows, and most directives still succeeded
    expect(run.interruptedFlows).toBeGreaterThan(0);
    expect(world.outcomes['SUCCEEDED'] ?? 0).toBeGreaterThan(input.directiveIds.length * 0.8);
  });
});
