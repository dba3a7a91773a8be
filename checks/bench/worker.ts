/**
 * One benchmark job in a fresh process: `node --import tsx checks/bench/worker.ts '<job json>'`.
 * Prints one JSON line with the result and the process's peak RSS.
 */
import { resolve } from 'node:path';
import { explore } from '../exhaustive.ts';
import { instantiate, type AnyModel, type ParamValue } from '../../impl/core/machine.ts';
import { loadModel } from '../../specs/models/catalogue.ts';
import { exploreParallel } from '../parallel/explore.ts';
import { checkRandomParallel } from '../parallel/random.ts';

/** An exhaustive-run benchmark job. */
export interface ExhaustiveJob {
  /** A registered model's name, or (with `module`) the export name of a model in that module. */
  readonly model: string;
  /** A module path relative to the repository root (`impl/raft/raft.ts`) exporting `model`. */
  readonly module?: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly checks?: readonly string[];
  readonly mode?: 'bfs' | 'dfs';
  readonly maxStates?: number;
  readonly timeLimitMs?: number;
  /** Run on this many worker threads through the parallel runner (default: the single-threaded `explore`). */
  readonly workers?: number;
  /** With `workers`: false starts the workers without the single-threaded warm start. */
  readonly warmStart?: boolean;
  /** `random`: a blocked random run (`runs` × `maxSteps`, `seed`) through the parallel random runner. */
  readonly kind?: 'exhaustive' | 'random';
  readonly runs?: number;
  readonly maxSteps?: number;
  readonly seed?: number;
  /** The purity guard of a single-threaded exhaustive run (default: the runner's own, `first`). */
  readonly purity?: 'full' | 'first' | 'off';
}

const job = JSON.parse(process.argv[2] ?? '{}') as ExhaustiveJob;
const model = job.module
  ? ((await import(resolve(import.meta.dirname, '../..', job.module))) as Record<string, AnyModel>)[job.model]
  : await loadModel(job.model);
if (!model) throw new Error(`no model ${job.model} in ${job.module}`);
if (job.kind === 'random') {
  const r = await checkRandomParallel({ model: job.model, ...(job.module ? { module: resolve(import.meta.dirname, '../..', job.module) } : {}), params: job.params }, { workers: job.workers ?? 1, runs: job.runs ?? 2000, maxSteps: job.maxSteps ?? 200, seed: job.seed ?? 1 });
  process.stdout.write(`${JSON.stringify({ status: r.summary.status, runs: r.summary.runs, steps: r.summary.steps, elapsedMs: r.elapsedMs, stepsPerSecond: (r.summary.steps / r.elapsedMs) * 1000, peakRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
  process.exit(0);
}
const { machine } = instantiate(model, job.params);
const common = {
  ...(job.checks ? { checks: job.checks } : {}),
  mode: job.mode ?? 'bfs',
  ...(job.maxStates ? { maxStates: job.maxStates } : {}),
  ...(job.timeLimitMs ? { timeLimitMs: job.timeLimitMs } : {}),
  ...(job.purity ? { purity: job.purity } : {}),
} as const;
const r = job.workers !== undefined
  ? await exploreParallel({ model: job.model, ...(job.module ? { module: resolve(import.meta.dirname, '../..', job.module) } : {}), params: job.params }, { ...common, workers: job.workers, ...(job.warmStart === false ? { warmStart: false } : {}) })
  : explore(machine, common);
process.stdout.write(
  `${JSON.stringify({
    status: r.status,
    violation: r.violation ? { name: r.violation.name, steps: r.violation.trace.steps.length } : null,
    states: r.stats.states,
    transitions: r.stats.transitions,
    diameter: r.stats.diameter,
    elapsedMs: r.stats.elapsedMs,
    statesPerSecond: r.stats.statesPerSecond,
    checkerBytesPerState: r.stats.bytesPerState,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
