import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import type { Command } from 'commander';
import type { Exchange } from 'ccxt';
import { PlanexecError, TransientError } from '../../domain/errors.js';
import { BAR_CSV_HEADER, isoTime } from '../../market-data/bar-csv.js';
import { readBarFile } from '../../market-data/bar-file.js';
import { parseSymbol, parseTimeMs } from '../../market-data/price-cells.js';
import { PriceFileError } from '../../market-data/price-file-error.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode, UsageError } from '../exit-codes.js';

interface DownloadOptions {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly since: string;
  readonly until?: string;
  readonly out: string;
  readonly apiBaseUrl?: string;
  readonly json?: boolean;
}

function time(text: string, flag: string): number {
  const ms = parseTimeMs(text.trim());
  if (Number.isNaN(ms)) throw new UsageError(`${flag} must be an ISO-8601 time or epoch milliseconds, got "${text}"`);
  return ms;
}

/** The exchange, its markets loaded, with every flag that names it checked against what it offers. */
async function openExchange(opts: DownloadOptions, ccxtSymbol: string): Promise<{ exchange: Exchange; timeframeMs: number }> {
  const { openPublicExchange } = await import('../../market-data/ccxt-public.js');
  let exchange: Exchange;
  try {
    exchange = openPublicExchange(opts.exchange, opts.apiBaseUrl);
  } catch (error) {
    if (error instanceof PlanexecError && error.code === 'UNKNOWN_EXCHANGE') throw new UsageError(`--exchange: ${error.message}`);
    throw error;
  }
  if (exchange.has['fetchOHLCV'] !== true && exchange.has['fetchOHLCV'] !== 'emulated') {
    throw new UsageError(`--exchange: ${opts.exchange} offers no OHLCV bars through ccxt (no fetchOHLCV)`);
  }
  const timeframes = Object.keys(exchange.timeframes ?? {});
  if (!timeframes.includes(opts.timeframe)) {
    throw new UsageError(`--timeframe: "${opts.timeframe}" is not a timeframe of ${opts.exchange}; valid: ${timeframes.join(', ')}`);
  }
  try {
    await exchange.loadMarkets();
  } catch (error) {
    throw new TransientError(`${opts.exchange} loadMarkets: ${(error as Error).message}`, 'MARKETS_UNAVAILABLE', undefined, error);
  }
  if (exchange.markets?.[ccxtSymbol] === undefined) {
    throw new UsageError(`--symbol: "${opts.symbol}" is not a market of ${opts.exchange} (ccxt symbol ${ccxtSymbol})`);
  }
  return { exchange, timeframeMs: exchange.parseTimeframe(opts.timeframe) * 1000 };
}

/** The time after the last bar of an earlier download to `out`, or undefined for a new file. */
async function resumePoint(out: string, symbol: string): Promise<{ lastMs: number; endsWithNewline: boolean } | undefined> {
  if (!existsSync(out) || statSync(out).size === 0) return undefined;
  const fd = openSync(out, 'r');
  const head = Buffer.alloc(BAR_CSV_HEADER.length + 2);
  const tail = Buffer.alloc(1);
  try {
    readSync(fd, head, 0, head.length, 0);
    readSync(fd, tail, 0, 1, statSync(out).size - 1);
  } finally {
    closeSync(fd);
  }
  const refuse = (why: string) => new UsageError(`--out: ${out} exists but ${why}; move it away or choose another --out`);
  if (!head.toString('utf8').startsWith(`${BAR_CSV_HEADER}`)) throw refuse(`does not start with the header ${BAR_CSV_HEADER}, so it is not a download to continue`);
  let lastMs: number | undefined;
  try {
    for await (const chunk of readBarFile(out, { symbol })) lastMs = chunk[chunk.length - 1]?.atMs;
  } catch (error) {
    // a header and nothing else: an earlier download that wrote no bar; start it again
    if (error instanceof PriceFileError && error.details['rule'] === 'empty') return undefined;
    if (error instanceof PriceFileError) throw refuse(`is not a bar file of ${symbol} to continue: ${error.message}`);
    throw error;
  }
  return lastMs === undefined ? undefined : { lastMs, endsWithNewline: tail[0] === 0x0a };
}

function progressLine(bars: number, lastMs: number | undefined, sinceMs: number, untilMs: number): string {
  if (lastMs === undefined) return `\r  ${bars} bars`;
  const share = Math.min(1, (lastMs - sinceMs) / Math.max(1, untilMs - sinceMs));
  return `\r  ${bars} bars, up to ${isoTime(lastMs)} (${(share * 100).toFixed(0)}%)`;
}

