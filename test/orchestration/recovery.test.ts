import { describe, expect, it } from 'vitest';
import { clientOrderId } from '../../src/domain/ids.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { useWorlds, type World } from './recovery-world.js';

const { world, restart } = useWorlds('recovery');

const coid = (owner: string, leg: string) => clientOrderId(owner, leg);
const journalOf = async (w: World, flowId: string) => (await w.store.journal.read({ flow_id: flowId })).filter((e) => e.directive_id === flowId);
const finals = async (w: World, flowId: string) =>
  (await journalOf(w, flowId)).filter((e) => ['TRADE_OPENED', 'POSITION_MODIFIED', 'TRADE_CLOSED', 'EXECUTION_FAILED'].includes(e.event_type));

describe('recovery finishes a NEW_TRADE interrupted at any point, with one stop and no leg sent twice', () => {
  it('killed after the entry intent was durable but before the venue got it: the venue confirms it never got it, the entry is sent once under its own id and the trade opens with its protection', async () => {
    const w = world();
    const wire = newTradeWire();
    w.connector.hangBeforePlace = () => 'hang';
    await w.submitAndCrash(wire);
    expect(await w.store.ledger.getOrder(coid(wire.directive_id, 'E'))).toMatchObject({ status: 'PENDING' });
    expect(w.stops).toHaveLength(0);

    const r = await restart(w);
    const report = await r.recover();
    expect(report).toMatchObject({ interrupted: 1, succeeded: 1, unfinished: 0, ok: true });
    expect(r.stops.map((s) => s.name)).toEqual(['_flow_stop_success']);
    for (const leg of ['E', 'SL', 'TP']) expect(r.venue.submitAttempts(coid(wire.directive_id, leg)), leg).toBe(1);
    expect(await r.store.ledger.getOrder(coid(wire.directive_id, 'E'))).toMatchObject({ status: 'FILLED' });
    expect(await r.store.ledger.getPosition(wire.directive_id)).toMatchObject({ status: 'OPEN' });
    expect(await r.netPositions('BTC_USDT')).toEqual({ ledger: '0.015', venue: '0.015' });
    expect((await finals(r, wire.directive_id)).map((e) => e.event_type)).toEqual(['TRADE_OPENED']);
  });

  it('killed after the venue filled the entry, before planexec heard back: the fill is booked once from the venue, protection is placed, success', async () => {
    const w = world();
    const wire = newTradeWire();
    w.connector.hangAfterPlace = (req) => (req.client_order_id === coid(wire.directive_id, 'E') ? 'hang' : 'go');
    await w.submitAndCrash(wire);
    expect(w.venue.netPositions().get('BTC_USDT')?.toFixed()).toBe('0.015');
    expect(await w.store.ledger.getPosition(wire.directive_id)).toBeUndefined();

    const r = await restart(w);
    const report = await r.recover();
    expect(report).toMatchObject({ interrupted: 1, succeeded: 1, unfinished: 0 });
    const position = await r.store.ledger.getPosition(wire.directive_id);
    expect(position).toMatchObject({ status: 'OPEN' });
    expect(position!.filled_size.toFixed()).toBe('0.015');
    expect((await r.store.ledger.listFills({ client_order_id: coid(wire.directive_id, 'E') })).length).toBe(1);
    for (const [id, count] of r.venue.submitAttemptCounts()) expect(count, id).toBe(1);
    expect((await r.venue.fetchOpenOrders('BTC_USDT')).map((o) => o.client_order_id).sort()).toEqual([coid(wire.directive_id, 'SL'), coid(wire.directive_id, 'TP')].sort());
    expect(await r.netPositions('BTC_USDT')).toEqual({ ledger: '0.015', venue: '0.015' });
    expect((await finals(r, wire.directive_id)).map((e) => e.event_type)).toEqual(['TRADE_OPENED']);
    expect(r.stops.map((s) => s.payload.outcome)).toEqual(['SUCCEEDED']);
  });

  it('killed while the stop loss was on its way (never reached the venue): it is sent once under its own id, even long after (it reduces exposure)', async () => {
    const w = world();
    const wire = newTradeWire();
    w.connector.hangBeforePlace = (req) => (req.client_order_id === coid(wire.directive_id, 'SL') ? 'hang' : 'go');
    await w.submitAndCrash(wire);
    expect(await w.store.ledger.getOrder(coid(wire.directive_id, 'SL'))).toMatchObject({ status: 'PENDING' });

    // ten minutes down: far past recovery.resend_within_seconds, which only bounds legs adding exposure
    const r = await restart(w, 600_000);
    const report = await r.recover();
    expect(report.flows[0]).toMatchObject({ outcome: 'SUCCEEDED' });
    for (const [id, count] of r.venue.submitAttemptCounts()) expect(count, id).toBe(1);
    expect(await r.store.ledger.getOrder(coid(wire.directive_id, 'SL'))).toMatchObject({ status: 'OPEN' });
    expect(await r.store.ledger.getOrder(coid(wire.directive_id, 'TP'))).toMatchObject({ status: 'OPEN' });
    expect(await r.netPositions('BTC_USDT')).toEqual({ ledger: '0.015', venue: '0.015' });
    expect(await r.store.ledger.getPosition(wire.directive_id)).toMatchObject({ status: 'OPEN', protection: 'LIVE' });
  });

  it('with a venue that dedupes submissions (idempotent_submit), the leg the venue never got is sent once under the same id and the flow succeeds', async () => {
    const w = world({ paper: { idempotent_submit: true } });
    const wire = newTradeWire();
    w.connector.hangBeforePlace = (req) => (req.client_order_id === coid(wire.directive_id, 'SL') ? 'hang' : 'go');
    await w.submitAndCrash(wire);

    const r = await restart(w);
    expect(await r.recover()).toMatchObject({ succeeded: 1 });
    expect(r.venue.submitAttempts(coid(wire.directive_id, 'SL'))).toBe(1);
    expect(await r.store.ledger.getOrder(coid(wire.directive_id, 'SL'))).toMatchObject({ status: 'OPEN' });
    const intents = (await journalOf(r, wire.directive_id)).filter((e) => e.event_type === 'ORDER_INTENT' && e.body['client_order_id'] === coid(wire.directive_id, 'SL'));
    expect(intents).toHaveLength(2);
  });

  it('killed after the stop loss was accepted: it is looked up (not re-sent) and only the missing take profit is placed', async () => {
    const w = world();
    const wire = newTradeWire();
    w.connector.hangAfterPlace = (req) => (req.client_order_id === coid(wire.directive_id, 'SL') ? 'hang' : 'go');
    await w.submitAndCrash(wire);

    const r = await restart(w);
    expect(await r.recover()).toMatchObject({ succeeded: 1 });
    for (const [id, count] of r.venue.submitAttemptCounts()) expect(count, id).toBe(1);
    expect(r.venue.submitAttempts()).toBe(3);
    const legs = (await r.store.ledger.listOrders({ trade_id: wire.directive_id })).map((o) => [o.client_order_id, o.status]);
    expect(legs).toEqual(
      expect.arrayContaining([
        [coid(wire.directive_id, 'E'), 'FILLED'],
        [coid(wire.directive_id, 'SL'), 'OPEN'],
        [coid(wire.directive_id, 'TP'), 'OPEN'],
      ]),
    );
  });

  it('killed after its causality entry, before the stop was persisted: recovery stops it without executing anything again', async () => {
    const w = world();
    const wire = newTradeWire({ exit_plan: undefined });
    w.flows.hangFinish = (c) => c.flow_id === wire.directive_id;
    await w.submitAndCrash(wire);
    expect(w.stops).toHaveLength(1);
    expect((await w.store.flows.get(wire.directive_id))?.status).toBe('RUNNING');

    const r = await restart(w);
    const events: string[] = [];
    r.bus.subscribe('TRADE_EXECUTED', () => events.push('TRADE_EXECUTED'));
    expect(await r.recover()).toMatchObject({ interrupted: 1, succeeded: 1 });
    expect((await r.store.flows.get(wire.directive_id))?.status).toBe('SUCCEEDED');
    expect(await finals(r, wire.directive_id)).toHaveLength(1);
    expect(r.venue.submitAttempts()).toBe(1);
    expect(events).toEqual(['TRADE_EXECUTED']);
    expect(r.stops).toHaveLength(1);
  });

  it('killed after its causality entry, before the stop was persisted: the stop recovery makes keeps the notes the entry recorded', async () => {
    const w = world();
    const open = newTradeWire({ exit_plan: undefined });
    await w.submit(open);
    const modify = modifyWire([open.directive_id], { exit_plan: undefined, routing_plan: { execution_urgency: '0.5', time_in_force: 'GTC' } });
    w.flows.hangFinish = (c) => c.flow_id === modify.directive_id;
    await w.submitAndCrash(modify);
    const reason = w.stops.find((s) => s.payload.flow_id === modify.directive_id)!.payload.reason;
    expect(reason).toMatch(/^Execution completed successfully; routing_plan recorded, nothing sent/);

    const r = await restart(w);
    expect(await r.recover()).toMatchObject({ interrupted: 1, succeeded: 1 });
    expect((await r.store.flows.get(modify.directive_id))?.reason).toBe(reason);
  });

  it('killed on its error path (error journaled, policy applied, no stop): it fails with the same error; nothing is journaled or applied twice', async () => {
    const w = world();
    const wire = newTradeWire({ entry_plan: { symbol: 'NOPE_USDT', direction: 'BUY', order_type: 'MARKET' } });
    w.config.error_handling.on_api_failure = 'alert_only';
    w.alerts.hang = (a) => a.code === 'API_FAILURE';
    await w.submitAndCrash(wire);
    const before = await journalOf(w, wire.directive_id);
    expect(before.map((e) => e.event_type)).toEqual(expect.arrayContaining(['EXECUTION_FAILED', 'POLICY_APPLIED']));

    const r = await restart(w);
    const report = await r.recover();
    expect(report).toMatchObject({ interrupted: 1, failed: 1 });
    expect(report.flows[0]!.error_code).toBe(before.find((e) => e.event_type === 'EXECUTION_FAILED')!.body['error_code']);
    const after = await journalOf(r, wire.directive_id);
    expect(after.filter((e) => e.event_type === 'EXECUTION_FAILED')).toHaveLength(1);
    expect(after.filter((e) => e.event_type === 'POLICY_APPLIED')).toHaveLength(1);
    expect(r.stops[0]!.payload.reason).toBe(`Execution failed: ${before.find((e) => e.event_type === 'EXECUTION_FAILED')!.body['error_message'] as string}`);
  });

  it('accepted but killed before anything was sent: the directive is executed (it was accepted), once', async () => {
    const w = world();
    const wire = newTradeWire();
    w.journal.hang = (e) => e.event_type === 'ORDER_INTENT';
    await w.submitAndCrash(wire);
    expect(w.venue.submitAttempts()).toBe(0);

    const r = await restart(w);
    expect(await r.recover()).toMatchObject({ interrupted: 1, succeeded: 1 });
    expect((await r.store.ledger.getPosition(wire.directive_id))!.filled_size.toFixed()).toBe('0.015');
    for (const [id, count] of r.venue.submitAttemptCounts()) expect(count, id).toBe(1);
  });
});

