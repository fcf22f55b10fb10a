import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { Decimal } from '../domain/decimal.js';
import { PlanexecError } from '../domain/errors.js';
import { parseSymbol, parseTimeMs, timeProblem } from './price-cells.js';
import { PriceFileError } from './price-file-error.js';

export { PriceFileError };

/** One row of a price file, checked. */
export interface PriceRow {
  readonly line: number;
  readonly at: string;
  readonly symbol: string;
  readonly price: Decimal;
}

const TICK_COLUMNS = ['timestamp', 'symbol', 'price'] as const;
const BAR_COLUMNS = ['timestamp', 'symbol', 'open', 'high', 'low', 'close', 'volume'] as const;
const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

type Cell = (column: string, message: string) => PriceFileError;

function timestamp(text: string, fail: Cell): string {
  const ms = parseTimeMs(text);
  if (Number.isNaN(ms)) throw fail('timestamp', timeProblem(text));
  return new Date(ms).toISOString();
}

function symbol(text: string, fail: Cell): string {
  const parsed = parseSymbol(text);
  if (parsed === undefined) throw fail('symbol', `"${text}" is not a symbol like BTC_USDT`);
  return parsed;
}

function price(text: string, column: string, fail: Cell): Decimal {
  if (!DECIMAL.test(text)) throw fail(column, `"${text}" is not a plain decimal number`);
  const value = new Decimal(text);
  if (value.isZero()) throw fail(column, 'a price must be greater than 0');
  return value;
}

/** A CSV row's cells by column name, after the arity check. */
function csvCells(cells: readonly string[], fail: Cell): Record<string, string> {
  const names = cells.length === TICK_COLUMNS.length ? TICK_COLUMNS : cells.length === BAR_COLUMNS.length ? BAR_COLUMNS : null;
  if (names === null) throw fail(String(cells.length), `expected 3 columns (timestamp,symbol,price) or 7 (timestamp,symbol,open,high,low,close,volume), got ${cells.length}`);
  return Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
}

function jsonCells(text: string, fail: Cell): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw fail('1', `not JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw fail('1', 'expected one JSON object per line');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
  }
  return out;
}

/** The cells in the order they are checked, each check naming its own column on failure. */
function rowOf(cells: Record<string, string>, line: number, fail: Cell): PriceRow {
  const need = (name: string): string => {
    const value = cells[name];
    if (value === undefined || value.trim() === '') throw fail(name, 'missing');
    return value.trim();
  };
  const at = timestamp(need('timestamp'), fail);
  const sym = symbol(need('symbol'), fail);
  const isBar = cells.close !== undefined;
  const value = price(need(isBar ? 'close' : 'price'), isBar ? 'close' : 'price', fail);
  return { line, at, symbol: sym, price: value };
}

/**
 * Read a price file: CSV (`timestamp,symbol,price` rows, or OHLCV bars
 * `timestamp,symbol,open,high,low,close,volume` whose close is the price; an optional header line
 * naming the columns) or JSON Lines (`.jsonl`/`.ndjson`: objects with the same keys). Timestamps
 * are ISO-8601 (UTC when no offset is given) or epoch milliseconds. Blank lines and `#` comments are skipped. Throws
 * PriceFileError at the first bad row.
 */
export function readPriceFile(path: string): PriceRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PlanexecError(`cannot read price file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { code: 'PRICE_FILE_UNREADABLE', cause: error });
  }
  const jsonLines = ['.jsonl', '.ndjson'].includes(extname(path).toLowerCase());
  const rows: PriceRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').trim();
    const line = i + 1;
    if (raw === '' || raw.startsWith('#')) continue;
    if (!jsonLines && rows.length === 0 && raw.toLowerCase().startsWith('timestamp,')) continue;
    const fail: Cell = (column, message) => new PriceFileError(path, line, column, message);
    if (jsonLines) {
      rows.push(rowOf(jsonCells(raw, fail), line, fail));
      continue;
    }
    const cells = csvCells(raw.split(',').map((c) => c.trim()), fail);
    // CSV columns are named by position and name: "column 3 (price)"
    const names = Object.keys(cells);
    rows.push(rowOf(cells, line, (column, message) => fail(`${names.indexOf(column) + 1} (${column})`, message)));
  }
  if (rows.length === 0) throw new PlanexecError(`price file ${path} has no price rows`, { code: 'PRICE_FILE_EMPTY' });
  return rows;
}

/** `file:<name>` for logs and errors. */
export function priceFileSourceName(path: string): string {
  return `file:${basename(path)}`;
}
