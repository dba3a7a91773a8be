/**
 * A report as one self-contained HTML page: inline CSS, inline SVG and an inline script, and a
 * Content-Security-Policy that forbids every network request, so the file opens from disk the
 * same way anywhere and can be attached to a bug report.
 *
 * The page: a header with the model, its parameters and the verdict (with the broken check's
 * explanation); cards for the run (mode, seed/path), the bounds, the stats and the checks with
 * their `sometimes` witnesses; for a trace, the message-sequence diagram (or, for a machine
 * without nodes, a table of steps) next to an inspector that shows the selected step's state
 * with the changed fields highlighted; the coverage; for a history, the timeline.
 *
 * Two JSON blocks are embedded: `#dscheck-data` (the steps, for the script) and
 * `#dscheck-summary` (what `dscheck report --index` lists).
 */
import type { ParamValue } from '../../impl/core/machine.ts';
import type { Coverage } from './coverage.ts';
import { type Field, type ReportData, type ReportStatus, type ReportWitness, fmtNum } from './data.ts';
import { REPORT_CSS } from './style.ts';
import { cut, diagramSvg, esc, escWrap, messageLegend, timelineSvg } from './svg.ts';
import { viewerMain } from './viewer.ts';

/** What the index page reads from each report. */
export interface ReportSummary {
  readonly format: 'dscheck-report-summary';
  readonly version: 1;
  readonly title: string;
  readonly model: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly mode: string;
  readonly status: ReportStatus;
  readonly headline: string;
  /** The broken check, for a violation. */
  readonly check?: string;
  /** Steps of the trace, when there is one. */
  readonly steps?: number;
  /** Distinct states or runs, as the stats say. */
  readonly size?: string;
}

/** JSON that is safe inside a `<script>` element. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The summary of a report, for the index. */
export function summaryOf(d: ReportData): ReportSummary {
  const size = d.stats.find((s) => s.label === 'distinct states' || s.label === 'runs');
  return {
    format: 'dscheck-report-summary',
    version: 1,
    title: d.title,
    model: d.model,
    params: d.params,
    mode: d.mode,
    status: d.status,
    headline: d.headline,
    ...(d.violation ? { check: d.violation.name } : {}),
    ...(d.steps ? { steps: d.steps.length - 1 - (d.steps[d.steps.length - 1]?.threw ? 1 : 0) } : {}),
    ...(size ? { size: `${size.value} ${size.label}` } : {}),
  };
}

