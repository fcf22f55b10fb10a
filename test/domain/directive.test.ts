import { describe, expect, it } from 'vitest';
import { decimalToWire } from '../../src/domain/decimal.js';
import {
  decodeDirectiveJson,
  directiveToWire,
  isIsoTimestamp,
  MAX_DIRECTIVE_BYTES,
  parseDirective,
  parseDirectiveLine,
} from '../../src/domain/directive.js';
import { ValidationError, type ValidationIssue } from '../../src/domain/errors.js';
import { closeWire, modifyWire, newTradeWire } from '../support/directives.js';

/** The example directive of DESIGN §2, verbatim. */
const DESIGN_EXAMPLE = `{
  "directive_id": "DIR_20261124_101500_a1b2c3d4",
  "strategy_id": "btc_momentum",
  "scope": "NEW_TRADE",
  "timestamp": "2026-11-24T10:15:00Z",
  "trigger_context": {"opportunity_id": "SIG_...", "threat_ids": []},
  "rationale": "breakout above 20-bar high",
  "target_trade_ids": [],
  "entry_plan":   {"symbol": "BTC_USDT", "direction": "BUY", "order_type": "LIMIT", "limit_price": "65000.10"},
  "size_plan":    {"position_size": "0.015", "position_value": "975.00", "risk_amount": "15.00", "leverage": "1"},
  "exit_plan":    {"stop_loss_price": "64000", "take_profit_price": "67000"},
  "routing_plan": {"execution_urgency": "0.8", "max_slippage_pct": "0.002", "time_in_force": "GTC"}
}`;

function issuesOf(run: () => unknown): readonly ValidationIssue[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a ValidationError, but the input was accepted');
}

function rulesAt(input: unknown): Array<[string, string]> {
  return issuesOf(() => parseDirective(input)).map((i) => [i.path, i.rule]);
}

function expectIssue(input: unknown, path: string, rule: string): void {
  expect(rulesAt(input)).toContainEqual([path, rule]);
}

/** A valid NEW_TRADE with a LIMIT entry at 65000 (BUY), for the price-side rules. */
function limitBuy(exit: Record<string, string> | undefined, direction: 'BUY' | 'SELL' = 'BUY') {
  return newTradeWire({
    entry_plan: { symbol: 'BTC_USDT', direction, order_type: 'LIMIT', limit_price: '65000' },
    exit_plan: exit,
  });
}

describe('parseDirective: the example and the happy paths', () => {
  it('accepts the example directive of DESIGN §2 and keeps its decimals exact', () => {
    const d = parseDirectiveLine(DESIGN_EXAMPLE);
    expect(d.directive_id).toBe('DIR_20261124_101500_a1b2c3d4');
    expect(d.scope).toBe('NEW_TRADE');
    expect(decimalToWire(d.entry_plan!.limit_price!)).toBe('65000.1');
    expect(decimalToWire(d.size_plan!.position_size)).toBe('0.015');
    expect(d.trigger_context).toEqual({ opportunity_id: 'SIG_...', threat_ids: [] });
    expect(directiveToWire(d).routing_plan).toEqual({ execution_urgency: '0.8', max_slippage_pct: '0.002', time_in_force: 'GTC' });
  });

  it('accepts the builders of all three scopes', () => {
    expect(parseDirective(newTradeWire()).scope).toBe('NEW_TRADE');
    expect(parseDirective(modifyWire(['DIR_1'])).scope).toBe('MODIFY_EXISTING');
    expect(parseDirective(closeWire(['DIR_1'])).scope).toBe('CLOSE_EXISTING');
  });

  it('refuses input that is not a JSON object', () => {
    for (const input of [null, undefined, 42, 'text', [], [newTradeWire()]]) {
      expect(rulesAt(input)).toEqual([['', 'object']]);
    }
  });
});

