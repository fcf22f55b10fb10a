import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWorld, crashDirectives, crashLoop, verifyWorld, writeWorldFiles } from './crash-world.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-crash-long-'));
// CRASH_KEEP=1 keeps the world's files to look into (the path is printed with the figures)
afterAll(() => (process.env['CRASH_KEEP'] === '1' ? undefined : rmSync(dir, { recursive: true, force: true })));

const DIRECTIVES = Number(process.env['CRASH_DIRECTIVES'] ?? 6000);
const KILLS = Number(process.env['CRASH_KILLS'] ?? 60);
const SEED = Number(process.env['CRASH_SEED'] ?? 424242);
/** At least this many NEW_TRADE and CLOSE_EXISTING directives at the default size (docs/reliability.md). */
const MIN_NEW_TRADES = Number(process.env['CRASH_MIN_NEW_TRADES'] ?? 3000);
const MIN_CLOSES = Number(process.env['CRASH_MIN_CLOSES'] ?? 1500);

/** `npm run test:crash`: the long crash test (figures in docs/reliability.md). */
describe('planexec survives many kill -9 over thousands of directives', () => {
  it(`${DIRECTIVES} directives, ${KILLS} kills`, { timeout: 3_600_000 }, async () => {
    const started = Date.now();
    // more NEW_TRADE and CLOSE than the short test's mix: each trade opened is a trade to close
    const input = crashDirectives(DIRECTIVES, SEED, { newTrade: 0.55, modify: 0.12 });
    expect(input.newTrades.length).toBeGreaterThanOrEqual(MIN_NEW_TRADES);
    expect(input.closes.length).toBeGreaterThanOrEqual(MIN_CLOSES);
    const files = writeWorldFiles(dir, input);
    const db = join(dir, 'crash.db');
    const run = await crashLoop({ db, config: files.config, directives: files.directives, directiveIds: input.directiveIds, kills: KILLS, seed: SEED, startupMs: 400, msPerDirective: 5 });
    const runMinutes = (Date.now() - started) / 60_000;
    const world = await checkWorld(db, input.directiveIds, input);
    const figures = {
      lines: input.lines,
      directives: input.directiveIds.length,
      new_trades: input.newTrades.length,
      closes: input.closes.length,
      repeated_lines: input.repeated,
      invalid_lines: input.invalid,
      kills: run.kills,
      timed_kills: run.timedKills,
      crash_point_kills: run.crashPointKills,
      runs: run.runs,
      interrupted_flows_recovered: run.interruptedFlows,
      resent_legs: world.resentLegs,
      expired_legs: world.expiredLegs,
      outcomes: world.outcomes,
      failures_by_code: world.failuresByCode,
      new_trades_opened_once: world.newTradesOpened,
      new_trades_opened_twice: world.openedTwice.length,
      new_trades_refused_by_venue: world.newTradesRefused,
      closes_done: world.closesDone,
      closes_without_trade: world.closesWithoutTrade,
      closes_refused_by_venue: world.closesRefused,
      lost_for_a_crash: world.lost.length,
      venue_submits: world.submits,
      legs_sent_twice: world.doubleSent.length,
      directives_without_one_stop: world.missing.length + world.running + world.doubleFinal.length,
      position_mismatches: world.positionMismatches.length,
      symbols: world.symbols,
      journal: world.journal,
      run_minutes: Math.round(runMinutes * 100) / 100,
      minutes: Math.round((Date.now() - started) / 600) / 100,
    };
    process.stdout.write(`crash test figures: ${JSON.stringify(figures)}\n`);
    if (world.lost.length > 0) process.stdout.write(`lost for a crash: ${JSON.stringify(world.lost)} (world: ${dir})\n`);

    expect(run.kills).toBe(KILLS);
    expect(run.final).toMatchObject({ unfinished: 0, interrupted: false, submitted: input.lines });
    expect(world.missing).toEqual([]);
    expect(world.running).toBe(0);
    expect(world.doubleFinal).toEqual([]);
    expect(world.doubleSent).toEqual([]);
    expect(world.positionMismatches).toEqual([]);
    expect(world.journal.ok).toBe(true);
    // planexec verify agrees: positions rebuilt from the journal = ledger = venue
    const verify = await verifyWorld(db, files.config);
    expect(verify.differences.slice(0, 5)).toEqual([]);
    expect(verify).toMatchObject({ code: 0, ok: true });
    // every NEW_TRADE opened exactly once unless the venue refused one of its legs; every CLOSE of an opened trade done unless the venue refused its close
    expect(world.openedTwice).toEqual([]);
    expect(world.lost).toEqual([]);
    expect(world.newTradesOpened + world.newTradesRefused).toBe(input.newTrades.length);
    expect(world.closesDone + world.closesWithoutTrade + world.closesRefused).toBe(input.closes.length);
    // kills between an intent and its send happened, and each such leg was sent again, none expired
    expect(world.resentLegs).toBeGreaterThan(0);
    expect(world.expiredLegs).toBe(0);
    expect(world.failuresByCode['NOT_FOUND_AT_VENUE'] ?? 0).toBe(0);
    expect(world.failuresByCode['EXPIRED_DURING_OUTAGE'] ?? 0).toBe(0);
  });
});