/** The Content-Security-Policy of every page: inline style and script only, nothing fetched. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** The skeleton of a page: head with CSP and style, body. */
export function page(title: string, bodyClass: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="dscheck">',
    `<title>${esc(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    `<body class="${esc(bodyClass)}">`,
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function fields(fs: readonly Field[]): string {
  if (fs.length === 0) return '<p class="muted">none</p>';
  return `<dl class="fields">${fs.map((x) => `<dt>${esc(x.label)}</dt><dd>${escWrap(x.value)}</dd>`).join('')}</dl>`;
}

function paramsLine(params: Readonly<Record<string, ParamValue>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' · ');
}

/** A small bar chart of states per depth. */
function depthChart(counts: readonly number[], what: string): string {
  if (counts.length === 0) return '';
  const w = 300;
  const h = 70;
  const max = Math.max(1, ...counts);
  const bw = Math.max(1, Math.min(18, (w - 10) / counts.length));
  const bars = counts
    .map((c, i) => {
      const bh = Math.max(c > 0 ? 1 : 0, (c / max) * (h - 18));
      return `<rect class="bar" x="${(5 + i * bw).toFixed(1)}" y="${(h - 14 - bh).toFixed(1)}" width="${Math.max(0.8, bw - 1).toFixed(1)}" height="${bh.toFixed(1)}"><title>${esc(`${what} ${i}: ${fmtNum(c)}`)}</title></rect>`;
    })
    .join('');
  const last = counts.length - 1;
  return `<svg class="depth-chart" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="states per ${what}">${bars}<text x="5" y="${h - 2}">0</text><text x="${(5 + last * bw + bw / 2).toFixed(1)}" y="${h - 2}" text-anchor="end">${last}</text><text x="${w - 4}" y="10" text-anchor="end">max ${fmtNum(max)}</text></svg>`;
}

function headerHtml(d: ReportData): string {
  const v = d.violation;
  const why = v
    ? `<p class="why"><b>${escWrap(v.headline)}</b>${v.doc ? ` <span class="doc">— the check: ${escWrap(v.doc)}</span>` : ''}</p>`
    : d.status === 'bounded' || d.status === 'interrupted'
      ? '<p class="why">A bound cut the search: nothing is claimed beyond the states explored.</p>'
      : '';
  const defaults = d.paramDefaults;
  const shown = defaults ? Object.fromEntries(Object.entries(d.params).filter(([k, v]) => defaults[k] !== v)) : d.params;
  const p = paramsLine(shown) || (defaults ? 'default parameters' : '');
  const name = d.history ? d.title : d.model;
  // Notices stand beside the verdict, so that a green "holds" never hides what it does not cover.
  const notices = (d.notices ?? [])
    .map((n) => `<div class="notice ${n.level}" title="${esc(n.text)}">${n.level === 'warn' ? '⚠ ' : ''}${esc(n.badge)}</div>`)
    .join('');
  const noticeText = (d.notices ?? []).map((n) => `<p class="why notice-text ${n.level}">${n.level === 'warn' ? '⚠ ' : ''}<b>${esc(n.badge)}</b>: ${esc(n.text)}</p>`).join('');
  return `<header class="top"><div class="brand">dscheck report · ${esc(d.mode)}</div><h1>${esc(name)}${p ? `<span class="params">${esc(p)}</span>` : ''}</h1><div class="verdict-row"><div class="verdict ${esc(d.status)}" id="verdict">${esc(d.headline)}</div>${notices}</div>${why}${noticeText}</header>`;
}

/**
 * The pill of a witness not reached: neutral when this configuration cannot reach it (it says
 * what it needs), red when the whole space was explored with its needs met, amber otherwise.
 */
function witnessPill(w: ReportWitness, status: ReportData['status']): string {
  const cls = w.unmet ? 'info' : status === 'holds' ? 'bad' : 'warn';
  return `<span class="pill ${cls}">${esc(w.note ?? 'not reached')}</span>`;
}

function checksCard(d: ReportData): string {
  if (d.checks.length === 0 && d.witnesses.length === 0) return '';
  const broken = d.violation?.name;
  const checks = d.checks
    .map((c) => `<li class="${c.name === broken ? 'broken' : ''}"><span class="name">${esc(c.name)}</span><span class="pill kind">${c.kind === 'property' ? 'transition' : 'invariant'}</span>${c.name === broken ? '<span class="pill bad">violated</span>' : ''}${c.doc ? `<span class="doc">${esc(c.doc)}</span>` : ''}</li>`)
    .join('');
  const ws = d.witnesses
    .map((w) => `<li><span class="name">sometimes ${esc(w.name)}</span>${w.reached ? `<span class="pill ok">reached${w.depth !== undefined ? ` at ${d.mode === 'random' ? 'step' : 'depth'} ${w.depth}` : ''}</span>` : witnessPill(w, d.status)}${w.doc ? `<span class="doc">${esc(w.doc)}</span>` : ''}</li>`)
    .join('');
  return `<div class="card" id="checks"><h2>Checks</h2><ul class="checks">${checks}${ws}</ul></div>`;
}

function cardsHtml(d: ReportData): string {
  const params = Object.entries(d.params).map(([k, v]) => `${k}=${String(v)}`);
  const run = params.length > 0 ? [...d.run, { label: 'parameters', value: params.join(', ') }] : d.run;
  const cards = [`<div class="card" id="run"><h2>Run</h2>${fields(run)}</div>`];
  if (d.bounds.length > 0) cards.push(`<div class="card" id="bounds"><h2>Bounds</h2>${fields(d.bounds)}</div>`);
  const chart = d.statesPerDepth && d.statesPerDepth.length > 1 ? `<h2 style="margin-top:10px">States per depth</h2>${depthChart(d.statesPerDepth, 'depth')}` : '';
  cards.push(`<div class="card" id="stats"><h2>Stats</h2>${fields(d.stats)}${chart}</div>`);
  const checks = checksCard(d);
  if (checks) cards.push(checks);
  return `<section class="cards">${cards.join('')}</section>`;
}

function legendHtml(d: ReportData): string {
  if (!d.diagram) return '';
  const types = messageLegend(d.diagram)
    .map((t) => `<span><span class="sw" style="border-color:${t.color}"></span>${esc(t.type)}</span>`)
    .join('');
  return `<div class="legend">${types}<span><span class="sw dashed" style="border-color:#8a94a6"></span>in flight</span><span><span class="sym" style="color:var(--bad)">✕</span>dropped</span><span><span class="sym">②</span>duplicated</span><span><span class="sw dashed" style="border-color:#7b3fb8"></span>copy</span><span><span class="sym" style="color:var(--bad)">✖</span>crash</span><span><span class="sym" style="color:var(--ok)">↻</span>restart</span><span><span class="sym" style="color:#a15c00">◷</span>timer</span><span><span class="sym">◆</span>local step</span><span><span class="sym" style="color:#3b82f6">▥</span>partition</span></div>`;
}

function stepsTable(d: ReportData): string {
  const steps = d.steps ?? [];
  const vstep = d.violation?.step;
  const rows = steps
    .map((s, k) => {
      const cls = ['step-row', k === vstep ? 'violating' : ''].filter(Boolean).join(' ');
      const changes = k === 0 ? '<div class="muted">—</div>' : s.changes.length === 0 ? `<div class="muted">${s.threw ? 'threw' : 'no change'}</div>` : s.changes.map((c) => `<div>${escWrap(cut(c, 160))}</div>`).join('');
      return `<tr class="${cls}" data-step="${k}"><td class="step-no">${k === vstep ? '✗ ' : ''}${k}</td><td class="step-label">${esc(s.label)}</td><td class="step-changes">${changes}</td></tr>`;
    })
    .join('');
  return `<table class="steps"><thead><tr><th>#</th><th>action</th><th>what changed</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function traceHtml(d: ReportData): string {
  if (!d.steps) return '';
  const steps = d.steps;
  let view: string;
  if (d.diagram) {
    const last = steps[steps.length - 1];
    const { svg, layout } = diagramSvg(d.diagram, {
      ...(d.violation ? { violationStep: d.violation.step } : {}),
      ...(last?.threw ? { threwLabel: last.label } : {}),
    });
    const head = `<div class="lane-head" style="width:${layout.width}px"><span class="gutter-head">step · action</span>${d.diagram.lanes.map((l, i) => `<span class="lane-name" style="left:${layout.laneX[i]}px">${esc(l)}</span>`).join('')}</div>`;
    view = `<div class="trace-view scroll-box" id="trace-view">${head}${svg}</div>`;
  } else {
    view = `<div class="trace-view scroll-box" id="trace-view">${stepsTable(d)}</div>`;
  }
  const inspector = [
    '<aside class="inspector" id="inspector">',
    '<div class="insp-nav"><button id="prev-step" title="previous step (↑ or k)">◀</button><h3 id="insp-title">Step</h3><button id="next-step" title="next step (↓ or j)">▶</button></div>',
    '<div id="insp-action"></div>',
    '<div id="insp-violation" hidden></div>',
    '<h4>What changed</h4><ul id="insp-changes"></ul>',
    '<h4>State</h4><div class="tree" id="insp-state"></div>',
    `<div class="keys"><kbd>↓</kbd>/<kbd>j</kbd> next step · <kbd>↑</kbd>/<kbd>k</kbd> previous · <kbd>Home</kbd>/<kbd>End</kbd> first/last${d.violation ? ' · <kbd>v</kbd> the violating step' : ''} · click a row, an arrow or a mark</div>`,
    '</aside>',
  ].join('');
  const n = steps.length - 1;
  const title = d.status === 'violation' ? 'Counterexample' : 'Trace';
  const note = d.noDiagram ? `<p class="note">${esc(d.noDiagram)}</p>` : '';
  const jump = d.violation ? ' <button id="goto-violation" class="linkish" title="the violating step (v)">go to the violating step</button>' : '';
  return `<section class="panel" id="trace"><div class="panel-head"><h2>${title} · ${n} step${n === 1 ? '' : 's'}${jump}</h2>${legendHtml(d)}</div>${note}<div class="trace-layout">${view}${inspector}</div></section>`;
}