describe('recovery of MODIFY_EXISTING and CLOSE_EXISTING', () => {
  it('a CLOSE killed after its close order filled at the venue closes the trade at that fill, without a second close order', async () => {
    const w = world();
    const open = newTradeWire();
    expect((await w.submit(open)).outcome).toBe('SUCCEEDED');
    const close = closeWire([open.directive_id]);
    w.connector.hangAfterPlace = (req) => (req.client_order_id === coid(close.directive_id, 'C0') ? 'hang' : 'go');
    await w.submitAndCrash(close);
    expect(w.venue.netPositions().get('BTC_USDT')?.isZero()).toBe(true);

    const r = await restart(w);
    expect(await r.recover()).toMatchObject({ interrupted: 1, succeeded: 1 });
    const trade = await r.store.ledger.getPosition(open.directive_id);
    expect(trade).toMatchObject({ status: 'CLOSED', close_reason: 'target reached' });
    expect(trade!.exit_price).not.toBeNull();
    expect(r.venue.submitAttempts(coid(close.directive_id, 'C0'))).toBe(1);
    expect(await r.netPositions('BTC_USDT')).toEqual({ ledger: '0', venue: '0' });
    expect((await finals(r, close.directive_id)).map((e) => e.event_type)).toEqual(['TRADE_CLOSED']);
  });

  it('a CLOSE killed after the trade was closed in the ledger, before its stop: done, not TRADE_ALREADY_CLOSED', async () => {
    const w = world();
    const open = newTradeWire({ exit_plan: undefined });
    await w.submit(open);
    const close = closeWire([open.directive_id]);
    w.journal.hang = (e) => e.event_type === 'TRADE_CLOSED';
    await w.submitAndCrash(close);
    expect((await w.store.ledger.getPosition(open.directive_id))?.status).toBe('CLOSED');

    const r = await restart(w);
    expect(await r.recover()).toMatchObject({ succeeded: 1, failed: 0 });
    expect(r.venue.submitAttempts(coid(close.directive_id, 'C0'))).toBe(1);
  });

  it('a MODIFY killed after its increase filled at the venue books it once and moves the stop; the size is what was asked', async () => {
    const w = world();
    const open = newTradeWire();
    await w.submit(open);
    const modify = modifyWire([open.directive_id], { exit_plan: { stop_loss_price: '64500' }, size_plan: { position_size: '0.02' } });
    w.connector.hangAfterPlace = (req) => (req.client_order_id === coid(modify.directive_id, 'I0') ? 'hang' : 'go');
    await w.submitAndCrash(modify);

    const r = await restart(w);
    expect(await r.recover()).toMatchObject({ succeeded: 1 });
    const trade = await r.store.ledger.getPosition(open.directive_id);
    expect(trade!.filled_size.toFixed()).toBe('0.02');
    expect(r.venue.submitAttempts(coid(modify.directive_id, 'I0'))).toBe(1);
    const sl = await r.venue.fetchOrder(coid(open.directive_id, 'SL'), 'BTC_USDT');
    expect(sl?.stop_price?.toFixed()).toBe('64500');
    expect(sl?.quantity.toFixed()).toBe('0.02');
    expect(await r.netPositions('BTC_USDT')).toEqual({ ledger: '0.02', venue: '0.02' });
  });
});

