import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashDirectives, crashLoop, verifyWorld } from './crash-world.js';
import { checkVenueWorld, startVenueProcess, venueCrashConfig, venueFaults, venueInstruments, type VenueProcess } from './venue-crash-world.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-venue-crash-'));
let venue: VenueProcess;

beforeAll(async () => {
  venue = await startVenueProcess(dir, { instruments: venueInstruments(), balances: { USDT: '10000000' }, faults: venueFaults(20261202), duplicateWindowMs: 600_000 });
  // the config names the keys through the environment, as a live config does
  process.env['CRASH_VENUE_KEY'] = 'crash-key';
  process.env['CRASH_VENUE_SECRET'] = 'crash-secret';
}, 30_000);

afterAll(async () => {
  await venue?.stop();
  if (process.env['CRASH_KEEP'] === '1') process.stdout.write(`venue crash world kept: ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
});

/**
 * `planexec run` through the ccxt connector against the loopback exchange (its own process, seeded
 * faults on: latency, 5xx, 429 with Retry-After, answers lost after the order was accepted, "order
 * not found" after creation), SIGKILLed at random moments and commits and restarted until the
 * input is done. Spot: every trade is a BUY, its stop and target held by planexec.
 */
describe('planexec survives kill -9 while trading on a ccxt venue', () => {
  it('no leg is sent twice, every directive stops once, the ledger equals the venue balances, verify agrees', { timeout: 240_000 }, async () => {
    const input = crashDirectives(240, 20261202, undefined, { buyOnly: true });
    const config = join(dir, 'venue-crash.yaml');
    const directives = join(dir, 'venue-crash.jsonl');
    writeFileSync(config, venueCrashConfig(venue.url));
    writeFileSync(directives, input.text);
    const db = join(dir, 'venue-crash.db');

    const run = await crashLoop({
      db,
      config,
      directives,
      directiveIds: input.directiveIds,
      kills: 6,
      seed: 11,
      startupMs: 900,
      msPerDirective: 25,
      crashPointShare: 0.5,
      afterCommitShare: 0.7,
    });
    expect(run.kills).toBe(6);
    expect(run.final).toMatchObject({ unfinished: 0, interrupted: false, submitted: input.lines });

    const world = await checkVenueWorld(db, venue.client, input);
    expect(world.missing).toEqual([]);
    expect(world.running).toBe(0);
    expect(world.doubleFinal).toEqual([]);
    expect(world.doubleSent).toEqual([]);
    expect(world.balanceMismatches).toEqual([]);
    expect(world.journal.ok).toBe(true);
    expect(world.venueOrders).toBeGreaterThan(input.newTrades.length / 2);
    expect(run.interruptedFlows).toBeGreaterThan(0);
    expect(world.outcomes['SUCCEEDED'] ?? 0).toBeGreaterThan(input.directiveIds.length * 0.7);

    const verify = await verifyWorld(db, config);
    expect(verify.differences.slice(0, 5)).toEqual([]);
    expect(verify).toMatchObject({ code: 0, ok: true });
  });
});
