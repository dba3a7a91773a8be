/**
 * Benchmark: check the whole conformance corpus (`../shared/corpus`, 229 histories) and report
 * JSON-able timings. It prints nothing; the bench runner prints or writes the result.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkCorpusEntry, corpusRoot, loadCorpus, type CorpusEntry, type CorpusOutcome } from '../history/corpus.ts';
import { checkStrongest } from '../history/levels.ts';
import { parseHistory } from '../history/load.ts';

/**
 * `--strongest` over the corpus: parse + check each history, walking the levels down from
 * linearizable. The levels below linearizability get a step bound (3,000,000) so that the few
 * histories whose sequential search is expensive end as "undecided" in bounded time.
 */
async function strongestRun(entries: readonly CorpusEntry[], root: string): Promise<{ ms: Map<CorpusEntry, number>; tally: Record<string, number> }> {
  const ms = new Map<CorpusEntry, number>();
  const tally: Record<string, number> = {};
  for (const e of entries) {
    const text = await readFile(join(root, e.family, e.file), 'utf8');
    const t0 = performance.now();
    const loaded = parseHistory(text, { format: e.format, model: e.model, source: `${e.family}/${e.file}` });
    const s = checkStrongest(loaded.model, loaded.history, e.expected === 'linearizable' ? {} : { maxSteps: 3_000_000 });
    ms.set(e, performance.now() - t0);
    const key = `${s.strongest ?? 'none'}${s.decided ? '' : ' (undecided)'}`;
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return { ms, tally };
}

/**
 * Check every corpus history (parse + check, one at a time) and return the total wall time,
 * per-family and per-model totals, the slowest histories, and how many verdicts agree with the
 * manifests.
 */
export async function benchHistoryCorpus(): Promise<Record<string, unknown>> {
  const root = corpusRoot();
  const entries = await loadCorpus(root);
  const t0 = performance.now();
  const outcomes: CorpusOutcome[] = [];
  for (const e of entries) outcomes.push(await checkCorpusEntry(e, root));
  const wallMs = performance.now() - t0;

  const group = (key: (o: CorpusOutcome) => string): Record<string, { files: number; ms: number; steps: number }> => {
    const out: Record<string, { files: number; ms: number; steps: number }> = {};
    for (const o of outcomes) {
      const g = (out[key(o)] ??= { files: 0, ms: 0, steps: 0 });
      g.files++;
      g.ms += o.ms;
      g.steps += o.result.stats.steps;
    }
    for (const g of Object.values(out)) g.ms = Math.round(g.ms * 10) / 10;
    return out;
  };
  const slowest = [...outcomes].sort((a, b) => b.ms - a.ms).slice(0, 5);
  const show = (o: CorpusOutcome): Record<string, unknown> => ({
    file: `${o.entry.family}/${o.entry.file}`,
    ms: Math.round(o.ms * 10) / 10,
    verdict: o.result.verdict,
    steps: o.result.stats.steps,
    memoEntries: o.result.stats.states,
  });
  const disagree = outcomes.filter((o) => !o.agrees);
  const top = slowest[0];
  const strongest = await strongestRun(entries, root);
  const linEntries = outcomes.filter((o) => o.entry.expected === 'linearizable');
  const linOnlyMs = linEntries.reduce((a, o) => a + o.ms, 0);
  const strongestLinMs = linEntries.reduce((a, o) => a + strongest.ms.get(o.entry)!, 0);
  const strongestAllMs = [...strongest.ms.values()].reduce((a, b) => a + b, 0);
  return {
    summary: [
      `linearizability corpus: ${outcomes.length} histories, ${outcomes.length - disagree.length} agree with their known verdicts, ${(wallMs / 1000).toFixed(2)} s in all (target < 10 s)`,
      ...(top ? [`slowest history: ${top.entry.family}/${top.entry.file}, ${top.ms.toFixed(0)} ms (${top.result.verdict})`] : []),
      `--strongest on the ${linEntries.length} linearizable histories: ${(strongestLinMs / 1000).toFixed(2)} s (linearizability alone: ${(linOnlyMs / 1000).toFixed(2)} s; target: about the same)`,
      `--strongest on all ${outcomes.length}: ${(strongestAllMs / 1000).toFixed(2)} s; ${Object.entries(strongest.tally)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}`,
    ],
    strongest: {
      linearizableHistories: linEntries.length,
      linearizableMs: Math.round(strongestLinMs * 10) / 10,
      linearizabilityOnlyMs: Math.round(linOnlyMs * 10) / 10,
      allMs: Math.round(strongestAllMs * 10) / 10,
      outcomes: strongest.tally,
    },
    benchmark: 'history-corpus',
    corpus: root,
    files: outcomes.length,
    agree: outcomes.length - disagree.length,
    disagree: disagree.map((o) => ({ file: `${o.entry.family}/${o.entry.file}`, expected: o.entry.expected, got: o.result.verdict })),
    wallMs: Math.round(wallMs * 10) / 10,
    checkMs: Math.round(outcomes.reduce((s, o) => s + o.ms, 0) * 10) / 10,
    families: group((o) => o.entry.family),
    models: group((o) => o.entry.manifestModel),
    slowest: slowest.length > 0 ? show(slowest[0]!) : null,
    slowest5: slowest.map(show),
    totalSteps: outcomes.reduce((s, o) => s + o.result.stats.steps, 0),
    node: process.version,
  };
}
