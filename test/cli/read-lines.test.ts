import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type InputLine, LineReader, OVERSIZE_PREFIX_BYTES, readInputLines } from '../../src/cli/read-lines.js';
import { MAX_DIRECTIVE_BYTES } from '../../src/domain/directive.js';

async function collect(input: string | Readable, signal?: AbortSignal, maxLineBytes?: number): Promise<InputLine[]> {
  const out: InputLine[] = [];
  const stream = typeof input === 'string' ? Readable.from([input]) : input;
  for await (const line of readInputLines(stream, signal, { maxLineBytes })) out.push(line);
  return out;
}

const numbered = (lines: InputLine[]) => lines.map(({ line, text }) => ({ line, text }));

/** Splits `bytes` into chunks at the given cut points (as a pipe might deliver them). */
function chunked(bytes: Buffer, cuts: number[]): Readable {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const at of points) {
    chunks.push(bytes.subarray(from, at));
    from = at;
  }
  chunks.push(bytes.subarray(from));
  return Readable.from(chunks.filter((c) => c.length > 0));
}

describe('readInputLines', () => {
  it('numbers lines from 1, skipping blank ones but counting them', async () => {
    expect(numbered(await collect('a\n\n  \nb\nc'))).toEqual([
      { line: 1, text: 'a' },
      { line: 4, text: 'b' },
      { line: 5, text: 'c' },
    ]);
  });

  it('tolerates CRLF and a byte-order mark', async () => {
    expect(await collect('\uFEFF{"a":1}\r\n{"b":2}\r\n')).toEqual([
      { line: 1, text: '{"a":1}', bytes: 7 },
      { line: 2, text: '{"b":2}', bytes: 7 },
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

  it('stops at once when the signal aborts while it waits for input', async () => {
    const input = new PassThrough();
    input.write('{"a":1}\n{"b":'); // the second line is never finished
    const controller = new AbortController();
    const reading = collect(input, controller.signal);
    setTimeout(() => controller.abort(), 20);
    expect(numbered(await reading)).toEqual([{ line: 1, text: '{"a":1}' }]);
    input.destroy();
  });

  it('splits the same lines wherever the chunks are cut, multi-byte characters included', async () => {
    const line = fc.array(fc.constantFrom('a', ' ', '"', 'é', '€', '𝄞', '{', '}', '\r'), { maxLength: 12 }).map((cs) => cs.join(''));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 8 }), fc.array(fc.nat(400), { maxLength: 6 }), async (lines, cuts) => {
        const text = lines.join('\n');
        const expected = text
          .split('\n')
          .map((t, i) => ({ line: i + 1, text: t.endsWith('\r') ? t.slice(0, -1) : t }))
          .filter((l) => l.text.trim() !== '');
        expect(numbered(await collect(chunked(Buffer.from(text, 'utf8'), cuts)))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('readInputLines: the line limit', () => {
  it('accepts a line of exactly the limit (its CRLF and a BOM not counted) and reports one byte more as oversize', async () => {
    const exact = 'x'.repeat(MAX_DIRECTIVE_BYTES);
    const over = 'y'.repeat(MAX_DIRECTIVE_BYTES + 1);
    const lines = await collect(`\uFEFF${exact}\r\n${over}\r\nnext\n`);
    expect(lines.map((l) => [l.line, l.bytes, l.oversize?.bytes ?? null])).toEqual([
      [1, MAX_DIRECTIVE_BYTES, null],
      [2, MAX_DIRECTIVE_BYTES + 1, MAX_DIRECTIVE_BYTES + 1],
      [3, 4, null],
    ]);
    expect(lines[0]!.text).toBe(exact);
  });

  it('reports an over-long line by its size, its hash and its first 4 KiB, and goes on with the next line', async () => {
    const long = `{"rationale":"${'é'.repeat(50_000)}"}`;
    const lines = await collect(chunked(Buffer.from(`${long}\n{"ok":true}\n`), [1000, 70_000, 100_001]));
    expect(lines).toHaveLength(2);
    const [first, second] = lines as [InputLine, InputLine];
    expect(first.line).toBe(1);
    expect(first.oversize).toEqual({ bytes: Buffer.byteLength(long), sha256: createHash('sha256').update(long).digest('hex') });
    expect(Buffer.byteLength(first.text)).toBeLessThanOrEqual(OVERSIZE_PREFIX_BYTES);
    expect(long.startsWith(first.text)).toBe(true); // cut at a character boundary
    expect(second).toEqual({ line: 2, text: '{"ok":true}', bytes: 11 });
  });

  it('keeps memory flat on a 200 MB line: the line is dropped as it streams', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'x'); // the same buffer each time: the source allocates nothing
    const used = (): number => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    globalThis.gc?.();
    const before = used();
    let peak = before;
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from('{"directive_id":"DIR_long","rationale":"');
      for (let i = 0; i < 200; i += 1) {
        peak = Math.max(peak, used());
        yield chunk;
      }
      yield Buffer.from('"}\n{"directive_id":"DIR_next"}\n');
    }
    const lines = await collect(Readable.from(source(), { objectMode: false }));
    expect(lines.map((l) => [l.line, l.oversize !== undefined])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(lines[0]!.bytes).toBeGreaterThan(200 * 1024 * 1024);
    // holding the line would take 200 MB (and twice that as a string)
    expect((peak - before) / (1024 * 1024)).toBeLessThan(40);
  });
});

describe('LineReader.countRest', () => {
  it('counts the non-blank lines left after reading stopped, from exactly where it stopped', async () => {
    const reader = new LineReader(Readable.from(['a\nb\n\nc\n', '   \nd\ne']));
    const controller = new AbortController();
    const read: number[] = [];
    for await (const line of reader.lines(controller.signal)) {
      read.push(line.line);
      if (line.line === 2) controller.abort();
    }
    expect(read).toEqual([1, 2]);
    expect(await reader.countRest()).toEqual({ count: 3, firstLine: 4, complete: true });
  });

  it('counts a line that reading stopped in the middle of, and an over-long line as one', async () => {
    const input = new PassThrough();
    const reader = new LineReader(input, { maxLineBytes: 10 });
    const controller = new AbortController();
    input.write('{"a":1}\n   ');
    const read: InputLine[] = [];
    const reading = (async () => {
      for await (const line of reader.lines(controller.signal)) read.push(line);
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    await reading;
    expect(numbered(read)).toEqual([{ line: 1, text: '{"a":1}' }]);
    // the rest of line 2 arrives after the stop: "   x" is not blank
    input.end('x\n\n0123456789abcdef\n\n');
    expect(await reader.countRest()).toEqual({ count: 2, firstLine: 2, complete: true });
  });

  it('stops counting when its signal aborts and says the count is not complete', async () => {
    const input = new PassThrough();
    const reader = new LineReader(input);
    input.write('a\nb\n');
    const controller = new AbortController();
    const counting = reader.countRest(controller.signal);
    setTimeout(() => controller.abort(), 20);
    expect(await counting).toEqual({ count: 2, firstLine: 1, complete: false });
    expect(reader.counted).toEqual({ count: 2, firstLine: 1, complete: false });
    input.destroy();
  });
});
