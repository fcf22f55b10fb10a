import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal, decimalToWire } from '../../src/domain/decimal.js';
import { directiveToWire, parseDirective, parseDirectiveLine } from '../../src/domain/directive.js';
import { ValidationError, type ValidationIssue } from '../../src/domain/errors.js';

type Wire = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Arbitraries: valid directives in canonical wire form (decimals as decimalToWire writes them).

const chars = (s: string) => fc.constantFrom(...s.split(''));
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ID_CHARS = `${UPPER_DIGITS}abcdefghijklmnopqrstuvwxyz_.:-`;
const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];

const identifier = fc.string({ unit: chars(ID_CHARS), minLength: 1, maxLength: 128 });
const symbolPart = fc.string({ unit: chars(UPPER_DIGITS), minLength: 1, maxLength: 20 });
const symbol = fc.tuple(symbolPart, symbolPart).map(([base, quote]) => `${base}_${quote}`);
const timestamp = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .chain((d) => {
    const iso = d.toISOString();
    return fc.constantFrom(iso, iso.replace(/\.\d{3}Z$/, 'Z'), iso.replace('Z', '+00:00'));
  });

const canonical = (units: bigint, scale: number): string => decimalToWire(new Decimal(`${units}e-${scale}`));
const positiveDecimal = fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 14n }), fc.integer({ min: 0, max: 8 })).map(([u, s]) => canonical(u, s));
const fraction = fc.integer({ min: 0, max: 10_000 }).map((n) => canonical(BigInt(n), 4));
const leverage = fc.integer({ min: 100, max: 12_500 }).map((n) => canonical(BigInt(n), 2));
/** Three distinct positive prices, ascending. */
const priceLadder = fc
  .uniqueArray(positiveDecimal, { minLength: 3, maxLength: 3 })
  .map((ps) => [...ps].sort((a, b) => new Decimal(a).comparedTo(new Decimal(b))) as [string, string, string]);

const jsonKey = fc.string({ unit: chars('abcdefghijklmnopqrstuvwxyz_'), minLength: 1, maxLength: 12 }).filter((k) => !FORBIDDEN.includes(k));
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    fc.string({ maxLength: 20, unit: 'binary' }),
    fc.integer(),
    // Integers beyond 2^53 come back as their text (lossless-json calls them unsafe), so not here.
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d) || Number.isSafeInteger(d)),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(jsonKey, tie('json'), { maxKeys: 4 }),
  ),
}));
const triggerContext = fc.dictionary(jsonKey, json, { maxKeys: 5 });