describe('parseDirective: field rules', () => {
  it.each(['directive_id', 'strategy_id', 'scope', 'timestamp'])('a missing %s is reported as required', (field) => {
    const wire: Record<string, unknown> = { ...newTradeWire() };
    delete wire[field];
    expect(rulesAt(wire)).toEqual([[field, 'required']]);
  });

  it('reports required for a plan field that is missing, including an enum', () => {
    const entry = { symbol: 'BTC_USDT', order_type: 'MARKET' };
    expect(rulesAt(newTradeWire({ entry_plan: entry as never, size_plan: {} as never }))).toEqual([
      ['entry_plan.direction', 'required'],
      ['size_plan.position_size', 'required'],
    ]);
  });

  it('identifiers are 1-128 characters of [A-Za-z0-9_.:-]', () => {
    expect(parseDirective(newTradeWire({ strategy_id: 'a'.repeat(128) })).strategy_id).toHaveLength(128);
    expect(parseDirective(newTradeWire({ strategy_id: 'A.b:c-d_9' })).strategy_id).toBe('A.b:c-d_9');
    for (const bad of ['', 'a'.repeat(129), 'has space', 'slash/no', 'ünï']) {
      expectIssue(newTradeWire({ strategy_id: bad }), 'strategy_id', 'identifier');
      expectIssue(newTradeWire({ directive_id: bad }), 'directive_id', 'identifier');
    }
  });

  it('target trade ids are identifiers, unique and at most 100', () => {
    expectIssue(modifyWire(['ok', 'not ok']), 'target_trade_ids[1]', 'identifier');
    expectIssue(modifyWire(['T1', 'T1']), 'target_trade_ids', 'unique');
    expectIssue(modifyWire(Array.from({ length: 101 }, (_, i) => `T${i}`)), 'target_trade_ids', 'max_items');
    expect(parseDirective(modifyWire(Array.from({ length: 100 }, (_, i) => `T${i}`))).target_trade_ids).toHaveLength(100);
  });

  it('timestamps are real ISO-8601 instants with a zone', () => {
    for (const good of ['2026-11-24T10:15:00Z', '2026-11-24T10:15:00.123456Z', '2026-11-24T10:15:00+05:30', '2028-02-29T00:00:00Z']) {
      expect(isIsoTimestamp(good)).toBe(true);
      expect(parseDirective(newTradeWire({ timestamp: good })).timestamp).toBe(good);
    }
    for (const bad of ['2026-11-24T10:15:00', '2026-11-24 10:15:00Z', '2026-02-30T10:00:00Z', '2027-02-29T00:00:00Z', '2026-11-24T24:00:00Z', '2026-13-01T00:00:00Z', '2026-11-24T10:60:00Z', '2026-11-24T10:15:00+24:00', 'yesterday']) {
      expect(isIsoTimestamp(bad)).toBe(false);
      expectIssue(newTradeWire({ timestamp: bad }), 'timestamp', 'iso8601');
    }
  });

  it('enums accept only their values', () => {
    expectIssue(newTradeWire({ scope: 'OPEN_TRADE' as never }), 'scope', 'enum');
    expectIssue(newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'LONG' as never, order_type: 'MARKET' } }), 'entry_plan.direction', 'enum');
    // STOP_MARKET is planexec's own protective order type, not an entry a planner may ask for.
    expectIssue(newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'STOP_MARKET' as never } }), 'entry_plan.order_type', 'enum');
    expectIssue(newTradeWire({ routing_plan: { time_in_force: 'DAY' as never } }), 'routing_plan.time_in_force', 'enum');
  });

  it('values of the wrong JSON type are reported as type', () => {
    expectIssue(newTradeWire({ rationale: 42 as never }), 'rationale', 'type');
    expectIssue(newTradeWire({ routing_plan: { must_complete_immediately: 'yes' as never } }), 'routing_plan.must_complete_immediately', 'type');
    expectIssue(newTradeWire({ entry_plan: 'MARKET' as never }), 'entry_plan', 'type');
    expectIssue(modifyWire('T1' as never), 'target_trade_ids', 'type');
  });

  it('symbols are BASE_QUOTE in capitals, digits allowed', () => {
    expect(parseDirective(newTradeWire({ entry_plan: { symbol: '1INCH_USDT', direction: 'BUY', order_type: 'MARKET' } })).entry_plan?.symbol).toBe('1INCH_USDT');
    for (const bad of ['btc_usdt', 'BTCUSDT', 'BTC/USDT', 'BTC_USDT_X', '_USDT']) {
      expectIssue(newTradeWire({ entry_plan: { symbol: bad, direction: 'BUY', order_type: 'MARKET' } }), 'entry_plan.symbol', 'symbol');
    }
  });

  it('rationale is free text of at most 2000 characters', () => {
    expect(parseDirective(newTradeWire({ rationale: 'x'.repeat(2000) })).rationale).toHaveLength(2000);
    expectIssue(newTradeWire({ rationale: 'x'.repeat(2001) }), 'rationale', 'max_length');
  });

  it('unknown fields are refused at every level', () => {
    const base = newTradeWire();
    expectIssue({ ...base, comment: 'x' }, 'comment', 'unknown_field');
    expectIssue({ ...base, entry_plan: { ...base.entry_plan, iceberg: true } }, 'entry_plan.iceberg', 'unknown_field');
    expectIssue({ ...base, size_plan: { ...base.size_plan, lots: '1' } }, 'size_plan.lots', 'unknown_field');
    expectIssue({ ...base, exit_plan: { ...base.exit_plan, trailing: '1' } }, 'exit_plan.trailing', 'unknown_field');
    expectIssue({ ...base, routing_plan: { ...base.routing_plan, venue: 'x' } }, 'routing_plan.venue', 'unknown_field');
    expectIssue(JSON.parse('{"__proto__": {"scope": "NEW_TRADE"}}'), '__proto__', 'unknown_field');
  });
});

