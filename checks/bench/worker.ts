/**
 * One benchmark job in a fresh process: `node --import tsx checks/bench/worker.ts '<job json>'`.
 * Prints one JSON line with the result and the process's peak RSS.
 */
import { explore } from '../exhaustive.ts';
import { instantiate } from '../machine.ts';
import { findModel } from '../registry.ts';
import type { ParamValue } from '../machine.ts';

/** An exhaustive-run benchmark job. */
export interface ExhaustiveJob {
  readonly model: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly checks?: readonly string[];
  readonly mode?: 'bfs' | 'dfs';
  readonly maxStates?: number;
  readonly timeLimitMs?: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as ExhaustiveJob;
const { machine } = instantiate(findModel(job.model), job.params);
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
