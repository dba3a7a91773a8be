/**
 * The random runner on fast-check: determinism, finding and shrinking the TwoPhase known bugs
 * (compared with BFS's shortest trace), exact replay from seed + path, swarm mixes, bounds.
 */
import { describe, expect, test } from 'vitest';
import * as fc from 'fast-check';
import { explore } from '../exhaustive.ts';
import { witnessAtViolation } from '../core/toys.ts';
import { PropertyViolationError } from '../../impl/core/result.ts';
import { toTraceFile, type TraceOrigin } from '../../impl/core/trace.ts';
import type { Machine } from '../../impl/core/machine.ts';
import { canonicalEqual } from '../../impl/core/encode.ts';
import { makeTwoPhase, TWOPHASE_BUGS, type TwoPhaseAction, type TwoPhaseState } from '../../specs/models/twophase.ts';
import {
  assertRandom,
  checkRandom,
  checkRandomAsync,
  describeRandomResult,
  discoverKinds,
  machineProperty,
  randomOrigin,
  replayOptions,
  scheduleArbitrary,
  type RandomResult,
} from '../random.ts';
import { defaultActionKind } from '../engine/shrink.ts';
import { isOneMinimal } from './helpers.ts';

const BUGS = Object.keys(TWOPHASE_BUGS) as (keyof typeof TWOPHASE_BUGS)[];

/** The trace file a result would be written as (what "byte for byte" compares). */
function traceJson(m: Machine<TwoPhaseState, TwoPhaseAction>, r: RandomResult<TwoPhaseState, TwoPhaseAction>): string {
  const v = r.violation!;
  return JSON.stringify(toTraceFile(m, 'twophase', { rms: 3 }, randomOrigin(r), v.trace, v), null, 2);
}

describe('determinism', () => {
  test('the same seed gives the same trace file, byte for byte', () => {
    const m = makeTwoPhase(3, 'commit-unprepared');
    const a = checkRandom(m, { seed: 1234, runs: 2000, maxSteps: 60 });
    const b = checkRandom(m, { seed: 1234, runs: 2000, maxSteps: 60 });
    expect(a.status).toBe('violation');
    expect(b.path).toBe(a.path);
    expect(traceJson(m, b)).toBe(traceJson(m, a));
  });

  test('the async runner gives the same result as the sync one', async () => {
    const m = makeTwoPhase(3, 'abort-after-prepare');
    const a = checkRandom(m, { seed: 99, runs: 2000, maxSteps: 60 });
    const b = await checkRandomAsync(m, { seed: 99, runs: 2000, maxSteps: 60 });
    expect(a.status).toBe('violation');
    expect(traceJson(m, b)).toBe(traceJson(m, a));
  });

  test('different seeds explore different schedules', () => {
    const arb = scheduleArbitrary(7, 40);
    const x = fc.sample(arb, { seed: 1, numRuns: 5 });
    const y = fc.sample(arb, { seed: 2, numRuns: 5 });
    expect(JSON.stringify(x)).not.toBe(JSON.stringify(y));
  });
});

