import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { PlanexecError } from '../domain/errors.js';
import type { Bar } from './bar.js';
import { BAR_FIELDS, BarRowChecker, newCellSpans, type BarField, type CellSpans } from './bar-rows.js';
import { parseSymbol } from './price-cells.js';
import { PriceFileError } from './price-file-error.js';

/** Bars per yielded chunk: big enough that the async step costs nothing per bar, small enough to stay flat in memory. */
export const BAR_CHUNK_SIZE = 4096;

export interface BarFileOptions {
  /** The file's symbol (BTC/USDT or BTC_USDT): needed when it has no symbol column, checked against every row when it has one. */
  readonly symbol?: string;
  /** Bars per chunk (default BAR_CHUNK_SIZE). */
  readonly chunkSize?: number;
}

/** Turns one content line, `text.slice(start, end)`, into a bar, or into nothing (a CSV header). */
type LineReader = (text: string, start: number, end: number, line: number) => Bar | undefined;

function requiredFields(symbol: string | undefined): readonly BarField[] {
  return symbol === undefined ? BAR_FIELDS : BAR_FIELDS.filter((f) => f !== 'symbol');
}

/** Narrows spans[k], spans[k + 1] to the cell without surrounding blanks. */
function trimSpan(text: string, spans: CellSpans, k: number): void {
  let start = spans[k] as number;
  let end = spans[k + 1] as number;
  while (start < end && text.charCodeAt(start) <= 32) start++;
  while (end > start && text.charCodeAt(end - 1) <= 32) end--;
  spans[k] = start;
  spans[k + 1] = end;
}

interface CsvHeader {
  readonly names: readonly string[];
  /** The column of each of BAR_FIELDS, -1 when absent. */
  readonly columnOf: Int32Array;
}

function csvHeader(file: string, symbol: string | undefined, text: string, line: number): CsvHeader {
  const names = text.split(',').map((c) => c.trim().toLowerCase());
  if (!names.includes('timestamp')) {
    throw new PriceFileError(file, line, '', `the first line must be a header naming the columns (${BAR_FIELDS.join(',')}); got "${text}"`, 'header');
  }
  const missing = requiredFields(symbol).filter((f) => !names.includes(f));
  if (missing.length > 0) {
    const hint = symbol === undefined && missing.includes('symbol') ? ' (or name the one symbol of the file: planexec backtest --symbol)' : '';
    throw new PriceFileError(file, line, missing.join(', '), `missing from the header "${text}"${hint}`, 'header_columns');
  }
  const twice = names.find((n, i) => n !== '' && names.indexOf(n) !== i);
  if (twice !== undefined) throw new PriceFileError(file, line, twice, `named twice in the header "${text}"`, 'header_columns');
  return { names, columnOf: Int32Array.from(BAR_FIELDS, (f) => names.indexOf(f)) };
}

/** CSV: the first content line names the columns (any order, any case); further columns are ignored. */
function csvReader(file: string, symbol: string | undefined): LineReader {
  let header: CsvHeader | undefined;
  let starts = new Int32Array(0);
  let ends = new Int32Array(0);
  const spans = newCellSpans();
  const column = (field: BarField): string => {
    const at = header === undefined ? -1 : (header.columnOf[BAR_FIELDS.indexOf(field)] as number);
    return at < 0 ? field : `${at + 1} (${field})`;
  };
  const checker = new BarRowChecker(file, symbol, column);

  const wrongCount = (text: string, start: number, end: number, line: number, names: readonly string[]): PriceFileError => {
    const count = text.slice(start, end).split(',').length;
    const at = Math.min(count, names.length) + 1;
    const name = names[at - 1];
    return new PriceFileError(file, line, name === undefined ? String(at) : `${at} (${name})`, `this row has ${count} cells, the header names ${names.length}`, 'cells');
  };

  return (text, start, end, line) => {
    if (header === undefined) {
      header = csvHeader(file, symbol, text.slice(start, end), line);
      starts = new Int32Array(header.names.length);
      ends = new Int32Array(header.names.length);
      return undefined;
    }
    const last = header.names.length - 1;
    let pos = start;
    for (let k = 0; k < last; k++) {
      const comma = text.indexOf(',', pos);
      if (comma === -1 || comma >= end) throw wrongCount(text, start, end, line, header.names);
      starts[k] = pos;
      ends[k] = comma;
      pos = comma + 1;
    }
    const extra = text.indexOf(',', pos);
    if (extra !== -1 && extra < end) throw wrongCount(text, start, end, line, header.names);
    starts[last] = pos;
    ends[last] = end;
    const columnOf = header.columnOf;
    for (let f = 0; f < BAR_FIELDS.length; f++) {
      const col = columnOf[f] as number;
      if (col < 0) {
        spans[2 * f] = -1;
        continue;
      }
      spans[2 * f] = starts[col] as number;
      spans[2 * f + 1] = ends[col] as number;
      trimSpan(text, spans, 2 * f);
    }
    return checker.bar(line, text, spans);
  };
}