async function download(opts: DownloadOptions, io: CliIo): Promise<void> {
  const symbol = parseSymbol(opts.symbol.trim().toUpperCase());
  if (symbol === undefined) throw new UsageError(`--symbol must be a symbol like BTC/USDT or BTC_USDT, got "${opts.symbol}"`);
  const ext = extname(opts.out).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') throw new UsageError(`--out: prices download writes CSV; "${opts.out}" would be read as JSON Lines`);
  let sinceMs = time(opts.since, '--since');
  const now = Date.now();
  const untilMs = opts.until === undefined ? now : time(opts.until, '--until');
  if (sinceMs >= untilMs) throw new UsageError(`--since (${isoTime(sinceMs)}) must be before --until (${isoTime(untilMs)}${opts.until === undefined ? ', now' : ''})`);
  const ccxtSymbol = symbol.replace('_', '/');
  const { exchange, timeframeMs } = await openExchange(opts, ccxtSymbol);

  const resume = await resumePoint(opts.out, symbol);
  let resumedFrom: number | undefined;
  if (resume !== undefined) {
    resumedFrom = Math.max(sinceMs, resume.lastMs + timeframeMs);
    io.stderr(`planexec prices: ${opts.out} has ${symbol} bars up to ${isoTime(resume.lastMs)}; continuing from ${isoTime(resumedFrom)}\n`);
    sinceMs = resumedFrom;
    if (!resume.endsWithNewline) await appendFile(opts.out, '\n');
  } else {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, '');
  }

  const { downloadOhlcv, ohlcvPageLimit } = await import('../../market-data/ohlcv-download.js');
  const controller = new AbortController();
  const onSignal = () => {
    process.off('SIGINT', onSignal);
    io.stderr('\nplanexec prices: interrupted; finishing the page in flight (Ctrl-C again to leave now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  const tty = opts.json !== true && process.stderr.isTTY === true;
  let result;
  try {
    result = await downloadOhlcv({
      exchange,
      ccxtSymbol,
      symbol,
      timeframe: opts.timeframe,
      timeframeMs,
      sinceMs,
      untilMs,
      pageLimit: ohlcvPageLimit(exchange),
      out: opts.out,
      append: resume !== undefined,
      signal: controller.signal,
      onPage: tty ? (bars, lastMs) => io.stderr(progressLine(bars, lastMs, sinceMs, untilMs)) : undefined,
    });
  } finally {
    process.off('SIGINT', onSignal);
    if (tty) io.stderr('\n');
  }
  const summary = {
    file: opts.out,
    exchange: exchange.id,
    symbol,
    timeframe: opts.timeframe,
    bars_written: result.bars,
    first: result.firstMs === undefined ? null : isoTime(result.firstMs),
    last: result.lastMs === undefined ? null : isoTime(result.lastMs),
    resumed_from: resumedFrom === undefined ? null : isoTime(resumedFrom),
    interrupted: result.interrupted,
  };
  if (opts.json === true) io.stdout(`${JSON.stringify(summary)}\n`);
  else if (result.bars === 0) io.stdout(`no new ${symbol} ${opts.timeframe} bars from ${opts.exchange} for ${opts.out}\n`);
  else io.stdout(`wrote ${result.bars} ${symbol} ${opts.timeframe} bars from ${opts.exchange} to ${opts.out}: ${summary.first} to ${summary.last}\n`);
  if (result.interrupted) io.stderr(`planexec prices: interrupted; ${opts.out} is whole up to its last bar: run the same command again to continue\n`);
  io.setExitCode(result.interrupted ? ExitCode.INTERRUPTED : ExitCode.OK);
}

/** `planexec prices download --exchange ID --symbol S --timeframe TF --since T [--until T] --out FILE`. */
export function registerPricesCommand(program: Command, io: CliIo): Command {
  const prices = program.command('prices').description('price data for backtests (docs/price-data.md)');
  prices
    .command('download')
    .description('download OHLCV bars from an exchange (ccxt, public endpoints) into a bar CSV; continues an earlier download to the same file')
    .requiredOption('--exchange <id>', 'ccxt exchange id, e.g. binance, kraken, okx')
    .requiredOption('--symbol <symbol>', 'market, e.g. BTC/USDT (or BTC_USDT)')
    .requiredOption('--timeframe <tf>', "bar length, one of the exchange's timeframes, e.g. 1m, 5m, 1h, 1d")
    .requiredOption('--since <time>', 'first bar opening at or after this ISO-8601 time or epoch ms')
    .option('--until <time>', 'bars opening before this time (exclusive; default now)')
    .requiredOption('--out <file>', 'the CSV file to write (continued when it holds an earlier download of the symbol)')
    .option('--api-base-url <url>', 'send every REST request here instead (a proxy, or a local venue)')
    .option('--json', 'print a JSON summary on stdout')
    .action(async (opts: DownloadOptions) => download(opts, io));
  return prices;
}
