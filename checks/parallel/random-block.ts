/**
 * One block of random runs, as the main thread and the workers both run it (a module of its own
 * so that a worker loads fast-check only when it gets its first block).
 */
import type { AnyMachine } from '../../impl/core/machine.ts';
import { checkRandom } from '../random.ts';
import type { RandomBlockJob, RandomBlockReport } from './protocol.ts';

/** Run one block of random runs and report it. */
export function runRandomBlock(machine: AnyMachine, job: RandomBlockJob): Omit<RandomBlockReport, 'type'> {
  const r = checkRandom(machine, {
    seed: job.seed,
    runs: job.runs,
    maxSteps: job.maxSteps,
    timeLimitMs: job.timeLimitMs,
    checks: job.checks,
    kinds: job.kinds,
    swarm: job.swarm,
    deadlock: job.deadlock,
    shrink: job.shrink,
    purityFirstSteps: job.purityFirstSteps,
  });
  return {
    block: job.block,
    seed: job.seed,
    status: r.status,
    path: r.path,
    bound: r.bound ?? null,
    runs: r.stats.runs,
    states: r.stats.states,
    transitions: r.stats.transitions,
    searchMs: r.stats.searchMs,
    witnesses: r.witnesses,
    violation: r.violation ? { kind: r.violation.kind, name: r.violation.name, steps: r.violation.trace.steps.length } : null,
    excluded: r.swarm?.excluded ?? [],
  };
}