function jsonCell(row: Record<string, unknown>, field: BarField, checker: BarRowChecker, line: number): string | undefined {
  let value = row[field];
  if (value === undefined) {
    const key = Object.keys(row).find((k) => k.toLowerCase() === field);
    value = key === undefined ? undefined : row[key];
  }
  if (value === undefined || typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw checker.fail(line, field, 'json_type', `${JSON.stringify(value)} is neither a number nor a string`);
}

/** JSON Lines: one object per line with the bar's keys (any case); numbers or strings. */
function jsonLinesReader(file: string, symbol: string | undefined): LineReader {
  const checker = new BarRowChecker(file, symbol, (field) => field);
  const spans = newCellSpans();
  return (text, start, end, line) => {
    let row: unknown;
    try {
      row = JSON.parse(text.slice(start, end));
    } catch (error) {
      throw new PriceFileError(file, line, '', `not JSON: ${(error as Error).message}`, 'json');
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new PriceFileError(file, line, '', 'expected one JSON object per line', 'json');
    // the cells one after another in one string, so the checker reads them as it reads CSV
    let cells = '';
    for (let f = 0; f < BAR_FIELDS.length; f++) {
      const cell = jsonCell(row as Record<string, unknown>, BAR_FIELDS[f] as BarField, checker, line);
      if (cell === undefined) {
        spans[2 * f] = -1;
        continue;
      }
      spans[2 * f] = cells.length;
      cells += cell;
      spans[2 * f + 1] = cells.length;
      trimSpan(cells, spans, 2 * f);
    }
    return checker.bar(line, cells, spans);
  };
}

/** Whether the line holds something: not blank, not a `#` comment. */
function isContent(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && text.charCodeAt(i) <= 32) i++;
  return i < end && text.charCodeAt(i) !== 35;
}

/** The symbol a caller gave, in BASE_QUOTE form. */
function givenSymbol(symbol: string | undefined): string | undefined {
  if (symbol === undefined) return undefined;
  const parsed = parseSymbol(symbol);
  if (parsed === undefined) throw new PlanexecError(`"${symbol}" is not a symbol like BTC_USDT or BTC/USDT`, { code: 'INVALID_SYMBOL', details: { symbol } });
  return parsed;
}

/**
 * Streams an OHLCV bar file, CSV with a header or JSON Lines (`.jsonl`, `.ndjson`), and yields its
 * bars in file order in chunks of up to `chunkSize`. Every row is checked (docs/price-data.md);
 * the first bad one throws a PriceFileError naming the file, line, column and rule. A file
 * without bars throws too. Memory stays flat whatever the file's size.
 */
export async function* readBarFile(path: string, options: BarFileOptions = {}): AsyncGenerator<Bar[], void, undefined> {
  const symbol = givenSymbol(options.symbol);
  const size = options.chunkSize ?? BAR_CHUNK_SIZE;
  const jsonLines = ['.jsonl', '.ndjson'].includes(extname(path).toLowerCase());
  const read = jsonLines ? jsonLinesReader(path, symbol) : csvReader(path, symbol);
  let chunk: Bar[] = [];
  let count = 0;
  let line = 0;
  let rest = '';
  const take = (text: string, start: number, end: number): void => {
    line += 1;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (!isContent(text, start, stop)) return;
    const bar = read(text, start, stop, line);
    if (bar !== undefined) chunk.push(bar);
  };
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    for await (const piece of stream as AsyncIterable<string>) {
      let start = 0;
      let nl = piece.indexOf('\n');
      if (rest !== '' && nl !== -1) {
        // the line across two pieces is read on its own, so each piece is read where it lies (flat, never concatenated)
        const line = rest + piece.slice(0, nl);
        take(line, 0, line.length);
        rest = '';
        start = nl + 1;
        nl = piece.indexOf('\n', start);
        if (chunk.length >= size) {
          count += chunk.length;
          yield chunk;
          chunk = [];
        }
      }
      for (; nl !== -1; nl = piece.indexOf('\n', start)) {
        take(piece, start, nl);
        start = nl + 1;
        if (chunk.length >= size) {
          count += chunk.length;
          yield chunk;
          chunk = [];
        }
      }
      rest += piece.slice(start);
    }
  } catch (error) {
    if (error instanceof PriceFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new PlanexecError(`cannot read price file ${path}: ${code ?? (error as Error).message}`, { code: 'PRICE_FILE_UNREADABLE', cause: error });
  }
  if (rest !== '') take(rest, 0, rest.length);
  count += chunk.length;
  if (count === 0) throw new PriceFileError(path, 0, '', line === 0 ? 'no bars: the file is empty' : `no bars in its ${line} line(s)`, 'empty');
  if (chunk.length > 0) yield chunk;
}
