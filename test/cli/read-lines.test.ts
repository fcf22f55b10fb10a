import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type InputLine, readInputLines } from '../../src/cli/read-lines.js';

async function collect(text: string, signal?: AbortSignal): Promise<InputLine[]> {
  const out: InputLine[] = [];
  for await (const line of readInputLines(Readable.from([text]), signal)) out.push(line);
  return out;
}

describe('readInputLines', () => {
  it('numbers lines from 1, skipping blank ones but counting them', async () => {
    expect(await collect('a\n\n  \nb\nc')).toEqual([
      { line: 1, text: 'a' },
      { line: 4, text: 'b' },
      { line: 5, text: 'c' },
    ]);
  });

  it('tolerates CRLF and a byte-order mark', async () => {
    expect(await collect('\uFEFF{"a":1}\r\n{"b":2}\r\n')).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, text: '{"b":2}' },
    ]);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const out: InputLine[] = [];
    for await (const line of readInputLines(Readable.from(['1\n2\n3\n4\n']), controller.signal)) {
      out.push(line);
      if (line.line === 2) controller.abort();
    }
    expect(out.map((l) => l.text)).toEqual(['1', '2']);
  });
});
