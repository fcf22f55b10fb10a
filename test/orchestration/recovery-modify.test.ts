import { describe, expect, it, vi } from 'vitest';
import type { ExecutionDirectiveWire } from '../../src/domain/directive.js';
import { clientOrderId } from '../../src/domain/ids.js';
import { modifyWire, newTradeWire } from '../support/directives.js';
import { useWorlds, type World, type WorldOptions } from './recovery-world.js';

const { world, restart } = useWorlds('recovery-modify');

const coid = (owner: string, leg: string) => clientOrderId(owner, leg);
const entriesOf = async (w: World, flowId: string) => (await w.store.journal.read({ flow_id: flowId })).filter((e) => e.directive_id === flowId);

/** BUY 0.01 BTC_USDT LIMIT at 60000 while the paper price is 65000: it rests. */
async function restingEntry(w: World): Promise<{ trade: string; entry: string }> {
  const open = newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '60000' }, size_plan: { position_size: '0.01' }, exit_plan: undefined });
  expect((await w.submit(open)).outcome).toBe('SUCCEEDED');
  return { trade: open.directive_id, entry: coid(open.directive_id, 'E') };
}

const shrink = (trade: string): ExecutionDirectiveWire => modifyWire([trade], { exit_plan: undefined, size_plan: { position_size: '0.004' } });

/** The venue's orders of a trade's entries: one resting, at 60000, for `quantity`; no market order anywhere. */
async function expectOneRestingEntry(r: World, clientOrderIdExpected: string, quantity: string): Promise<void> {
  const orders = r.venue.allOrders();
  expect(orders.filter((o) => o.order_type === 'MARKET')).toEqual([]);
  const resting = (await r.venue.fetchOpenOrders('BTC_USDT')).map((o) => ({ id: o.client_order_id, type: o.order_type, qty: o.quantity.toFixed(), limit: o.limit_price?.toFixed() }));
  expect(resting).toEqual([{ id: clientOrderIdExpected, type: 'LIMIT', qty: quantity, limit: '60000' }]);
}

describe('recovery finishes a MODIFY of a resting entry interrupted between cancel and replace (venue cannot amend)', () => {
  const noAmend: WorldOptions = { capabilities: { amendOrders: false } };

  it('killed after the venue cancelled the entry, before planexec heard back: the replacement is sent once, at the same price', async () => {
    const w = world(noAmend);
    const { trade, entry } = await restingEntry(w);
    const modify = shrink(trade);
    w.connector.hangAfterCancel = (id) => (id === entry ? 'hang' : 'go');
    await w.submitAndCrash(modify);
    expect(await w.store.ledger.getOrder(entry)).toMatchObject({ status: 'OPEN' });
    expect(w.venue.allOrders().find((o) => o.client_order_id === entry)?.status).toBe('CANCELLED');

    const r = await restart(w);
    const report = await r.recover();
    expect(report).toMatchObject({ interrupted: 1, succeeded: 1, unfinished: 0 });
    const replacement = coid(modify.directive_id, 'RP0');
    expect(r.venue.submitAttempts(replacement)).toBe(1);
    for (const [id, count] of r.venue.submitAttemptCounts()) expect(count, id).toBe(1);
    await expectOneRestingEntry(r, replacement, '0.004');
    expect(await r.store.ledger.getOrder(entry)).toMatchObject({ status: 'CANCELLED' });
    expect(await r.store.ledger.getOrder(replacement)).toMatchObject({ status: 'OPEN', purpose: 'ENTRY', trade_id: trade });
    const position = await r.store.ledger.getPosition(trade);
    expect(position?.position_size.toFixed()).toBe('0.004');
    expect(position?.filled_size.toFixed()).toBe('0');
    expect((await entriesOf(r, modify.directive_id)).filter((e) => e.event_type === 'POSITION_MODIFIED')).toHaveLength(1);
    expect(r.stops.map((s) => s.payload.outcome)).toEqual(['SUCCEEDED']);
  });

  it('killed after the replacement was accepted: it is looked up, never sent again', async () => {
    const w = world(noAmend);
    const { trade } = await restingEntry(w);
    const modify = shrink(trade);
    const replacement = coid(modify.directive_id, 'RP0');
    w.connector.hangAfterPlace = (req) => (req.client_order_id === replacement ? 'hang' : 'go');
    await w.submitAndCrash(modify);
    expect(await w.store.ledger.getOrder(replacement)).toMatchObject({ status: 'PENDING' });

    const r = await restart(w);
    expect(await r.recover()).toMatchObject({ interrupted: 1, succeeded: 1, unfinished: 0 });
    expect(r.venue.submitAttempts(replacement)).toBe(1);
    await expectOneRestingEntry(r, replacement, '0.004');
    expect(await r.store.ledger.getOrder(replacement)).toMatchObject({ status: 'OPEN' });
  });

  it('killed after the cancel was booked, before the replacement was journaled: the replacement is sent once, on resume', async () => {
    const w = world(noAmend);
    const { trade, entry } = await restingEntry(w);
    const modify = shrink(trade);
    const replacement = coid(modify.directive_id, 'RP0');
    // the process dies while writing the replacement's intent and PENDING row: neither is durable
    w.journal.hang = (e) => e.event_type === 'ORDER_INTENT' && e.body['client_order_id'] === replacement;
    w.ledger.hang = (change) => (change.orders ?? []).some((o) => o.client_order_id === replacement);
    await w.submitAndCrash(modify);
    expect(await w.store.ledger.getOrder(entry)).toMatchObject({ status: 'CANCELLED' });
    expect(await w.store.ledger.getOrder(replacement)).toBeUndefined();
    expect(w.venue.submitAttempts(replacement)).toBe(0);

    const r = await restart(w);
    expect(await r.recover()).toMatchObject({ interrupted: 1, succeeded: 1, unfinished: 0 });
    expect(r.venue.submitAttempts(replacement)).toBe(1);
    await expectOneRestingEntry(r, replacement, '0.004');
    expect((await r.store.ledger.getPosition(trade))?.position_size.toFixed()).toBe('0.004');
  });

  it('with a venue that dedupes submissions, a replacement that never arrived is resubmitted under its id and rests', async () => {
    const w = world({ ...noAmend, paper: { idempotent_submit: true } });
    const { trade } = await restingEntry(w);
    const modify = shrink(trade);
    const replacement = coid(modify.directive_id, 'RP0');
    w.connector.hangBeforePlace = (req) => (req.client_order_id === replacement ? 'hang' : 'go');
    await w.submitAndCrash(modify);

    const r = await restart(w);
    expect(await r.recover()).toMatchObject({ succeeded: 1, unfinished: 0 });
    expect(r.venue.submitAttempts(replacement)).toBe(1);
    await expectOneRestingEntry(r, replacement, '0.004');
  });
});

