import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/cli/table.js';

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
});