describe('parseDirective: decimals', () => {
  const withSize = (position_size: unknown) => newTradeWire({ size_plan: { position_size } });

  it.each([
    ['abc', 'decimal'],
    ['', 'decimal'],
    ['1.2.3', 'decimal'],
    ['0x10', 'decimal'],
    ['NaN', 'decimal'],
    ['Infinity', 'decimal'],
    ['-Infinity', 'decimal'],
    [true, 'decimal'],
    [{}, 'decimal'],
    [null, 'decimal'],
    ['1e16', 'magnitude'],
    ['1e999999', 'magnitude'],
    ['1e-999999', 'magnitude'],
    ['9'.repeat(65), 'decimal'],
    ['0.0000000000000000001', 'scale'],
    ['1e-30', 'scale'],
    ['0', 'positive'],
    ['-1', 'positive'],
  ])('position_size %j is refused with rule %s', (value, rule) => {
    expect(rulesAt(withSize(value))).toEqual([['size_plan.position_size', rule]]);
  });

  it('accepts exponent and signed notations and keeps the exact value', () => {
    expect(decimalToWire(parseDirective(withSize('2e-3')).size_plan!.position_size)).toBe('0.002');
    expect(decimalToWire(parseDirective(withSize('+1.50')).size_plan!.position_size)).toBe('1.5');
    expect(decimalToWire(parseDirective(withSize(' 0.1 ')).size_plan!.position_size)).toBe('0.1');
    expect(decimalToWire(parseDirective(withSize('0.000000000000000001')).size_plan!.position_size)).toBe('0.000000000000000001');
  });

  it('reads JSON numbers through their text, never through a double', () => {
    const line = JSON.stringify(newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: 'P' }, exit_plan: undefined }))
      .replace('"P"', '65000.123456789012345678')
      .replace('"0.015"', '0.1');
    const d = parseDirectiveLine(line);
    expect(decimalToWire(d.entry_plan!.limit_price!)).toBe('65000.123456789012345678');
    expect(decimalToWire(d.size_plan!.position_size)).toBe('0.1');
    expect(directiveToWire(d).size_plan?.position_size).toBe('0.1');
  });

  it('accepts a JS number from an in-process caller through its shortest text', () => {
    expect(decimalToWire(parseDirective(withSize(0.1)).size_plan!.position_size)).toBe('0.1');
    expect(rulesAt(withSize(Number.NaN))).toEqual([['size_plan.position_size', 'decimal']]);
    expect(rulesAt(withSize(1e300))).toEqual([['size_plan.position_size', 'magnitude']]);
  });

  it('bounds leverage to [1, 125] and routing fractions to [0, 1]', () => {
    expectIssue(newTradeWire({ size_plan: { position_size: '1', leverage: '0.5' } }), 'size_plan.leverage', 'min');
    expectIssue(newTradeWire({ size_plan: { position_size: '1', leverage: '126' } }), 'size_plan.leverage', 'max');
    expect(parseDirective(newTradeWire({ routing_plan: { execution_urgency: '0', max_slippage_pct: '1' } })).routing_plan).toBeDefined();
    expectIssue(newTradeWire({ routing_plan: { execution_urgency: '-0.1' } }), 'routing_plan.execution_urgency', 'non_negative');
    expectIssue(newTradeWire({ routing_plan: { max_slippage_pct: '1.01' } }), 'routing_plan.max_slippage_pct', 'max');
  });
});

