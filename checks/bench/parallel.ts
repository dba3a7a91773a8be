/**
 * Multi-core benchmarks (issue 16): TwoPhase-8 and the PaxosCommit.tla port on 1 vs 2 workers,
 * TwoPhase-9's peak RSS, and random-mode steps per second on 1 vs 2 workers. Each job runs in a
 * fresh process (so peak RSS is the job's own); wall times include the workers' start-up. The
 * runs compared are interleaved (one of each per round) and a speed-up is the median of the
 * rounds' ratios: this machine has slow phases, and they then fall on both sides alike.
 * Run: `npm run bench -- parallel` (on an otherwise idle machine: the ratios are the point).
 * Some cases only: `DSCHECK_BENCH_CASES=twophase9 npm run bench -- parallel` (a comma-separated
 * list of {@link PARALLEL_CASES}; the memory case takes a minute or two, the rest many more).
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, pairedRatio, repeatExhaustive, repeatInterleaved } from './harness.ts';
import type { ExhaustiveJob } from './worker.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
/**
 * Runs of the random job: about 20 s on one thread of an idle machine (about 56M steps), so that
 * the workers' start-up (about 0.65 s to a worker's first block: each thread loads TypeScript,
 * the model and fast-check) is a small part of the wall time, as in any random run worth
 * spreading over cores. (It was 40,000 runs, then 160,000; each time steps had become cheaper
 * and the job had shrunk to about 5 s on one thread, where the start-up alone holds the ratio
 * near 1.4–1.5: 160,000 runs measured 1.39× on 2026-12-07 at 22:59.)
 */
const RANDOM_RUNS = 640_000;

interface RandomSample {
  readonly status: string;
  readonly runs: number;
  readonly steps: number;
  readonly elapsedMs: number;
  readonly stepsPerSecond: number;
  readonly peakRssMiB: number;
}

function runRandom(job: ExhaustiveJob): RandomSample {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(HERE, 'worker.ts'), JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop()!) as RandomSample;
}

/** The cases of this section, in order (names for `DSCHECK_BENCH_CASES`). */
export const PARALLEL_CASES = ['twophase8', 'paxoscommit', 'twophase9', 'random'] as const;

/** The cases `DSCHECK_BENCH_CASES` asks for (all when unset); an unknown name is an error. */
function wantedCases(): ReadonlySet<string> {
  const env = process.env['DSCHECK_BENCH_CASES'];
  if (env === undefined || env.trim() === '') return new Set(PARALLEL_CASES);
  const names = env.split(',').map((x) => x.trim()).filter((x) => x !== '');
  for (const n of names) {
    if (!(PARALLEL_CASES as readonly string[]).includes(n)) {
      process.stderr.write(`bench: DSCHECK_BENCH_CASES: unknown case '${n}'; valid: ${PARALLEL_CASES.join(', ')}\n`);
      process.exit(2);
    }
  }
  return new Set(names);
}

