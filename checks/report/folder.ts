/**
 * `reports/index.html`: one page linking every report of a folder, with its result.
 *
 * Each report page embeds a `#dscheck-summary` JSON block ({@link ReportSummary}); the index
 * reads it back from every `*.html` file of the folder (not its subfolders), skips files that
 * are not dscheck reports, and lists the rest, newest first, with a filter box.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { page, scriptJson, type ReportSummary } from './html.ts';
import { esc } from './svg.ts';

/** One report of the folder. */
export interface IndexEntry {
  /** File name, relative to the folder (the link). */
  readonly file: string;
  readonly summary: ReportSummary;
  /** Last modification, ms since the epoch. */
  readonly mtimeMs: number;
}

const SUMMARY_RE = /<script type="application\/json" id="dscheck-summary">([\s\S]*?)<\/script>/;

/** The summary embedded in a report page, or undefined when the page is not a dscheck report. */
export function readSummary(html: string): ReportSummary | undefined {
  const m = SUMMARY_RE.exec(html);
  if (!m) return undefined;
  try {
    const v = JSON.parse(m[1]!) as Partial<ReportSummary>;
    if (v.format !== 'dscheck-report-summary' || typeof v.title !== 'string' || typeof v.status !== 'string') return undefined;
    return v as ReportSummary;
  } catch {
    return undefined;
  }
}

/** The reports of a folder, newest first (then by name). */
export function listReports(dir: string, indexName = 'index.html'): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.html') || name === indexName) continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (!st.isFile()) continue;
    const summary = readSummary(readFileSync(path, 'utf8'));
    if (summary) out.push({ file: name, summary, mtimeMs: st.mtimeMs });
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

const INDEX_CSS = `
.idx-top { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: center; margin-bottom: 14px; }
.idx-top input { font: inherit; padding: 6px 10px; border: 1px solid var(--line); border-radius: 8px; min-width: 280px; background: var(--panel); color: var(--ink); }
.counts span { margin-right: 12px; }
table.idx { width: 100%; border-collapse: separate; border-spacing: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 12px; overflow: hidden; }
table.idx th { text-align: left; font-size: 12px; color: var(--muted); font-weight: 600; padding: 9px 12px; border-bottom: 1px solid var(--line); background: var(--soft); }
table.idx td { padding: 8px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.idx tr:last-child td { border-bottom: 0; }
table.idx td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.idx .title a { font-weight: 600; text-decoration: none; }
table.idx .title a:hover { text-decoration: underline; }
table.idx .headline { color: var(--muted); font-size: 12.5px; display: block; }
.badge-status { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 700; white-space: nowrap; }
.badge-status.violation, .badge-status.not-linearizable { background: var(--bad-bg); color: var(--bad); }
.badge-status.holds, .badge-status.linearizable { background: var(--ok-bg); color: var(--ok); }
.badge-status.bounded, .badge-status.interrupted, .badge-status.unknown, .badge-status.trace { background: var(--warn-bg); color: var(--warn); }
`;

/** The filter script of the index (inline; the page loads nothing). */
function filterScript(): void {
  const input = document.getElementById('filter') as HTMLInputElement | null;
  const rows = Array.from(document.querySelectorAll<HTMLTableRowElement>('tr.entry'));
  input?.addEventListener('input', () => {
    const q = input.value.trim().toLowerCase();
    for (const r of rows) r.hidden = q !== '' && !(r.textContent ?? '').toLowerCase().includes(q);
  });
}

/** The index page of a list of reports. */
export function renderIndex(entries: readonly IndexEntry[], title = 'dscheck reports'): string {
  const count = (pred: (s: ReportSummary) => boolean) => entries.filter((e) => pred(e.summary)).length;
  const bad = count((s) => s.status === 'violation' || s.status === 'not-linearizable');
  const good = count((s) => s.status === 'holds' || s.status === 'linearizable');
  const other = entries.length - bad - good;
  const rows = entries
    .map((e) => {
      const s = e.summary;
      const when = new Date(e.mtimeMs).toISOString().replace('T', ' ').slice(0, 16);
      return `<tr class="entry" data-status="${esc(s.status)}"><td><span class="badge-status ${esc(s.status)}">${esc(s.status)}</span></td><td class="title"><a href="${esc(encodeURI(e.file))}">${esc(s.title)}</a><span class="headline">${esc(s.headline)}</span></td><td>${esc(s.check ?? '')}</td><td class="num">${s.steps ?? ''}</td><td class="num">${esc(s.size ?? '')}</td><td>${esc(s.mode)}</td><td class="num">${esc(when)}</td></tr>`;
    })
    .join('');
  const table =
    entries.length === 0
      ? '<p class="note">No dscheck reports in this folder yet: run <code>dscheck check … --report</code> or <code>dscheck report &lt;trace.json&gt;</code>.</p>'
      : `<table class="idx"><thead><tr><th>result</th><th>report</th><th>check</th><th style="text-align:right">steps</th><th style="text-align:right">size</th><th>mode</th><th style="text-align:right">modified (UTC)</th></tr></thead><tbody>${rows}</tbody></table>`;
  const body = [
    `<header class="top"><div class="brand">dscheck</div><h1>${esc(title)}<span class="params">${entries.length} report${entries.length === 1 ? '' : 's'}</span></h1></header>`,
    `<main><style>${INDEX_CSS}</style>`,
    `<div class="idx-top"><input id="filter" type="search" placeholder="filter: model, check, status…" aria-label="filter reports"><div class="counts"><span class="badge-status violation">${bad} failing</span><span class="badge-status holds">${good} passing</span><span class="badge-status bounded">${other} other</span></div></div>`,
    table,
    '</main>',
    `<script type="application/json" id="dscheck-index">${scriptJson(entries.map((e) => ({ file: e.file, status: e.summary.status, title: e.summary.title })))}</script>`,
    `<script>var __name = function (f) { return f; };\n(${filterScript.toString()})();</script>`,
  ].join('\n');
  return page(title, 'index-page', body);
}