describe('parseDirective: trigger_context', () => {
  it('keeps a JSON object as given, numbers included', () => {
    const context = { opportunity_id: 'SIG_1', score: 0.75, tags: ['a', 1, true, null], nested: { deeper: { n: -3 } } };
    expect(parseDirective(newTradeWire({ trigger_context: context })).trigger_context).toEqual(context);
  });

  it('keeps a JSON number a double cannot hold as its text', () => {
    const line = JSON.stringify(newTradeWire({ trigger_context: { exact: 'N', plain: 'M' } })).replace('"N"', '0.12345678901234567890123').replace('"M"', '0.5');
    expect(parseDirectiveLine(line).trigger_context).toEqual({ exact: '0.12345678901234567890123', plain: 0.5 });
  });

  it('must be an object', () => {
    for (const bad of [[], 'x', 1, null]) expectIssue(newTradeWire({ trigger_context: bad }), 'trigger_context', 'object');
  });

  it('nests at most 8 levels', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 9; i += 1) deep = { k: deep };
    expectIssue(newTradeWire({ trigger_context: deep }), 'trigger_context.k.k.k.k.k.k.k.k', 'max_depth');
    let ok: unknown = 'leaf';
    for (let i = 0; i < 8; i += 1) ok = { k: ok };
    expect(parseDirective(newTradeWire({ trigger_context: ok })).trigger_context).toEqual(ok);
  });

  it('serialises to at most 16 KiB', () => {
    expectIssue(newTradeWire({ trigger_context: { blob: 'x'.repeat(17 * 1024) } }), 'trigger_context', 'max_size');
    expectIssue(newTradeWire({ trigger_context: { many: Array.from({ length: 5000 }, () => 'abcd') } }), 'trigger_context', 'max_size');
    expect(parseDirective(newTradeWire({ trigger_context: { blob: 'x'.repeat(15 * 1024) } })).trigger_context).toBeDefined();
  });

  it('refuses keys that could reach a prototype, at any depth', () => {
    const context = JSON.parse('{"a": {"__proto__": {"polluted": 1}}, "constructor": 1, "b": [{"prototype": 2}]}');
    const rules = rulesAt(newTradeWire({ trigger_context: context }));
    expect(rules).toContainEqual(['trigger_context.a.__proto__', 'forbidden_key']);
    expect(rules).toContainEqual(['trigger_context.constructor', 'forbidden_key']);
    expect(rules).toContainEqual(['trigger_context.b[0].prototype', 'forbidden_key']);
  });

  it('refuses values JSON cannot carry', () => {
    expectIssue(newTradeWire({ trigger_context: { n: Number.POSITIVE_INFINITY } }), 'trigger_context.n', 'json_value');
    expectIssue(newTradeWire({ trigger_context: { d: new Date(0) } }), 'trigger_context.d', 'json_value');
    expectIssue(newTradeWire({ trigger_context: { u: undefined } }), 'trigger_context.u', 'json_value');
  });
});