describe('recovery finishes a MODIFY of a resting entry interrupted around its amend', () => {
  it('killed after the venue amended the entry: the amend is seen at the venue and not sent again', async () => {
    const w = world();
    const { trade, entry } = await restingEntry(w);
    const modify = shrink(trade);
    w.connector.hangAfterAmend = (id) => (id === entry ? 'hang' : 'go');
    await w.submitAndCrash(modify);
    expect((await w.store.ledger.getOrder(entry))?.quantity.toFixed()).toBe('0.01');

    const r = await restart(w);
    const amends = vi.spyOn(r.connector, 'amendOrder');
    expect(await r.recover()).toMatchObject({ interrupted: 1, succeeded: 1, unfinished: 0 });
    expect(amends).not.toHaveBeenCalled();
    await expectOneRestingEntry(r, entry, '0.004');
    expect((await r.store.ledger.getOrder(entry))?.quantity.toFixed()).toBe('0.004');
    expect((await r.store.ledger.getPosition(trade))?.position_size.toFixed()).toBe('0.004');
  });

  it('killed after the amend intent, before the venue got it: the amend is sent on resume, once', async () => {
    const w = world();
    const { trade, entry } = await restingEntry(w);
    const modify = shrink(trade);
    w.connector.hangBeforeAmend = (id) => (id === entry ? 'hang' : 'go');
    await w.submitAndCrash(modify);
    expect((await entriesOf(w, modify.directive_id)).some((e) => e.event_type === 'ORDER_INTENT' && e.body['action'] === 'AMEND')).toBe(true);

    const r = await restart(w);
    const amends = vi.spyOn(r.connector, 'amendOrder');
    expect(await r.recover()).toMatchObject({ interrupted: 1, succeeded: 1, unfinished: 0 });
    expect(amends).toHaveBeenCalledTimes(1);
    await expectOneRestingEntry(r, entry, '0.004');
    expect(r.venue.submitAttempts()).toBe(1);
  });
});

describe('recovery keeps the adjustments of a NEW_TRADE it finishes', () => {
  it('the recovered TRADE_OPENED lists the size floored to the lot', async () => {
    const w = world();
    const wire = newTradeWire({ size_plan: { position_size: '0.0150009' } });
    w.connector.hangAfterPlace = (req) => (req.client_order_id === coid(wire.directive_id, 'E') ? 'hang' : 'go');
    await w.submitAndCrash(wire);

    const r = await restart(w);
    expect(await r.recover()).toMatchObject({ succeeded: 1 });
    const opened = (await entriesOf(r, wire.directive_id)).find((e) => e.event_type === 'TRADE_OPENED');
    expect(opened?.body).toMatchObject({ recovered: true, adjustments: [{ field: 'size_plan.position_size', requested: '0.0150009', used: '0.015', rule: 'lot_size 0.00001' }] });
  });
});