function coverageHtml(c: Coverage | undefined): string {
  if (!c) return '';
  const ex = c.runner === 'exhaustive';
  const max = Math.max(1, ...c.kinds.map((k) => k.fired));
  const bar = (n: number) => `<span class="bar" style="width:${Math.round((n / max) * 80)}px"></span>`;
  const rows = c.kinds
    .map((k) => {
      const cls = k.fired === 0 ? 'never' : k.changed === 0 ? 'stutter' : '';
      const main = `<tr class="${cls}" data-kind="${esc(k.kind)}"><td>${esc(k.kind)}${k.fired === 0 ? ' <span class="pill bad">never fired</span>' : k.changed === 0 ? ' <span class="pill warn">only stutters</span>' : ''}</td><td>${fmtNum(k.enabled)}</td><td>${bar(k.fired)}${fmtNum(k.fired)}</td><td>${fmtNum(k.changed)}</td>${ex ? `<td>${fmtNum(k.newStates ?? 0)}</td>` : ''}</tr>`;
      const details = k.details.map((x) => `<tr class="detail"><td>${esc(x.name)}</td><td></td><td>${fmtNum(x.fired)}</td><td>${fmtNum(x.changed)}</td>${ex ? `<td>${fmtNum(x.newStates ?? 0)}</td>` : ''}</tr>`).join('');
      return main + details;
    })
    .join('');
  const table = `<table class="cov"><thead><tr><th>action kind</th><th>enabled in (states)</th><th>fired</th><th>changed the state</th>${ex ? '<th>new states</th>' : ''}</tr></thead><tbody>${rows}</tbody></table>`;
  const warnings = c.warnings.length > 0 ? `<ul class="warnings">${c.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '<p class="note">Every action kind fired and changed the state.</p>';
  const ws = c.witnesses.map((w) => `<li><span class="name">sometimes ${esc(w.name)}</span>${w.reached ? `<span class="pill ok">reached${w.depth !== undefined ? ` at ${ex ? 'depth' : 'step'} ${w.depth}` : ''}</span>` : w.unmet ? `<span class="pill info">not reached: ${esc(w.unmet)}</span>` : '<span class="pill bad">not reached</span>'}</li>`).join('');
  const side = `<div><h2>${ex ? 'States per depth' : 'States per step number'}</h2>${depthChart(c.statesPerDepth, ex ? 'depth' : 'step')}<ul class="checks" style="margin-top:8px">${ws}<li>states with no enabled action: ${fmtNum(c.terminal)} terminal, ${fmtNum(c.deadEnds)} not terminal</li></ul></div>`;
  const from = c.kindsFrom === 'machine' ? 'the machine lists its action kinds' : c.kindsFrom === 'environment' ? 'the action kinds its environment configuration allows' : 'only the kinds seen (the machine does not list its kinds)';
  return `<section class="panel" id="coverage"><div class="panel-head"><h2>Coverage</h2><span class="note">${esc(`${c.runner} pass over ${c.scope}${c.bound ? `, cut by the ${c.bound.kind} bound` : ''}; ${from}`)}</span></div><div class="cov-grid"><div>${table}${warnings}</div>${side}</div></section>`;
}

function historyHtml(d: ReportData): string {
  const h = d.history;
  if (!h) return '';
  const summary = h.summary.map((l) => `<p class="note">${esc(l)}</p>`).join('');
  const explanation = h.explanation.length > 0 ? `<h2>Why</h2><pre class="explain">${esc(h.explanation.join('\n'))}</pre>` : '';
  let timeline = '';
  if (h.timeline) {
    const t = h.timeline;
    const scope = t.omitted > 0 ? `${t.ops.length} operations around the failure (${t.omitted} not shown)` : `all ${t.ops.length} operations`;
    timeline = `<div class="panel-head"><h2>Timeline · ${esc(scope)}</h2><div class="legend"><span><span class="sw" style="border-color:#8aa3d8"></span>completed</span><span><span class="sw" style="border-color:#7cbf98"></span>linearized (#order)</span><span><span class="sw dashed" style="border-color:#c5b57a"></span>output unknown</span><span><span class="sw dashed" style="border-color:#9aa6bd"></span>never completed ⟶</span><span><span class="sw" style="border-color:var(--bad)"></span>cannot be linearized !</span></div></div><p class="note">One row per process; time runs left to right (only the order of events matters).</p><div class="timeline-box" id="timeline">${timelineSvg(t)}</div>`;
  }
  return `<section class="panel" id="history">${summary}${explanation}${timeline}</section>`;
}

/** The whole report page. */
export function renderReport(d: ReportData): string {
  const client = {
    steps: d.steps ?? [],
    violation: d.violation ? { step: d.violation.step, headline: d.violation.headline, ...(d.violation.doc ? { doc: d.violation.doc } : {}) } : null,
  };
  const script = `var __name = function (f) { return f; };\n(${viewerMain.toString()})();`.replace(/<\/(script)/gi, '<\\/$1');
  const footer = `<footer>Made by dscheck${d.command ? ` · <code>${esc(d.command)}</code>` : ''}. This page is self-contained: it loads nothing from the network.</footer>`;
  const body = [
    headerHtml(d),
    '<main>',
    cardsHtml(d),
    traceHtml(d),
    coverageHtml(d.coverage),
    historyHtml(d),
    '</main>',
    footer,
    `<script type="application/json" id="dscheck-summary">${scriptJson(summaryOf(d))}</script>`,
    `<script type="application/json" id="dscheck-data">${scriptJson(client)}</script>`,
    `<script>${script}</script>`,
  ].join('\n');
  return page(`${d.title} · ${d.status} · dscheck`, `status-${d.status}`, body);
}
