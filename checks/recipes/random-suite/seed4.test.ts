/**
 * Recipe: a suite of random-runner tests split over machines with vitest's own sharding
 * (`npx vitest run checks/recipes/random-suite --shard=4/4` runs a quarter of the files).
 * Each file is one seed range; together they are one long random check of TwoPhase.
 */
import { test, expect } from 'vitest';
import { checkRandom } from '../../random.ts';
import { makeTwoPhase } from '../../../specs/models/twophase.ts';

test('TwoPhase (4 RMs) keeps its invariants, seed 4', () => {
  const r = checkRandom(makeTwoPhase(4), { seed: 4, runs: 100, maxSteps: 60 });
  expect(r.status).toBe('bounded');
  expect(r.stats.runs).toBe(100);
});
