/**
 * One benchmark job in a fresh process: `node --import tsx checks/bench/worker.ts '<job json>'`.
 * Prints one JSON line with the result and the process's peak RSS.
 */
import { resolve } from 'node:path';
import { explore } from '../exhaustive.ts';
import { instantiate, type AnyModel, type ParamValue } from '../machine.ts';
import { loadModel } from '../../impl/catalogue.ts';

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
}

const job = JSON.parse(process.argv[2] ?? '{}') as ExhaustiveJob;
const model = job.module
  ? ((await import(resolve(import.meta.dirname, '../..', job.module))) as Record<string, AnyModel>)[job.model]
  : await loadModel(job.model);
if (!model) throw new Error(`no model ${job.model} in ${job.module}`);
const { machine } = instantiate(model, job.params);
const r = explore(machine, {
  ...(job.checks ? { checks: job.checks } : {}),
  mode: job.mode ?? 'bfs',
  ...(job.maxStates ? { maxStates: job.maxStates } : {}),
  ...(job.timeLimitMs ? { timeLimitMs: job.timeLimitMs } : {}),
});
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