describe('parseDirective: scope rules (DESIGN §2)', () => {
  it.each(['entry_plan', 'size_plan', 'routing_plan'] as const)('NEW_TRADE requires %s', (plan) => {
    expect(rulesAt(newTradeWire({ [plan]: undefined }))).toEqual([[plan, 'required_for_scope']]);
  });

  it('NEW_TRADE may leave out the exit plan', () => {
    expect(parseDirective(newTradeWire({ exit_plan: undefined })).exit_plan).toBeUndefined();
  });

  it('NEW_TRADE must not name target trades (the rule upstream forgot)', () => {
    expect(rulesAt(newTradeWire({ target_trade_ids: ['T1'] }))).toEqual([['target_trade_ids', 'forbidden_for_scope']]);
    expect(parseDirective(newTradeWire({ target_trade_ids: [] })).target_trade_ids).toEqual([]);
  });

  it('MODIFY_EXISTING requires at least one plan', () => {
    expect(rulesAt(modifyWire(['T1'], { exit_plan: undefined }))).toEqual([['(plans)', 'required_for_scope']]);
    for (const plan of [
      { size_plan: { position_size: '0.02' } },
      { routing_plan: { execution_urgency: '1' } },
      { entry_plan: { symbol: 'BTC_USDT', direction: 'BUY' as const, order_type: 'MARKET' as const } },
    ]) {
      expect(parseDirective(modifyWire(['T1'], { exit_plan: undefined, ...plan })).scope).toBe('MODIFY_EXISTING');
    }
  });

  it('MODIFY_EXISTING requires target trades, absent or empty alike', () => {
    expect(rulesAt(modifyWire([]))).toEqual([['target_trade_ids', 'required_for_scope']]);
    expect(rulesAt(modifyWire(undefined as never))).toEqual([['target_trade_ids', 'required_for_scope']]);
  });

  it('CLOSE_EXISTING requires target trades and a routing plan', () => {
    expect(rulesAt(closeWire([]))).toEqual([['target_trade_ids', 'required_for_scope']]);
    expect(rulesAt(closeWire(['T1'], { routing_plan: undefined }))).toEqual([['routing_plan', 'required_for_scope']]);
    expect(rulesAt(closeWire([], { routing_plan: undefined }))).toEqual([
      ['target_trade_ids', 'required_for_scope'],
      ['routing_plan', 'required_for_scope'],
    ]);
  });
});

