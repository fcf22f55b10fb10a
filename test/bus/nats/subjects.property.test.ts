import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  directiveSubject,
  eventSubject,
  parseDirectiveSubject,
  partitionFilter,
  partitionOf,
  strategyFromToken,
  strategyToken,
  subjectPrefix,
} from '../../../src/bus/nats/subjects.js';

/** One token of a NATS subject: not empty, no separator, no wildcard, no whitespace or control character. */
const SUBJECT_TOKEN = /^[\x21-\x7e]+$/;
const isSubjectToken = (token: string): boolean => SUBJECT_TOKEN.test(token) && !token.includes('.') && token !== '*' && token !== '>';

/** Any well-formed string: every Unicode code point, none of the lone surrogates UTF-8 cannot carry. */
const anyId = fc.string({ unit: 'binary', minLength: 1, maxLength: 64 });
const identifier = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,128}$/);

describe('strategy tokens', () => {
  it('give back the strategy id they were made from, for any string', () => {
    fc.assert(fc.property(anyId, (id) => {
        expect(strategyFromToken(strategyToken(id))).toBe(id);
      }),
    );
  });

  it('are one valid subject token, for any string', () => {
    fc.assert(fc.property(anyId, (id) => {
        expect(isSubjectToken(strategyToken(id))).toBe(true);
      }),
    );
  });

  it('keep [A-Za-z0-9_-] as they are and spell every other UTF-8 byte ~hh', () => {
    expect(strategyToken('btc_momentum-2')).toBe('btc_momentum-2');
    expect(strategyToken('desk.a:b')).toBe('desk~2ea~3ab');
    expect(strategyToken('é~')).toBe('~c3~a9~7e');
  });

  it('are refused when not the canonical spelling of an id, so the mapping stays one to one', () => {
    for (const token of ['', '~41', '~2E', '~zz', 'a.b', '~c3', 'a b']) expect(() => strategyFromToken(token), token).toThrow(RangeError);
  });

  it('are not made for an empty id or a lone surrogate', () => {
    expect(() => strategyToken('')).toThrow(RangeError);
    expect(() => strategyToken('a\uD800')).toThrow(RangeError);
  });
});

describe('partitions', () => {
  it('are in range and the same on every call', () => {
    fc.assert(
      fc.property(anyId, fc.integer({ min: 1, max: 1024 }), (id, partitions) => {
        const k = partitionOf(id, partitions);
        expect(Number.isInteger(k) && k >= 0 && k < partitions).toBe(true);
        expect(partitionOf(id, partitions)).toBe(k);
      }),
    );
  });

  it('are FNV-1a 32 of the UTF-8 modulo the count (what other languages compute too)', () => {
    // FNV-1a 32 reference values: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968
    expect(partitionOf('a', 2 ** 32 - 1)).toBe(0xe40c292c);
    expect(partitionOf('foobar', 2 ** 32 - 1)).toBe(0xbf9cf968);
    expect(partitionOf('foobar', 16)).toBe(0xbf9cf968 % 16);
  });

  it('refuse a count that is not a positive integer', () => {
    for (const partitions of [0, -1, 1.5, Number.NaN]) expect(() => partitionOf('a', partitions)).toThrow(RangeError);
  });
});

describe('subjects', () => {
  it('put a directive on its partition and strategy, and read both back', () => {
    fc.assert(
      fc.property(identifier, fc.integer({ min: 1, max: 64 }), (id, partitions) => {
        const subject = directiveSubject('planexec', id, partitions);
        expect(subject.startsWith(`planexec.directives.p${partitionOf(id, partitions)}.`)).toBe(true);
        expect(subject.split('.')).toHaveLength(4);
        expect(parseDirectiveSubject('planexec', subject)).toEqual({ partition: partitionOf(id, partitions), strategyId: id });
      }),
    );
  });

  it('name the prefix, the partition filter and the events', () => {
    expect(subjectPrefix('PLANEXEC')).toBe('planexec');
    expect(partitionFilter('planexec', 3)).toBe('planexec.directives.p3.>');
    expect(eventSubject('planexec', 'TRADE_EXECUTED')).toBe('planexec.events.TRADE_EXECUTED');
    expect(() => subjectPrefix('PLAN.EXEC')).toThrow(RangeError);
    expect(() => eventSubject('planexec', 'TRADE.EXECUTED')).toThrow(RangeError);
  });

  it('are not read as directives when they are something else', () => {
    for (const subject of ['planexec.events.X', 'planexec.directives.p01.a', 'planexec.directives.p1.a.b', 'planexec.directives.px.a', 'other.directives.p1.a']) {
      expect(parseDirectiveSubject('planexec', subject), subject).toBeNull();
    }
  });
});
