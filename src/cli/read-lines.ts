import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { MAX_DIRECTIVE_BYTES } from '../domain/directive.js';

/** Bytes of an over-long line kept to show what it was (the journal keeps 4 KiB of rejected input). */
export const OVERSIZE_PREFIX_BYTES = 4 * 1024;

/** One non-blank input line with its 1-based line number. */
export interface InputLine {
  readonly line: number;
  /** The line without its line end; for an over-long line, its first OVERSIZE_PREFIX_BYTES only. */
  readonly text: string;
  /** Bytes of the whole line, without its line end. */
  readonly bytes: number;
  /** Set when the line is over the limit: it was discarded as it streamed, never held whole. */
  readonly oversize?: { readonly bytes: number; readonly sha256: string };
}

/** What was left in the input after reading stopped: its non-blank lines, counted, not kept. */
export interface RestOfInput {
  readonly count: number;
  readonly firstLine: number | null;
  /** False when counting was stopped before the end of the input. */
  readonly complete: boolean;
}

export interface LineReaderOptions {
  /** A longer line is discarded as it streams and reported as `oversize`. @default MAX_DIRECTIVE_BYTES */
  readonly maxLineBytes?: number;
}

interface RawLine {
  readonly line: number;
  /** The line (CR and a leading BOM removed), or the kept prefix when oversize. */
  readonly content: Buffer;
  readonly bytes: number;
  readonly sha256: string | null;
}

/** A line read so far: its bytes while under the limit, then only a prefix and a running hash. */
interface PartialLine {
  parts: Buffer[];
  held: number;
  total: number;
  last: number;
  prefix: Buffer | null;
  hasher: Hash | null;
}

function emptyPartial(): PartialLine {
  return { parts: [], held: 0, total: 0, last: -1, prefix: null, hasher: null };
}

