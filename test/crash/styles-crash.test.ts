import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWorld, crashConfig, crashLoop, symbolOf, verifyWorld } from './crash-world.js';
import { childLegs, priceFile, styledDirectives } from './styles-crash-world.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-styles-crash-'));
afterAll(() => (process.env['CRASH_KEEP'] === '1' ? undefined : rmSync(dir, { recursive: true, force: true })));

describe('kill -9 in the middle of TWAP and PASSIVE entries', () => {
  it('on the paper venue: the schedules resume from the journal, no child is sent twice or lost, every directive stops once, ledger = venue', { timeout: 200_000 }, async () => {
    const prices = join(dir, 'prices.csv');
    priceFile(prices);
    const config = join(dir, 'styles.yaml');
    writeFileSync(
      config,
      crashConfig()
        .replace('    in_doubt:', '    execution_styles: { reprice_interval_seconds: 1 }\n    in_doubt:')
        .replace('  paper:\n', `  paper:\n    prices: { source: file, path: ${prices}, interval_ms: 250 }\n`),
    );
    const input = styledDirectives(symbolOf);
    const directives = join(dir, 'styles.jsonl');
    writeFileSync(directives, input.text);
    const db = join(dir, 'styles.db');

    const run = await crashLoop({ db, config, directives, directiveIds: input.ids, kills: 2, seed: 16, startupMs: 800, msPerDirective: 1500, crashPointShare: 0.3 });
    expect(run.kills).toBe(2);
    expect(run.interruptedFlows).toBeGreaterThan(0);
    expect(run.final).toMatchObject({ unfinished: 0, interrupted: false });

    const world = await checkWorld(db, input.ids, { newTrades: input.ids, closes: [] });
    expect(world.missing).toEqual([]);
    expect(world.running).toBe(0);
    expect(world.doubleFinal).toEqual([]);
    expect(world.doubleSent).toEqual([]);
    expect(world.positionMismatches).toEqual([]);
    expect(world.journal.ok).toBe(true);
    expect(world.openedTwice).toEqual([]);
    const legs = childLegs(db);
    expect(legs.plannedFlows).toBe(input.ids.length);
    expect(legs.children).toBeGreaterThanOrEqual(input.ids.length);

    const verify = await verifyWorld(db, config);
    expect(verify.differences.slice(0, 5)).toEqual([]);
    expect(verify).toMatchObject({ code: 0, ok: true });
  });
});
