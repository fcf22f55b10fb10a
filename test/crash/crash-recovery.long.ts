import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWorld, crashDirectives, crashLoop, writeWorldFiles } from './crash-world.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-crash-long-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DIRECTIVES = Number(process.env['CRASH_DIRECTIVES'] ?? 5000);
const KILLS = Number(process.env['CRASH_KILLS'] ?? 60);
const SEED = Number(process.env['CRASH_SEED'] ?? 424242);

/** `npm run test:crash`: the long crash test (figures in docs/reliability.md). */
describe('planexec survives many kill -9 over thousands of directives', () => {
  it(`${DIRECTIVES} directives, ${KILLS} kills`, { timeout: 3_600_000 }, async () => {
    const started = Date.now();
    const input = crashDirectives(DIRECTIVES, SEED);
    const files = writeWorldFiles(dir, input);
    const db = join(dir, 'crash.db');
    const run = await crashLoop({ db, config: files.config, directives: files.directives, directiveIds: input.directiveIds, kills: KILLS, seed: SEED, startupMs: 400, msPerDirective: 5 });
    const world = await checkWorld(db, input.directiveIds);
    const figures = {
      lines: input.lines,
      directives: input.directiveIds.length,
      repeated_lines: input.repeated,
      invalid_lines: input.invalid,
      kills: run.kills,
      timed_kills: run.timedKills,
      crash_point_kills: run.crashPointKills,
      runs: run.runs,
      interrupted_flows_recovered: run.interruptedFlows,
      outcomes: world.outcomes,
      venue_submits: world.submits,
      legs_sent_twice: world.doubleSent.length,
      directives_without_one_stop: world.missing.length + world.running + world.doubleFinal.length,
      position_mismatches: world.positionMismatches.length,
      symbols: world.symbols,
      journal: world.journal,
      minutes: Math.round((Date.now() - started) / 600) / 100,
    };
    process.stdout.write(`crash test figures: ${JSON.stringify(figures)}\n`);

    expect(run.kills).toBe(KILLS);
    expect(run.final).toMatchObject({ unfinished: 0, interrupted: false, submitted: input.lines });
    expect(world.missing).toEqual([]);
    expect(world.running).toBe(0);
    expect(world.doubleFinal).toEqual([]);
    expect(world.doubleSent).toEqual([]);
    expect(world.positionMismatches).toEqual([]);
    expect(world.journal.ok).toBe(true);
  });
});
