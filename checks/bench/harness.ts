/**
 * Benchmark helpers: run a job in a fresh Node process, repeat, take medians.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExhaustiveJob } from './worker.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

/** What one exhaustive job reports. */
export interface ExhaustiveSample {
  readonly status: string;
  readonly violation: { readonly name: string; readonly steps: number } | null;
  readonly states: number;
  readonly transitions: number;
  readonly diameter: number;
  readonly elapsedMs: number;
  readonly statesPerSecond: number;
  readonly checkerBytesPerState: number;
  readonly peakRssMiB: number;
}

/** Run one exhaustive job in a fresh process. */
export function runExhaustive(job: ExhaustiveJob): ExhaustiveSample {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(HERE, 'worker.ts'), JSON.stringify(job)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as ExhaustiveSample;
}

/** The median of some numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Repeat an exhaustive job `reps` times; report medians (and check the counts never vary). */
export function repeatExhaustive(job: ExhaustiveJob, reps: number): RepeatedSample {
  return summarizeSamples(job, Array.from({ length: reps }, () => runExhaustive(job)));
}

/** Medians of some runs of one job, with every run's time (the counts must never vary). */
export type RepeatedSample = ExhaustiveSample & { readonly reps: number; readonly elapsedMsAll: readonly number[] };

/** The medians of `samples`, runs of `job` (throws if their counts differ). */
export function summarizeSamples(job: ExhaustiveJob, samples: readonly ExhaustiveSample[]): RepeatedSample {
  const first = samples[0]!;
  for (const s of samples) {
    if (s.states !== first.states || s.transitions !== first.transitions) throw new Error(`non-deterministic counts for ${JSON.stringify(job)}`);
  }
  const elapsedMs = median(samples.map((s) => s.elapsedMs));
  return {
    ...first,
    elapsedMs,
    statesPerSecond: (first.states / elapsedMs) * 1000,
    peakRssMiB: median(samples.map((s) => s.peakRssMiB)),
    reps: samples.length,
    elapsedMsAll: samples.map((s) => Math.round(s.elapsedMs)),
  };
}

/**
 * Run several jobs `reps` times, interleaved (one run of each, in order, then again), so that a
 * slow phase of a noisy machine falls on every job alike: the medians of each, and the runs in
 * order (run r of every job was made in the same round).
 */
export function repeatInterleaved<K extends string>(jobs: Readonly<Record<K, ExhaustiveJob>>, reps: number): Record<K, RepeatedSample> {
  const keys = Object.keys(jobs) as K[];
  const samples = Object.fromEntries(keys.map((k) => [k, [] as ExhaustiveSample[]])) as Record<K, ExhaustiveSample[]>;
  for (let r = 0; r < reps; r++) for (const k of keys) samples[k].push(runExhaustive(jobs[k]));
  return Object.fromEntries(keys.map((k) => [k, summarizeSamples(jobs[k], samples[k])])) as Record<K, RepeatedSample>;
}

/** The median of the ratios a[r] / b[r] of runs made in the same round. */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, r) => x / b[r]!));
}

/** A small deterministic PRNG (mulberry32): uniform numbers in [0, 1) from a seed, for benchmark inputs. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