/** Drop keys whose value is undefined: the canonical wire form has no such keys. */
function compact(o: Record<string, unknown>): Wire {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const common = fc.record(
  {
    directive_id: identifier,
    strategy_id: identifier,
    timestamp,
    trigger_context: triggerContext,
    rationale: fc.string({ maxLength: 500, unit: 'binary' }),
  },
  { requiredKeys: ['directive_id', 'strategy_id', 'timestamp'] },
);

const sizePlan = fc.record(
  { position_size: positiveDecimal, position_value: positiveDecimal, risk_amount: positiveDecimal, leverage },
  { requiredKeys: ['position_size'] },
);
const routingPlan = fc.record(
  { execution_urgency: fraction, max_slippage_pct: fraction, time_in_force: fc.constantFrom('GTC', 'IOC', 'FOK'), must_complete_immediately: fc.boolean() },
  { requiredKeys: [] },
);

/** An entry plan and an exit plan on the right sides of it (BUY: SL < entry < TP; SELL mirrored). */
const entryAndExit = fc
  .record({
    symbol,
    direction: fc.constantFrom('BUY', 'SELL'),
    orderType: fc.constantFrom('MARKET', 'LIMIT', 'STOP_LIMIT'),
    ladder: priceLadder,
    stop: positiveDecimal,
    exitShape: fc.constantFrom('none', 'sl', 'tp', 'both'),
  })
  .map(({ symbol: sym, direction, orderType, ladder: [low, mid, high], stop, exitShape }) => {
    const entry = compact({
      symbol: sym,
      direction,
      order_type: orderType,
      limit_price: orderType === 'MARKET' ? undefined : mid,
      stop_price: orderType === 'STOP_LIMIT' ? stop : undefined,
    });
    const sl = direction === 'BUY' ? low : high;
    const tp = direction === 'BUY' ? high : low;
    const exit =
      exitShape === 'none'
        ? undefined
        : compact({ stop_loss_price: exitShape === 'tp' ? undefined : sl, take_profit_price: exitShape === 'sl' ? undefined : tp });
    return { entry, exit };
  });

const exitAlone = entryAndExit.filter(({ exit }) => exit !== undefined).map(({ exit }) => exit as Wire);
const targets = fc.uniqueArray(identifier, { minLength: 1, maxLength: 5 });

const newTrade = fc
  .record({ c: common, ee: entryAndExit, size: sizePlan, routing: routingPlan, emptyTargets: fc.boolean() })
  .map(({ c, ee, size, routing, emptyTargets }) =>
    compact({
      ...c,
      scope: 'NEW_TRADE',
      target_trade_ids: emptyTargets ? [] : undefined,
      entry_plan: ee.entry,
      size_plan: size,
      exit_plan: ee.exit,
      routing_plan: routing,
    }),
  );

const modify = fc
  .record({
    c: common,
    targets,
    plans: fc
      .record({ ee: entryAndExit, exit: exitAlone, size: sizePlan, routing: routingPlan }, { requiredKeys: [] })
      .filter((p) => Object.keys(p).length > 0),
  })
  .map(({ c, targets: t, plans }) =>
    compact({
      ...c,
      scope: 'MODIFY_EXISTING',
      target_trade_ids: t,
      entry_plan: plans.ee?.entry,
      // An exit plan sits on the sides of its own entry; alone, it only orders SL against TP.
      exit_plan: plans.ee ? plans.ee.exit : plans.exit,
      size_plan: plans.size,
      routing_plan: plans.routing,
    }),
  )
  .filter((d) => ['entry_plan', 'size_plan', 'exit_plan', 'routing_plan'].some((k) => k in d));

const close = fc
  .record({ c: common, targets, routing: routingPlan, exit: fc.option(exitAlone, { nil: undefined }) })
  .map(({ c, targets: t, routing, exit }) =>
    compact({ ...c, scope: 'CLOSE_EXISTING', target_trade_ids: t, routing_plan: routing, exit_plan: exit }),
  );

const anyDirective = fc.oneof(newTrade, modify, close);

// ---------------------------------------------------------------------------------------------
// Helpers

function issuesOf(input: unknown): readonly ValidationIssue[] {
  try {
    parseDirective(input);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.issues;
  }
  throw new Error(`accepted: ${JSON.stringify(input)}`);
}

function expectIssue(input: unknown, path: string, rule: string): void {
  const issues = issuesOf(input);
  expect(issues.map((i) => `${i.path} [${i.rule}]`)).toContain(`${path} [${rule}]`);
}

/** Parse, or refuse with a well-formed ValidationError; anything else fails the property. */
function parsesOrRefuses(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(typeof issue.path).toBe('string');
      expect(issue.rule).toMatch(/^[a-z0-9_]+$/);
      // The catch-all for unreadable input must not hide a bug of ours on plain data.
      expect(issue.rule).not.toBe('unreadable');
    }
  }
}

const clone = (w: Wire): Wire => structuredClone(w);
const plan = (w: Wire, key: string): Wire | undefined => w[key] as Wire | undefined;

const RUNS = { numRuns: 300 };

// ---------------------------------------------------------------------------------------------

