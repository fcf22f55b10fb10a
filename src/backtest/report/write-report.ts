import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BacktestReportInput } from '../report-input.js';
import { svgToPng } from './chart-png.js';
import { reportCharts } from './charts.js';
import { computeBacktestMetrics } from './metrics.js';
import { reportHtml } from './report-html.js';

/** report.html, metrics.json and a PNG per chart in `outDir` (created if needed); returns the files written. */
export async function writeBacktestReport(outDir: string, input: BacktestReportInput): Promise<{ files: string[] }> {
  mkdirSync(outDir, { recursive: true });
  const metrics = computeBacktestMetrics(input);
  const charts = reportCharts(input);
  const files: string[] = [];
  const write = (name: string, data: string | Uint8Array): void => {
    const path = join(outDir, name);
    writeFileSync(path, data);
    files.push(path);
  };
  write('report.html', reportHtml(input, metrics, charts));
  write('metrics.json', `${JSON.stringify(metrics, null, 2)}\n`);
  for (const chart of charts) write(`${chart.name}.png`, await svgToPng(chart.svg));
  return { files };
}
