/**
 * A machine's random runs as a fast-check property: bounds, progress, the purity guard, the
 * first failure's counters, and the result with the re-executed, shrunk counterexample.
 */
import * as fc from 'fast-check';
import { InputError, forRandomRuns, type Machine } from '../../impl/core/machine.ts';
import { selectChecks, type BoundHit } from '../../impl/core/result.ts';
import type { Trace, Violation } from '../../impl/core/trace.ts';
import { explainError } from '../../impl/core/culprit.ts';
import { shrinkTrace } from '../engine/shrink.ts';
import { GuardSwitch, guardPurity } from '../engine/purity.ts';
import { discoverKinds, scheduleArbitrary } from './schedule.ts';
import { ScheduleRunner, type Runner } from './runner.ts';
import { DrawError, DrawRunner, drawKinds } from './draw.ts';
import { PURITY_FIRST_STEPS, RANDOM_DEFAULTS, type RandomOptions, type RandomResult, type Schedule } from './types.ts';

/** Stops fast-check: a precondition failure with `interruptExecution`. */
function interrupt(): never {
  throw new fc.PreconditionFailure(true);
}

function positive(name: string, v: number, min = 1): number {
  if (!Number.isFinite(v) || v < min || (name !== 'timeLimitMs' && name !== 'shrinkTimeLimitMs' && !Number.isInteger(v))) {
    throw new InputError(`bound ${name} must be ${min === 0 ? 'a non-negative' : 'a positive'} ${name.endsWith('Ms') ? 'number' : 'integer'}, got ${v}`);
  }
  return v;
}

/** A fresh seed: a non-negative 31-bit integer. */
export function freshSeed(): number {
  return (Date.now() ^ Math.floor(Math.random() * 0x80000000)) & 0x7fffffff;
}

/**
 * A machine's random runs as a fast-check property, for {@link checkRandom}, the vitest helper
 * and custom fast-check setups: run `fc.check(fc.property(p.arbitrary, p.predicate), p.parameters)`
 * (or `fc.asyncProperty`, or `test.prop([p.arbitrary], p.parameters)`), then `p.result(details)`
 * turns fast-check's run details into a {@link RandomResult} with the shrunk trace.
 */
export interface MachineProperty<S, A> {
  /** The schedule arbitrary. */
  readonly arbitrary: fc.Arbitrary<Schedule>;
  /** Run one schedule: true when every check holds. Enforces the bounds (stops fast-check when one is hit). */
  readonly predicate: (s: Schedule) => boolean;
  /** fast-check parameters: seed, numRuns, and path/endOnFailure when replaying. */
  readonly parameters: fc.Parameters<[Schedule]>;
  /** The swarm kinds of the encoding. */
  readonly kinds: readonly string[];
  readonly maxSteps: number;
  /** Build the result from fast-check's run details (re-executes and post-shrinks a counterexample). */
  readonly result: (details: fc.RunDetails<[Schedule]>) => RandomResult<S, A>;
}

