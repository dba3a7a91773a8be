/**
 * Vitest integration: property tests over a machine in a few lines. A failure's message holds
 * the seed and path first, then the violated check and the readable shrunk trace.
 *
 * ```ts
 * import { describe, test } from 'vitest';
 * import { expectNoViolation, testMachine } from '../checks/vitest.ts';
 * import { makeTwoPhase } from '../specs/models/twophase.ts';
 *
 * describe('TwoPhase', () => {
 *   // A vitest test driven by @fast-check/vitest's test.prop: one schedule per fast-check run.
 *   testMachine('keeps its invariants under random schedules', makeTwoPhase(3), { runs: 500, maxSteps: 60 });
 *
 *   // Or inside any test: throws PropertyViolationError (seed, path, shrunk trace) on a violation.
 *   test('keeps its invariants with 5 RMs', () => {
 *     expectNoViolation(makeTwoPhase(5), { runs: 200, maxSteps: 100, seed: 42 });
 *   });
 * });
 * ```
 *
 * To replay a failure, pass the printed `seed` and `path` (and the same `maxSteps`):
 * `expectNoViolation(m, { seed: 1234, path: '12:0:3', maxSteps: 60 })`.
 */
import { test } from '@fast-check/vitest';
import type { Machine } from '../impl/core/machine.ts';
import { PropertyViolationError, type CheckResult } from '../impl/core/result.ts';
import * as fc from 'fast-check';
import { assertRandom, formatRandomFailure, machineProperty, type MachineProperty, type RandomOptions, type RandomResult, type Schedule } from './random.ts';

/**
 * Run random schedules over `m` ({@link assertRandom}) and throw a {@link PropertyViolationError}
 * on a violation, whose message holds the seed, the path and the readable shrunk trace. Returns
 * the (bounded) result so a test can also check witnesses or counters.
 */
export function expectNoViolation<S, A>(m: Machine<S, A>, opts: RandomOptions = {}): RandomResult<S, A> {
  return assertRandom(m, opts);
}

/**
 * Throw when a `sometimes` witness of `m` was not reached by a (passing) random run: a model that
 * never does anything should fail loudly.
 */
export function expectWitnessesReached(r: CheckResult): void {
  const missing = r.witnesses.filter((w) => !w.reached).map((w) => w.name);
  if (missing.length > 0) throw new Error(`sometimes witness${missing.length > 1 ? 'es' : ''} not reached: ${missing.join(', ')}`);
}

/**
 * The fast-check reporter {@link testMachine} uses: on failure it rebuilds and fully shrinks the
 * trace ({@link MachineProperty.result}) and throws a {@link PropertyViolationError} whose message
 * starts with the seed and path, then the readable trace.
 */
export function machineReporter<S, A>(m: Machine<S, A>, p: MachineProperty<S, A>): (details: fc.RunDetails<[Schedule]>) => void {
  return (details) => {
    const r = p.result(details);
    if (r.status === 'violation') throw new PropertyViolationError(formatRandomFailure(m, r), r as CheckResult);
  };
}

/**
 * Register a vitest test (with `@fast-check/vitest`'s `test.prop`) that runs random schedules
 * over `m`: fast-check generates and shrinks the schedules; on failure the test fails with the
 * seed, the path and the readable, fully shrunk trace. The test name carries the seed.
 */
export function testMachine<S, A>(name: string, m: Machine<S, A>, opts: Omit<RandomOptions, 'onProgress' | 'signal'> = {}, timeout?: number): void {
  const p = machineProperty(m, opts);
  test.prop([p.arbitrary], { ...p.parameters, reporter: machineReporter(m, p) })(name, (schedule) => p.predicate(schedule), timeout);
}
