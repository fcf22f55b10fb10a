import { closeSync, openSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import ccxt, { type Exchange, type OHLCV } from 'ccxt';
import { TransientError, VenueRejected } from '../domain/errors.js';
import type { Bar } from './bar.js';
import { BAR_CSV_HEADER, barCsvLine, isoTime } from './bar-csv.js';
import { barShapeProblem } from './bar-rows.js';
import { decimalTextOfNumber } from './price-cells.js';

export interface OhlcvDownload {
  readonly exchange: Exchange;
  /** ccxt's unified symbol (BTC/USDT) and planexec's (BTC_USDT). */
  readonly ccxtSymbol: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly timeframeMs: number;
  /** First bar's earliest open time, and the exclusive end (epoch ms). */
  readonly sinceMs: number;
  readonly untilMs: number;
  /** Bars per request (the exchange's maximum). */
  readonly pageLimit: number | undefined;
  readonly out: string;
  /** The file already holds bars: append without a header. */
  readonly append: boolean;
  /** Stops after the page in flight, leaving a whole file. */
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  /** After each page is on disk. */
  readonly onPage?: (bars: number, lastMs: number | undefined) => void;
  /** Waits between attempts of a request that failed on the network. @default [1000, 2000, 4000] */
  readonly retryDelaysMs?: readonly number[];
}

export interface OhlcvDownloadResult {
  readonly bars: number;
  readonly firstMs: number | undefined;
  readonly lastMs: number | undefined;
  readonly interrupted: boolean;
}

/** ccxt's floats as decimal text: the shortest text that reads back as the same double (docs/price-data.md). */
function barOfRow(job: OhlcvDownload, row: OHLCV): Bar {
  const [atMs, ...values] = row;
  const texts = values.map((v) => (typeof v === 'number' ? decimalTextOfNumber(v) : undefined));
  const [open, high, low, close, volume] = texts;
  const at = isoTime(atMs ?? 0);
  const refuse = (why: string) => new VenueRejected(`${job.exchange.id} returned a ${job.ccxtSymbol} bar at ${at} that cannot be kept: ${why}`, 'OHLCV_INVALID');
  if (open === undefined || high === undefined || low === undefined || close === undefined || volume === undefined) {
    throw refuse(`open, high, low, close and volume must be numbers not below 0, got ${JSON.stringify(values)}`);
  }
  const [o, h, l, c] = [open, high, low, close].map(Number) as [number, number, number, number];
  if (o === 0 || h === 0 || l === 0 || c === 0) throw refuse(`a price is 0: ${JSON.stringify(values)}`);
  const shape = barShapeProblem(o, h, l, c);
  if (shape !== undefined) throw refuse(`${shape.field} ${shape.field === 'high' ? high : low} ${shape.field === 'high' ? 'is below' : 'is above'} ${shape.other}`);
  return { symbol: job.symbol, atMs: atMs as number, open, high, low, close, volume, o, h, l, c, source: `${job.exchange.id}:${atMs}` };
}

/** One fetchOHLCV, asked again after a network failure (rate limit, timeout, unavailable); other errors as planexec errors. */
async function fetchPage(job: OhlcvDownload, since: number): Promise<OHLCV[]> {
  const delays = job.retryDelaysMs ?? [1000, 2000, 4000];
  for (let attempt = 0; ; attempt++) {
    try {
      return await job.exchange.fetchOHLCV(job.ccxtSymbol, job.timeframe, since, job.pageLimit);
    } catch (error) {
      const what = `${job.exchange.id} fetchOHLCV ${job.ccxtSymbol} ${job.timeframe} since ${isoTime(since)}`;
      if (error instanceof ccxt.NetworkError) {
        const delay = delays[attempt];
        if (delay !== undefined && job.signal?.aborted !== true) {
          await sleep(delay);
          continue;
        }
        throw new TransientError(`${what}: ${error.message}`, 'OHLCV_UNAVAILABLE', undefined, error);
      }
      if (error instanceof ccxt.BaseError) throw new VenueRejected(`${what}: ${error.message}`, 'OHLCV_REFUSED', undefined, error);
      throw error;
    }
  }
}

/**
 * Downloads closed bars in [sinceMs, untilMs) page by page (each page starts after the last bar
 * written), appending each page to `out` in one write so the file is always whole lines. Bars
 * still open at `now` are left for a later run.
 */
export async function downloadOhlcv(job: OhlcvDownload): Promise<OhlcvDownloadResult> {
  const now = job.now ?? Date.now;
  const fd = openSync(job.out, 'a');
  let bars = 0;
  let firstMs: number | undefined;
  let lastMs: number | undefined;
  try {
    if (!job.append) writeSync(fd, `${BAR_CSV_HEADER}\n`);
    let cursor = job.sinceMs;
    while (cursor < job.untilMs && job.signal?.aborted !== true) {
      const lastClosed = now() - job.timeframeMs;
      if (cursor > lastClosed) break;
      const page = await fetchPage(job, cursor);
      let text = '';
      for (const row of page) {
        const atMs = row[0];
        if (atMs === undefined || atMs < cursor || (lastMs !== undefined && atMs <= lastMs) || atMs >= job.untilMs || atMs > lastClosed) continue;
        text += `${barCsvLine(barOfRow(job, row))}\n`;
        firstMs ??= atMs;
        lastMs = atMs;
        bars += 1;
      }
      if (text !== '') writeSync(fd, text);
      job.onPage?.(bars, lastMs);
      const pageLast = page[page.length - 1]?.[0];
      if (pageLast === undefined || pageLast < cursor) break;
      cursor = pageLast + job.timeframeMs;
    }
  } finally {
    closeSync(fd);
  }
  return { bars, firstMs, lastMs, interrupted: job.signal?.aborted === true };
}

/** The exchange's most bars per fetchOHLCV request, when ccxt knows it. */
export function ohlcvPageLimit(exchange: Exchange): number | undefined {
  const features = (exchange as unknown as { features?: { spot?: { fetchOHLCV?: { limit?: unknown } } } }).features;
  const limit = features?.spot?.fetchOHLCV?.limit;
  return typeof limit === 'number' && limit > 0 ? limit : undefined;
}
