import { describe, expect, it } from 'vitest';
import { compareLedgerWithJournal } from '../../src/app/journal-ledger-check.js';
import { UnknownOutcomeError, VenueRejected } from '../../src/domain/errors.js';
import { replayJournal } from '../../src/orchestration/journal-replay.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { expectCorrupted } from '../support/projection-check.js';
import { crashSignal, useWorlds, type World } from './recovery-world.js';

/**
 * A leg whose intent was journaled and whose process died before the order reached the venue
 * (docs/reliability.md, RESUME mode): the venue confirms it never got it, so it is sent on resume
 * under the same client order id — a leg reducing or closing exposure always, a leg adding
 * exposure only within recovery.resend_within_seconds of the flow's acceptance (else the flow fails
 * EXPIRED_DURING_OUTAGE) — and the flow ends as it would have. A leg the venue refused is not sent
 * again.
 */

const { world, restart } = useWorlds('resend');

/** Recovery itself "dies" at its next crash point (a hanging port). */
async function recoverAndCrash(w: World): Promise<void> {
  const before = crashSignal.hung;
  // it never finishes; once the world is abandoned its store is closed under it
  w.recover().catch(() => undefined);
  await w.clock.runUntil(() => crashSignal.hung > before, 60_000, 10);
  if (crashSignal.hung === before) throw new Error('recovery never reached its crash point');
  await w.clock.advance(10);
  // the process is dead: nothing it would still do (its timers fire when the world is torn down) may land
  w.journal.hang = () => true;
  w.ledger.hang = () => true;
  w.flows.hangFinish = () => true;
}

const coid = (owner: string, leg: string) => clientOrderId(owner, leg);
const journalOf = async (w: World, flowId: string) => (await w.store.journal.read({ flow_id: flowId })).filter((e) => e.directive_id === flowId);
const resendDecisions = async (w: World, flowId: string) =>
  (await journalOf(w, flowId)).filter((e) => e.event_type === 'POLICY_APPLIED' && e.body['decision'] === 'resend_unreceived_leg').map((e) => e.body);