describe('parseDirective: order type and price rules', () => {
  const entry = (order_type: string, prices: Record<string, string> = {}) =>
    newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: order_type as never, ...prices }, exit_plan: undefined });

  it('LIMIT requires limit_price', () => {
    expect(rulesAt(entry('LIMIT'))).toEqual([['entry_plan.limit_price', 'required_for_order_type']]);
    expect(parseDirective(entry('LIMIT', { limit_price: '65000' })).entry_plan?.order_type).toBe('LIMIT');
  });

  it('STOP_LIMIT requires both prices', () => {
    expect(rulesAt(entry('STOP_LIMIT'))).toEqual([
      ['entry_plan.limit_price', 'required_for_order_type'],
      ['entry_plan.stop_price', 'required_for_order_type'],
    ]);
    expect(rulesAt(entry('STOP_LIMIT', { stop_price: '64000' }))).toEqual([['entry_plan.limit_price', 'required_for_order_type']]);
    expect(parseDirective(entry('STOP_LIMIT', { limit_price: '65100', stop_price: '65000' })).entry_plan?.stop_price).toBeDefined();
  });

  it('MARKET carries no limit price, and only STOP_LIMIT carries a stop price', () => {
    expect(rulesAt(entry('MARKET', { limit_price: '65000' }))).toEqual([['entry_plan.limit_price', 'forbidden_for_order_type']]);
    expect(rulesAt(entry('LIMIT', { limit_price: '65000', stop_price: '64000' }))).toEqual([['entry_plan.stop_price', 'forbidden_for_order_type']]);
  });

  it('an exit plan names at least one price', () => {
    expect(rulesAt(newTradeWire({ exit_plan: {} }))).toEqual([['exit_plan', 'not_empty']]);
  });

  it("a BUY's stop loss lies below its entry and its take profit above", () => {
    expect(parseDirective(limitBuy({ stop_loss_price: '64000', take_profit_price: '67000' })).exit_plan).toBeDefined();
    expect(rulesAt(limitBuy({ stop_loss_price: '65000' }))).toEqual([['exit_plan.stop_loss_price', 'stop_loss_side']]);
    expect(rulesAt(limitBuy({ stop_loss_price: '66000' }))).toEqual([['exit_plan.stop_loss_price', 'stop_loss_side']]);
    expect(rulesAt(limitBuy({ take_profit_price: '65000' }))).toEqual([['exit_plan.take_profit_price', 'take_profit_side']]);
    expect(rulesAt(limitBuy({ stop_loss_price: '67000', take_profit_price: '64000' }))).toEqual([
      ['exit_plan.stop_loss_price', 'stop_loss_side'],
      ['exit_plan.take_profit_price', 'take_profit_side'],
    ]);
  });

  it("a SELL's stop loss lies above its entry and its take profit below", () => {
    expect(parseDirective(limitBuy({ stop_loss_price: '66000', take_profit_price: '63000' }, 'SELL')).exit_plan).toBeDefined();
    expect(rulesAt(limitBuy({ stop_loss_price: '64000' }, 'SELL'))).toEqual([['exit_plan.stop_loss_price', 'stop_loss_side']]);
    expect(rulesAt(limitBuy({ take_profit_price: '66000' }, 'SELL'))).toEqual([['exit_plan.take_profit_price', 'take_profit_side']]);
  });

  it('a MARKET entry has no reference price, but its stop loss and take profit must still be in order', () => {
    const market = (direction: 'BUY' | 'SELL', exit: Record<string, string>) =>
      newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction, order_type: 'MARKET' }, exit_plan: exit });
    expect(parseDirective(market('BUY', { stop_loss_price: '1', take_profit_price: '99999' })).exit_plan).toBeDefined();
    expect(rulesAt(market('BUY', { stop_loss_price: '67000', take_profit_price: '64000' }))).toEqual([['exit_plan.take_profit_price', 'take_profit_side']]);
    expect(rulesAt(market('SELL', { stop_loss_price: '64000', take_profit_price: '67000' }))).toEqual([['exit_plan.take_profit_price', 'take_profit_side']]);
  });
});

