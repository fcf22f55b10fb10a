import { describe, expect, it } from 'vitest';
import { DirectiveIntake } from '../../src/app/directive-intake.js';
import { newTradeWire } from '../support/directives.js';
import { flushMicrotasks } from '../support/fake-clock.js';
import { createHarness } from '../orchestration/harness.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

const line = (strategy: string): string => JSON.stringify(newTradeWire({ strategy_id: strategy, exit_plan: undefined }));

describe('DirectiveIntake', () => {
  it('reads ahead at most readAhead directives that have not begun, and counts what an interrupt leaves unstarted', async () => {
    const h = createHarness();
    const g = gate();
    h.connector.beforePlace = () => g.opened;
    const intake = new DirectiveIntake(h, { clock: h.clock, readAhead: 2 });
    const controller = new AbortController();
    for (const n of [1, 2, 3]) expect(await intake.submit(line('alpha'), n, { signal: controller.signal })).toBe(true);
    await flushMicrotasks();
    expect(h.orchestrator.queued).toBe(2); // line 1 began; 2 and 3 wait for alpha's turn

    let fourth: boolean | null = null;
    const waiting = intake.submit(line('alpha'), 4, { signal: controller.signal }).then((r) => (fourth = r));
    await flushMicrotasks();
    expect(fourth).toBeNull(); // no room: the reader waits here

    controller.abort();
    await waiting;
    expect(fourth).toBe(false);
    expect(intake.abandon()).toBe(2);
    expect(intake.submitted).toBe(1);
    expect(intake.notStarted).toEqual({ count: 3, firstLine: 2 });

    g.open();
    await h.settle(intake.settled());
    expect(intake.tally.counts()).toMatchObject({ processed: 1, succeeded: 1 });
    const accepted = h.journal.entries.filter((e) => e.event_type === 'DIRECTIVE_ACCEPTED');
    expect(accepted).toHaveLength(1);
    intake.dispose();
  });

  it('abandons only its own submissions', async () => {
    const h = createHarness({ config: { concurrency: { max_concurrent_strategies: 1 } } });
    const g = gate();
    h.connector.beforePlace = () => g.opened;
    const mine = new DirectiveIntake(h, { clock: h.clock });
    const other = new DirectiveIntake(h, { clock: h.clock });
    await mine.submit(line('alpha'), 1);
    await other.submit(line('beta'), 1);
    await mine.submit(line('gamma'), 2);
    await flushMicrotasks();
    expect(mine.abandon()).toBe(1);
    expect(mine.notStarted).toEqual({ count: 1, firstLine: 2 });
    g.open();
    await h.settle(Promise.all([mine.settled(), other.settled()]));
    expect(h.journal.entries.filter((e) => e.event_type === 'DIRECTIVE_ACCEPTED').map((e) => e.strategy_id).sort()).toEqual(['alpha', 'beta']);
  });
});
