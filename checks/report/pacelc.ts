/**
 * The PACELC chart (`reports/bench/pacelc.html`): per store mode, the availability during a
 * partition (the P-A/C half) and the round trips per operation with no partition (the E-L/C
 * half), with the consistency level the checker classified it at. A static SVG in the report's
 * style; no script.
 */
import { join } from 'node:path';
import { REPORTS_DIR, writeFileAtomic } from '../output.ts';
import type { StoreShape } from '../../impl/store/store.ts';
import { esc } from './svg.ts';
import { REPORT_CSS } from './style.ts';

/** What a chart row needs. */
export interface PacelcChartRow {
  readonly label: string;
  readonly level: string | null;
  readonly availability: number;
  readonly roundTrips: number;
  readonly messagesPerOp: number;
}

const COLORS = ['#7ea0e8', '#e8a87e', '#8ed19a'];

/** One horizontal bar chart: a bar per mode, scaled to `max`. */
function bars(title: string, rows: readonly PacelcChartRow[], value: (r: PacelcChartRow) => number, max: number, label: (v: number) => string): string {
  const w = 520;
  const rowH = 28;
  const left = 190;
  const h = 30 + rows.length * rowH;
  const inner = w - left - 70;
  const parts = rows.map((r, i) => {
    const v = value(r);
    const y = 24 + i * rowH;
    const bw = max === 0 ? 0 : (inner * v) / max;
    return (
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(r.label)}</text>` +
      `<rect class="bar" x="${left}" y="${y + 2}" width="${bw.toFixed(1)}" height="${rowH - 8}" fill="${COLORS[i % COLORS.length]}"><title>${esc(`${r.label}: ${label(v)}`)}</title></rect>` +
      `<text x="${(left + bw + 6).toFixed(1)}" y="${y + 15}">${esc(label(v))}</text>`
    );
  });
  return `<svg class="pacelc-chart" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}"><text x="4" y="14" font-weight="bold">${esc(title)}</text>${parts.join('')}</svg>`;
}

/** The two charts, as one SVG fragment per half of PACELC. */
export function pacelcChartSvg(rows: readonly PacelcChartRow[]): string {
  const maxRt = Math.max(1, ...rows.map((r) => r.roundTrips));
  return [
    bars('If Partitioned: availability (ops answered)', rows, (r) => r.availability, 1, (v) => `${(100 * v).toFixed(0)}%`),
    bars('Else: round trips per op (latency)', rows, (r) => r.roundTrips, maxRt, (v) => v.toFixed(2)),
  ].join('\n');
}

/** The page. */
export function renderPacelcPage(rows: readonly PacelcChartRow[], shape: StoreShape): string {
  const table = rows
    .map((r) => `<tr><td>${esc(r.label)}</td><td>${esc(r.level ?? 'none')}</td><td>${(100 * r.availability).toFixed(0)}%</td><td>${r.roundTrips.toFixed(2)}</td><td>${r.messagesPerOp.toFixed(2)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PACELC, measured</title><style>${REPORT_CSS}
.pacelc-chart text { font-size: 12px; fill: currentColor; } table { border-collapse: collapse; } td, th { padding: 4px 10px; border-bottom: 1px solid #ccc; text-align: left; }</style></head>
<body><main>
<h1>PACELC, measured: the replicated store</h1>
<p>${shape.replicas} replicas, ${shape.clients} client sessions, ${shape.ops} operations. Availability: seeded runs that split the replicas in two and never heal; round trips: seeded runs with no partition (the client's own round trip included). Consistency: the strongest level no reachable client history violates, by exhaustive exploration with one partition.</p>
<div class="card">${pacelcChartSvg(rows)}</div>
<table><thead><tr><th>mode</th><th>consistency reached</th><th>availability in a partition</th><th>round trips per op</th><th>replica messages per op</th></tr></thead><tbody>${table}</tbody></table>
</main></body></html>
`;
}

/** Write `reports/bench/pacelc.html`; returns its path. */
export function writePacelcPage(rows: readonly PacelcChartRow[], shape: StoreShape): string {
  const file = join(REPORTS_DIR, 'bench', 'pacelc.html');
  writeFileAtomic(file, renderPacelcPage(rows, shape));
  return file;
}