describe('an entry the venue never received (adds exposure)', () => {
  it('is sent once on resume, under the id journaled before the crash, within recovery.resend_within_seconds of acceptance: the trade opens with its fill and protection', async () => {
    const w = world();
    const wire = newTradeWire();
    w.connector.hangBeforePlace = () => 'hang';
    await w.submitAndCrash(wire);

    const r = await restart(w, 30_000);
    expect(await r.recover()).toMatchObject({ interrupted: 1, succeeded: 1, failed: 0 });
    for (const leg of ['E', 'SL', 'TP']) expect(r.venue.submitAttempts(coid(wire.directive_id, leg)), leg).toBe(1);
    expect(await r.store.ledger.getPosition(wire.directive_id)).toMatchObject({ status: 'OPEN', stop_loss: expect.anything() as unknown });
    expect(await r.netPositions('BTC_USDT')).toEqual({ ledger: '0.015', venue: '0.015' });
    expect(await resendDecisions(r, wire.directive_id)).toEqual([
      expect.objectContaining({ policy: 'recovery.resend_within_seconds', value: 60, client_order_id: coid(wire.directive_id, 'E'), purpose: 'ENTRY' }),
    ]);
    expect((await journalOf(r, wire.directive_id)).filter((e) => e.event_type === 'TRADE_OPENED')).toHaveLength(1);
  });

  it('past the window is not sent: the flow fails EXPIRED_DURING_OUTAGE naming the leg, its age and the window; nothing at the venue, no trade', async () => {
    const w = world();
    const wire = newTradeWire();
    w.connector.hangBeforePlace = () => 'hang';
    await w.submitAndCrash(wire);

    const r = await restart(w, 61_000);
    const report = await r.recover();
    expect(report).toMatchObject({ interrupted: 1, failed: 1, unfinished: 0 });
    expect(report.flows[0]!.error_code).toBe('EXPIRED_DURING_OUTAGE');
    expect(report.flows[0]!.reason).toMatch(new RegExp(`entry leg ${coid(wire.directive_id, 'E')} was never received by the venue and its flow was accepted 61\\d{3} ms ago, past recovery\\.resend_within_seconds \\(60 s\\)`));
    expect(r.venue.submitAttempts()).toBe(0);
    expect(await r.store.ledger.listPositions({ status: 'OPEN' })).toEqual([]);
    const entry = await r.store.ledger.getOrder(coid(wire.directive_id, 'E'));
    // nothing took effect at the venue: rollback_ledger may remove the row; if it stays, it is final
    if (entry) expect(entry.status).toBe('REJECTED');
    const failed = (await journalOf(r, wire.directive_id)).filter((e) => e.event_type === 'EXECUTION_FAILED');
    expect(failed.map((e) => e.body['error_code'])).toEqual(['EXPIRED_DURING_OUTAGE']);
    expect(r.stops.map((s) => s.name)).toEqual(['_flow_stop_error']);
  });

  it('the window is recovery.resend_within_seconds, measured from acceptance on the injected clock', async () => {
    const recovery = { resend_within_seconds: 5 };
    const inside = world({ recovery });
    const early = newTradeWire();
    inside.connector.hangBeforePlace = () => 'hang';
    await inside.submitAndCrash(early);
    const r1 = await restart(inside, 4_000);
    expect(await r1.recover()).toMatchObject({ succeeded: 1 });
    expect(r1.venue.submitAttempts(coid(early.directive_id, 'E'))).toBe(1);

    const outside = world({ recovery });
    const late = newTradeWire();
    outside.connector.hangBeforePlace = () => 'hang';
    await outside.submitAndCrash(late);
    const r2 = await restart(outside, 6_000);
    expect((await r2.recover()).flows[0]).toMatchObject({ outcome: 'FAILED', error_code: 'EXPIRED_DURING_OUTAGE' });
    expect(r2.venue.submitAttempts()).toBe(0);
  });

  it('an entry never journaled (accepted, killed before its intent) is held to the same window', async () => {
    const w = world();
    const wire = newTradeWire();
    w.journal.hang = (entry) => entry.event_type === 'ORDER_INTENT';
    // the store commits an intent and its PENDING row together; this world loses the one and keeps the other
    expectCorrupted(w.files.db);
    await w.submitAndCrash(wire);
    expect(await journalOf(w, wire.directive_id)).toHaveLength(1);

    const r = await restart(w, 120_000);
    expect((await r.recover()).flows[0]).toMatchObject({ outcome: 'FAILED', error_code: 'EXPIRED_DURING_OUTAGE' });
    expect(r.venue.submitAttempts()).toBe(0);
  });
});

