/**
 * The benchmark report, `reports/bench/index.html`: one card per `reports/bench/<section>.json`
 * present (so running one section keeps the others' cards), in the run report's style, each with
 * the section's date, machine line and summary lines, and for the sections that have them the
 * charts drawn from the JSON: gossip rounds against N with log2 N and log3 N, Merkle hash pairs
 * against keys, the PACELC bars, and erasure MB/s per shape (ours and the npm library's).
 *
 * The bench runner (`checks/bench/main.ts`) rewrites the page after every section. A file that
 * is not JSON or not a bench section's result (no `section`, `date` and `summary`) is skipped
 * with a visible note; a section whose chart data is malformed keeps its card, with a note
 * instead of the chart. Nothing here throws on bad input.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORTS_DIR, writeFileAtomic } from '../output.ts';
import { barChartSvg, htmlTable, lineChartSvg, type Series } from './chart.ts';
import { esc } from './svg.ts';
import { REPORT_CSS } from './style.ts';

/** One JSON file of `reports/bench/`, parsed (or not). */
export interface BenchFile {
  readonly file: string;
  /** The parsed JSON, or the parse error. */
  readonly json: unknown;
  readonly error?: string;
}

/** A bench section's result, as `main.ts` writes it. */
interface SectionJson {
  readonly section: string;
  readonly date: string;
  readonly node?: unknown;
  readonly cpus?: unknown;
  readonly wallMs?: unknown;
  readonly summary: readonly unknown[];
  readonly [k: string]: unknown;
}

type Obj = Readonly<Record<string, unknown>>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const str = (x: unknown): x is string => typeof x === 'string';
/** `x[k]` as an object (empty when missing). */
const sub = (x: Obj, k: string): Obj => (isObj(x[k]) ? x[k] : {});

function isSection(x: unknown): x is SectionJson {
  return isObj(x) && str(x['section']) && str(x['date']) && Array.isArray(x['summary']);
}

/** Thrown by a chart renderer on data it cannot draw (caught: the card gets a note). */
class ChartDataError extends Error {}

function rowsOf(s: SectionJson, check: (r: Obj) => boolean, what: string): Obj[] {
  const rows = s['rows'];
  if (!Array.isArray(rows) || rows.length === 0) throw new ChartDataError('no rows');
  const bad = rows.findIndex((r) => !isObj(r) || !check(r));
  if (bad >= 0) throw new ChartDataError(`row ${bad + 1} is not ${what}`);
  return rows as Obj[];
}

/** A line series from rows, leaving out the points whose value is not a finite number. */
function series(label: string, rows: readonly Obj[], x: (r: Obj) => unknown, y: (r: Obj) => unknown, dashed = false): Series {
  const points: [number, number][] = [];
  for (const r of rows) {
    const px = x(r);
    const py = y(r);
    if (num(px) && num(py)) points.push([px, py]);
  }
  return dashed ? { label, points, dashed } : { label, points };
}

const f2 = (x: unknown): string => (num(x) ? x.toFixed(2) : 'not converged');