describe('valid directives', () => {
  it('every generated valid directive parses and its wire form is the input, for all three scopes', () => {
    fc.assert(
      fc.property(anyDirective, (wire) => {
        expect(directiveToWire(parseDirective(wire))).toEqual(wire);
      }),
      RUNS,
    );
  });

  it('round-trips unchanged through JSON text', () => {
    fc.assert(
      fc.property(anyDirective, (wire) => {
        const text = JSON.stringify(wire);
        const parsed = parseDirectiveLine(text);
        expect(directiveToWire(parsed)).toEqual(JSON.parse(text));
        expect(parseDirectiveLine(JSON.stringify(directiveToWire(parsed)))).toEqual(parsed);
      }),
      RUNS,
    );
  });

  it('reads decimals given as JSON numbers through their text', () => {
    fc.assert(
      fc.property(newTrade, fc.bigInt({ min: 1n, max: 10n ** 14n }), fc.integer({ min: 0, max: 18 }), (wire, units, scale) => {
        const text = canonical(units, scale);
        const line = JSON.stringify({ ...wire, size_plan: { position_size: '@' } }).replace('"@"', text);
        expect(decimalToWire(parseDirectiveLine(line).size_plan!.position_size)).toBe(text);
      }),
      RUNS,
    );
  });
});