describe('recovery is itself crash-safe and bounded', () => {
  it('a second recovery (killed during the first, or simply run again) changes nothing', async () => {
    const w = world();
    const wire = newTradeWire();
    w.connector.hangAfterPlace = (req) => (req.client_order_id === coid(wire.directive_id, 'E') ? 'hang' : 'go');
    await w.submitAndCrash(wire);
    const r = await restart(w);
    await r.recover();
    const fills = (await r.store.ledger.listFills({})).length;
    const entries = (await r.store.journal.read({})).length;

    const again = await restart(r);
    const report = await again.recover();
    expect(report).toMatchObject({ interrupted: 0, orders: { updated: 0, not_placed: 0 } });
    expect((await again.store.ledger.listFills({})).length).toBe(fills);
    expect((await again.store.journal.read({})).length).toBe(entries);
    expect(again.stops).toHaveLength(0);
    expect(await again.store.journal.verify()).toMatchObject({ ok: true });
  });

  it('a venue that cannot answer leaves the flow IN_DOUBT after in_doubt.max_checks look-ups (no endless checking, no resubmission)', async () => {
    const w = world();
    const wire = newTradeWire({ exit_plan: undefined });
    w.connector.hangAfterPlace = () => 'hang';
    await w.submitAndCrash(wire);
    const r = await restart(w);
    let lookups = 0;
    r.connector.fetchOrder = () => {
      lookups += 1;
      return Promise.reject(new Error('venue unreachable'));
    };
    const report = await r.recover();
    expect(report).toMatchObject({ interrupted: 1, in_doubt: 1, unfinished: 0 });
    expect(report.flows[0]!.error_code).toBe('IN_DOUBT_UNRESOLVED');
    // the unconfirmed leg's checks, the flow's in-doubt checks, then the venue sync's bounded look-ups of the order left IN_DOUBT
    expect(lookups).toBe(3 * r.config.in_doubt.max_checks);
    expect(r.venue.submitAttempts()).toBe(1);
    expect(await r.store.ledger.getOrder(coid(wire.directive_id, 'E'))).toMatchObject({ status: 'IN_DOUBT' });
  });

  it('finishes an interrupted flow of invalid input with its validation error', async () => {
    const w = world();
    w.flows.hangFinish = () => true;
    await w.submitAndCrash('{"directive_id": ', 7);
    const r = await restart(w);
    const report = await r.recover();
    expect(report).toMatchObject({ interrupted: 1, failed: 1 });
    expect(r.stops[0]!.payload.error_details).toMatchObject({ error_code: 'VALIDATION_FAILED' });
    expect(r.stops[0]!.payload.reason).toContain('line 7: ');
  });
});