function gossipCharts(s: SectionJson): string[] {
  const rows = rowsOf(s, (r) => num(r['n']) && isObj(r['random']), 'a gossip row (n, random)');
  const n = (r: Obj) => r['n'];
  const chart = lineChartSvg(
    [
      series('random: mean', rows, n, (r) => sub(r, 'random')['mean']),
      series('random: p99', rows, n, (r) => sub(r, 'random')['p99']),
      series('random: slowest node', rows, n, (r) => sub(sub(r, 'random'), 'slowest')['mean']),
      series('random, drops: mean', rows, n, (r) => sub(r, 'randomDrops')['mean']),
      series('synchronous: mean', rows, n, (r) => sub(r, 'sync')['mean']),
      series('log2 N', rows, n, (r) => (num(r['n']) ? Math.log2(r['n']) : null), true),
      series('log3 N', rows, n, (r) => (num(r['n']) ? Math.log(r['n']) / Math.log(3) : null), true),
    ].filter((x) => x.points.length > 0),
    { title: 'push-pull gossip: rounds until every replica holds the update', xLabel: 'nodes N (log scale)', yLabel: 'rounds', logX: true },
  );
  const table = htmlTable([
    ['N', 'log2 N', 'log3 N', 'random: mean', 'p99', 'converged', 'slowest node', 'with drops', 'sync: mean', 'sync p99'],
    ...rows.map((r) => {
      const rnd = sub(r, 'random');
      return [String(r['n']), f2(r['log2']), f2(r['log3']), f2(rnd['mean']), f2(rnd['p99']), `${String(rnd['converged'] ?? '?')}/${String(rnd['runs'] ?? '?')}`, f2(sub(rnd, 'slowest')['mean']), f2(sub(r, 'randomDrops')['mean']), f2(sub(r, 'sync')['mean']), f2(sub(r, 'sync')['p99'])];
    }),
  ]);
  const defs = [s['roundDefinition'], s['syncDefinition']].filter(str).map((d) => `<p class="note">${esc(d)}</p>`);
  return [chart, table, ...defs];
}

function antientropyCharts(s: SectionJson): string[] {
  const rows = rowsOf(s, (r) => num(r['keys']) && num(r['diffs']) && num(r['compared']), 'a Merkle row (keys, diffs, compared)');
  const diffs = [...new Set(rows.map((r) => r['diffs'] as number))].sort((a, b) => a - b);
  const chart = lineChartSvg(
    diffs.map((d) => series(`${d} differing key${d > 1 ? 's' : ''}`, rows.filter((r) => r['diffs'] === d), (r) => r['keys'], (r) => r['compared'])),
    { title: 'Merkle repair: hash pairs compared (one key per leaf)', xLabel: 'keys (log scale)', yLabel: 'hash pairs compared', logX: true },
  );
  return [chart];
}

function pacelcCharts(s: SectionJson): string[] {
  const rows = rowsOf(s, (r) => str(r['label']) && num(r['availability']) && num(r['roundTrips']), 'a PACELC row (label, availability, roundTrips)');
  const label = (r: Obj) => `${r['label'] as string} (${str(r['level']) ? r['level'] : 'no level'})`;
  return [
    barChartSvg(
      rows.map((r) => ({ label: label(r), value: r['availability'] as number })),
      { title: 'If Partitioned: availability (ops answered)', max: 1, format: (v) => `${(100 * v).toFixed(0)}%` },
    ),
    barChartSvg(
      rows.map((r) => ({ label: label(r), value: r['roundTrips'] as number })),
      { title: 'Else: round trips per op (latency)', max: Math.max(1, ...rows.map((r) => r['roundTrips'] as number)), format: (v) => v.toFixed(2) },
    ),
    htmlTable([['mode', 'consistency reached', 'availability in a partition', 'round trips per op'], ...rows.map((r) => [r['label'] as string, str(r['level']) ? r['level'] : 'none', `${(100 * (r['availability'] as number)).toFixed(0)}%`, (r['roundTrips'] as number).toFixed(2)])]),
  ];
}

function erasureCharts(s: SectionJson): string[] {
  const rows = rowsOf(s, (r) => num(r['k']) && num(r['m']) && num(r['encodeMBps']) && num(r['decodeMBps']), 'an erasure row (k, m, encodeMBps, decodeMBps)');
  const lib = str(s['library']) ? s['library'] : 'library';
  const bars = (key: 'encodeMBps' | 'decodeMBps') =>
    rows.flatMap((r) => {
      const shape = `RS(${r['k'] as number},${r['m'] as number})`;
      const theirs = sub(r, 'library')[key];
      return [{ label: `${shape} ours`, value: r[key] as number }, ...(num(theirs) ? [{ label: `${shape} library`, value: theirs }] : [])];
    });
  const fmt = (v: number) => `${v.toFixed(1)} MB/s`;
  return [barChartSvg(bars('encodeMBps'), { title: 'Reed-Solomon encode, MB/s', format: fmt }), barChartSvg(bars('decodeMBps'), { title: 'decode with m data shards lost, MB/s', format: fmt }), `<p class="note">library: ${esc(lib)}</p>`];
}

