import { checkRandomParallel, asRandomResult } from './random.ts';
for (const w of [1, 2]) {
  const t = performance.now();
  const r = await checkRandomParallel({ model: 'twophase', params: { rms: 3, bug: 'commit-unprepared' } }, { workers: w, seed: 5, runs: 5000, maxSteps: 60 });
  const rr = asRandomResult(r);
  console.log(w, JSON.stringify(r.summary), rr.violation?.trace.steps.length, (performance.now() - t).toFixed(0));
}
