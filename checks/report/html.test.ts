/**
 * Report data and pages, without a browser: what the builders put in, that the page is
 * self-contained (no URL but the SVG namespace, a CSP that forbids every fetch), that state and
 * labels cannot inject markup, and that the index reads every report back.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Machine } from '../../impl/core/machine.ts';
import { explore } from '../exhaustive.ts';
import { toTraceFile } from '../../impl/core/trace.ts';
import { buildDiagram } from '../diagram.ts';
import { makeTwoPhase } from '../../specs/models/twophase.ts';
import { reportFromRun, reportFromTraceFile, statsFields } from './data.ts';
import { echoReport, longEchoReport, twoPhaseReport } from './fixtures.ts';
import { readSummary, listReports, renderIndex } from './folder.ts';
import { REPORT_CSP, renderReport, summaryOf } from './html.ts';
import { diagramSvg, timelineSvg } from './svg.ts';

/** Every URL-looking string in a page. */
const urls = (html: string) => [...html.matchAll(/\b(?:https?|ftp|wss?):\/\/[^\s"'<>)]+/g)].map((m) => m[0]);

describe('report data', () => {
  it('TwoPhase commit-unprepared: 8 steps, the violation at step 7 with the check’s doc, no diagram (and why)', () => {
    const d = twoPhaseReport(false);
    expect(d.status).toBe('violation');
    expect(d.headline).toBe('✗ violation of tc-consistent after 7 steps');
    expect(d.steps).toHaveLength(8);
    expect(d.steps![0]!.label).toBe('initial state');
    expect(d.steps![7]!.label).toBe('RMChooseToAbort(r3)');
    expect(d.steps![7]!.changes).toEqual(['rmState.r3: "working" → "aborted"']);
    expect(d.violation).toMatchObject({ kind: 'invariant', name: 'tc-consistent', step: 7, message: 'r1 committed while r3 aborted' });
    expect(d.violation!.doc).toContain('aborts while another commits');
    expect(d.diagram).toBeUndefined();
    expect(d.noDiagram).toContain('defines no nodes() and events()');
    expect(d.checks.map((c) => c.name)).toEqual(['tc-consistent']);
    expect(d.witnesses.map((w) => [w.name, w.reached])).toEqual([
      ['all-committed', false],
      ['tm-aborted', true],
    ]);
  });

  it('Echo double-send: the diagram has a lane per node and the trace’s events', () => {
    const d = echoReport(false);
    expect(d.diagram!.lanes).toEqual(['n1', 'n2', 'n3']);
    expect(d.diagram!.rows).toHaveLength(4);
    expect(d.violation).toMatchObject({ name: 'no-double-delivery', step: 3 });
    const svg = diagramSvg(d.diagram!, { violationStep: 3 }).svg;
    expect(svg.match(/class="msg msg-deliver"/g)).toHaveLength(2);
    expect(svg.match(/class="msg msg-inflight"/g)).toHaveLength(2);
    expect(svg.match(/class="lane"/g)).toHaveLength(3);
    expect(svg).toMatch(/class="step-row[^"]* violating" data-step="3"/);
  });

  it('the long fixture is a real 55-to-60-step counterexample on 5 nodes with every fault', () => {
    const d = longEchoReport();
    expect(d.headline).toMatch(/^✗ violation of fresh-seq after (5[5-9]|60) steps$/);
    // With the environment as it is, the first seed tried gives exactly 60 steps.
    expect(d.headline).toBe('✗ violation of fresh-seq after 60 steps');
    expect(d.run[0]!.value).toBe('a seeded random walk (seed 1287; not shrunk)');
    expect(d.diagram!.lanes).toHaveLength(5);
    const kinds = new Set(d.steps!.slice(1).map((s) => s.label.split(' ')[0]));
    expect([...kinds].sort()).toEqual(['crash', 'deliver', 'drop', 'duplicate', 'heal', 'partition', 'request', 'restart', 'timer']);
  });

  it('an action that throws becomes a last pseudo-step, marked as the violating one', () => {
    type A = { readonly type: 'inc' } | { readonly type: 'boom' };
    const m: Machine<number, A> = {
      name: 'thrower',
      init: () => [0],
      actions: (s) => (s < 2 ? [{ type: 'inc' }] : [{ type: 'boom' }]),
      step: (s, a) => {
        if (a.type === 'boom') throw new Error('kaboom');
        return s + 1;
      },
    };
    const r = explore(m);
    const d = reportFromRun({ machine: m, model: 'thrower', params: {}, mode: 'bfs', result: r, bounds: [] });
    expect(d.steps!.map((s) => s.label)).toEqual(['initial state', 'inc', 'inc', 'boom (threw)']);
    expect(d.steps![3]!.threw).toBe(true);
    expect(d.violation).toMatchObject({ kind: 'error', step: 3 });
    // The culprit is named, with the line of this file that threw (impl/core/culprit.ts).
    expect(renderReport(d)).toMatch(/exception in step, taking boom at checks\/report\/html\.test\.ts:\d+:\d+ \(in step\): kaboom/);
  });

  it('a saved trace file: with its machine it has the diagram; without, the file’s own states', () => {
    const m = makeTwoPhase(3, 'commit-unprepared');
    const r = explore(m, { checks: ['tc-consistent'] });
    const file = toTraceFile(m, 'twophase', { rms: 3, bug: 'commit-unprepared' }, { runner: 'bfs' }, r.violation!.trace, r.violation!);
    const alone = reportFromTraceFile({ file, source: 'x.json', unavailable: 'model nosuch is not registered' });
    const withM = reportFromTraceFile({ file, source: 'x.json', replayed: { machine: m as never, trace: r.violation!.trace as never } });
    expect(alone.steps).toEqual(withM.steps);
    expect(alone.noDiagram).toBe('model nosuch is not registered');
    expect(alone.violation!.doc).toBeUndefined();
    expect(withM.violation!.doc).toContain('aborts while another commits');
    expect(alone.run.map((f) => f.label)).toEqual(['trace file', 'found by']);
  });

  it('formats the stats of both runners', () => {
    expect(statsFields({ states: 1234567, transitions: 5, diameter: 3, elapsedMs: 1500, collisionProbability: 1e-12 }).map((f) => `${f.label}=${f.value}`)).toEqual([
      'distinct states=1,234,567',
      'transitions=5',
      'diameter=3',
      'fingerprint collision probability=1.0e-12 (optimistic, as TLC computes it)',
      'elapsed=1.50 s',
    ]);
    expect(statsFields({ runs: 10, transitions: 99, states: 109, elapsedMs: 61_000 }).map((f) => f.label)).toEqual(['runs', 'steps', 'elapsed']);
  });
});

describe('the page', () => {
  it('is self-contained: no URL but the SVG namespace, a CSP that forbids every fetch, no external element', () => {
    for (const d of [twoPhaseReport(), echoReport(), longEchoReport()]) {
      const html = renderReport(d);
      expect(urls(html).filter((u) => u !== 'http://www.w3.org/2000/svg')).toEqual([]);
      expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
      expect(REPORT_CSP).toContain("default-src 'none'");
      expect(html).not.toMatch(/<(link|img|iframe|object|embed|base)\b/i);
      expect(html).not.toMatch(/\bsrc\s*=/i);
      expect(html).not.toMatch(/@import|url\((?!#)/i);
      expect(html.match(/<script/g)).toHaveLength(3);
    }
  });

  it('is deterministic: the same data gives the same page', () => {
    const d = longEchoReport();
    expect(renderReport(d)).toBe(renderReport(longEchoReport()));
    const t = twoPhaseReport();
    expect(renderReport(t)).toBe(renderReport(JSON.parse(JSON.stringify(t)) as typeof t));
  });

  it('escapes state, labels and messages: a hostile state cannot inject markup', () => {
    type S = { readonly note: string };
    type A = { readonly type: 'write'; readonly text: string };
    const evil = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
    const m: Machine<S, A> = {
      name: 'evil',
      init: () => [{ note: '' }],
      actions: (s) => (s.note === '' ? [{ type: 'write', text: evil }] : []),
      step: (_s, a) => ({ note: a.text }),
      invariants: [{ name: 'no-notes', doc: 'a <b>doc</b>', check: (s) => s.note === '' || `bad note ${s.note}` }],
    };
    const d = reportFromRun({ machine: m, model: 'evil<x>', params: { p: '<i>' }, mode: 'bfs', result: explore(m), bounds: [] });
    const html = renderReport(d);
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>doc</b>');
    expect(html).toContain('&lt;b&gt;doc&lt;/b&gt;');
    expect(html).toContain('\\u003c/script>');
    // The embedded data still reads back exactly.
    const json = /<script type="application\/json" id="dscheck-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect((JSON.parse(json) as { steps: { state: S }[] }).steps[1]!.state.note).toBe(evil);
  });

  it('embeds a summary the index reads back', () => {
    const d = echoReport(false);
    expect(readSummary(renderReport(d))).toEqual(summaryOf(d));
    expect(summaryOf(d)).toMatchObject({ status: 'violation', check: 'no-double-delivery', steps: 3, model: 'echo' });
    expect(readSummary('<html>not a report</html>')).toBeUndefined();
  });
});

describe('the index', () => {
  it('lists the reports of a folder, skipping other files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dscheck-index-'));
    try {
      writeFileSync(join(dir, 'a.html'), renderReport(twoPhaseReport(false)));
      writeFileSync(join(dir, 'b.html'), renderReport(echoReport(false)));
      writeFileSync(join(dir, 'other.html'), '<html><body>hello</body></html>');
      writeFileSync(join(dir, 'index.html'), 'old index');
      writeFileSync(join(dir, 'notes.txt'), 'x');
      const entries = listReports(dir);
      expect(entries.map((e) => e.file).sort()).toEqual(['a.html', 'b.html']);
      const html = renderIndex(entries);
      expect(html).toContain('href="a.html"');
      expect(html).toContain('2 reports');
      expect(html).toContain('2 failing');
      expect(new Set(urls(html))).toEqual(new Set());
      expect(renderIndex([])).toContain('No dscheck reports in this folder yet');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the history timeline', () => {
  it('marks the operations that cannot be linearized', () => {
    const svg = timelineSvg({
      verdict: 'not-linearizable',
      processes: [1, 2],
      ops: [
        { id: 0, process: 1, label: 'write 1', call: 0, ret: 2, status: 'ok', mark: 'linearized', order: 1, partition: null },
        { id: 1, process: 2, label: 'read 2', call: 1, ret: 3, status: 'ok', mark: 'blocking', partition: null },
        { id: 2, process: 1, label: 'write 3', call: 4, ret: null, status: 'crashed', mark: 'none', partition: null },
      ],
      omitted: 0,
    });
    expect(svg.match(/class="op [^"]*op-unplaced/g)).toHaveLength(1);
    expect(svg).toContain('op-blocking');
    expect(svg).toContain('op-crashed');
    expect(svg.match(/class="proc-row"/g)).toHaveLength(2);
    expect(buildDiagram).toBeTypeOf('function');
  });
});