describe('every mutation into an invalid directive is refused with the right path and rule', () => {
  it('a dropped required field', () => {
    fc.assert(
      fc.property(anyDirective, fc.constantFrom('directive_id', 'strategy_id', 'scope', 'timestamp'), (wire, field) => {
        const w = clone(wire);
        delete w[field];
        expectIssue(w, field, 'required');
      }),
      RUNS,
    );
    fc.assert(
      fc.property(newTrade, fc.constantFrom('entry_plan.symbol', 'entry_plan.direction', 'entry_plan.order_type', 'size_plan.position_size'), (wire, path) => {
        const w = clone(wire);
        const [planKey, field] = path.split('.') as [string, string];
        delete plan(w, planKey)![field];
        expectIssue(w, path, 'required');
      }),
      RUNS,
    );
  });

  it('an unknown field at any level, prototype-looking keys included', () => {
    const known = new Set(['directive_id', 'strategy_id', 'scope', 'timestamp', 'trigger_context', 'rationale', 'target_trade_ids',
      'entry_plan', 'size_plan', 'exit_plan', 'routing_plan', 'symbol', 'direction', 'order_type', 'limit_price', 'stop_price',
      'position_size', 'position_value', 'risk_amount', 'leverage', 'stop_loss_price', 'take_profit_price', 'execution_urgency',
      'max_slippage_pct', 'time_in_force', 'must_complete_immediately']);
    const key = fc.oneof(fc.constantFrom(...FORBIDDEN, 'toString', 'hasOwnProperty'), fc.string({ minLength: 1, maxLength: 30 })).filter((k) => !known.has(k));
    fc.assert(
      fc.property(anyDirective, key, fc.nat(), json, (wire, k, pick, value) => {
        const w = clone(wire);
        const levels = ['', ...['entry_plan', 'size_plan', 'exit_plan', 'routing_plan'].filter((p) => p in w)];
        const level = levels[pick % levels.length]!;
        const target = level === '' ? w : plan(w, level)!;
        Object.defineProperty(target, k, { value, enumerable: true, writable: true, configurable: true });
        expectIssue(w, level === '' ? k : `${level}.${k}`, 'unknown_field');
      }),
      RUNS,
    );
  });

  it('a broken decimal', () => {
    const broken = fc.oneof(
      fc.constantFrom<[unknown, string]>(
        ['abc', 'decimal'],
        ['', 'decimal'],
        ['NaN', 'decimal'],
        ['Infinity', 'decimal'],
        ['1,5', 'decimal'],
        ['0x1F', 'decimal'],
        [true, 'decimal'],
        [[], 'decimal'],
        [null, 'decimal'],
        ['1e999999', 'magnitude'],
        ['-1e999999', 'magnitude'],
        ['1e16', 'magnitude'],
        ['0.1234567890123456789', 'scale'],
      ),
      fc
        .string({ maxLength: 40 })
        .filter((s) => !/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(s))
        .map((s): [unknown, string] => [s, 'decimal']),
    );
    fc.assert(
      fc.property(anyDirective, fc.nat(), broken, (wire, pick, [value, rule]) => {
        const w = clone(wire);
        const paths: [string, string][] = [];
        for (const planKey of ['entry_plan', 'size_plan', 'exit_plan', 'routing_plan']) {
          for (const [field, v] of Object.entries(plan(w, planKey) ?? {})) {
            if (typeof v === 'string' && /^[\d.]+$/.test(v)) paths.push([planKey, field]);
          }
        }
        fc.pre(paths.length > 0);
        const [planKey, field] = paths[pick % paths.length]!;
        plan(w, planKey)![field] = value;
        expectIssue(w, `${planKey}.${field}`, rule);
      }),
      RUNS,
    );
  });

  it('a value outside its enum', () => {
    const enums: Record<string, string[]> = {
      scope: ['NEW_TRADE', 'MODIFY_EXISTING', 'CLOSE_EXISTING'],
      'entry_plan.direction': ['BUY', 'SELL'],
      'entry_plan.order_type': ['MARKET', 'LIMIT', 'STOP_LIMIT'],
      'routing_plan.time_in_force': ['GTC', 'IOC', 'FOK'],
    };
    fc.assert(
      fc.property(anyDirective, fc.nat(), fc.string({ maxLength: 20 }), (wire, pick, value) => {
        const w = clone(wire);
        const paths = Object.keys(enums).filter((p) => {
          const [a, b] = p.split('.') as [string, string | undefined];
          return b === undefined || (plan(w, a) !== undefined && b in plan(w, a)!);
        });
        const path = paths[pick % paths.length]!;
        fc.pre(!enums[path]!.includes(value));
        const [a, b] = path.split('.') as [string, string | undefined];
        if (b === undefined) w[a] = value;
        else plan(w, a)![b] = value;
        expectIssue(w, path, 'enum');
      }),
      RUNS,
    );
  });

  it('each scope rule broken', () => {
    const cases = fc.oneof(
      fc.tuple(newTrade, fc.constantFrom('entry_plan', 'size_plan', 'routing_plan')).map(([w, p]): [Wire, string, string] => {
        const m = clone(w);
        delete m[p];
        return [m, p, 'required_for_scope'];
      }),
      fc.tuple(newTrade, targets).map(([w, t]): [Wire, string, string] => [{ ...w, target_trade_ids: t }, 'target_trade_ids', 'forbidden_for_scope']),
      modify.map((w): [Wire, string, string] => {
        const m = clone(w);
        for (const p of ['entry_plan', 'size_plan', 'exit_plan', 'routing_plan']) delete m[p];
        return [m, '(plans)', 'required_for_scope'];
      }),
      fc.tuple(fc.oneof(modify, close), fc.boolean()).map(([w, empty]): [Wire, string, string] => {
        const m = clone(w);
        if (empty) m.target_trade_ids = [];
        else delete m.target_trade_ids;
        return [m, 'target_trade_ids', 'required_for_scope'];
      }),
      close.map((w): [Wire, string, string] => {
        const m = clone(w);
        delete m.routing_plan;
        return [m, 'routing_plan', 'required_for_scope'];
      }),
    );
    fc.assert(
      fc.property(cases, ([w, path, rule]) => expectIssue(w, path, rule)),
      RUNS,
    );
  });

  it('a missing price for the order type', () => {
    fc.assert(
      fc.property(newTrade, (wire) => {
        const w = clone(wire);
        const entry = plan(w, 'entry_plan')!;
        fc.pre(entry.order_type !== 'MARKET');
        const field = entry.order_type === 'STOP_LIMIT' && entry.limit_price !== entry.stop_price ? 'stop_price' : 'limit_price';
        delete entry[field];
        expectIssue(w, `entry_plan.${field}`, 'required_for_order_type');
      }),
      RUNS,
    );
  });

  it('a stop loss or take profit on the wrong side of the entry', () => {
    fc.assert(
      fc.property(newTrade, fc.boolean(), fc.boolean(), (wire, breakStop, atEntry) => {
        const w = clone(wire);
        const entry = plan(w, 'entry_plan')!;
        fc.pre(typeof entry.limit_price === 'string');
        const limit = new Decimal(entry.limit_price as string);
        const buy = entry.direction === 'BUY';
        // On the entry itself, or one tick beyond it on the wrong side.
        const tick = new Decimal('0.00000001');
        const wrongStop = atEntry ? limit : buy ? limit.plus(tick) : limit.minus(tick);
        const wrongTarget = atEntry ? limit : buy ? limit.minus(tick) : limit.plus(tick);
        fc.pre(wrongTarget.gt(0));
        w.exit_plan = breakStop ? { stop_loss_price: decimalToWire(wrongStop) } : { take_profit_price: decimalToWire(wrongTarget) };
        expectIssue(w, breakStop ? 'exit_plan.stop_loss_price' : 'exit_plan.take_profit_price', breakStop ? 'stop_loss_side' : 'take_profit_side');
      }),
      RUNS,
    );
  });

  it('a field error and a scope error are reported together', () => {
    fc.assert(
      fc.property(fc.oneof(modify, close), fc.string({ unit: chars('xyz'), minLength: 1, maxLength: 8 }), (wire, key) => {
        const w = { ...clone(wire), directive_id: '', [`extra_${key}`]: 1, target_trade_ids: [] };
        const found = issuesOf(w).map((i) => `${i.path} [${i.rule}]`);
        expect(found).toEqual(
          expect.arrayContaining(['directive_id [identifier]', `extra_${key} [unknown_field]`, 'target_trade_ids [required_for_scope]']),
        );
        expect(new Set(found).size).toBe(found.length);
      }),
      RUNS,
    );
  });
});

