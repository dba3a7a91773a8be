/**
 * The phi accrual failure detector (`impl/failover/phi.ts`): fast-check properties — φ is
 * monotone in the time since the last heartbeat, the threshold behaves as documented (a higher
 * threshold suspects later, never sooner; suspicion, once raised, stays until a heartbeat; at
 * φ = Φ the detector's own model says it is wrong with probability 10^−Φ) — and a few worked
 * values.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { falseSuspicionProbability, heartbeat, phi, phiDetector, phiOf, phiStats, suspects, type PhiState } from '../../impl/failover/phi.ts';

/** A detector fed heartbeats at these increasing times. */
const fed = (gaps: readonly number[], start = 0): PhiState => {
  let s = heartbeat(phiDetector({ minStdDev: 1, firstInterval: 10, windowSize: 20 }), start);
  let t = start;
  for (const g of gaps) s = heartbeat(s, (t += g));
  return s;
};
const gaps = fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 30 });
const time = fc.integer({ min: 0, max: 1_000_000 });

describe('phi accrual: properties', () => {
  it('φ is monotone (non-decreasing) in the time since the last heartbeat', () => {
    fc.assert(
      fc.property(gaps, time, time, (g, a, b) => {
        const s = fed(g);
        const [t1, t2] = a <= b ? [a, b] : [b, a];
        const last = s.last!;
        expect(phi(s, last + t1)).toBeLessThanOrEqual(phi(s, last + t2));
      }),
      { numRuns: 2000 },
    );
  });

  it('phiOf is monotone over the whole real line, including far tails (no NaN, no Infinity)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 0.01, max: 1e4, noNaN: true }), (a, b, sd) => {
        const [x, y] = a <= b ? [a, b] : [b, a];
        const p = phiOf(x, 0, sd);
        const q = phiOf(y, 0, sd);
        expect(Number.isFinite(p) && Number.isFinite(q)).toBe(true);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(q);
      }),
      { numRuns: 5000 },
    );
  });

  it('suspicion, once raised, stays raised until the next heartbeat, and a heartbeat clears it', () => {
    fc.assert(
      fc.property(gaps, time, time, fc.double({ min: 0.5, max: 16, noNaN: true }), (g, a, b, threshold) => {
        const s = fed(g);
        const [t1, t2] = a <= b ? [a, b] : [b, a];
        if (suspects(s, s.last! + t1, threshold)) expect(suspects(s, s.last! + t2, threshold)).toBe(true);
        // Right after a heartbeat φ is below 1/2 (elapsed 0 is at or below the mean).
        const now = s.last! + t2;
        expect(phi(heartbeat(s, now), now)).toBeLessThan(0.5);
      }),
      { numRuns: 2000 },
    );
  });

  it('a higher threshold never suspects sooner: suspects(Φ2) implies suspects(Φ1) for Φ1 ≤ Φ2', () => {
    fc.assert(
      fc.property(gaps, time, fc.double({ min: 0, max: 20, noNaN: true }), fc.double({ min: 0, max: 20, noNaN: true }), (g, t, a, b) => {
        const s = fed(g);
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        if (suspects(s, s.last! + t, hi)) expect(suspects(s, s.last! + t, lo)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('the threshold means what the docs say: at φ = Φ the model’s P(heartbeat still to come) is 10^−Φ (±1.5·10⁻⁴ absolute)', () => {
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), (y) => {
        const level = phiOf(y, 0, 1);
        const tail = 1 - normalCdf(y);
        expect(Math.abs(falseSuspicionProbability(level) - tail)).toBeLessThan(1.5e-4);
      }),
      { numRuns: 2000 },
    );
  });

  it('regular heartbeats: a late one is suspected sooner than with jittery heartbeats (the window adapts)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 50, max: 500 }), fc.integer({ min: 5, max: 30 }), (period, n) => {
        const regular = fed(Array.from({ length: n }, () => period));
        const jittery = fed(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? period / 2 : (3 * period) / 2)));
        const late = 2 * period;
        expect(phi(regular, regular.last! + late)).toBeGreaterThanOrEqual(phi(jittery, jittery.last! + late));
      }),
    );
  });

  it('the window keeps at most windowSize intervals; a heartbeat from the past is ignored', () => {
    fc.assert(
      fc.property(gaps, fc.integer({ min: 1, max: 5 }), (g, w) => {
        let s = heartbeat(phiDetector({ windowSize: w }), 0);
        let t = 0;
        for (const x of g) s = heartbeat(s, (t += x));
        expect(s.intervals.length).toBeLessThanOrEqual(w);
        expect(s.intervals.at(-1)).toBe(g.at(-1));
        expect(heartbeat(s, t - 1)).toBe(s);
      }),
    );
  });
});

describe('phi accrual: worked values', () => {
  it('no heartbeat yet: φ = 0, nothing suspected', () => {
    const s = phiDetector();
    expect(phi(s, 123_456)).toBe(0);
    expect(suspects(s, 123_456, 1)).toBe(false);
  });

  it('heartbeats every 1000 ms (σ floored at 100): φ ≈ 0.30 at the mean, > 8 two σ… ten σ late', () => {
    const s = [1000, 2000, 3000, 4000].reduce(heartbeat, phiDetector());
    expect(phiStats(s)).toEqual({ mean: 1000, stdDev: 100 });
    expect(phi(s, 4000 + 1000)).toBeCloseTo(Math.log10(2), 10);
    expect(phi(s, 4000 + 1100)).toBeCloseTo(-Math.log10(1 - normalCdf(1)), 2);
    expect(phi(s, 4000 + 1300)).toBeGreaterThan(2.5);
    expect(suspects(s, 4000 + 1300, 8)).toBe(false);
    expect(suspects(s, 4000 + 2000, 8)).toBe(true);
  });

  it('bad configurations are refused', () => {
    expect(() => phiDetector({ windowSize: 0 })).toThrow(/windowSize/);
    expect(() => phiDetector({ minStdDev: 0 })).toThrow(/minStdDev/);
    expect(() => phiDetector({ acceptablePause: -1 })).toThrow(/acceptablePause/);
    expect(() => phiDetector({ firstInterval: 0 })).toThrow(/firstInterval/);
  });
});

/** The standard normal CDF, to ~1e-12 (erfc by its continued fraction / series). */
function normalCdf(y: number): number {
  return 0.5 * erfc(-y / Math.SQRT2);
}
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // erf series: erf(x) = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1)).
    let sum = 0;
    let term = x;
    for (let n = 0; n < 60; n++) {
      sum += term / (2 * n + 1);
      term *= (-x * x) / (n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction (Lentz) for large x.
  let f = 0;
  for (let k = 60; k >= 1; k--) f = (k / 2) / (x + f);
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
}