describe.each(BUGS)('TwoPhase known bug %s (3 RMs)', (bug) => {
  const m = makeTwoPhase(3, bug);
  const bfs = explore(m);
  const shortest = bfs.violation!.trace.steps.length;

  test.each([1, 2, 3])('seed %i: found, and shrunk to at most 1.5× the BFS shortest trace', (seed) => {
    expect(bfs.status).toBe('violation');
    const r = checkRandom(m, { seed, runs: 5000, maxSteps: 60 });
    expect(r.status).toBe('violation');
    const v = r.violation!;
    expect(TWOPHASE_BUGS[bug].breaks as readonly string[]).toContain(v.name);
    expect(v.trace.steps.length).toBeLessThanOrEqual(1.5 * shortest);
    // Both lengths are recorded; delta debugging never makes it longer.
    const sh = r.stats.shrink!;
    expect(sh.finalLength).toBe(v.trace.steps.length);
    expect(sh.fastCheckLength).toBeGreaterThanOrEqual(sh.finalLength);
    expect(sh.firstFailureLength).toBeGreaterThanOrEqual(sh.fastCheckLength);
    expect(sh.complete).toBe(true);
    // The shrunk trace is 1-minimal, checked by an independent executor.
    expect(isOneMinimal(m, v.trace.initIndex, v.trace.steps.map((s) => s.action), v)).toBe(true);
  });

  test('replaying seed + path reproduces the identical trace (same check, same step)', () => {
    const r = checkRandom(m, { seed: 5, runs: 5000, maxSteps: 60 });
    expect(r.status).toBe('violation');
    expect(r.path).toMatch(/^\d+(:\d+)*$/);
    const again = checkRandom(m, replayOptions(r));
    expect(again.status).toBe('violation');
    expect(again.violation!.name).toBe(r.violation!.name);
    expect(again.violation!.trace.steps.length).toBe(r.violation!.trace.steps.length);
    expect(again.path).toBe(r.path);
    expect(traceJson(m, again)).toBe(traceJson(m, r));
    // A replay runs one schedule: no search.
    expect(again.stats.runs).toBe(1);
  });

  test('fast-check shrinks for a bounded number of runs, then delta debugging finishes: still 1-minimal, and replayable', () => {
    const r = checkRandom(m, { seed: 2, runs: 5000, maxSteps: 60, fastCheckShrinkRuns: 3 });
    expect(r.status).toBe('violation');
    const sh = r.stats.shrink!;
    expect(sh.fastCheckTests).toBeLessThanOrEqual(3);
    // The budget is not a time limit: the result still says the shrinking completed.
    expect(sh.complete).toBe(true);
    expect(isOneMinimal(m, r.violation!.trace.initIndex, r.violation!.trace.steps.map((s) => s.action), r.violation!)).toBe(true);
    expect(traceJson(m, checkRandom(m, replayOptions(r)))).toBe(traceJson(m, r));
    // Unbounded, fast-check tries more runs on the same failure.
    const unbounded = checkRandom(m, { seed: 2, runs: 5000, maxSteps: 60, fastCheckShrinkRuns: 1e9 });
    expect(unbounded.stats.shrink!.fastCheckTests).toBeGreaterThan(3);
    expect(() => checkRandom(m, { seed: 2, fastCheckShrinkRuns: -1 })).toThrow(/fastCheckShrinkRuns must be a non-negative integer/);
  });

  test('fast-check alone (no delta debugging) also reproduces from seed + path', () => {
    const r = checkRandom(m, { seed: 8, runs: 5000, maxSteps: 60, shrink: 'fast-check' });
    expect(r.status).toBe('violation');
    const again = checkRandom(m, replayOptions(r));
    expect(traceJson(m, again)).toBe(traceJson(m, r));
    expect(r.stats.shrink!.finalLength).toBe(r.stats.shrink!.fastCheckLength);
    // Without any shrinking, the path names the first failing run, and replays it too.
    const raw = checkRandom(m, { seed: 8, runs: 5000, maxSteps: 60, shrink: false });
    expect(raw.path).toMatch(/^\d+$/);
    expect(raw.violation!.trace.steps.length).toBe(r.stats.shrink!.firstFailureLength);
    expect(traceJson(m, checkRandom(m, replayOptions(raw)))).toBe(traceJson(m, raw));
  });
});