describe('no input makes the parser throw anything but a ValidationError, nor pollute a prototype', () => {
  const snapshot = () => ({
    object: Object.getOwnPropertyNames(Object.prototype).sort().join(),
    array: Object.getOwnPropertyNames(Array.prototype).sort().join(),
    function: Object.getOwnPropertyNames(Function.prototype).sort().join(),
  });
  let before: ReturnType<typeof snapshot>;
  beforeEach(() => {
    before = snapshot();
  });
  afterEach(() => {
    expect(snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('any JS value', () => {
    const anything = fc.anything({
      withNullPrototype: true,
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withDate: true,
      withTypedArray: true,
      withSparseArray: true,
      withBigInt: true,
      withObjectString: true,
      key: fc.oneof(fc.string(), fc.constantFrom(...FORBIDDEN, 'scope', 'entry_plan', 'trigger_context')),
    });
    fc.assert(fc.property(anything, (value) => parsesOrRefuses(() => parseDirective(value))), { numRuns: 500 });
  });

  it('any JS value in place of any field of a valid directive', () => {
    const anything = fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, key: fc.oneof(fc.string(), fc.constantFrom(...FORBIDDEN)) });
    fc.assert(
      fc.property(anyDirective, fc.nat(), anything, (wire, pick, value) => {
        const w = clone(wire);
        const paths: [Wire, string][] = Object.keys(w).map((k) => [w, k]);
        for (const p of ['entry_plan', 'size_plan', 'exit_plan', 'routing_plan', 'trigger_context']) {
          const inner = plan(w, p);
          if (inner) for (const k of Object.keys(inner)) paths.push([inner, k]);
        }
        const [target, key] = paths[pick % paths.length]!;
        target[key] = value;
        parsesOrRefuses(() => parseDirective(w));
        parsesOrRefuses(() => {
          const text = JSON.stringify(w, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
          if (typeof text === 'string') parseDirectiveLine(text);
        });
      }),
      RUNS,
    );
  });

  it('any JSON text', () => {
    fc.assert(fc.property(fc.json(), (text) => parsesOrRefuses(() => parseDirectiveLine(text))), { numRuns: 500 });
  });

  it('random bytes read as UTF-8, alone or spliced into a valid line', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => parsesOrRefuses(() => parseDirectiveLine(Buffer.from(bytes).toString('utf8')))),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(anyDirective, fc.uint8Array({ maxLength: 40 }), fc.nat(), fc.nat({ max: 20 }), (wire, bytes, at, cut) => {
        const line = JSON.stringify(wire);
        const i = at % (line.length + 1);
        const spliced = line.slice(0, i) + Buffer.from(bytes).toString('utf8') + line.slice(i + cut);
        parsesOrRefuses(() => parseDirectiveLine(spliced));
      }),
      RUNS,
    );
  });

  it('nesting 10,000 levels deep, as text and as objects, anywhere', () => {
    const depth = 10_000;
    const texts = [
      '['.repeat(depth) + ']'.repeat(depth),
      '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
      `{"scope":"NEW_TRADE","trigger_context":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
      `{"entry_plan":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    ];
    for (const text of texts) expect(() => parseDirectiveLine(text)).toThrow(ValidationError);
    let deepObject: unknown = 1;
    let deepArray: unknown = [];
    for (let i = 0; i < depth; i += 1) {
      deepObject = { a: deepObject };
      deepArray = [deepArray];
    }
    const base = { directive_id: 'D', strategy_id: 'S', scope: 'NEW_TRADE', timestamp: '2026-11-24T10:15:00Z' };
    for (const value of [deepObject, deepArray]) {
      expect(() => parseDirective(value)).toThrow(ValidationError);
      for (const field of ['trigger_context', 'entry_plan', 'rationale', 'target_trade_ids', 'unknown']) {
        expect(() => parseDirective({ ...base, [field]: value })).toThrow(ValidationError);
      }
    }
  });

  it('multi-megabyte strings in every field, and as a key', () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const wire = fc.sample(newTrade, { numRuns: 1, seed: 42 })[0]!;
    const fields: [string | undefined, string][] = [
      ...Object.keys(wire).map((k): [undefined, string] => [undefined, k]),
      ...['symbol', 'direction', 'order_type', 'limit_price'].map((k): [string, string] => ['entry_plan', k]),
      ['size_plan', 'position_size'],
    ];
    for (const [planKey, field] of fields) {
      const w = clone(wire);
      const target = planKey === undefined ? w : (plan(w, planKey) ?? (w[planKey] = {}) as Wire);
      target[field] = huge;
      expect(() => parseDirective(w)).toThrow(ValidationError);
    }
    expect(() => parseDirective({ ...wire, trigger_context: { note: huge } })).toThrow(ValidationError);
    expect(() => parseDirective({ ...wire, [huge]: 1 })).toThrow(ValidationError);
    expect(() => parseDirectiveLine(JSON.stringify({ ...wire, rationale: huge }))).toThrow(ValidationError);
  });

  it('__proto__, constructor and prototype keys at every level of JSON text', () => {
    const levels = ['', 'entry_plan', 'size_plan', 'exit_plan', 'routing_plan', 'trigger_context', 'trigger_context.inner'];
    fc.assert(
      fc.property(newTrade, fc.constantFrom(...FORBIDDEN), fc.constantFrom(...levels), (wire, key, level) => {
        const w = clone(wire);
        w.exit_plan ??= { stop_loss_price: '1' };
        w.trigger_context = { ...(w.trigger_context as Wire | undefined), inner: { note: 'x' } };
        const marker = '"@MARK@":0';
        let target: Wire = w;
        for (const part of level.split('.').filter(Boolean)) target = target[part] as Wire;
        target['@MARK@'] = 0;
        const payload = `"${key}": {"polluted": true, "prototype": {"polluted": true}}`;
        const text = JSON.stringify(w).replace(marker, payload);
        const error = (() => {
          try {
            parseDirectiveLine(text);
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(ValidationError);
        const path = level === '' ? key : `${level}.${key}`;
        const rule = level.startsWith('trigger_context') ? 'forbidden_key' : 'unknown_field';
        expect((error as ValidationError).issues.map((i) => `${i.path} [${i.rule}]`)).toContain(`${path} [${rule}]`);
      }),
      RUNS,
    );
  });
});