/** The sections with charts, and how to draw them. */
const CHARTS: Readonly<Record<string, (s: SectionJson) => string[]>> = {
  gossip: gossipCharts,
  antientropy: antientropyCharts,
  pacelc: pacelcCharts,
  erasure: erasureCharts,
};

/** The machine line of a section: Node version, CPUs, wall time. */
function machineLine(s: SectionJson): string {
  const parts = [str(s.node) ? `Node ${s.node}` : null, num(s.cpus) ? `${s.cpus} CPU${s.cpus === 1 ? '' : 's'}` : null, num(s.wallMs) ? `${(s.wallMs / 1000).toFixed(1)} s wall` : null];
  return parts.filter((x) => x !== null).join(' · ') || 'unknown machine';
}

/** One section's card. */
export function sectionCard(s: SectionJson): string {
  const summary = s.summary.map((line) => {
    const t = String(line);
    return t.includes('\n') ? `<li><pre class="mono">${esc(t)}</pre></li>` : `<li>${esc(t)}</li>`;
  });
  let charts: string[] = [];
  const draw = CHARTS[s.section];
  if (draw) {
    try {
      charts = draw(s);
    } catch (e) {
      if (!(e instanceof ChartDataError)) throw e;
      charts = [`<p class="note notice-text warn">chart skipped: ${esc(e.message)}</p>`];
    }
  }
  return [
    `<section class="panel bench-section" id="${esc(s.section)}">`,
    `<div class="panel-head"><h2>${esc(s.section)}</h2><span class="note">${esc(s.date)} · ${esc(machineLine(s))}</span></div>`,
    `<ul class="checks summary">${summary.join('')}</ul>`,
    charts.length > 0 ? `<div class="charts">${charts.join('\n')}</div>` : '',
    '</section>',
  ].join('\n');
}

/** The page, from the files of `reports/bench/` (sections in name order; skipped files noted). */
export function renderBenchIndex(files: readonly BenchFile[]): string {
  const skipped: string[] = [];
  const sections: SectionJson[] = [];
  for (const f of [...files].sort((a, b) => a.file.localeCompare(b.file))) {
    if (f.error !== undefined) skipped.push(`${f.file}: not valid JSON (${f.error})`);
    else if (!isSection(f.json)) skipped.push(`${f.file}: not a bench section result (no section, date and summary)`);
    else sections.push(f.json);
  }
  const notes = skipped.map((s) => `<li>${esc(s)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dscheck benchmarks</title><style>${REPORT_CSS}
.bench-section svg text { fill: currentColor; } .charts { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: flex-start; margin-top: 10px; }
.charts table { border-collapse: collapse; } .charts td, .charts th { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: right; }
ul.summary pre { margin: 0; white-space: pre; overflow-x: auto; }</style></head>
<body><header class="top"><div class="brand">dscheck · npm run bench</div><h1>Benchmark report</h1><p class="why">${sections.length} section${sections.length === 1 ? '' : 's'} from <code>reports/bench/*.json</code>; rewritten after every bench run.</p></header>
<main>
${skipped.length > 0 ? `<section class="panel" id="skipped"><h2>Skipped files</h2><ul class="checks">${notes}</ul></section>` : ''}
${sections.map(sectionCard).join('\n')}
</main></body></html>
`;
}

/** Read every `*.json` of `dir` (parse errors kept, never thrown). */
export function readBenchFiles(dir: string): BenchFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((file) => {
    try {
      return { file, json: JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown };
    } catch (e) {
      return { file, json: undefined, error: e instanceof Error ? e.message : String(e) };
    }
  });
}

/** Rewrite `reports/bench/index.html` (or `dir/index.html`) from the JSON present; returns its path. */
export function writeBenchIndex(dir: string = join(REPORTS_DIR, 'bench')): string {
  const file = join(dir, 'index.html');
  writeFileAtomic(file, renderBenchIndex(readBenchFiles(dir)));
  return file;
}
