import { describe, expect, it } from 'vitest';
import type { ExecutionFailedDTO } from '../../src/domain/dto.js';
import { invalidInputFlowId } from '../../src/domain/ids.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';
import { createHarness } from './harness.js';

/** Each validation rule, as one bad input and the path + rule its stop must name. */
const CASES: { name: string; input: () => unknown; path: string; rule: string }[] = [
  { name: 'malformed JSON', input: () => '{"directive_id": "DIR_1",', path: '(root)', rule: 'json' },
  { name: 'not an object', input: () => '[1, 2]', path: '(root)', rule: 'object' },
  { name: 'unknown field', input: () => ({ ...newTradeWire(), foo: 1 }), path: 'foo', rule: 'unknown_field' },
  { name: 'bad identifier', input: () => newTradeWire({ strategy_id: 'has space' }), path: 'strategy_id', rule: 'identifier' },
  { name: 'unknown scope', input: () => newTradeWire({ scope: 'OPEN_ALL' as never }), path: 'scope', rule: 'enum' },
  { name: 'NEW_TRADE without entry_plan', input: () => newTradeWire({ entry_plan: undefined }), path: 'entry_plan', rule: 'required_for_scope' },
  { name: 'NEW_TRADE without size_plan', input: () => newTradeWire({ size_plan: undefined }), path: 'size_plan', rule: 'required_for_scope' },
  { name: 'NEW_TRADE without routing_plan', input: () => newTradeWire({ routing_plan: undefined }), path: 'routing_plan', rule: 'required_for_scope' },
  { name: 'NEW_TRADE with targets', input: () => newTradeWire({ target_trade_ids: ['T1'] }), path: 'target_trade_ids', rule: 'forbidden_for_scope' },
  { name: 'MODIFY without any plan', input: () => modifyWire(['T1'], { exit_plan: undefined }), path: '(plans)', rule: 'required_for_scope' },
  { name: 'MODIFY without targets', input: () => modifyWire([]), path: 'target_trade_ids', rule: 'required_for_scope' },
  { name: 'CLOSE without targets', input: () => closeWire([]), path: 'target_trade_ids', rule: 'required_for_scope' },
  { name: 'CLOSE without routing_plan', input: () => closeWire(['T1'], { routing_plan: undefined }), path: 'routing_plan', rule: 'required_for_scope' },
  {
    name: 'LIMIT without limit_price',
    input: () => newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT' } }),
    path: 'entry_plan.limit_price',
    rule: 'required_for_order_type',
  },
  {
    name: 'STOP_LIMIT without stop_price',
    input: () => newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'STOP_LIMIT', limit_price: '65000' } }),
    path: 'entry_plan.stop_price',
    rule: 'required_for_order_type',
  },
  {
    name: 'BUY stop loss above its entry',
    input: () =>
      newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: '65000' }, exit_plan: { stop_loss_price: '66000' } }),
    path: 'exit_plan.stop_loss_price',
    rule: 'stop_loss_side',
  },
  { name: 'empty exit plan', input: () => newTradeWire({ exit_plan: {} }), path: 'exit_plan', rule: 'not_empty' },
  { name: 'negative size', input: () => newTradeWire({ size_plan: { position_size: '-1' } }), path: 'size_plan.position_size', rule: 'positive' },
  { name: 'line over 64 KiB', input: () => JSON.stringify({ ...newTradeWire(), rationale: 'x'.repeat(70_000) }), path: '(root)', rule: 'max_size' },
];

describe('validation: every rule ends in EXECUTION_FAILED and _flow_stop_error naming the path', () => {
  for (const c of CASES) {
    it(`rejects ${c.name} [${c.rule}]`, async () => {
      const h = createHarness();
      const result = await h.submit(c.input());
      expect(result.outcome).toBe('FAILED');
      expect(result.error_code).toBe('VALIDATION_FAILED');
      expect(h.names()).toEqual(['EXECUTION_FAILED', '_flow_stop_error']);
      const stop = h.stops()[0]!.payload;
      expect(stop.final_state).toBe('ERROR');
      expect(stop.reason).toContain(`${c.path}: `);
      expect(stop.reason).toContain(`[${c.rule}]`);
      expect(stop.error_details).toMatchObject({ error_type: 'ValidationError', error_code: 'VALIDATION_FAILED' });
      expect(h.connector.calls).toHaveLength(0);
      const journaled = h.journal.ofType('EXECUTION_FAILED');
      expect(journaled).toHaveLength(1);
      expect(journaled[0]!.body['issues']).toEqual(expect.arrayContaining([expect.objectContaining({ path: c.path === '(root)' ? '' : c.path, rule: c.rule })]));
    });
  }

  it('puts the line number in the reason and keeps the raw text (bounded) in the journal', async () => {
    const h = createHarness();
    const line = JSON.stringify(newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT' } }));
    const result = await h.submit(line, 42);
    expect(result.reason).toBe('Execution failed: line 42: entry_plan.limit_price: LIMIT requires limit_price [required_for_order_type]');
    expect(result.line).toBe(42);
    const failed = h.events.find((e) => e.name === 'EXECUTION_FAILED')!.payload as ExecutionFailedDTO;
    expect(failed.line).toBe(42);
    expect(h.journal.ofType('EXECUTION_FAILED')[0]!.body).toMatchObject({ raw: line, raw_truncated: false, line: 42 });
  });

  it('truncates the raw text of a huge bad line to 4 KiB in the journal', async () => {
    const h = createHarness();
    await h.submit('x'.repeat(10_000));
    expect(h.journal.ofType('EXECUTION_FAILED')[0]!.body).toMatchObject({ raw_truncated: true });
    expect((h.journal.ofType('EXECUTION_FAILED')[0]!.body['raw'] as string).length).toBe(4096);
  });

  it('reports the directive and strategy ids of an invalid directive, with a stable INV_ flow id of its bytes', async () => {
    const h = createHarness();
    const text = JSON.stringify(newTradeWire({ size_plan: undefined }));
    const wire = JSON.parse(text) as { directive_id: string };
    const result = await h.submit(text);
    expect(result.flow_id).toBe(invalidInputFlowId(text));
    expect(result.directive_id).toBe(wire.directive_id);
    const failed = h.events.find((e) => e.name === 'EXECUTION_FAILED')!.payload as ExecutionFailedDTO;
    expect(failed).toMatchObject({ directive_id: wire.directive_id, strategy_id: 'btc_momentum', flow_id: invalidInputFlowId(text) });
  });

  it('treats the same bad bytes again as a duplicate of the failed flow (no second stop)', async () => {
    const h = createHarness();
    await h.submit('not json');
    const again = await h.submit('not json');
    expect(again.outcome).toBe('DUPLICATE');
    expect(again.reason).toContain('FAILED');
    expect(h.stops()).toHaveLength(1);
    expect(h.names().at(-1)).toBe('DIRECTIVE_DUPLICATE');
  });

  it('does not reserve the directive id of an invalid directive: the corrected one executes', async () => {
    const h = createHarness();
    const good = newTradeWire();
    await h.submit({ ...good, size_plan: undefined });
    const result = await h.submit(good);
    expect(result.outcome).toBe('SUCCEEDED');
  });
});
