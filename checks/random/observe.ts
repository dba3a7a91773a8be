/**
 * Observing random runs: "the first state on this run where P holds". For measurements over the
 * random mode's schedules (such as gossip rounds until convergence) rather than a search for a
 * violation.
 *
 * Each run is a {@link Schedule} drawn by fast-check from `seed` and executed by the random
 * mode's own {@link ScheduleRunner}, with every check of the machine evaluated after every step
 * as in a search (a broken check is reported in the run's result, never hidden). Unlike a
 * search's schedules, every run's choice list has the full `maxSteps` length and no action kind
 * is left out (no swarm), so a run ends only when P holds, no action is enabled, a check breaks
 * or `maxSteps` steps were taken.
 */
import * as fc from 'fast-check';
import { InputError, type Machine } from '../../impl/core/machine.ts';
import { ScheduleRunner } from './runner.ts';
import type { Schedule } from './types.ts';

/**
 * The predicate of {@link observeRandom}: called on every state of a run, in order, with its step
 * number (0: the initial state) and the action that led to it (undefined at step 0). Since it is
 * called from step 0 on for every run, a stateful predicate (one that counts actions) may reset
 * itself at step 0.
 */
export type Until<S, A> = (state: S, step: number, action: A | undefined) => boolean;

/** Options of {@link observeRandom}. */
export interface ObserveOptions {
  /** Number of runs. */
  readonly runs: number;
  /** fast-check's seed: the same seed gives the same runs. */
  readonly seed: number;
  /** Steps per run, at most. */
  readonly maxSteps: number;
}

/** One observed run. */
export interface ObservedRun<S> {
  /** The first state where the predicate held, and its step; undefined when it never held. */
  readonly first: { readonly step: number; readonly state: S } | undefined;
  /** Steps the run took (up to and including the first match). */
  readonly steps: number;
  /** A check of the machine that broke on this run (the run stopped there), if any. */
  readonly violation?: { readonly kind: string; readonly name: string; readonly message: string };
}

/** The schedules of {@link observeRandom}: full-length choice lists, nothing left out. */
export function fullSchedules(opts: ObserveOptions): Schedule[] {
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new InputError(`observe: runs must be a positive integer, got ${opts.runs}`);
  if (!Number.isInteger(opts.maxSteps) || opts.maxSteps < 1) throw new InputError(`observe: maxSteps must be a positive integer, got ${opts.maxSteps}`);
  const arb = fc
    .tuple(fc.nat({ max: 0xffff }), fc.array(fc.nat({ max: 0xffff }), { minLength: opts.maxSteps, maxLength: opts.maxSteps }))
    .map(([init, choices]): Schedule => ({ excluded: [], init, choices }));
  return fc.sample(arb, { seed: opts.seed, numRuns: opts.runs });
}

/**
 * Run `opts.runs` random schedules of `m` and return, per run, the first state where `until`
 * holds (and its step), or nothing when it never held within the run.
 */
export function observeRandom<S, A>(m: Machine<S, A>, until: Until<S, A>, opts: ObserveOptions): ObservedRun<S>[] {
  const schedules = fullSchedules(opts);
  const runner = new ScheduleRunner<S, A>(m, [], undefined, false, opts.maxSteps);
  runner.until = until;
  return schedules.map((sch) => {
    const ok = runner.run(sch);
    if (runner.fatal) throw runner.fatal;
    if (!ok) {
      const v = runner.violation();
      return { first: undefined, steps: runner.len, violation: { kind: v.kind, name: v.name, message: v.message } };
    }
    return { first: runner.matched, steps: runner.len };
  });
}
