import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import { FakeClock } from '../support/fake-clock.js';

describe('Clock.after', () => {
  it('calls back once the time has passed on the system clock, and never after a cancel', async () => {
    const calls: string[] = [];
    systemClock.after(5, () => calls.push('kept'));
    const cancel = systemClock.after(5, () => calls.push('cancelled'));
    cancel();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(calls).toEqual(['kept']);
  });

  it('calls back when the fake clock reaches the time, in time order with sleeps, and not after a cancel', async () => {
    const clock = new FakeClock();
    const calls: string[] = [];
    clock.after(20, () => calls.push('after 20'));
    void clock.sleep(10).then(() => calls.push('sleep 10'));
    const cancel = clock.after(15, () => calls.push('cancelled'));
    cancel();
    await clock.advance(19);
    expect(calls).toEqual(['sleep 10']);
    await clock.advance(1);
    expect(calls).toEqual(['sleep 10', 'after 20']);
    expect(clock.pendingSleeps).toBe(0);
  });
});
