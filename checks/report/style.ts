/**
 * The style sheet of report pages (inlined: a report opens from disk with no network).
 * System fonts only; light theme, with a dark variant for `prefers-color-scheme: dark`.
 */
export const REPORT_CSS = `
:root {
  --bg: #f4f6fa; --panel: #ffffff; --ink: #1b2230; --muted: #697386; --line: #e3e7ef; --soft: #f7f8fb;
  --accent: #2457d6; --sel: #e2ebff; --sel-strong: #c9d9ff;
  --bad: #c62828; --bad-bg: #fdeeee; --bad-line: #f3c1c1;
  --ok: #137a43; --ok-bg: #e8f6ee; --warn: #8a5a00; --warn-bg: #fff5d6;
  --mono: ui-monospace, "SFMono-Regular", "JetBrains Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
}
* { box-sizing: border-box; }
html { scroll-behavior: auto; }
body { margin: 0; font: 14px/1.45 var(--sans); color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
code, .mono { font-family: var(--mono); font-size: 12.5px; }
header.top { background: #151b28; color: #eef2f8; padding: 18px 28px 20px; }
header.top .brand { font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: #9aa6bd; }
header.top h1 { margin: 4px 0 10px; font-size: 22px; font-weight: 650; overflow-wrap: break-word; }
header.top h1 .params { font-weight: 400; color: #b8c2d6; font-size: 16px; margin-left: 8px; }
.verdict { display: inline-flex; align-items: center; gap: 10px; padding: 7px 14px; border-radius: 8px; font-weight: 650; font-size: 15px; max-width: 100%; overflow-wrap: break-word; min-width: 0; }
.verdict.violation, .verdict.not-linearizable { background: var(--bad); color: #fff; }
.verdict.holds, .verdict.linearizable { background: var(--ok); color: #fff; }
.verdict.bounded, .verdict.interrupted, .verdict.unknown, .verdict.trace { background: #e9b949; color: #2b2100; }
.verdict-row { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.notice { display: inline-flex; align-items: center; padding: 6px 12px; border-radius: 8px; font-weight: 600; font-size: 13px; }
.notice.warn { background: var(--warn-bg); color: var(--warn); border: 1px solid var(--warn); }
.notice.info { background: var(--soft); color: var(--muted); border: 1px solid var(--line); }
.notice-text.warn { color: var(--warn); }
header.top .why { margin: 10px 0 0; color: #d9e0ec; max-width: 1100px; overflow-wrap: break-word; }
header.top .why b { color: #fff; }
header.top .why .doc { color: #aab5ca; }
main { padding: 18px 28px 8px; max-width: 1880px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr)); gap: 14px; margin-bottom: 18px; }
.card, .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; box-shadow: 0 1px 2px rgba(16,24,40,.04); }
.card { padding: 12px 16px 14px; }
.card h2, .panel h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .07em; color: var(--muted); margin: 0 0 8px; font-weight: 650; }
/* Labels take what they need up to 55% and wrap between words; values never break inside a word
   (break-word only splits a token longer than the whole column, which "anywhere" did to every word). */
dl.fields { display: grid; grid-template-columns: fit-content(55%) minmax(0, 1fr); gap: 3px 12px; margin: 0; }
dl.fields dt { color: var(--muted); }
dl.fields dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: break-word; min-width: 0; }
ul.checks { list-style: none; margin: 0; padding: 0; }
ul.checks li { padding: 3px 0; border-bottom: 1px dashed var(--line); overflow-wrap: break-word; }
ul.checks li:last-child { border-bottom: 0; }
ul.checks .name { font-family: var(--mono); font-size: 12.5px; }
ul.checks .doc { color: var(--muted); font-size: 12.5px; display: block; }
ul.checks .broken .name { color: var(--bad); font-weight: 700; }
.pill { display: inline-block; font-size: 11px; padding: 0 7px; border-radius: 999px; margin-left: 6px; vertical-align: 1px; font-weight: 600; }
.pill.ok { background: var(--ok-bg); color: var(--ok); }
.pill.bad { background: var(--bad-bg); color: var(--bad); }
.pill.warn { background: var(--warn-bg); color: var(--warn); }
.pill.kind { background: var(--soft); color: var(--muted); border: 1px solid var(--line); }
.pill.info { background: var(--soft); color: var(--muted); border: 1px dashed var(--line); }
.panel { padding: 14px 16px 16px; margin-bottom: 18px; }
.panel-head { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 8px 20px; margin-bottom: 10px; }
.panel-head h2 { margin: 0; }
.note { color: var(--muted); font-size: 13px; margin: 0 0 10px; overflow-wrap: break-word; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: var(--muted); align-items: center; }
.legend .sw { display: inline-block; width: 22px; height: 0; border-top: 2px solid; vertical-align: middle; margin-right: 5px; }
.legend .sw.dashed { border-top-style: dashed; }
.legend .sym { font-weight: 700; margin-right: 4px; }
.trace-layout { display: grid; grid-template-columns: minmax(0, 1fr) minmax(340px, 440px); gap: 16px; align-items: start; }
.scroll-box { overflow: auto; max-height: calc(100vh - 40px); border: 1px solid var(--line); border-radius: 10px; background: #fff; position: relative; }
.lane-head { position: sticky; top: 0; z-index: 3; height: 34px; background: rgba(255,255,255,.97); border-bottom: 1px solid var(--line); }
.lane-head span { position: absolute; top: 7px; width: 120px; margin-left: -60px; text-align: center; font-weight: 650; font-family: var(--mono); font-size: 13px; }
.lane-head span.lane-name::after { content: ""; display: block; margin: 3px auto 0; width: 8px; height: 3px; border-radius: 2px; background: #9aa6bd; }
.lane-head .gutter-head { left: 14px; margin-left: 0; width: auto; text-align: left; color: var(--muted); font-family: var(--sans); font-weight: 600; font-size: 12px; top: 9px; }
svg { display: block; }
svg text { font-family: var(--sans); font-size: 12px; }
svg.diagram .step-row { fill: transparent; cursor: pointer; }
svg.diagram .step-row.odd { fill: #fafbfd; }
svg.diagram .step-row:hover { fill: #f0f3f9; }
svg.diagram .step-row.violating { fill: var(--bad-bg); }
svg.diagram .step-row.selected { fill: var(--sel); }
svg.diagram .step-row.violating.selected { fill: #f8d4d4; }
svg.diagram .gutter-sep { stroke: var(--line); }
svg.diagram .gutter-row { cursor: pointer; }
svg.diagram .step-no { fill: var(--muted); font-variant-numeric: tabular-nums; font-size: 11.5px; }
svg.diagram .step-label { fill: var(--ink); font-family: var(--mono); font-size: 11.5px; }
svg.diagram .gutter-row.selected .step-label, svg.diagram .gutter-row.selected .step-no { font-weight: 700; fill: #123a9c; }
svg.diagram .gutter-row.violating .step-label, svg.diagram .gutter-row.violating .step-no { fill: var(--bad); font-weight: 700; }
svg.diagram .lane-line { stroke: #c4cbd9; stroke-width: 2; }
svg.diagram .lane-line.down { stroke: var(--bad); stroke-opacity: .45; stroke-dasharray: 2 5; }
svg.diagram .msg { cursor: pointer; }
svg.diagram .msg line, svg.diagram .msg path { stroke-width: 1.6; }
svg.diagram .msg.hl line, svg.diagram .msg.hl path { stroke-width: 3; }
svg.diagram .msg-label { font-family: var(--mono); font-size: 10.5px; paint-order: stroke; stroke: #fff; stroke-width: 3.2px; stroke-linejoin: round; }
svg.diagram .msg.hl .msg-label { font-weight: 700; }
svg.diagram .badge { font-size: 10px; font-style: italic; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg.diagram .badge.drop { fill: var(--bad); }
svg.diagram .badge.muted { fill: #8a94a6; }
svg.diagram .drop-x { fill: var(--bad); font-size: 15px; font-weight: 700; }
svg.diagram .dup-x { font-size: 10px; font-weight: 700; }
svg.diagram .send-dot { fill: #334155; }
svg.diagram .mark { cursor: pointer; }
svg.diagram .mark-crash { color: var(--bad); }
svg.diagram .mark-restart { color: var(--ok); }
svg.diagram .mark-timer { color: #a15c00; }
svg.diagram .mark-tick { color: #64748b; }
svg.diagram .mark-local { color: #3f4a5e; }
svg.diagram .mark-bg { fill: #fff; stroke: currentColor; stroke-width: 1.4; }
svg.diagram .mark-icon { fill: currentColor; font-size: 11px; font-weight: 700; }
svg.diagram .mark-text { fill: currentColor; font-size: 11px; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg.diagram .partition-tag { font-size: 11px; font-weight: 700; }
svg.diagram .note-text { font-size: 11.5px; fill: #3f4a5e; font-style: italic; cursor: pointer; }
svg.diagram .step-threw { font-size: 10.5px; fill: var(--bad); font-style: italic; }
table.steps { border-collapse: separate; border-spacing: 0; width: 100%; }
table.steps th { position: sticky; top: 0; z-index: 2; background: #fff; text-align: left; font-size: 12px; color: var(--muted); font-weight: 600; padding: 8px 10px; border-bottom: 1px solid var(--line); }
table.steps td { padding: 6px 10px; border-bottom: 1px solid #f0f2f6; vertical-align: top; }
table.steps tr.step-row { cursor: pointer; }
table.steps tr.step-row:hover td { background: #f3f6fb; }
table.steps tr.step-row.selected td { background: var(--sel); }
table.steps tr.step-row.violating td { background: var(--bad-bg); }
table.steps tr.step-row.violating.selected td { background: #f8d4d4; }
table.steps td.step-no { width: 60px; white-space: nowrap; text-align: right; color: var(--muted); font-variant-numeric: tabular-nums; }
table.steps tr.violating td.step-no, table.steps tr.violating td.step-label { color: var(--bad); font-weight: 700; }
table.steps td.step-label { font-family: var(--mono); font-size: 12.5px; white-space: nowrap; }
table.steps td.step-changes { font-family: var(--mono); font-size: 12px; color: #3d4658; }
table.steps td.step-changes div { overflow-wrap: anywhere; }
.inspector { position: sticky; top: 12px; max-height: calc(100vh - 24px); overflow: auto; background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 12px 14px 14px; }
.insp-nav { display: flex; align-items: center; gap: 8px; margin-bottom: 6px; }
.insp-nav h3 { flex: 1; margin: 0; font-size: 14px; }
.insp-nav button { font: inherit; font-size: 13px; border: 1px solid var(--line); background: var(--soft); border-radius: 7px; padding: 3px 10px; cursor: pointer; }
.insp-nav button:hover:not(:disabled) { background: var(--sel); }
.insp-nav button:disabled { opacity: .4; cursor: default; }
#insp-action { font-family: var(--mono); font-size: 13px; background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 6px 9px; margin-bottom: 10px; overflow-wrap: break-word; }
#insp-action.threw { border-color: var(--bad-line); color: var(--bad); }
#insp-violation { background: var(--bad-bg); border: 1px solid var(--bad-line); border-left: 4px solid var(--bad); border-radius: 8px; padding: 8px 10px; margin-bottom: 10px; overflow-wrap: break-word; }
#insp-violation .v-head { color: var(--bad); font-weight: 700; }
#insp-violation .v-doc, #insp-violation .v-where { color: #5b3b3b; font-size: 13px; margin-top: 3px; }
.inspector h4 { font-size: 11.5px; text-transform: uppercase; letter-spacing: .07em; color: var(--muted); margin: 12px 0 5px; }
#insp-changes { margin: 0; padding-left: 18px; font-family: var(--mono); font-size: 12px; }
#insp-changes li { margin: 2px 0; overflow-wrap: break-word; }
#insp-changes li.muted { color: var(--muted); font-family: var(--sans); list-style: none; margin-left: -18px; }
.tree { font-family: var(--mono); font-size: 12px; line-height: 1.55; overflow-wrap: break-word; min-width: 0; }
.tree ul, .tree ol { list-style: none; margin: 0; padding-left: 14px; border-left: 1px dotted #d6dbe5; }
.tree > ul, .tree > ol { padding-left: 0; border-left: 0; }
.tree li { padding-left: 4px; border-left: 3px solid transparent; margin-left: -3px; }
.tree li.chg { border-left-color: #f2b705; background: linear-gradient(90deg, rgba(255,214,10,.10), transparent 70%); }
.tree li.added { border-left-color: #1f9d55; }
.tree li.added > .v { background: #c9f2d8; border-radius: 3px; padding: 0 2px; font-weight: 700; }
.tree li.removed { border-left-color: var(--bad); opacity: .8; }
.tree .key { color: #7a2e8e; }
.tree .idx { color: #97a0b2; margin-right: 6px; font-size: 11px; }
.tree .sep, .tree .punct { color: #8a94a6; }
.tree .v-string { color: #0b6b3a; }
.tree .v-number, .tree .v-bigint { color: #1f4fbf; }
.tree .v-boolean { color: #a0410d; }
.tree .v-null { color: #8a94a6; }
.tree .changed > .v { background: #ffe58a; border-radius: 3px; padding: 0 2px; font-weight: 700; }
.tree .was { color: #8a94a6; font-size: 11px; margin-left: 8px; text-decoration: line-through; text-decoration-color: rgba(198,40,40,.5); }
.tree .v.added { background: #c9f2d8; border-radius: 3px; padding: 0 2px; font-weight: 700; }
.tree .v.removed { text-decoration: line-through; color: var(--bad); opacity: .8; }
.tree details.fold > summary { cursor: pointer; color: #8a94a6; font-style: italic; list-style: none; display: inline; }
.tree details.fold > summary::before { content: "▸ "; }
.tree details.fold[open] > summary::before { content: "▾ "; }
.keys { color: var(--muted); font-size: 12px; margin-top: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
kbd { font: 11px var(--mono); border: 1px solid #cfd5e0; border-bottom-width: 2px; border-radius: 4px; padding: 0 4px; background: #fff; }
table.cov { border-collapse: collapse; width: 100%; font-size: 13px; }
table.cov th { text-align: right; color: var(--muted); font-weight: 600; font-size: 12px; padding: 5px 10px; border-bottom: 1px solid var(--line); }
table.cov th:first-child, table.cov td:first-child { text-align: left; }
table.cov td { text-align: right; padding: 4px 10px; border-bottom: 1px solid #f0f2f6; font-variant-numeric: tabular-nums; }
table.cov td:first-child { font-family: var(--mono); font-size: 12.5px; }
table.cov tr.detail td { color: var(--muted); font-size: 12px; }
table.cov tr.detail td:first-child { padding-left: 28px; }
table.cov tr.never td { background: var(--bad-bg); color: var(--bad); font-weight: 600; }
table.cov tr.stutter td { background: var(--warn-bg); }
table.cov .bar { display: inline-block; height: 8px; background: #9db5ef; border-radius: 2px; vertical-align: middle; margin-right: 6px; }
ul.warnings { margin: 10px 0 0; padding: 0; list-style: none; }
ul.warnings li { background: var(--warn-bg); color: #5c4200; border: 1px solid #f1dc9c; border-radius: 8px; padding: 6px 10px; margin-top: 6px; }
ul.warnings li::before { content: "⚠ "; }
.cov-grid { display: grid; grid-template-columns: minmax(0, 2fr) minmax(260px, 1fr); gap: 18px; align-items: start; }
.depth-chart rect.bar { fill: #7ea0e8; }
.depth-chart rect.bar:hover { fill: var(--accent); }
.depth-chart text { font-size: 10px; fill: var(--muted); }
pre.explain { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; font: 12.5px/1.5 var(--mono); white-space: pre-wrap; overflow-wrap: break-word; margin: 0 0 12px; }
.timeline-box { overflow: auto; border: 1px solid var(--line); border-radius: 10px; background: #fff; }
svg.timeline .proc-bg { fill: #fff; }
svg.timeline .proc-bg.odd { fill: #fafbfd; }
svg.timeline .proc-name { font-family: var(--mono); font-weight: 700; fill: var(--muted); }
svg.timeline .op rect { fill: #dfe7f7; stroke: #8aa3d8; }
svg.timeline .op.op-linearized rect { fill: #e4f3ea; stroke: #7cbf98; }
svg.timeline .op.op-unknown-output rect { fill: #f3f0e4; stroke: #c5b57a; stroke-dasharray: 4 2; }
svg.timeline .op.op-crashed rect { stroke: #9aa6bd; stroke-dasharray: 5 3; }
svg.timeline .op.op-unplaced rect { fill: var(--bad-bg); stroke: var(--bad); stroke-width: 1.6; }
svg.timeline .op.op-blocking rect { fill: #f8cfcf; stroke-width: 2.6; }
svg.timeline .op text { font-family: var(--mono); font-size: 11.5px; fill: var(--ink); }
svg.timeline .op.op-unplaced text { fill: var(--bad); font-weight: 700; }
svg.timeline .op-order { fill: #4c8b65; font-size: 10px; }
svg.timeline .op-arrow { fill: #9aa6bd; }
footer { padding: 6px 28px 28px; color: var(--muted); font-size: 12px; }
footer code { font-size: 11.5px; }
.muted { color: var(--muted); }
button.linkish { font: inherit; font-size: 12px; text-transform: none; letter-spacing: 0; font-weight: 500; background: none; border: 0; padding: 0; color: var(--accent); cursor: pointer; text-decoration: underline; margin-left: 12px; }
@media (max-width: 1100px) { .trace-layout, .cov-grid { grid-template-columns: 1fr; } .inspector { position: static; max-height: none; } }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0f131b; --panel: #171c26; --ink: #e3e8f2; --muted: #97a2b6; --line: #2a3140; --soft: #1d2330; --sel: #1f3158; --bad-bg: #3a1d22; --bad-line: #6b2b33; --ok-bg: #163326; --warn-bg: #3a3015; }
  .scroll-box, .timeline-box, table.steps th { background: #fbfcfe; }
  .inspector { color: var(--ink); }
  .tree .key { color: #d9a6e8; } .tree .v-string { color: #7fd6a2; } .tree .v-number { color: #9dbbff; } .tree .v-boolean { color: #f0a66e; }
  .tree .changed > .v { color: #1b2230; }
  ul.warnings li { color: #f2dc9c; border-color: #5c4a17; }
  kbd { background: #1d2330; border-color: #3a4255; }
}
`;
