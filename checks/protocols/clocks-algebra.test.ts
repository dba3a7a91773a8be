/**
 * The clock algebra (`impl/clocks/algebra.ts`) and the happens-before computation
 * (`specs/clocks/history.ts`), property-tested with fast-check against naive references:
 * - a vector clock as the set of events it reflects ("dots" (i, k), k ≤ v[i]): merge is set
 *   union, comparison is set inclusion;
 * - happens-before by its definition, closed transitively with Floyd–Warshall.
 */
import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import {
  hlcCompare,
  hlcLocal,
  hlcReceive,
  lamportReceive,
  lamportTick,
  lamportTotalOrder,
  vcCompare,
  vcIncrement,
  vcMerge,
  vcZero,
  type Hlc,
  type VectorClock,
  type VectorOrder,
} from '../../impl/clocks/algebra.ts';
import { buggyVector } from '../../impl/clocks/vector.ts';
import { appendEvent, Causality, causality, emptyHistory, naiveHappensBefore, type ClockHistory } from '../../specs/clocks/history.ts';

const N = 4;
const vector = fc.array(fc.nat({ max: 5 }), { minLength: N, maxLength: N });
const hlc = fc.record({ l: fc.nat({ max: 6 }), c: fc.nat({ max: 4 }) });

/** The reference vector clock: the set of dots it reflects. */
const dots = (v: VectorClock): Set<string> => {
  const out = new Set<string>();
  v.forEach((k, i) => {
    for (let j = 1; j <= k; j++) out.add(`${i}:${j}`);
  });
  return out;
};
const subset = (a: Set<string>, b: Set<string>): boolean => [...a].every((x) => b.has(x));
const refMerge = (u: VectorClock, v: VectorClock): Set<string> => new Set([...dots(u), ...dots(v)]);
const refCompare = (u: VectorClock, v: VectorClock): VectorOrder => {
  const a = dots(u);
  const b = dots(v);
  const ab = subset(a, b);
  const ba = subset(b, a);
  return ab && ba ? 'equal' : ab ? 'before' : ba ? 'after' : 'concurrent';
};
const same = (a: Set<string>, b: Set<string>): boolean => a.size === b.size && subset(a, b);
const converse: Record<VectorOrder, VectorOrder> = { before: 'after', after: 'before', equal: 'equal', concurrent: 'concurrent' };