describe('swarm testing', () => {
  test('kinds are the actions\' tag field, discovered deterministically', () => {
    const m = makeTwoPhase(3);
    expect(discoverKinds(m)).toEqual(['RMChooseToAbort', 'RMPrepare', 'RMRcvAbortMsg', 'RMRcvCommitMsg', 'TMAbort', 'TMCommit', 'TMRcvPrepared']);
    // Deep kinds (a commit needs every RM's vote first) are found by the seeded random walks.
    expect(discoverKinds(makeTwoPhase(10))).toEqual(discoverKinds(m));
    // A machine may declare its kinds.
    expect(discoverKinds({ ...m, actionKinds: () => ['b', 'a', 'b'] } as Machine<TwoPhaseState, TwoPhaseAction>)).toEqual(['a', 'b']);
    expect(defaultActionKind({ kind: 'crash', node: 1 })).toBe('crash');
    expect(defaultActionKind({ type: 'deliver', kind: 'x' })).toBe('deliver');
  });

  test('runs draw different mixes from the seed; the mix is recorded in the result and the trace origin', () => {
    const mixes = fc.sample(scheduleArbitrary(7, 10), { seed: 3, numRuns: 200 }).map((s) => s.excluded.map((x) => (x ? '1' : '0')).join(''));
    expect(new Set(mixes).size).toBeGreaterThan(20);
    expect(mixes.some((x) => x.includes('1'))).toBe(true);
    const m = makeTwoPhase(3, 'commit-unprepared');
    const r = checkRandom(m, { seed: 11, runs: 5000, maxSteps: 60 });
    expect(r.swarm!.kinds).toEqual(discoverKinds(m));
    for (const k of r.swarm!.excluded) expect(r.swarm!.kinds).toContain(k);
    const origin = randomOrigin(r) as Extract<TraceOrigin, { runner: 'random' }>;
    expect(origin.swarm).toEqual(r.swarm);
    expect(origin.seed).toBe(11);
    expect(origin.path).toBe(r.path);
    expect(origin.maxSteps).toBe(60);
  });

  test('an excluded kind is taken only when every enabled action is excluded', () => {
    const m = makeTwoPhase(3, 'abort-after-prepare');
    let checked = 0;
    for (const seed of [21, 22, 23, 24]) {
      const r = checkRandom(m, { seed, runs: 5000, maxSteps: 60, shrink: false });
      expect(r.status).toBe('violation');
      const excluded = new Set(r.swarm!.excluded);
      const t = r.violation!.trace;
      let s = t.init;
      for (const st of t.steps) {
        const kind = defaultActionKind(st.action);
        if (excluded.has(kind)) {
          expect(m.actions(s).every((a) => excluded.has(defaultActionKind(a)))).toBe(true);
        }
        checked++;
        s = st.state;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  test('with swarm off, no kind is excluded', () => {
    const r = checkRandom(makeTwoPhase(3, 'commit-unprepared'), { seed: 4, runs: 5000, maxSteps: 60, swarm: false });
    expect(r.kinds).toEqual([]);
    expect(r.swarm!.excluded).toEqual([]);
  });
});

describe('bounds and clean runs', () => {
  for (const check of ['invariant', 'property'] as const) {
    test(`a witness that holds only in the state that breaks ${check === 'invariant' ? 'an invariant' : 'a property'} is reported reached`, () => {
      const r = checkRandom(witnessAtViolation(check), { seed: 1, runs: 5, maxSteps: 10 });
      expect(r.status).toBe('violation');
      expect(r.witnesses).toEqual([{ name: 'at-3', reached: true, depth: 3 }]);
    });
  }

  test('the correct TwoPhase passes a bounded random run, and its witnesses are reached', () => {
    const r = checkRandom(makeTwoPhase(3), { seed: 7, runs: 300, maxSteps: 40 });
    expect(r.status).toBe('bounded');
    expect(r.bound).toEqual({ kind: 'runs', limit: 300 });
    expect(r.stats.runs).toBe(300);
    expect(r.path).toBeNull();
    expect(r.stats.transitions).toBeGreaterThan(0);
    expect(r.witnesses.every((w) => w.reached)).toBe(true);
    expect(describeRandomResult(r)).toBe('no violation in 300 runs of up to 40 steps (seed 7)');
  });

  test('the time limit ends the search with a time bound', () => {
    const r = checkRandom(makeTwoPhase(5), { seed: 1, runs: 10_000_000, maxSteps: 100, timeLimitMs: 50 });
    expect(r.status).toBe('bounded');
    expect(r.bound!.kind).toBe('time');
    expect(r.stats.runs).toBeLessThan(10_000_000);
  });

  test('bounds are validated', () => {
    expect(() => checkRandom(makeTwoPhase(3), { runs: 0 })).toThrow(/runs/);
    expect(() => checkRandom(makeTwoPhase(3), { maxSteps: 1.5 })).toThrow(/maxSteps/);
    expect(() => checkRandom(makeTwoPhase(3), { checks: ['nope'] })).toThrow(/unknown invariant 'nope'/);
  });

  test('an exception in step is a violation of kind error, with the action that threw', () => {
    interface C {
      readonly n: number;
    }
    type Act = { readonly type: 'inc'; readonly by: number } | { readonly type: 'boom' };
    const acts: readonly Act[] = [{ type: 'inc', by: 1 }, { type: 'inc', by: 2 }, { type: 'boom' }];
    const m: Machine<C, Act> = {
      name: 'counter',
      init: () => [{ n: 0 }],
      actions: () => acts,
      step: (s, a) => {
        if (a.type === 'boom' && s.n >= 3) throw new Error('boom at n ≥ 3');
        return a.type === 'inc' ? { n: s.n + a.by } : s;
      },
      invariants: [{ name: 'small', check: (s) => s.n < 1000 }],
    };
    const r = checkRandom(m, { seed: 3, runs: 2000, maxSteps: 30 });
    expect(r.status).toBe('violation');
    const v = r.violation!;
    expect(v.kind).toBe('error');
    expect(v.name).toBe('step');
    expect(v.failedAction?.action).toEqual({ type: 'boom' });
    // Minimal: reach n ≥ 3 with the fewest increments (2 + 1 or 2 + 2), then boom.
    expect(v.trace.steps.length).toBe(2);
    expect(v.trace.steps.every((s) => s.action.type === 'inc')).toBe(true);
  });
});

describe('assert and the failure message', () => {
  test('assertRandom throws with the seed, the path and the readable shrunk trace', () => {
    const m = makeTwoPhase(3, 'commit-unprepared');
    let err: unknown;
    try {
      assertRandom(m, { seed: 17, runs: 5000, maxSteps: 60 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PropertyViolationError);
    const msg = (err as Error).message;
    const r = (err as PropertyViolationError).result as RandomResult;
    expect(msg.split('\n')[0]).toContain(`seed 17, path ${r.path}`);
    expect(msg).toMatch(/violated/);
    expect(msg).toMatch(/^\s+1\. \S+/m);
    expect(msg).toContain('TMCommit');
  });

  test('assertRandom returns the result when nothing breaks', () => {
    const r = assertRandom(makeTwoPhase(3), { seed: 2, runs: 100, maxSteps: 30 });
    expect(r.status).toBe('bounded');
  });

  test('machineProperty exposes the property for custom fast-check runs, with the same paths', () => {
    const m = makeTwoPhase(3, 'abort-after-prepare');
    const p = machineProperty(m, { seed: 31, runs: 5000, maxSteps: 60 });
    const details = fc.check(fc.property(p.arbitrary, p.predicate), p.parameters);
    expect(details.failed).toBe(true);
    const r = p.result(details);
    const direct = checkRandom(m, { seed: 31, runs: 5000, maxSteps: 60 });
    expect(r.path).toBe(direct.path);
    expect(canonicalEqual(r.violation!.trace.steps.map((s) => s.action), direct.violation!.trace.steps.map((s) => s.action))).toBe(true);
  });
});
