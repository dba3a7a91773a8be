/**
 * Benchmark of the random runner: throughput on TwoPhase with 5 RMs (steps per second with the
 * invariants checked, and with every check including the refinement property), and the median
 * time to the first violation over 20 seeds for each TwoPhase known-bug variant, with the shrunk
 * trace lengths against BFS's shortest. It prints nothing; the bench runner prints or writes it.
 */
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { makeTwoPhase, TWOPHASE_BUGS } from '../../specs/models/twophase.ts';
import { median } from './harness.ts';

/** Target of the throughput benchmark (steps per second, one thread). */
const TARGET_STEPS_PER_SECOND = 500_000;

/** Steps per second of `reps` random runs, each `runs` × up to `maxSteps` steps; the median. */
function throughput(rms: number, checks: readonly string[] | undefined, reps: number): { median: number; all: number[]; steps: number } {
  const m = makeTwoPhase(rms);
  const all: number[] = [];
  let steps = 0;
  // One warm-up run, so the median measures compiled code.
  checkRandom(m, { seed: 1, runs: 200, maxSteps: 200, ...(checks ? { checks } : {}) });
  for (let i = 0; i < reps; i++) {
    const r = checkRandom(m, { seed: 1000 + i, runs: 2000, maxSteps: 200, ...(checks ? { checks } : {}) });
    if (r.status !== 'bounded') throw new Error(`unexpected ${r.status} on the correct TwoPhase`);
    all.push(Math.round(r.stats.stepsPerSecond));
    steps = r.stats.transitions;
  }
  return { median: median(all), all, steps };
}

/** Time to the first violation (search only) and the shrunk lengths, over `seeds` seeds. */
function firstViolation(rms: number, bug: keyof typeof TWOPHASE_BUGS, seeds: number): Record<string, unknown> {
  const m = makeTwoPhase(rms, bug);
  const bfs = explore(m).violation?.trace.steps.length ?? null;
  const searchMs: number[] = [];
  const runs: number[] = [];
  const fastCheck: number[] = [];
  const final: number[] = [];
  const shrinkMs: number[] = [];
  let found = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const r = checkRandom(m, { seed, runs: 1_000_000, maxSteps: 200, timeLimitMs: 60_000 });
    if (r.status !== 'violation') continue;
    found++;
    searchMs.push(r.stats.searchMs);
    runs.push(r.stats.runs);
    fastCheck.push(r.stats.shrink!.fastCheckLength);
    final.push(r.stats.shrink!.finalLength);
    shrinkMs.push(r.stats.shrink!.elapsedMs);
  }
  return {
    rms,
    bug,
    seeds,
    found,
    bfsShortest: bfs,
    medianMsToFirstViolation: Number(median(searchMs).toFixed(2)),
    maxMsToFirstViolation: Number(Math.max(...searchMs).toFixed(2)),
    medianRunsToFirstViolation: median(runs),
    medianFastCheckLength: median(fastCheck),
    medianFinalLength: median(final),
    maxFinalLength: Math.max(...final),
    worstRatioToBfs: bfs ? Number((Math.max(...final) / bfs).toFixed(2)) : null,
    medianShrinkMs: Number(median(shrinkMs).toFixed(2)),
  };
}

/**
 * Random-mode throughput on TwoPhase with 5 RMs (median of 5 repetitions of 2,000 runs × up to
 * 200 steps, seeds fixed), and the median time to the first violation over 20 seeds for each
 * known-bug variant (3 and 5 RMs), with shrunk lengths and the worst ratio to BFS's shortest.
 */
export async function benchRandom(): Promise<Record<string, unknown>> {
  const invariantsOnly = throughput(5, ['type-ok', 'tc-consistent'], 5);
  const allChecks = throughput(5, undefined, 5);
  const bugs = Object.keys(TWOPHASE_BUGS) as (keyof typeof TWOPHASE_BUGS)[];
  const violations = [3, 5].flatMap((rms) => bugs.map((bug) => firstViolation(rms, bug, 20)));
  const summary = [
    `TwoPhase 5 RMs, invariants: ${invariantsOnly.median.toLocaleString('en-US')} steps/s (median of 5; target ${TARGET_STEPS_PER_SECOND.toLocaleString('en-US')})`,
    `TwoPhase 5 RMs, all checks incl. refinement: ${allChecks.median.toLocaleString('en-US')} steps/s`,
    ...violations.map(
      (v) =>
        `${String(v['bug'])} (${String(v['rms'])} RMs): found ${String(v['found'])}/${String(v['seeds'])} · median ${String(v['medianMsToFirstViolation'])} ms to first violation · shrunk median ${String(v['medianFinalLength'])} (fast-check ${String(v['medianFastCheckLength'])}), worst ${String(v['maxFinalLength'])} vs BFS ${String(v['bfsShortest'])}`,
    ),
  ];
  return {
    summary,
    throughput: {
      model: 'twophase rms=5',
      runsPerRep: 2000,
      maxSteps: 200,
      invariantsOnly: { stepsPerSecond: invariantsOnly.median, reps: invariantsOnly.all, stepsPerRep: invariantsOnly.steps },
      allChecks: { stepsPerSecond: allChecks.median, reps: allChecks.all, stepsPerRep: allChecks.steps },
      target: TARGET_STEPS_PER_SECOND,
      meetsTarget: invariantsOnly.median >= TARGET_STEPS_PER_SECOND,
    },
    firstViolation: violations,
  };
}
