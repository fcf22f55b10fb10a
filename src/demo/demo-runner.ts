import { paperVenue } from '../app/create-connector.js';
import type { Platform } from '../app/create-platform.js';
import { DirectiveIntake } from '../app/directive-intake.js';
import type { FlowCounts } from '../app/flow-tally.js';
import { positionTotals, type PositionTotals } from '../app/position-totals.js';
import { Decimal } from '../domain/decimal.js';
import type { JournalVerifyResult } from '../ports/journal.js';
import type { DemoDirectives } from './generate-demo-directives.js';

export interface DemoRunResult {
  readonly counts: FlowCounts;
  readonly submitted: number;
  readonly steps: number;
  readonly trades: PositionTotals;
  readonly journal: JournalVerifyResult;
}

export interface DemoRunOptions {
  /** After each step, with the number of steps done. */
  readonly onStep?: (done: number, counts: FlowCounts) => void;
}

/**
 * Plays the demo on a platform: for each step, move the paper venue's prices (resting entries fill,
 * protective stops and take-profits trigger at the venue), then submit that step's lines through
 * the bus and wait for their flows, and for the venue reports the prices caused, to finish. Then
 * read what the ledger and the journal say.
 */
export async function runDemo(platform: Platform, demo: DemoDirectives, options: DemoRunOptions = {}): Promise<DemoRunResult> {
  const venue = paperVenue(platform, 'the demo');
  const intake = new DirectiveIntake(platform);
  let line = 0;
  try {
    for (const [done, step] of demo.steps.entries()) {
      for (const [symbol, price] of Object.entries(step.prices)) await venue.setPrice(symbol, new Decimal(price));
      for (const text of step.lines) {
        line += 1;
        await intake.submit(text, line);
      }
      await intake.settled();
      // and the venue's own reports (fills of resting entries, triggered stops): the market must not
      // move on before the orchestrator has put the protective orders of a fresh fill in place
      await platform.orchestrator.drain();
      options.onStep?.(done + 1, intake.tally.counts());
    }
    await platform.termination.drain();
    const positions = await platform.store.ledger.listPositions();
    const journal = await platform.store.journal.verify();
    return { counts: intake.tally.counts(), submitted: intake.submitted, steps: demo.steps.length, trades: positionTotals(positions), journal };
  } finally {
    intake.dispose();
  }
}
