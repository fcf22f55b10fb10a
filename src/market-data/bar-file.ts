/** Backtest price input: one bar file read as a chunked stream, or several merged in time order (docs/price-data.md). */
export { BAR_CHUNK_SIZE, readBarFile, type BarFileOptions } from './bar-file-reader.js';
export { mergeBarFiles, type BarFileSpec } from './bar-merge.js';
export type { Bar } from './bar.js';
