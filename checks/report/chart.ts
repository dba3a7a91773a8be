/**
 * Line charts as standalone SVG, and a minimal HTML page that holds them: the plots of the
 * benchmark sections (`npm run bench -- gossip antientropy`), written next to their JSON under
 * `reports/bench/`.
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
  readonly width?: number;
  readonly height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#7f7f7f'];

/** An SVG line chart with axes, ticks at the data's x values, and a legend. */
export function lineChartSvg(series: readonly Series[], o: ChartOptions): string {
  const w = o.width ?? 560;
  const h = o.height ?? 320;
  const pad = { l: 56, r: 150, t: 28, b: 44 };
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const fx = (x: number) => (o.logX ? Math.log2(x) : x);
  const [x0, x1] = [fx(xs[0] ?? 0), fx(xs.at(-1) ?? 1)];
  const yMax = Math.max(1e-9, ...series.flatMap((s) => s.points.map((p) => p[1]))) * 1.08;
  const px = (x: number) => pad.l + ((fx(x) - x0) / (x1 - x0 || 1)) * (w - pad.l - pad.r);
  const py = (y: number) => h - pad.b - (y / yMax) * (h - pad.t - pad.b);
  const parts: string[] = [];
  parts.push(`<text x="${w / 2 - pad.r / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(o.title)}</text>`);
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

/** A self-contained HTML page: a title, then charts and tables as given (already HTML). */
export function chartPage(title: string, blocks: readonly string[]): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>body{font-family:sans-serif;margin:24px;max-width:900px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}</style></head><body><h1>${esc(title)}</h1>${blocks.join('\n')}</body></html>\n`;
}

/** An HTML table from rows of cells (the first row is the header). */
export function htmlTable(rows: readonly (readonly (string | number)[])[]): string {
  const [head, ...body] = rows;
  return `<table><tr>${(head ?? []).map((c) => `<th>${esc(String(c))}</th>`).join('')}</tr>${body.map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join('')}</tr>`).join('')}</table>`;
}
