/**
 * The vitest integration: testMachine (on @fast-check/vitest's test.prop) and expectNoViolation.
 */
import { describe, expect, test } from 'vitest';
import * as fc from 'fast-check';
import { makeTwoPhase } from '../../specs/models/twophase.ts';
import { PropertyViolationError } from '../../impl/core/result.ts';
import { machineProperty, type RandomResult } from '../random.ts';
import { expectNoViolation, expectWitnessesReached, machineReporter, testMachine } from '../vitest.ts';

describe('testMachine', () => {
  // A real registration: this is a test of its own, driven by test.prop.
  testMachine('the correct TwoPhase keeps its invariants under random schedules', makeTwoPhase(3), { runs: 200, maxSteps: 40 });

  test('a failure reports seed, path and the readable shrunk trace (the reporter test.prop uses)', async () => {
    const m = makeTwoPhase(3, 'commit-unprepared');
    const p = machineProperty(m, { seed: 23, runs: 5000, maxSteps: 60 });
    // What @fast-check/vitest runs: fc.assert over an async property, with our reporter.
    const run = fc.assert(fc.asyncProperty(p.arbitrary, async (s) => p.predicate(s)), { ...p.parameters, reporter: machineReporter(m, p) });
    const err = await run.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(PropertyViolationError);
    const r = (err as PropertyViolationError).result as RandomResult;
    expect(r.seed).toBe(23);
    const msg = (err as Error).message;
    expect(msg.split('\n')[0]).toMatch(/^seed 23, path \d+(:\d+)* /);
    expect(msg).toContain(`path ${r.path}`);
    expect(msg).toMatch(/^\s+1\. /m);
    expect(msg).toMatch(/✗ (invariant|transition property) \S+ violated/);
  });
});

describe('expectNoViolation', () => {
  test('passes on the correct model and returns the result', () => {
    const r = expectNoViolation(makeTwoPhase(3), { seed: 1, runs: 200, maxSteps: 40 });
    expect(r.status).toBe('bounded');
    expectWitnessesReached(r);
  });

  test('throws on a known bug, with the seed first', () => {
    expect(() => expectNoViolation(makeTwoPhase(3, 'abort-after-prepare'), { seed: 2, runs: 5000, maxSteps: 60 })).toThrow(/^seed 2, path \d+(:\d+)* /);
  });

  test('expectWitnessesReached names the witnesses that were not reached', () => {
    const r = expectNoViolation(makeTwoPhase(3), { seed: 1, runs: 1, maxSteps: 0 });
    expect(() => expectWitnessesReached(r)).toThrow(/not reached: all-committed, tm-aborted/);
  });
});
