/**
 * Reports benchmark: what coverage costs (the counting pass against the plain exhaustive
 * search, TwoPhase with 5 and 6 RMs), and how long a report and an ITF trace take to build and
 * how big they are (the 60-step, 5-node Echo counterexample). In-process, medians of `reps`.
 */
import { explore } from '../exhaustive.ts';
import { makeTwoPhase } from '../../specs/models/twophase.ts';
import { makeEcho } from '../../specs/models/echo.ts';
import { median } from './harness.ts';
import { exhaustiveCoverage } from '../report/coverage.ts';
import { ECHO_LONG, longEchoReport, seededWalk } from '../report/fixtures.ts';
import { renderReport } from '../report/html.ts';
import { formatItf, traceToItf } from '../report/itf.ts';

function time(f: () => unknown): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

/** Run the reports benchmark. */
export async function benchReports(opts: { readonly reps?: number } = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? 3;
  const rows: Record<string, unknown>[] = [];
  for (const rms of [5, 6]) {
    const m = makeTwoPhase(rms);
    const states = explore(m).stats.states;
    const plain = median(Array.from({ length: reps }, () => time(() => explore(m))));
    const cov = median(Array.from({ length: reps }, () => time(() => exhaustiveCoverage(m))));
    rows.push({ what: `coverage, TwoPhase ${rms} RMs`, states, plainMs: plain, coverageMs: cov, overhead: cov / plain });
  }
  const report = longEchoReport();
  const buildMs = median(Array.from({ length: reps }, () => time(() => longEchoReport())));
  let html = '';
  const renderMs = median(Array.from({ length: reps }, () => time(() => (html = renderReport(report)))));
  const m = makeEcho(ECHO_LONG, { retry: true, bug: 'volatile-seq' });
  const trace = seededWalk(m, 1287, 60, () => 1);
  let itf = '';
  const itfMs = median(Array.from({ length: reps }, () => time(() => (itf = formatItf(traceToItf(m, trace, { model: 'echo', params: {} }))))));
  rows.push({ what: 'report of the 60-step, 5-node Echo counterexample', buildMs, renderMs, htmlBytes: html.length });
  rows.push({ what: 'ITF of a 60-step, 5-node Echo trace', itfMs, itfBytes: itf.length });
  const summary = [
    ...rows.slice(0, 2).map((r) => `${String(r['what'])}: ${Number(r['states']).toLocaleString('en-US')} states, explore ${Number(r['plainMs']).toFixed(0)} ms, coverage pass ${Number(r['coverageMs']).toFixed(0)} ms (${Number(r['overhead']).toFixed(2)}× the search) — medians of ${reps}`),
    `report of the 60-step, 5-node Echo counterexample: data ${buildMs.toFixed(0)} ms, HTML ${renderMs.toFixed(0)} ms, ${(html.length / 1024).toFixed(0)} KiB — medians of ${reps}`,
    `ITF of a 60-step, 5-node Echo trace: ${itfMs.toFixed(0)} ms, ${(itf.length / 1024).toFixed(0)} KiB — median of ${reps}`,
  ];
  return { summary, rows, reps };
}
