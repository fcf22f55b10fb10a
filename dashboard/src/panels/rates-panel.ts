import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { FlowRecord } from '../api/types.js';
import { flowSeries } from '../model/flow-series.js';
import { el, fill } from '../ui/dom.js';

const BUCKET_SECONDS = 10;
const BUCKETS = 60;
const HEIGHT = 170;

/** Every time the dashboard shows is UTC, the charts' axes too. */
const utc = (seconds: number): Date => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC');
// Succeeded and failed side by side in each bucket.
const bars = (align: -1 | 1) => uPlot.paths.bars?.({ size: [0.45, 40], align });
/** Half a bucket of room on each side, so the newest bucket's bars are not cut by the edge. */
const xScale: uPlot.Scale = { time: true, range: (_u, min, max) => [min - BUCKET_SECONDS, max + BUCKET_SECONDS] };
/** HH:MM in UTC on the time axis. */
const timeAxis: uPlot.Axis = { values: (_u, splits) => splits.map((s) => new Date(s * 1000).toISOString().slice(11, 16)) };

/** Success / failure counts and latency of stopped flows over the last ten minutes, in 10 s buckets. */
export class RatesPanel {
  readonly #outcomes: uPlot;
  readonly #latency: uPlot;
  readonly #summary: HTMLElement;

  constructor(body: HTMLElement) {
    const outcomeHost = el('div', { class: 'chart', 'data-testid': 'outcome-chart' });
    const latencyHost = el('div', { class: 'chart', 'data-testid': 'latency-chart' });
    this.#summary = el('p', { class: 'chart-summary', 'data-testid': 'rates-summary' });
    fill(body, [this.#summary, outcomeHost, latencyHost]);
    const width = Math.max(300, body.clientWidth - 8);
    this.#outcomes = new uPlot(
      {
        title: `Flows stopped per ${BUCKET_SECONDS} s`,
        width,
        height: HEIGHT,
        tzDate: utc,
        scales: { x: xScale, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        series: [
          {},
          { label: 'succeeded', stroke: '#2e8b57', fill: 'rgba(46,139,87,0.6)', paths: bars(-1), points: { show: false } },
          { label: 'failed', stroke: '#c0392b', fill: 'rgba(192,57,43,0.6)', paths: bars(1), points: { show: false } },
        ],
        axes: [timeAxis, { label: 'flows' }],
      },
      [[], [], []],
      outcomeHost,
    );
    this.#latency = new uPlot(
      {
        title: 'Flow latency (accepted → stop)',
        width,
        height: HEIGHT,
        tzDate: utc,
        series: [
          {},
          // Points too: a bucket between two empty ones has no line to draw.
          { label: 'p50 ms', stroke: '#2c6fbb', points: { show: true, size: 5 } },
          { label: 'p95 ms', stroke: '#8e44ad', dash: [6, 4], points: { show: true, size: 5 } },
        ],
        scales: { x: xScale },
        axes: [timeAxis, { label: 'ms' }],
      },
      [[], [], []],
      latencyHost,
    );
    new ResizeObserver(() => {
      const next = Math.max(300, body.clientWidth - 8);
      this.#outcomes.setSize({ width: next, height: HEIGHT });
      this.#latency.setSize({ width: next, height: HEIGHT });
    }).observe(body);
  }

  render(flows: readonly FlowRecord[], nowMs: number): void {
    const series = flowSeries(flows, nowMs, BUCKET_SECONDS, BUCKETS);
    this.#outcomes.setData([series.time, series.succeeded, series.failed]);
    this.#latency.setData([series.time, series.p50LatencyMs, series.p95LatencyMs]);
    const ok = series.succeeded.reduce((a, b) => a + b, 0);
    const failed = series.failed.reduce((a, b) => a + b, 0);
    const rate = ok + failed === 0 ? '—' : `${((100 * ok) / (ok + failed)).toFixed(1)} %`;
    fill(this.#summary, [`Last ${(BUCKET_SECONDS * BUCKETS) / 60} min: ${ok} succeeded, ${failed} failed, success rate ${rate}`]);
  }
}