describe('ValidationError: every violation at once', () => {
  it('lists field errors and scope rules together, each path once with its rule', () => {
    const wire = {
      ...newTradeWire({ entry_plan: undefined, target_trade_ids: ['T 1'] }),
      size_plan: { position_size: 'abc', lots: 2 },
      routing_plan: { time_in_force: 'DAY' },
      extra: true,
    };
    const issues = issuesOf(() => parseDirective(wire));
    expect(issues.map((i) => [i.path, i.rule])).toEqual(
      expect.arrayContaining([
        ['extra', 'unknown_field'],
        ['target_trade_ids[0]', 'identifier'],
        ['size_plan.lots', 'unknown_field'],
        ['size_plan.position_size', 'decimal'],
        ['routing_plan.time_in_force', 'enum'],
        ['entry_plan', 'required_for_scope'],
        ['target_trade_ids', 'forbidden_for_scope'],
      ]),
    );
    expect(issues).toHaveLength(7);
  });

  it('still checks price sides when another field is broken', () => {
    const wire = { ...limitBuy({ stop_loss_price: '66000' }), strategy_id: '' };
    expect(rulesAt(wire)).toEqual([
      ['strategy_id', 'identifier'],
      ['exit_plan.stop_loss_price', 'stop_loss_side'],
    ]);
  });

  it('does not report a price as missing for its order type when it is present but malformed', () => {
    const wire = newTradeWire({ entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'LIMIT', limit_price: 'x' }, exit_plan: undefined });
    expect(rulesAt(wire)).toEqual([['entry_plan.limit_price', 'decimal']]);
  });

  it('skips the scope rules when the scope itself is unusable', () => {
    expect(rulesAt(newTradeWire({ scope: 'NOPE' as never, entry_plan: undefined }))).toEqual([['scope', 'enum']]);
  });

  it('names each path and rule in the message', () => {
    const error = (() => {
      try {
        parseDirective(newTradeWire({ strategy_id: '', routing_plan: undefined }));
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error('accepted');
    })();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('strategy_id: must be 1-128 characters of [A-Za-z0-9_.:-] [identifier]');
    expect(error.message).toContain('routing_plan: NEW_TRADE requires routing_plan [required_for_scope]');
    expect(error.details).toEqual({ issues: error.issues });
  });

  it('shortens an absurdly long unknown key in the path', () => {
    const [path] = rulesAt({ ...newTradeWire(), ['k'.repeat(1_000_000)]: 1 })[0]!;
    expect(path.length).toBeLessThan(100);
  });
});

describe('decodeDirectiveJson', () => {
  it('refuses a line over 64 KiB before parsing, counting UTF-8 bytes', () => {
    expect(issuesOf(() => decodeDirectiveJson(' '.repeat(MAX_DIRECTIVE_BYTES + 1)))).toEqual([expect.objectContaining({ path: '', rule: 'max_size' })]);
    // 22,000 characters, 66,000 bytes.
    const euros = JSON.stringify({ rationale: '€'.repeat(22_000) });
    expect(issuesOf(() => decodeDirectiveJson(euros))).toEqual([expect.objectContaining({ rule: 'max_size' })]);
    expect(decodeDirectiveJson(JSON.stringify({ pad: 'x'.repeat(MAX_DIRECTIVE_BYTES - 12) }))).toBeDefined();
  });

  it('refuses text that is not JSON', () => {
    for (const bad of ['', '{', '{"a":}', 'NaN', "{'a': 1}", '{"a": 1,}']) {
      expect(issuesOf(() => decodeDirectiveJson(bad))).toEqual([expect.objectContaining({ path: '', rule: 'json' })]);
    }
  });

  it('maps nesting too deep for the parser to a json ValidationError', () => {
    const deep = `{"n": 1, "a": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    expect(issuesOf(() => decodeDirectiveJson(deep))).toEqual([expect.objectContaining({ rule: 'json', message: expect.stringContaining('nests too deeply') })]);
  });

  it('refuses something that is not text at all', () => {
    expect(issuesOf(() => decodeDirectiveJson(42 as never))).toEqual([expect.objectContaining({ rule: 'type' })]);
  });

  it('parseDirectiveLine reports the directive rules of a decoded line', () => {
    expect(issuesOf(() => parseDirectiveLine('[1, 2]'))).toEqual([expect.objectContaining({ rule: 'object' })]);
    expect(issuesOf(() => parseDirectiveLine(JSON.stringify(closeWire([]))))).toEqual([expect.objectContaining({ path: 'target_trade_ids', rule: 'required_for_scope' })]);
  });
});

describe('parseDirective: input that cannot even be read', () => {
  it('turns a throwing getter into a ValidationError instead of a crash', () => {
    const hostile = Object.defineProperty({ ...newTradeWire() }, 'strategy_id', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(issuesOf(() => parseDirective(hostile))).toEqual([expect.objectContaining({ path: '', rule: 'unreadable' })]);
  });
});
