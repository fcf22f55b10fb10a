/**
 * Line charts as SVG text, drawn by this code: the report embeds them in report.html and renders
 * the same text to PNG, so both show the same picture. Three kinds are needed (equity, drawdown,
 * price with trades), each a time axis, a value axis, lines and markers.
 */

export interface ChartPoint {
  readonly atMs: number;
  readonly value: number;
}

export interface ChartMarker {
  readonly atMs: number;
  readonly value: number;
  /** ▲ a BUY entry, ▼ a SELL entry, ✕ an exit. */
  readonly shape: 'up' | 'down' | 'cross';
  readonly color: string;
  /** Shown as the marker's tooltip. */
  readonly title: string;
}

export interface ChartSpec {
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly points: readonly ChartPoint[];
  readonly color: string;
  /** Shade between the line and zero (the drawdown's underwater area). */
  readonly area?: boolean;
  readonly markers?: readonly ChartMarker[];
  readonly format: (value: number) => string;
}

const PAD = { left: 78, right: 16, top: 30, bottom: 30 };
/** At most this many points per line: more adds nothing a screen can show. */
export const MAX_LINE_POINTS = 2_000;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Every n-th point (and the last), so a line keeps at most `max` points. */
export function thin<T>(points: readonly T[], max = MAX_LINE_POINTS): T[] {
  if (points.length <= max) return [...points];
  const stride = Math.ceil(points.length / max);
  const kept = points.filter((_, i) => i % stride === 0);
  if (kept[kept.length - 1] !== points[points.length - 1]) kept.push(points[points.length - 1]!);
  return kept;
}

/** Round steps (1, 2, 5 × 10ⁿ) covering [min, max] with about `count` ticks. */
export function valueTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STEPS = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 182 * DAY, 365 * DAY];

/** UTC tick times at a round step giving about `count` ticks. */
export function timeTicks(startMs: number, endMs: number, count = 8): number[] {
  const span = Math.max(1, endMs - startMs);
  const step = STEPS.find((s) => span / s <= count) ?? STEPS[STEPS.length - 1]!;
  const ticks: number[] = [];
  for (let t = Math.ceil(startMs / step) * step; t <= endMs; t += step) ticks.push(t);
  return ticks;
}

function timeLabel(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  return spanMs <= 2 * DAY ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}

function markerPath(shape: ChartMarker['shape'], x: number, y: number): string {
  const s = 6;
  if (shape === 'up') return `M${x} ${y - s}L${x + s} ${y + s}L${x - s} ${y + s}Z`;
  if (shape === 'down') return `M${x} ${y + s}L${x + s} ${y - s}L${x - s} ${y - s}Z`;
  return `M${x - s} ${y - s}L${x + s} ${y + s}M${x + s} ${y - s}L${x - s} ${y + s}`;
}

const fx = (n: number): string => n.toFixed(1);

export function lineChart(spec: ChartSpec): string {
  const { width, height } = spec;
  const points = thin(spec.points);
  const markers = spec.markers ?? [];
  const times = [...points.map((p) => p.atMs), ...markers.map((m) => m.atMs)];
  const values = [...points.map((p) => p.value), ...markers.map((m) => m.value), ...(spec.area ? [0] : [])];
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1);
  let v0 = Math.min(...values);
  let v1 = Math.max(...values);
  if (!(v1 > v0)) [v0, v1] = [v0 - 1, v1 + 1];
  const margin = (v1 - v0) * 0.05;
  v0 -= margin;
  // the underwater area tops out at zero: no margin above it
  v1 = spec.area && v1 <= 0 ? 0 : v1 + margin;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const x = (t: number): number => PAD.left + ((t - t0) / (t1 - t0)) * plotW;
  const y = (v: number): number => PAD.top + (1 - (v - v0) / (v1 - v0)) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="11">`,
    `<rect class="chart-bg" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${PAD.left}" y="18" font-size="13" font-weight="bold" fill="#1f2937">${escapeXml(spec.title)}</text>`,
  ];
  for (const v of valueTicks(v0, v1)) {
    out.push(`<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${fx(y(v))}" y2="${fx(y(v))}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${PAD.left - 6}" y="${fx(y(v) + 4)}" text-anchor="end" fill="#4b5563">${escapeXml(spec.format(v))}</text>`);
  }
  for (const t of timeTicks(t0, t1)) {
    out.push(`<line x1="${fx(x(t))}" x2="${fx(x(t))}" y1="${PAD.top}" y2="${height - PAD.bottom}" stroke="#f3f4f6"/>`);
    out.push(`<text x="${fx(x(t))}" y="${height - PAD.bottom + 16}" text-anchor="middle" fill="#4b5563">${timeLabel(t, t1 - t0)}</text>`);
  }
  out.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#9ca3af"/>`);
  if (points.length > 0) {
    const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${fx(x(p.atMs))} ${fx(y(p.value))}`).join('');
    if (spec.area) {
      const zero = fx(y(0));
      out.push(`<path class="area" d="${line}L${fx(x(points[points.length - 1]!.atMs))} ${zero}L${fx(x(points[0]!.atMs))} ${zero}Z" fill="${spec.color}" fill-opacity="0.25" stroke="none"/>`);
    }
    out.push(`<path class="line" d="${line}" fill="none" stroke="${spec.color}" stroke-width="1.5" stroke-linejoin="round"/>`);
  }
  for (const m of markers) {
    const filled = m.shape !== 'cross';
    out.push(
      `<path class="marker" d="${markerPath(m.shape, Number(fx(x(m.atMs))), Number(fx(y(m.value))))}" ${filled ? `fill="${m.color}" stroke="none"` : `fill="none" stroke="${m.color}" stroke-width="2"`}><title>${escapeXml(m.title)}</title></path>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}