describe('legs that reduce or close exposure are always sent again', () => {
  it('a CLOSE whose close order never reached the venue closes the trade on resume, ten minutes later', async () => {
    const w = world();
    const open = newTradeWire();
    await w.submit(open);
    const close = closeWire([open.directive_id]);
    w.connector.hangBeforePlace = (req) => (req.client_order_id === coid(close.directive_id, 'C0') ? 'hang' : 'go');
    await w.submitAndCrash(close);
    expect(await w.store.ledger.getOrder(coid(close.directive_id, 'C0'))).toMatchObject({ status: 'PENDING' });

    const r = await restart(w, 600_000);
    expect(await r.recover()).toMatchObject({ interrupted: 1, succeeded: 1 });
    expect(r.venue.submitAttempts(coid(close.directive_id, 'C0'))).toBe(1);
    expect(await r.store.ledger.getPosition(open.directive_id)).toMatchObject({ status: 'CLOSED', last_directive_id: close.directive_id });
    expect(await r.store.ledger.getOrder(coid(close.directive_id, 'C0'))).toMatchObject({ status: 'FILLED' });
    expect(await r.netPositions('BTC_USDT')).toEqual({ ledger: '0', venue: '0' });
    expect(await r.venue.fetchOpenOrders('BTC_USDT')).toEqual([]);
    expect((await journalOf(r, close.directive_id)).filter((e) => e.event_type === 'TRADE_CLOSED')).toHaveLength(1);
    expect(await resendDecisions(r, close.directive_id)).toEqual([expect.objectContaining({ purpose: 'CLOSE' })]);
  });

  it('a MODIFY reduce the venue never received is sent past the window; an increase past it expires and the trade keeps its size and protection', async () => {
    const w = world();
    const open = newTradeWire();
    await w.submit(open);
    const reduce = modifyWire([open.directive_id], { size_plan: { position_size: '0.01' } });
    w.connector.hangBeforePlace = (req) => (req.client_order_id === coid(reduce.directive_id, 'R0') ? 'hang' : 'go');
    await w.submitAndCrash(reduce);
    const r = await restart(w, 300_000);
    expect(await r.recover()).toMatchObject({ succeeded: 1 });
    expect(r.venue.submitAttempts(coid(reduce.directive_id, 'R0'))).toBe(1);
    expect(await r.netPositions('BTC_USDT')).toEqual({ ledger: '0.01', venue: '0.01' });

    const increase = modifyWire([open.directive_id], { size_plan: { position_size: '0.02' } });
    r.connector.hangBeforePlace = (req) => (req.client_order_id === coid(increase.directive_id, 'I0') ? 'hang' : 'go');
    await r.submitAndCrash(increase);
    const r2 = await restart(r, 300_000);
    const report = await r2.recover();
    expect(report.flows[0]).toMatchObject({ outcome: 'FAILED', error_code: 'EXPIRED_DURING_OUTAGE' });
    expect(report.flows[0]!.reason).toContain(`increase leg ${coid(increase.directive_id, 'I0')}`);
    expect(r2.venue.submitAttempts(coid(increase.directive_id, 'I0'))).toBe(0);
    expect(await r2.store.ledger.getOrder(coid(increase.directive_id, 'I0'))).toMatchObject({ status: 'REJECTED' });
    expect(await r2.netPositions('BTC_USDT')).toEqual({ ledger: '0.01', venue: '0.01' });
    const sl = await r2.venue.fetchOrder(coid(open.directive_id, 'SL'), 'BTC_USDT');
    expect(sl).toMatchObject({ status: 'OPEN' });
    expect(sl!.quantity.toFixed()).toBe('0.01');
  });
});

describe('never a leg sent twice', () => {
  it('a leg the venue refused before the crash (the refusal never heard) is not sent again: the flow fails with the venue refusal', async () => {
    const w = world({ paper: { faults: { transient_error_rate: 0, rejection_rate: 1, timeout_rate: 0, seed: 1 } } });
    const wire = newTradeWire();
    w.connector.hangAfterPlace = () => 'hang';
    await w.submitAndCrash(wire);
    expect(w.venue.submitAttemptLog(coid(wire.directive_id, 'E')).map((a) => a.outcome)).toEqual(['SIMULATED_REJECTION']);

    // the venue would accept it now: only its report of the refusal keeps recovery from sending it again
    const r = await restart(w, 5_000, {});
    const report = await r.recover();
    expect(report.flows[0]).toMatchObject({ outcome: 'FAILED', error_code: 'VENUE_REJECTED' });
    expect(report.flows[0]!.reason).toContain('SIMULATED_REJECTION');
    expect(r.venue.submitAttemptLog(coid(wire.directive_id, 'E')).map((a) => a.outcome)).toEqual(['SIMULATED_REJECTION']);
    expect(await r.store.ledger.listPositions({ status: 'OPEN' })).toEqual([]);
  });

  it('killed again after the resent order was accepted: the next recovery finds it, sends nothing, and opens the trade once', async () => {
    const w = world();
    const wire = newTradeWire();
    w.connector.hangBeforePlace = () => 'hang';
    await w.submitAndCrash(wire);

    const r1 = await restart(w, 2_000);
    r1.connector.hangAfterPlace = (req) => (req.client_order_id === coid(wire.directive_id, 'E') ? 'hang' : 'go');
    await recoverAndCrash(r1);
    expect(r1.venue.submitAttempts(coid(wire.directive_id, 'E'))).toBe(1);

    const r2 = await restart(r1, 2_000);
    expect(await r2.recover()).toMatchObject({ succeeded: 1 });
    for (const [id, count] of r2.venue.submitAttemptCounts()) expect(count, id).toBe(1);
    expect(await r2.netPositions('BTC_USDT')).toEqual({ ledger: '0.015', venue: '0.015' });
    expect((await journalOf(r2, wire.directive_id)).filter((e) => e.event_type === 'TRADE_OPENED')).toHaveLength(1);
  });

  it('killed again before the resent order left: it is sent on the next recovery, still once', async () => {
    const w = world();
    const wire = newTradeWire();
    w.connector.hangBeforePlace = () => 'hang';
    await w.submitAndCrash(wire);

    const r1 = await restart(w, 2_000);
    r1.connector.hangBeforePlace = () => 'hang';
    await recoverAndCrash(r1);
    expect(r1.venue.submitAttempts()).toBe(0);

    const r2 = await restart(r1, 2_000);
    expect(await r2.recover()).toMatchObject({ succeeded: 1 });
    expect(r2.venue.submitAttempts(coid(wire.directive_id, 'E'))).toBe(1);
    expect(await resendDecisions(r2, wire.directive_id)).toHaveLength(2);
  });
});

