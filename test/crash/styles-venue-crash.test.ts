import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashLoop, symbolOf, verifyWorld } from './crash-world.js';
import { childLegs, styledDirectives } from './styles-crash-world.js';
import { checkVenueWorld, startVenueProcess, venueCrashConfig, venueFaults, venueInstruments, type VenueProcess } from './venue-crash-world.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-styles-venue-crash-'));
let venue: VenueProcess;

beforeAll(async () => {
  venue = await startVenueProcess(dir, { instruments: venueInstruments(), balances: { USDT: '10000000' }, faults: venueFaults(20261203), duplicateWindowMs: 600_000 });
  process.env['CRASH_VENUE_KEY'] = 'crash-key';
  process.env['CRASH_VENUE_SECRET'] = 'crash-secret';
}, 30_000);

afterAll(async () => {
  await venue?.stop();
  if (process.env['CRASH_KEEP'] !== '1') rmSync(dir, { recursive: true, force: true });
});

/** TWAP and PASSIVE entries through the ccxt connector against the loopback exchange (seeded faults on), SIGKILLed mid-window. */
describe('kill -9 in the middle of TWAP and PASSIVE entries on a ccxt venue', () => {
  it('no child is sent twice, every directive stops once, the ledger equals the venue balances, verify agrees', { timeout: 200_000 }, async () => {
    const config = join(dir, 'styles-venue.yaml');
    writeFileSync(config, venueCrashConfig(venue.url).replace('    in_doubt:', '    execution_styles: { reprice_interval_seconds: 1 }\n    in_doubt:'));
    const input = styledDirectives(symbolOf);
    const directives = join(dir, 'styles-venue.jsonl');
    writeFileSync(directives, input.text);
    const db = join(dir, 'styles-venue.db');

    const run = await crashLoop({ db, config, directives, directiveIds: input.ids, kills: 2, seed: 17, startupMs: 900, msPerDirective: 1500, crashPointShare: 0.3 });
    expect(run.kills).toBe(2);
    expect(run.interruptedFlows).toBeGreaterThan(0);
    expect(run.final).toMatchObject({ unfinished: 0, interrupted: false });

    const world = await checkVenueWorld(db, venue.client, { directiveIds: input.ids });
    expect(world.missing).toEqual([]);
    expect(world.running).toBe(0);
    expect(world.doubleFinal).toEqual([]);
    expect(world.doubleSent).toEqual([]);
    expect(world.balanceMismatches).toEqual([]);
    expect(world.journal.ok).toBe(true);
    expect(childLegs(db).plannedFlows).toBe(input.ids.length);

    const verify = await verifyWorld(db, config);
    expect(verify.differences.slice(0, 5)).toEqual([]);
    expect(verify).toMatchObject({ code: 0, ok: true });
  });
});