/** Build the fast-check property of a machine's random runs (see {@link MachineProperty}). */
export function machineProperty<S, A>(given: Machine<S, A>, opts: RandomOptions = {}): MachineProperty<S, A> {
  // Runs key no states: each machine runs as `forRandomRuns` gives it (see Machine.randomStep).
  const m0 = forRandomRuns(given);
  const guardUntil = opts.purity === 'full' ? Infinity : (opts.purityFirstSteps ?? PURITY_FIRST_STEPS);
  const guard = opts.purity === 'off' ? undefined : guardPurity(m0, new GuardSwitch(guardUntil > 0));
  const m = guard?.machine ?? m0;
  const runs = positive('runs', opts.runs ?? RANDOM_DEFAULTS.runs);
  const maxSteps = positive('maxSteps', opts.maxSteps ?? RANDOM_DEFAULTS.maxSteps, 0);
  const timeLimitMs = positive('timeLimitMs', opts.timeLimitMs ?? RANDOM_DEFAULTS.timeLimitMs);
  const shrinkTimeLimitMs = positive('shrinkTimeLimitMs', opts.shrinkTimeLimitMs ?? RANDOM_DEFAULTS.shrinkTimeLimitMs);
  // Delta debugging follows fast-check's shrinking only with `shrink: true`: then fast-check's part is bounded in runs.
  const fastCheckShrinkRuns = (opts.shrink ?? true) === true ? positive('fastCheckShrinkRuns', opts.fastCheckShrinkRuns ?? RANDOM_DEFAULTS.fastCheckShrinkRuns, 0) : Infinity;
  const seed = opts.seed ?? freshSeed();
  if (!Number.isSafeInteger(seed)) throw new InputError(`seed must be an integer, got ${seed}`);
  const checks = opts.checks && opts.checks.length > 0 ? opts.checks : undefined;
  selectChecks(m, checks);
  const draw = opts.draw && opts.draw.axes.length > 0 ? opts.draw : undefined;
  const kinds = opts.swarm === false ? [] : (opts.kinds ?? (draw ? drawKinds(m, draw) : discoverKinds(m)));
  // Every machine a drawn configuration builds is guarded too, all by the one switch of `guard`.
  const makeRunner = (built: Machine<S, A>) => {
    const mm = built === m ? m : forRandomRuns(built);
    return new ScheduleRunner(guard !== undefined && mm !== m ? guardPurity(mm, guard.switch).machine : mm, kinds, checks, opts.deadlock ?? false, maxSteps, guard?.flush);
  };
  const drawRunner = draw ? new DrawRunner<S, A>(draw, makeRunner) : undefined;
  const runner: Runner<S, A> = drawRunner ?? makeRunner(m);
  let drawError: DrawError | undefined;
  const arb = scheduleArbitrary(kinds.length, maxSteps, draw ? draw.axes.map((a) => a.values.length) : []);
  const replaying = opts.path !== undefined;
  // The clock starts at the first evaluation (a vitest helper builds the property at collection).
  let start = -1;
  const progressEvery = opts.progressEveryMs ?? 1000;
  let lastProgress = 0;
  let evaluations = 0;
  let searchRuns = 0;
  let stop: BoundHit | undefined;
  // Search counters, frozen at the first failure.
  let first: { runs: number; steps: number; states: number; ms: number; length: number; configs: number } | undefined;
  let shrinkStart = 0;
  let shrinkTests = 0;
  let shrinkBest = 0;
  let shrinkCut = false;

  /** Before each evaluation: bounds, interrupts, progress. Throws to stop fast-check. */
  const gate = (): void => {
    evaluations++;
    if (start < 0) {
      start = performance.now();
      lastProgress = start;
    }
    if (replaying) {
      if (evaluations > 1) interrupt();
      searchRuns++;
      return;
    }
    const now = performance.now();
    if (first === undefined) {
      if (opts.signal?.aborted) {
        stop = { kind: 'interrupted', limit: now - start };
        interrupt();
      }
      if (now - start > timeLimitMs) {
        stop = { kind: 'time', limit: timeLimitMs };
        interrupt();
      }
      searchRuns++;
    } else {
      if (shrinkTests >= fastCheckShrinkRuns) interrupt(); // delta debugging goes on from the best run so far
      shrinkTests++;
      if (now - shrinkStart > shrinkTimeLimitMs || opts.signal?.aborted) {
        shrinkCut = true;
        interrupt();
      }
    }
    if (opts.onProgress && now - lastProgress >= progressEvery) {
      lastProgress = now;
      const searchMs = (first?.ms ?? now - start) || 1;
      opts.onProgress({
        phase: first ? 'shrink' : 'search',
        runs: first?.runs ?? searchRuns,
        steps: first?.steps ?? runner.steps,
        stepsPerSecond: ((first?.steps ?? runner.steps) / searchMs) * 1000,
        elapsedMs: now - start,
        ...(first ? { shrinkLength: shrinkBest } : {}),
      });
    }
  };

  const body = (sch: Schedule): boolean => {
    gate();
    let ok: boolean;
    try {
      ok = runner.run(sch);
    } catch (e) {
      if (!(e instanceof DrawError)) throw e;
      drawError = e;
      interrupt();
      ok = true;
    }
    if (runner.fatal) interrupt();
    if (guard !== undefined && guard.guarding && runner.steps >= guardUntil) guard.guarding = false;
    if (!ok) {
      // From the first failure on, everything runs guarded: a counterexample made by a write
      // into a state is then reported as that write.
      if (guard !== undefined) guard.guarding = true;
      if (first === undefined) {
        const now = performance.now();
        first = { runs: searchRuns, steps: runner.steps, states: runner.states, ms: now - start, length: runner.len, configs: drawRunner?.configs ?? 1 };
        shrinkStart = now;
      }
      shrinkBest = runner.len;
    }
    return ok;
  };

  const params: fc.Parameters<[Schedule]> = {
    seed,
    numRuns: replaying ? 1 : runs,
    ...(replaying ? { path: opts.path!, endOnFailure: true } : {}),
    ...(opts.shrink === false ? { endOnFailure: true } : {}),
  };

  const finish = (details: fc.RunDetails<[Schedule]>): RandomResult<S, A> => {
    if (runner.fatal) throw runner.fatal;
    const end = performance.now();
    if (start < 0) start = end;
    if (drawError) throw new InputError(`model ${m.name}: ${drawError.message}`);
    const base = {
      seed: details.seed,
      maxSteps,
      kinds,
      shrink: opts.shrink ?? true,
      ...(checks ? { checks } : {}),
      ...(draw ? { draw: draw.axes } : {}),
    };
    const searchMs = first?.ms ?? end - start;
    const searchSteps = first?.steps ?? runner.steps;
    const statsBase = {
      runs: first?.runs ?? searchRuns,
      maxSteps,
      states: first?.states ?? runner.states,
      transitions: searchSteps,
      searchMs,
      stepsPerSecond: searchMs > 0 ? (searchSteps / searchMs) * 1000 : 0,
      ...(drawRunner ? { configs: first?.configs ?? drawRunner.configs } : {}),
    };
    if (details.failed && details.counterexample) {
      const sch = details.counterexample[0];
      if (runner.run(sch)) throw new Error('internal: the counterexample schedule passed on re-execution (is the machine deterministic?)');
      let violation = runner.violation();
      const fastCheckLength = violation.trace.steps.length;
      let traceTests = 0;
      let complete = !shrinkCut;
      const ddStart = performance.now();
      if ((opts.shrink ?? true) === true) {
        const sh = shrinkTrace(runner.m, withFailed(violation), violation, {
          ...(checks ? { checks } : {}),
          deadlock: opts.deadlock ?? false,
          timeLimitMs: shrinkTimeLimitMs,
        });
        traceTests = sh.tests;
        complete = complete && sh.complete;
        if (sh.status === 'shrunk' && sh.violation) violation = sh.violation;
      }
      const elapsedMs = performance.now() - start;
      return {
        ...base,
        status: 'violation',
        path: details.counterexamplePath,
        swarm: runner.mix(sch),
        ...(drawRunner ? { config: drawRunner.config } : {}),
        violation: explainError(m, violation, checks),
        stats: {
          ...statsBase,
          elapsedMs,
          shrink: {
            firstFailureLength: replaying ? 0 : (first?.length ?? fastCheckLength),
            fastCheckLength,
            finalLength: violation.trace.steps.length,
            fastCheckShrinks: details.numShrinks,
            fastCheckTests: shrinkTests,
            traceTests,
            complete,
            elapsedMs: performance.now() - (first ? start + first.ms : ddStart),
          },
        },
        witnesses: runner.witnesses(),
      };
    }
    let bound: BoundHit = stop ?? { kind: 'runs', limit: replaying ? 1 : runs };
    if (details.failed && !details.counterexample) {
      // fast-check failed without a counterexample (too many skips): report it as an error.
      throw new Error(`fast-check failed without a counterexample: ${String(details.errorInstance ?? 'unknown reason')}`);
    }
    if (!stop && details.interrupted && !replaying) bound = { kind: 'time', limit: timeLimitMs };
    return {
      ...base,
      status: 'bounded',
      path: null,
      swarm: null,
      bound,
      stats: { ...statsBase, elapsedMs: end - start },
      witnesses: runner.witnesses(),
    };
  };

  return { arbitrary: arb, predicate: body, parameters: params, kinds, maxSteps, result: finish };
}

/** The trace with a thrown-in-step action appended as a last step, for the shrinker to keep it. */
function withFailed<S, A>(v: Violation<S, A>): Trace<S, A> {
  if (!v.failedAction) return v.trace;
  const last = v.trace.steps.length === 0 ? v.trace.init : v.trace.steps[v.trace.steps.length - 1]!.state;
  return { ...v.trace, steps: [...v.trace.steps, { action: v.failedAction.action, actionIndex: v.failedAction.actionIndex, state: last }] };
}
