import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellText, csvField, csvRecord, guardFormula } from '../../src/app/export/csv.js';
import { parseCsv } from '../support/csv-reader.js';

/** Text with the characters CSV and spreadsheets care about over-represented. */
const tricky = fc.string({ unit: fc.constantFrom(',', '"', '\r', '\n', '=', '+', '-', '@', '\t', "'", 'a', 'Z', '1', '.', ' ', 'é', '€', '😀') });
const anyText = fc.oneof(tricky, fc.string(), fc.string({ unit: 'grapheme' }));

describe('CSV fields (RFC 4180)', () => {
  it('leaves plain text unquoted and quotes text holding a comma, a quote, CR or LF, doubling its quotes', () => {
    expect(csvField('BTC_USDT')).toBe('BTC_USDT');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvRecord(['a', 'b,c', ''])).toBe('a,"b,c",\r\n');
  });

  it('round-trips any record of any text through an independent RFC 4180 reader', () => {
    fc.assert(
      fc.property(fc.array(fc.array(anyText, { minLength: 1, maxLength: 6 }), { maxLength: 5 }), (records) => {
        const text = records.map(csvRecord).join('');
        expect(parseCsv(text)).toEqual(records);
      }),
      { numRuns: 400 },
    );
  });

  it('reads every wire value back as its cell text: formula-like text with one leading quote, nothing else changed', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyText, fc.constant(null), fc.boolean(), fc.integer()), { minLength: 1, maxLength: 8 }), (values) => {
        const [parsed] = parseCsv(csvRecord(values.map(cellText)));
        expect(parsed).toHaveLength(values.length);
        values.forEach((value, i) => {
          const cell = parsed![i]!;
          if (value === null) expect(cell).toBe('');
          else if (typeof value !== 'string') expect(cell).toBe(String(value));
          else if (/^[=+\-@\t\r]/.test(value) && !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value)) expect(cell).toBe(`'${value}`);
          else expect(cell).toBe(value);
        });
      }),
      { numRuns: 400 },
    );
  });
});

describe('spreadsheet formula injection', () => {
  it('prefixes text starting with = + - @ (and tab or CR) with a quote so a spreadsheet shows it as text', () => {
    for (const attack of ['=HYPERLINK("http://x","y")', '+cmd|/C calc', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '-', '+']) {
      expect(guardFormula(attack)).toBe(`'${attack}`);
    }
  });

  it('leaves numbers as written, signed or not, so decimals stay exactly the wire text', () => {
    for (const number of ['-12.5', '+3', '-0.00000001', '-1e-7', '42', '.5', '-.5', '0']) expect(guardFormula(number)).toBe(number);
    expect(cellText('-104.72')).toBe('-104.72');
  });

  it('writes null as an empty cell, objects as JSON, and leaves other text alone', () => {
    expect(cellText(null)).toBe('');
    expect(cellText({ USDT: '1.5' })).toBe('{"USDT":"1.5"}');
    expect(cellText(false)).toBe('false');
    expect(cellText(17)).toBe('17');
    expect(cellText('TAKE_PROFIT')).toBe('TAKE_PROFIT');
    expect(cellText("it's fine")).toBe("it's fine");
  });
});