const LF = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Stops a wait when `signal` aborts; resolves to `null` then. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T | null> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.resolve(null);
  return new Promise<T | null>((resolve, reject) => {
    const onAbort = (): void => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * The lines of a JSON Lines stream, split on LF as bytes arrive (CRLF and a leading byte-order
 * mark are tolerated; blank lines are skipped but counted). A line over the limit is never held
 * whole: once it passes the limit the rest of it is hashed and dropped as it streams, so memory
 * stays flat whatever the input. Reading can stop early (`lines(signal)`) and then `countRest`
 * counts what was left, streaming, from exactly where reading stopped.
 */
export class LineReader {
  readonly #chunks: AsyncIterator<Buffer | string>;
  readonly #max: number;
  /** The chunk being split and where in it the next line starts. */
  #chunk: Buffer = Buffer.alloc(0);
  #offset = 0;
  /** A `next()` that an abort left waiting: the next read takes its result. */
  #waiting: Promise<IteratorResult<Buffer | string>> | null = null;
  #ended = false;
  #line = 0;
  /** The line being read: kept across calls, so a stop in the middle of a line loses nothing. */
  #partial: PartialLine = emptyPartial();
  #rest: RestOfInput | null = null;

  constructor(input: Readable, options: LineReaderOptions = {}) {
    this.#chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
    this.#max = options.maxLineBytes ?? MAX_DIRECTIVE_BYTES;
  }

  /** Non-blank lines, in order; ends early, at once, when `signal` aborts (even while waiting for input). */
  async *lines(signal?: AbortSignal): AsyncGenerator<InputLine> {
    while (!signal?.aborted) {
      const raw = await this.#nextLine(signal, true);
      if (raw === null) return;
      if (raw.sha256 !== null) {
        yield { line: raw.line, text: prefixText(raw.content), bytes: raw.bytes, oversize: { bytes: raw.bytes, sha256: raw.sha256 } };
        continue;
      }
      const text = raw.content.toString('utf8');
      if (text.trim() === '') continue;
      yield { line: raw.line, text, bytes: raw.bytes };
    }
  }

  /** Counts the non-blank lines not read yet (an over-long line counts as one), keeping none of them. */
  async countRest(signal?: AbortSignal): Promise<RestOfInput> {
    this.#rest = { count: 0, firstLine: null, complete: false };
    for (;;) {
      if (signal?.aborted) return this.#rest;
      const raw = await this.#nextLine(signal, false);
      if (raw === null) {
        this.#rest = { ...this.#rest, complete: this.#ended };
        return this.#rest;
      }
      if (raw.bytes <= this.#max && isBlank(raw.content)) continue;
      this.#rest = { count: this.#rest.count + 1, firstLine: this.#rest.firstLine ?? raw.line, complete: false };
    }
  }

  /** What `countRest` has counted so far (null before it started): for a summary that cannot wait for it. */
  get counted(): RestOfInput | null {
    return this.#rest;
  }

  /** The next line, or null at the end of input (or on abort: the partial line is kept for the next call). */
  async #nextLine(signal: AbortSignal | undefined, hash: boolean): Promise<RawLine | null> {
    const partial = this.#partial;
    for (;;) {
      if (this.#offset >= this.#chunk.length) {
        if (this.#ended) {
          if (partial.total === 0) return null;
          break;
        }
        if ((await this.#read(signal)) === null) return null;
        continue;
      }
      const end = this.#chunk.indexOf(LF, this.#offset);
      const stop = end === -1 ? this.#chunk.length : end;
      const piece = this.#chunk.subarray(this.#offset, stop);
      this.#offset = end === -1 ? stop : end + 1;
      if (piece.length > 0) {
        partial.total += piece.length;
        partial.last = piece[piece.length - 1]!;
        if (partial.prefix === null) {
          partial.parts.push(piece);
          partial.held += piece.length;
          // + 3 for a byte-order mark, + 1 for a CR: past this the line's own bytes are over the limit
          if (partial.held > this.#max + 4) {
            const whole = Buffer.concat(partial.parts);
            partial.parts = [];
            partial.prefix = Buffer.from(whole.subarray(0, OVERSIZE_PREFIX_BYTES + 3));
            if (hash) partial.hasher = createHash('sha256').update(whole);
          }
        } else {
          partial.hasher?.update(piece);
        }
      }
      if (end !== -1) break;
    }
    this.#partial = emptyPartial();
    this.#line += 1;
    const line = this.#line;
    if (partial.prefix !== null) {
      const bom = line === 1 && partial.prefix.subarray(0, 3).equals(BOM) ? 3 : 0;
      const bytes = partial.total - bom - (partial.last === CR ? 1 : 0);
      return { line, content: partial.prefix.subarray(bom), bytes, sha256: partial.hasher?.digest('hex') ?? '' };
    }
    const content = strip(partial.parts.length === 1 ? partial.parts[0]! : Buffer.concat(partial.parts), line);
    if (content.length > this.#max) {
      // over by at most a few bytes: held whole, but reported like any over-long line
      return { line, content: content.subarray(0, OVERSIZE_PREFIX_BYTES + 3), bytes: content.length, sha256: hash ? createHash('sha256').update(content).digest('hex') : '' };
    }
    return { line, content, bytes: content.length, sha256: null };
  }

  /** Loads the next chunk: 'more', 'end' at the end of input, null when `signal` aborted the wait. */
  async #read(signal: AbortSignal | undefined): Promise<'more' | 'end' | null> {
    if (this.#waiting === null) {
      this.#waiting = this.#chunks.next();
      // an abort may leave it waiting when the input is then destroyed: its rejection is nobody's error
      this.#waiting.catch(() => undefined);
    }
    const result = await abortable(this.#waiting, signal);
    if (result === null) return null;
    this.#waiting = null;
    if (result.done) {
      this.#ended = true;
      return 'end';
    }
    this.#chunk = typeof result.value === 'string' ? Buffer.from(result.value, 'utf8') : result.value;
    this.#offset = 0;
    return 'more';
  }
}

/** The line without a leading BOM (line 1) and without its trailing CR. */
function strip(buffer: Buffer, line: number): Buffer {
  const from = line === 1 && buffer.subarray(0, 3).equals(BOM) ? 3 : 0;
  const to = buffer.length > from && buffer[buffer.length - 1] === CR ? buffer.length - 1 : buffer.length;
  return buffer.subarray(from, to);
}

/** The kept start of an over-long line as text, cut at a character boundary. */
function prefixText(prefix: Buffer): string {
  return prefix.subarray(0, OVERSIZE_PREFIX_BYTES).toString('utf8').replace(/\uFFFD+$/, '');
}

function isBlank(content: Buffer): boolean {
  for (const byte of content) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== CR && byte !== 0x0b && byte !== 0x0c) return content.toString('utf8').trim() === '';
  }
  return true;
}

/**
 * The lines of a JSON Lines stream, numbered from 1 (blank lines are skipped but counted, CRLF
 * and a leading byte-order mark are tolerated). Stops early when `signal` aborts.
 */
export function readInputLines(input: Readable, signal?: AbortSignal, options: LineReaderOptions = {}): AsyncGenerator<InputLine> {
  return new LineReader(input, options).lines(signal);
}