describe('vector clock algebra', () => {
  it('merge is commutative, associative and idempotent, and is set union of dots', () => {
    fc.assert(
      fc.property(vector, vector, vector, (u, v, w) => {
        expect(vcMerge(u, v)).toEqual(vcMerge(v, u));
        expect(vcMerge(vcMerge(u, v), w)).toEqual(vcMerge(u, vcMerge(v, w)));
        expect(vcMerge(u, u)).toEqual(u);
        expect(same(dots(vcMerge(u, v)), refMerge(u, v))).toBe(true);
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it('compare agrees with dot-set inclusion, is antisymmetric and reflexive', () => {
    fc.assert(
      fc.property(vector, vector, (u, v) => {
        const o = vcCompare(u, v);
        expect(o).toBe(refCompare(u, v));
        expect(vcCompare(v, u)).toBe(converse[o]);
        expect(vcCompare(u, u)).toBe('equal');
      }),
      { seed: 8, numRuns: 1000 },
    );
    // Random vectors are mostly concurrent; pairs built by merging and incrementing cover the rest.
    fc.assert(
      fc.property(vector, vector, fc.integer({ min: 1, max: N }), (u, v, i) => {
        const m = vcMerge(u, v);
        const up = vcIncrement(m, i);
        expect(vcCompare(m, up)).toBe('before');
        expect(vcCompare(up, m)).toBe('after');
        expect(vcCompare(u, m)).toBe(refCompare(u, m));
        expect(['before', 'equal']).toContain(vcCompare(u, m));
      }),
      { seed: 9, numRuns: 500 },
    );
  });

  it('merge is the least upper bound', () => {
    fc.assert(
      fc.property(vector, vector, vector, (u, v, w) => {
        const m = vcMerge(u, v);
        const le = (a: VectorClock, b: VectorClock) => ['before', 'equal'].includes(vcCompare(a, b));
        expect(le(u, m) && le(v, m)).toBe(true);
        if (le(u, w) && le(v, w)) expect(le(m, w)).toBe(true);
      }),
      { seed: 10, numRuns: 500 },
    );
  });

  it('the equal-is-concurrent variant fails the same reference (the property test can fail)', () => {
    const bad = buggyVector('equal-is-concurrent').compare;
    const r = fc.check(fc.property(vector, vector, (u, v) => bad(u, v) === refCompare(u, v)), { seed: 11, numRuns: 1000 });
    expect(r.failed).toBe(true);
    expect(vcCompare(vcZero(3), vcZero(3))).toBe('equal');
  });
});

describe('Lamport and hybrid clock algebra', () => {
  it('a Lamport receive is above both clocks; the total order is antisymmetric and total', () => {
    fc.assert(
      fc.property(fc.nat({ max: 50 }), fc.nat({ max: 50 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), (a, b, pa, pb) => {
        expect(lamportTick(a)).toBeGreaterThan(a);
        const r = lamportReceive(a, b);
        expect(r).toBeGreaterThan(a);
        expect(r).toBeGreaterThan(b);
        const x = lamportTotalOrder(a, pa, b, pb);
        expect(Math.sign(lamportTotalOrder(b, pb, a, pa)) + Math.sign(x)).toBe(0);
        expect(x === 0).toBe(a === b && pa === pb);
      }),
      { seed: 12, numRuns: 500 },
    );
  });

  it('HLC events move the timestamp strictly up, past the message and to at least pt; compare is antisymmetric', () => {
    fc.assert(
      fc.property(hlc, hlc, fc.nat({ max: 8 }), (t, m, pt) => {
        const s = hlcLocal(t, pt);
        expect(hlcCompare(s, t)).toBeGreaterThan(0);
        expect(s.l).toBeGreaterThanOrEqual(pt);
        const r = hlcReceive(t, m, pt);
        expect(hlcCompare(r, t)).toBeGreaterThan(0);
        expect(hlcCompare(r, m)).toBeGreaterThan(0);
        expect(r.l).toBe(Math.max(t.l, m.l, pt));
        expect(Math.sign(hlcCompare(m, t)) + Math.sign(hlcCompare(t, m))).toBe(0);
        // The counter restarts exactly when the physical clock alone supplied l.
        expect(r.c === 0).toBe(pt > t.l && pt > m.l);
      }),
      { seed: 13, numRuns: 1000 },
    );
    const z: Hlc = { l: 0, c: 0 };
    expect(hlcLocal(z, 0)).toEqual({ l: 0, c: 1 });
    expect(hlcLocal(z, 3)).toEqual({ l: 3, c: 0 });
  });
});

/** A random valid history: processes do local events and sends, and receive pending messages. */
const historyArb = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.nat({ max: 1000 }), fc.boolean()), { maxLength: 40 })
  .map((ops) => {
    let h: ClockHistory<number> = emptyHistory(3);
    const pending: { from: number; send: number; to: number }[] = [];
    for (const [p, kind, pick, dup] of ops) {
      const len = h.procs[p - 1]!.length;
      if (kind === 0) h = appendEvent(h, p, { kind: 'local', pt: 0, stamp: 0 });
      else if (kind === 1) {
        const to = (p % 3) + 1;
        h = appendEvent(h, p, { kind: 'send', to, pt: 0, stamp: 0 });
        pending.push({ from: p, send: len, to });
      } else if (pending.length > 0) {
        const i = pick % pending.length;
        const m = pending[i]!;
        h = appendEvent(h, m.to, { kind: 'recv', from: m.from, send: m.send, pt: 0, stamp: 0 });
        if (!dup) pending.splice(i, 1);
      }
    }
    return h;
  });

describe('happens-before from the ghost record', () => {
  it('agrees with the definition closed by Floyd–Warshall, and is a strict partial order', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const hb = new Causality(h);
        const ref = naiveHappensBefore(h);
        for (let a = 0; a < hb.size; a++) {
          expect(hb.before(a, a)).toBe(false);
          for (let b = 0; b < hb.size; b++) {
            expect(hb.before(a, b)).toBe(ref[a]![b]!);
            if (hb.before(a, b)) expect(hb.before(b, a)).toBe(false);
          }
        }
        // The shared instance gives the same answers.
        const shared = causality(h);
        for (let a = 0; a < hb.size; a++) for (let b = 0; b < hb.size; b++) expect(shared.before(a, b)).toBe(hb.before(a, b));
      }),
      { seed: 14, numRuns: 300 },
    );
  });

  it('past more than 32 events: the bitsets span several words', () => {
    let h: ClockHistory<number> = emptyHistory(2);
    for (let i = 0; i < 40; i++) h = appendEvent(h, 1, { kind: 'local', pt: 0, stamp: 0 });
    h = appendEvent(h, 1, { kind: 'send', to: 2, pt: 0, stamp: 0 });
    h = appendEvent(h, 2, { kind: 'recv', from: 1, send: 40, pt: 0, stamp: 0 });
    const hb = new Causality(h);
    expect(hb.size).toBe(42);
    expect(hb.before(0, 41)).toBe(true);
    expect(hb.before(35, 41)).toBe(true);
    expect(hb.before(41, 0)).toBe(false);
  });

  it('rejects a receive of something that is not a send', () => {
    let h: ClockHistory<number> = emptyHistory(2);
    h = appendEvent(h, 1, { kind: 'local', pt: 0, stamp: 0 });
    h = appendEvent(h, 2, { kind: 'recv', from: 1, send: 0, pt: 0, stamp: 0 });
    expect(() => new Causality(h)).toThrow(/not a send/);
  });
});
