/**
 * The benchmark report's charts, as static SVG (no script): line charts (gossip rounds against
 * N, Merkle hash pairs against keys) and horizontal bar charts (the PACELC halves, erasure
 * MB/s), and HTML tables. Drawn into `reports/bench/index.html` by `bench.ts`.
 */
import { esc } from './svg.ts';

/** One line: a label and its points. */
export interface Series {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
  /** Dashed (for reference curves such as log N). */
  readonly dashed?: boolean;
}

/** Chart options. */
export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Plot x on a log2 scale. */
  readonly logX?: boolean;
  /** Width of the plot area and axes (the legend's width, fitted to its labels, comes on top). */
  readonly width?: number;
  readonly height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#7f7f7f'];

/** An SVG line chart with axes, ticks at the data's x values, and a legend. */
export function lineChartSvg(series: readonly Series[], o: ChartOptions): string {
  const legend = Math.round(Math.max(150, 40 + 6.5 * Math.max(0, ...series.map((s) => s.label.length))));
  const w = (o.width ?? 410) + legend;
  const h = o.height ?? 320;
  const pad = { l: 56, r: legend, t: 28, b: 44 };
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const fx = (x: number) => (o.logX ? Math.log2(x) : x);
  const [x0, x1] = [fx(xs[0] ?? 0), fx(xs.at(-1) ?? 1)];
  const yMax = Math.max(1e-9, ...series.flatMap((s) => s.points.map((p) => p[1]))) * 1.08;
  const px = (x: number) => pad.l + ((fx(x) - x0) / (x1 - x0 || 1)) * (w - pad.l - pad.r);
  const py = (y: number) => h - pad.b - (y / yMax) * (h - pad.t - pad.b);
  const parts: string[] = [];
  parts.push(`<text x="4" y="16" font-weight="bold">${esc(o.title)}</text>`);
  parts.push(`<line x1="${pad.l}" y1="${h - pad.b}" x2="${w - pad.r}" y2="${h - pad.b}" stroke="#333"/><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${h - pad.b}" stroke="#333"/>`);
  for (const x of xs) parts.push(`<text x="${px(x).toFixed(1)}" y="${h - pad.b + 14}" text-anchor="middle" font-size="10">${x}</text>`);
  for (let i = 0; i <= 4; i++) {
    const y = (yMax / 1.08) * (i / 4);
    parts.push(`<text x="${pad.l - 4}" y="${(py(y) + 3).toFixed(1)}" text-anchor="end" font-size="10">${Number(y.toPrecision(3))}</text><line x1="${pad.l}" x2="${w - pad.r}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#eee"/>`);
  }
  parts.push(`<text x="${(pad.l + w - pad.r) / 2}" y="${h - 8}" text-anchor="middle" font-size="11">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(pad.t + h - pad.b) / 2}) rotate(-90)" text-anchor="middle" font-size="11">${esc(o.yLabel)}</text>`);
  series.forEach((s, k) => {
    const c = COLORS[k % COLORS.length]!;
    const d = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    for (const p of s.points) parts.push(`<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="2.5" fill="${c}"><title>${esc(`${s.label}: ${p[0]} → ${Number(p[1].toPrecision(4))}`)}</title></circle>`);
    parts.push(`<line x1="${w - pad.r + 10}" x2="${w - pad.r + 30}" y1="${pad.t + 8 + k * 16}" y2="${pad.t + 8 + k * 16}" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/><text x="${w - pad.r + 34}" y="${pad.t + 12 + k * 16}" font-size="11">${esc(s.label)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" role="img" aria-label="${esc(o.title)}">${parts.join('')}</svg>`;
}

/** One bar: its label and value. */
export interface Bar {
  readonly label: string;
  readonly value: number;
}

/** Bar chart options. */
export interface BarOptions {
  readonly title: string;
  /** The value of a full-width bar (default: the largest value, at least 1e-9). */
  readonly max?: number;
  /** How a value is written beside its bar (default: 3 significant digits). */
  readonly format?: (v: number) => string;
  /** Width right of the labels (bars and values); the labels' column is fitted to them. */
  readonly width?: number;
}

const BAR_COLORS = ['#7ea0e8', '#e8a87e', '#8ed19a', '#c99be0', '#e8d27e', '#8fd3d6'];

/** A horizontal bar chart: one `<rect class="bar">` per bar, scaled to `max`, labels escaped. */
export function barChartSvg(bars: readonly Bar[], o: BarOptions): string {
  const left = Math.round(Math.min(360, Math.max(120, 16 + 6.8 * Math.max(0, ...bars.map((b) => b.label.length)))));
  const w = (o.width ?? 330) + left;
  const rowH = 28;
  const h = 30 + bars.length * rowH;
  const inner = w - left - 70;
  const max = o.max ?? Math.max(1e-9, ...bars.map((b) => b.value));
  const fmt = o.format ?? ((v: number) => String(Number(v.toPrecision(3))));
  const parts = bars.map((b, i) => {
    const y = 24 + i * rowH;
    const bw = max === 0 ? 0 : (inner * b.value) / max;
    return (
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>` +
      `<rect class="bar" x="${left}" y="${y + 2}" width="${bw.toFixed(1)}" height="${rowH - 8}" fill="${BAR_COLORS[i % BAR_COLORS.length]}"><title>${esc(`${b.label}: ${fmt(b.value)}`)}</title></rect>` +
      `<text x="${(left + bw + 6).toFixed(1)}" y="${y + 15}">${esc(fmt(b.value))}</text>`
    );
  });
  return `<svg class="bar-chart" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12" role="img" aria-label="${esc(o.title)}"><text x="4" y="14" font-weight="bold">${esc(o.title)}</text>${parts.join('')}</svg>`;
}

/** An HTML table from rows of cells (the first row is the header). */
export function htmlTable(rows: readonly (readonly (string | number)[])[]): string {
  const [head, ...body] = rows;
  return `<table><tr>${(head ?? []).map((c) => `<th>${esc(String(c))}</th>`).join('')}</tr>${body.map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join('')}</tr>`).join('')}</table>`;
}
