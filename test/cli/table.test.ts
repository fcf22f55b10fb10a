import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { renderTable } from '../../src/cli/table.js';
import { printable } from '../../src/domain/printable.js';

describe('renderTable', () => {
  it('pads columns to their widest cell and right-aligns numbers', () => {
    const text = renderTable<[string, number]>(
      [
        { header: 'name', value: (r) => r[0] },
        { header: 'n', value: (r) => String(r[1]), align: 'right' },
      ],
      [
        ['alpha', 1],
        ['b', 1234],
      ],
    );
    expect(text.split('\n')).toEqual(['name      n', 'alpha     1', 'b      1234']);
  });

  it('cuts long cells with an ellipsis and flattens whitespace', () => {
    const text = renderTable<string>([{ header: 'x', value: (r) => r, maxWidth: 5 }], ['a\nb', 'abcdefgh']);
    expect(text.split('\n')).toEqual(['x', 'a b', 'abcd…']);
  });

  it('shows ESC and the other C0/C1 controls escaped in every cell, so no cell drives the terminal', () => {
    const text = renderTable<string>([{ header: 'x', value: (r) => r }], ['\u001b[31mred\u001b[0m', 'bell\u0007 del\u007f csi\u009b']);
    expect(text.split('\n')).toEqual(['x', '\\u001b[31mred\\u001b[0m', 'bell\\u0007 del\\u007f csi\\u009b']);
  });
});

describe('printable', () => {
  it('escapes every control character and leaves printable text, including non-ASCII, as it is', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).filter((t) => !t.includes('\\')),
        (text) => {
          const shown = printable(text);
          // eslint-disable-next-line no-control-regex
          expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
          expect(shown.replace(/\\u([0-9a-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))).toBe(text);
        },
      ),
    );
    expect(printable('Zürich 65000 → ok')).toBe('Zürich 65000 → ok');
  });
});