describe('the not-found grace counts from when the request can last have reached the venue', () => {
  it('an order the venue took late in an attempt that timed out is found, not concluded NOT_FOUND_AT_VENUE from its intent\'s age', async () => {
    // the venue hides a fresh order for 200 ms; the grace (300 ms) covers that, but only if it counts from the send
    const w = world({ paper: { not_found_window_ms: 200 } });
    const wire = newTradeWire({ exit_plan: undefined });
    const entry = coid(wire.directive_id, 'E');
    const place = w.connector.placeOrder.bind(w.connector);
    w.connector.placeOrder = async (request, options) => {
      if (request.client_order_id !== entry) return place(request, options);
      // a stalled loop: the request reaches the venue 600 ms after its intent, and the answer is lost
      await w.clock.sleep(600);
      await place(request, options);
      throw new UnknownOutcomeError('placeOrder: timeout after the request reached the venue', 'SIMULATED_TIMEOUT');
    };
    const result = await w.submit(wire);
    expect(result).toMatchObject({ outcome: 'SUCCEEDED' });
    expect(await w.store.ledger.getOrder(entry)).toMatchObject({ status: 'FILLED' });
    expect(await w.netPositions('BTC_USDT')).toEqual({ ledger: '0.015', venue: '0.015' });
    expect(w.venue.submitAttempts(entry)).toBe(1);
  });
});

describe('a stop or target the venue never received, refused when it is sent on resume', () => {
  it('is handled as a first run would: protection MISSING, on_protection_failure (flatten) closes the trade, and the journal rebuilds what the ledger holds', async () => {
    const w = world();
    const wire = newTradeWire();
    const tp = coid(wire.directive_id, 'TP');
    w.connector.hangBeforePlace = (req) => (req.client_order_id === tp ? 'hang' : 'go');
    await w.submitAndCrash(wire);

    const r = await restart(w, 30_000);
    const place = r.connector.placeOrder.bind(r.connector);
    r.connector.placeOrder = (req, options) =>
      req.client_order_id === tp ? Promise.reject(new VenueRejected(`simulated rejection of ${tp}`, 'SIMULATED_REJECTION')) : place(req, options);
    const report = await r.recover();
    expect(report.flows[0]).toMatchObject({ outcome: 'FAILED', error_code: 'PROTECTION_MISSING' });
    expect(await resendDecisions(r, wire.directive_id)).toEqual([expect.objectContaining({ client_order_id: tp, purpose: 'TAKE_PROFIT' })]);
    expect(await r.store.ledger.getPosition(wire.directive_id)).toMatchObject({ status: 'CLOSED', close_reason: 'PROTECTION_MISSING' });
    expect(await r.netPositions('BTC_USDT')).toEqual({ ledger: '0', venue: '0' });
    expect(r.alerts.codes()).toContain('PROTECTION_MISSING');
    const ledger = { positions: await r.store.ledger.listPositions(), orders: await r.store.ledger.listOrders(), fills: await r.store.ledger.listFills() };
    expect(compareLedgerWithJournal(ledger, replayJournal(await r.store.journal.read()))).toEqual([]);
  });
});
