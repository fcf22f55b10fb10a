import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareWorld, operation, runWorld, type Faults } from './verify-world.js';

const NO_FAULTS: Faults = { transient_error_rate: 0, rejection_rate: 0, timeout_rate: 0 };

describe('journal replay (property)', () => {
  it('random sessions without faults: positions and orders rebuilt from the journal equal the ledger, and the ledger equals the venue', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 30 }), async (operations) => {
        const platform = await runWorld(operations, NO_FAULTS, 1);
        try {
          const result = await compareWorld(platform, true);
          expect(result.replay.problems).toEqual([]);
          expect(result.journal.map((d) => d.message)).toEqual([]);
          expect(result.venue.map((d) => d.message)).toEqual([]);
          expect(result.replay.positions.size).toBe((await platform.store.ledger.listPositions()).length);
        } finally {
          await platform.close();
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('random sessions with venue faults (transient errors, rejections, timeouts with in-doubt resolution): the journal still rebuilds the ledger', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { minLength: 1, maxLength: 30 }),
        fc.record({ transient_error_rate: fc.constantFrom(0, 0.1), rejection_rate: fc.constantFrom(0, 0.1, 0.3), timeout_rate: fc.constantFrom(0, 0.1) }),
        fc.integer({ min: 1, max: 1000 }),
        async (operations, faults, seed) => {
          const platform = await runWorld(operations, faults, seed);
          try {
            const result = await compareWorld(platform, false);
            expect(result.replay.problems).toEqual([]);
            expect(result.journal.map((d) => d.message)).toEqual([]);
          } finally {
            await platform.close();
          }
        },
      ),
      { numRuns: 100 },
    );
  }, 180_000);
});