/** Run the parallel benchmarks. */
export async function benchParallel(opts: { readonly reps?: number } = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? 3;
  const cases = wantedCases();
  const summary: string[] = [];
  const rows: Record<string, unknown>[] = [];
  const pair = (label: string, job: ExhaustiveJob): void => {
    // Interleaved: each round runs 1 worker, 2 workers, 2 workers without the warm start.
    const { one, two, cold } = repeatInterleaved({ one: { ...job, workers: 1 }, two: { ...job, workers: 2 }, cold: { ...job, workers: 2, warmStart: false } }, reps);
    for (const r of [two, cold]) if (one.states !== r.states || one.status !== r.status) throw new Error(`${label}: 1 and 2 workers disagree (${one.states} vs ${r.states} states)`);
    const speedup = pairedRatio(one.elapsedMsAll, two.elapsedMsAll);
    const speedupCold = pairedRatio(one.elapsedMsAll, cold.elapsedMsAll);
    rows.push({ label, states: one.states, oneWorkerMs: one.elapsedMs, twoWorkersMs: two.elapsedMs, twoWorkersNoWarmStartMs: cold.elapsedMs, speedup, speedupNoWarmStart: speedupCold, oneAll: one.elapsedMsAll, twoAll: two.elapsedMsAll, coldAll: cold.elapsedMsAll, peakRssMiB1: one.peakRssMiB, peakRssMiB2: two.peakRssMiB, bytesPerState1: one.checkerBytesPerState, bytesPerState2: cold.checkerBytesPerState });
    summary.push(
      `${label.padEnd(34)} ${one.states.toLocaleString('en-US').padStart(10)} states  1 worker ${(one.elapsedMs / 1000).toFixed(2)} s · 2 workers ${(two.elapsedMs / 1000).toFixed(2)} s (no warm start ${(cold.elapsedMs / 1000).toFixed(2)} s)  → ${speedup.toFixed(2)}× (${speedupCold.toFixed(2)}×; median of ${reps} interleaved pairs; target ≥ 1.7×: ${Math.max(speedup, speedupCold) >= 1.7 ? 'met' : 'NOT met'})  peak RSS ${Math.round(one.peakRssMiB)} / ${Math.round(two.peakRssMiB)} MiB  ${one.checkerBytesPerState.toFixed(1)} / ${cold.checkerBytesPerState.toFixed(1)} B/state`,
    );
  };
  if (cases.has('twophase8')) pair('TwoPhase 8 RMs, type-ok', { model: 'twophase', params: { rms: 8 }, checks: ['type-ok'] });
  if (cases.has('paxoscommit')) pair('PaxosCommit.tla port (2 RMs, 3 acc)', { model: 'paxoscommit-tla', params: { rms: 2, acceptors: 3, maxBallot: 1 } });
  const nine = (cases.has('twophase9') ? [1, 2] : []).map((workers) => repeatExhaustive({ model: 'twophase', params: { rms: 9 }, checks: ['type-ok'], workers, ...(workers > 1 ? { warmStart: false } : {}) }, 1));
  for (const [i, r] of nine.entries()) {
    rows.push({ label: `TwoPhase 9 RMs, ${i + 1} worker(s)`, states: r.states, elapsedMs: r.elapsedMs, peakRssMiB: r.peakRssMiB, bytesPerState: r.checkerBytesPerState });
    summary.push(`TwoPhase 9 RMs, type-ok, ${i + 1} worker${i ? 's' : ' '}       ${r.states.toLocaleString('en-US').padStart(10)} states  ${(r.elapsedMs / 1000).toFixed(2)} s  peak RSS ${Math.round(r.peakRssMiB)} MiB (target ≤ 800 MiB: ${r.peakRssMiB <= 800 ? 'met' : 'NOT met'})  ${r.checkerBytesPerState.toFixed(1)} B/state (target ≤ 16: ${r.checkerBytesPerState <= 16 ? 'met' : 'NOT met'})`);
  }
  if (!cases.has('random')) return { summary, rows, reps, cases: [...cases] };
  // Interleaved: each round runs 1 worker then 2 workers on the same seed.
  const samples: RandomSample[][] = [[], []];
  for (let i = 0; i < reps; i++) for (const workers of [1, 2]) samples[workers - 1]!.push(runRandom({ kind: 'random', model: 'twophase', params: { rms: 5 }, workers, runs: RANDOM_RUNS, maxSteps: 200, seed: 100 + i }));
  const rnd = samples.map((ss, i) => ({ workers: i + 1, stepsPerSecond: median(ss.map((s) => s.stepsPerSecond)), all: ss.map((s) => Math.round(s.stepsPerSecond)) }));
  const ratio = pairedRatio(rnd[1]!.all, rnd[0]!.all);
  rows.push({ label: 'random TwoPhase 5 RMs', rnd, ratio });
  summary.push(`Random, TwoPhase 5 RMs (${RANDOM_RUNS.toLocaleString('en-US')} runs × 200 steps)   1 worker ${Math.round(rnd[0]!.stepsPerSecond).toLocaleString('en-US')} steps/s · 2 workers ${Math.round(rnd[1]!.stepsPerSecond).toLocaleString('en-US')} steps/s → ${ratio.toFixed(2)}× (median of ${reps} interleaved pairs; target ≥ 1.8×: ${ratio >= 1.8 ? 'met' : 'NOT met'}; wall includes worker start-up)`);
  return { summary, rows, reps };
}
