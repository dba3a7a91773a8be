/**
 * The random runner's entry points (described in `checks/random.ts`, which re-exports them):
 * {@link checkRandom}, its async form for the CLI, {@link pathStatus} and {@link assertRandom}.
 */
import * as fc from 'fast-check';
import type { Machine } from '../../impl/core/machine.ts';
import { PropertyViolationError, type CheckResult } from '../../impl/core/result.ts';
import { machineProperty } from './property.ts';
import { formatRandomFailure } from './describe.ts';
import type { RandomOptions, RandomResult, Schedule } from './types.ts';

/**
 * Run random schedules over `m` (see the module comment). Returns `violation` with the shrunk
 * trace, `seed`, `path` and the failing run's swarm mix, or `bounded` (a random run never
 * proves anything) with the bound that ended the search: `runs`, `time` or `interrupted`.
 */
export function checkRandom<S, A>(m: Machine<S, A>, opts: RandomOptions = {}): RandomResult<S, A> {
  const p = machineProperty(m, opts);
  return p.result(fc.check(fc.property(p.arbitrary, p.predicate), p.parameters));
}

/**
 * {@link checkRandom}, yielding to the event loop about every 100 ms so that timers and signals
 * (Ctrl-C through `opts.signal`) are served during a long run. Same seed, same path, same
 * result. The CLI uses this.
 */
export async function checkRandomAsync<S, A>(m: Machine<S, A>, opts: RandomOptions = {}): Promise<RandomResult<S, A>> {
  const p = machineProperty(m, opts);
  let lastYield = performance.now();
  const prop = fc.asyncProperty(p.arbitrary, async (sch: Schedule) => {
    const now = performance.now();
    if (now - lastYield >= 100) {
      lastYield = now;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return p.predicate(sch);
  });
  return p.result(await fc.check(prop, p.parameters));
}

/**
 * Whether `opts.path` (with `opts.seed`, `maxSteps` and the swarm kinds) names a run at all,
 * found without running the machine: fast-check walks the same generation and shrink tree with
 * a predicate that always fails. `ok`: the path names one run. `out-of-range`: a shrink index
 * past the last candidate (fast-check would run nothing). `malformed`: fast-check cannot walk it
 * (a run index or shrink step that does not exist with these `maxSteps` and kinds).
 */
export function pathStatus<S, A>(m: Machine<S, A>, opts: RandomOptions): 'ok' | 'out-of-range' | 'malformed' {
  if (opts.path === undefined) return 'ok';
  const p = machineProperty(m, { ...opts, shrink: false });
  try {
    const d = fc.check(fc.property(p.arbitrary, (_s: Schedule) => false), { ...p.parameters, endOnFailure: true });
    return d.failed ? 'ok' : 'out-of-range';
  } catch {
    return 'malformed';
  }
}

/**
 * {@link checkRandom}, throwing a {@link PropertyViolationError} on a violation, whose message
 * holds the seed, the path and the readable shrunk trace. Returns the (bounded) result otherwise.
 */
export function assertRandom<S, A>(m: Machine<S, A>, opts: RandomOptions = {}): RandomResult<S, A> {
  const r = checkRandom(m, opts);
  if (r.status === 'violation') {
    const fm = opts.draw && r.config ? (opts.draw.build(r.config) as Machine<S, A>) : m;
    throw new PropertyViolationError(formatRandomFailure(fm, r), r as CheckResult);
  }
  return r;
}
