/**
 * What a random result says: the options and trace origin that replay it, and its one-line and
 * full text descriptions.
 */
import type { Machine } from '../../impl/core/machine.ts';
import { describeViolation, formatTrace, type TraceOrigin } from '../../impl/core/trace.ts';
import type { DrawAxis, RandomOptions, RandomResult } from './types.ts';

/** The options that replay a result's failing run: `seed`, `path`, `maxSteps`, `kinds`, `checks`, `shrink`. */
export function replayOptions(r: RandomResult): RandomOptions {
  return {
    shrink: r.shrink,
    seed: r.seed,
    ...(r.path !== null ? { path: r.path } : {}),
    maxSteps: r.maxSteps,
    kinds: r.kinds,
    swarm: r.kinds.length > 0,
    ...(r.checks ? { checks: r.checks } : {}),
  };
}

/** The trace-file origin of a random result: what replays it (seed, path, steps, kinds) and its mix. */
export function randomOrigin(r: RandomResult): TraceOrigin {
  return {
    runner: 'random',
    seed: r.seed,
    path: r.path ?? '',
    maxSteps: r.maxSteps,
    swarm: r.swarm ?? { kinds: r.kinds, excluded: [] },
    ...(r.checks ? { checks: r.checks } : {}),
    ...(r.draw ? { draw: Object.fromEntries(r.draw.map((a) => [a.name, a.values])) } : {}),
    ...(r.stats.shrink ? { shrink: { fastCheckLength: r.stats.shrink.fastCheckLength, length: r.stats.shrink.finalLength } } : {}),
  };
}

/** One line for a clean finish: "no violation in N runs of up to M steps (seed S)". */
export function describeRandomResult(r: RandomResult): string {
  if (r.status === 'violation' && r.violation) {
    return `${describeViolation(r.violation)} after ${r.violation.trace.steps.length} steps (seed ${r.seed}, path ${r.path})`;
  }
  const b = r.bound!;
  const why = b.kind === 'time' ? ' (time limit reached)' : b.kind === 'interrupted' ? ' (interrupted)' : '';
  const cfg = r.draw ? ` over ${(r.stats.configs ?? 0).toLocaleString('en-US')} configurations drawn from the seed` : '';
  return `no violation in ${r.stats.runs.toLocaleString('en-US')} runs of up to ${r.maxSteps.toLocaleString('en-US')} steps${cfg} (seed ${r.seed})${why}`;
}

/** The drawn part of a failing run's configuration, "nodes=4, crashes=1", or '' without a draw. */
export function drawnConfigText(r: Pick<RandomResult, 'draw' | 'config'>): string {
  if (!r.draw || !r.config) return '';
  return r.draw.map((a) => `${a.name}=${String(r.config![a.name])}`).join(', ');
}

/** The ranges of a draw, "crashes 0..2, delivery multiset|fifo". */
export function drawRangesText(axes: readonly DrawAxis[]): string {
  return axes
    .map((a) => {
      const v = a.values;
      const ints = v.every((x) => typeof x === 'number') && v.every((x, i) => i === 0 || x === (v[i - 1] as number) + 1);
      return `${a.name} ${ints && v.length > 1 ? `${String(v[0])}..${String(v[v.length - 1])}` : v.map(String).join('|')}`;
    })
    .join(', ');
}

/**
 * The message of a random-run failure: seed and path first (with the options to replay them),
 * then the violation and the readable shrunk trace.
 */
export function formatRandomFailure<S, A>(m: Machine<S, A>, r: RandomResult<S, A>): string {
  const v = r.violation!;
  const sh = r.stats.shrink;
  const replay = JSON.stringify({ seed: r.seed, path: r.path, maxSteps: r.maxSteps, ...(r.checks ? { checks: r.checks } : {}) });
  const mix = r.swarm && r.swarm.excluded.length > 0 ? `swarm mix: without ${r.swarm.excluded.join(', ')}` : 'swarm mix: every action kind';
  return [
    `seed ${r.seed}, path ${r.path} (replay: checkRandom(machine, ${replay}))`,
    `${describeViolation(v)} after ${v.trace.steps.length} steps` +
      (sh ? ` (found in run ${r.stats.runs}${sh.firstFailureLength > 0 ? ` at ${sh.firstFailureLength} steps` : ''}; shrunk to ${sh.fastCheckLength} by fast-check, ${sh.finalLength} by delta debugging)` : ''),
    mix,
    ...(r.config ? [`configuration drawn from the seed: ${drawnConfigText(r)} (ranges: ${drawRangesText(r.draw ?? [])})`] : []),
    formatTrace(m, v.trace, v),
  ].join('\n');
}
