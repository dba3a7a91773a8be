/**
 * The CRDT joins of `impl/gossip/crdt.ts` against reference implementations, with fast-check:
 * each replica's state is generated from a random history of operations, the reference computes
 * what the union of the histories means (counts, live tags, the latest write), and the join must
 * agree with it; the joins are commutative, associative and idempotent. The known-bug joins fail
 * the law they break.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  dataEqual,
  gcIncrement,
  gcMerge,
  gcValue,
  LWW_EMPTY,
  lwwMerge,
  lwwWrite,
  memberMerge,
  mergeData,
  OR_EMPTY,
  orAdd,
  orElements,
  orMerge,
  orRemove,
  overwriteMerge,
  removeAllMerge,
  resurrectMerge,
  sumCounterMerge,
  type DataMerge,
  type GossipData,
  type Lww,
  type Member,
  type OrSet,
} from '../../impl/gossip/crdt.ts';
import { lostUpdate, sameData } from '../../specs/gossip.ts';

const N = 3;
/** One operation of a replica's history. */
type Op = { readonly kind: 'inc' } | { readonly kind: 'add'; readonly elem: number } | { readonly kind: 'remove'; readonly elem: number } | { readonly kind: 'write'; readonly value: number; readonly pt: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ kind: 'inc' } as const),
  fc.record({ kind: fc.constant('add' as const), elem: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('remove' as const), elem: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('write' as const), value: fc.integer({ min: 1, max: 9 }), pt: fc.integer({ min: 0, max: 3 }) }),
);
const memberArb: fc.Arbitrary<Member> = fc.record({ hb: fc.integer({ min: 0, max: 3 }), status: fc.constantFrom('unknown' as const, 'alive' as const, 'dead' as const) });

/** A replica's state after running its history locally (node `i`). */
function replay(i: number, ops: readonly Op[], members: readonly Member[]): GossipData {
  let counter: readonly number[] = Array.from({ length: N }, () => 0);
  let set: OrSet = OR_EMPTY;
  let reg: Lww = LWW_EMPTY;
  let hlc = { l: 0, c: 0 };
  let seq = 0;
  for (const op of ops) {
    if (op.kind === 'inc') counter = gcIncrement(counter, i);
    else if (op.kind === 'add') set = orAdd(set, { elem: op.elem, node: i, seq: ++seq });
    else if (op.kind === 'remove') set = orRemove(set, op.elem);
    else {
      const w = lwwWrite(hlc, op.pt, i, op.value);
      hlc = w.hlc;
      reg = w.reg;
    }
  }
  return { counter, set, reg, members };
}

const replicaArb = (i: number) => fc.tuple(fc.array(opArb, { maxLength: 8 }), fc.array(memberArb, { minLength: N, maxLength: N })).map(([ops, m]) => ({ ops, data: replay(i, ops, m) }));
const threeArb = fc.tuple(replicaArb(1), replicaArb(2), replicaArb(3));

/** Reference: what the union of independent histories means. */
function reference(hs: readonly (readonly Op[])[]) {
  const incs = hs.map((ops) => ops.filter((o) => o.kind === 'inc').length);
  // OR-set: an element is present iff some replica has an add of it that this same replica did not later remove
  // (the histories are independent, so a remove only observes its own replica's earlier adds).
  const present = new Set<number>();
  for (const ops of hs) {
    const live = new Map<number, number>();
    for (const o of ops) {
      if (o.kind === 'add') live.set(o.elem, (live.get(o.elem) ?? 0) + 1);
      if (o.kind === 'remove') live.set(o.elem, 0);
    }
    for (const [e, c] of live) if (c > 0) present.add(e);
  }
  return { value: incs.reduce((a, b) => a + b, 0), elements: [...present].sort((a, b) => a - b) };
}

const merge3 = (f: DataMerge, a: GossipData, b: GossipData, c: GossipData) => f(f(a, b), c);

describe('CRDT joins agree with the reference and are semilattice joins', () => {
  it('G-counter and OR-set: the join of independent replicas means the union of their histories', () => {
    fc.assert(
      fc.property(threeArb, ([a, b, c]) => {
        const m = merge3(mergeData, a.data, b.data, c.data);
        const ref = reference([a.ops, b.ops, c.ops]);
        expect(gcValue(m.counter)).toBe(ref.value);
        expect(orElements(m.set)).toEqual(ref.elements);
      }),
      { numRuns: 300 },
    );
  });

  it('LWW: the join holds the write with the largest (HLC, writer) of all replicas', () => {
    fc.assert(
      fc.property(threeArb, ([a, b, c]) => {
        const m = merge3(mergeData, a.data, b.data, c.data);
        const writes = [a.data.reg, b.data.reg, c.data.reg].filter((r) => r.writer !== null);
        const best = [...writes].sort((x, y) => x.l - y.l || x.c - y.c || x.writer! - y.writer!).at(-1) ?? LWW_EMPTY;
        expect(m.reg).toEqual(best);
      }),
      { numRuns: 300 },
    );
  });

  it('merge is commutative, associative and idempotent (up to equality of canonical data)', () => {
    fc.assert(
      fc.property(threeArb, ([a, b, c]) => {
        expect(dataEqual(mergeData(a.data, b.data), mergeData(b.data, a.data))).toBe(true);
        expect(dataEqual(mergeData(mergeData(a.data, b.data), c.data), mergeData(a.data, mergeData(b.data, c.data)))).toBe(true);
        expect(dataEqual(mergeData(a.data, a.data), a.data)).toBe(true);
        // An upper bound of both arguments: nothing either side saw is lost.
        expect(dataEqual(mergeData(mergeData(a.data, b.data), a.data), mergeData(a.data, b.data))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('single joins: membership entries, OR-sets and registers on their own', () => {
    fc.assert(
      fc.property(memberArb, memberArb, memberArb, (x, y, z) => {
        expect(memberMerge(x, y)).toEqual(memberMerge(y, x));
        expect(memberMerge(memberMerge(x, y), z)).toEqual(memberMerge(x, memberMerge(y, z)));
        expect(memberMerge(x, x)).toEqual(x);
      }),
    );
    fc.assert(
      fc.property(threeArb, ([a, b]) => {
        expect(orMerge(a.data.set, b.data.set)).toEqual(orMerge(b.data.set, a.data.set));
        expect(lwwMerge(a.data.reg, b.data.reg)).toEqual(lwwMerge(b.data.reg, a.data.reg));
        expect(gcMerge(a.data.counter, b.data.counter)).toEqual(gcMerge(b.data.counter, a.data.counter));
      }),
    );
  });

  it('an add concurrent with a remove survives (add wins); a remove after seeing the add deletes it', () => {
    const a = orAdd(OR_EMPTY, { elem: 0, node: 1, seq: 1 });
    const removedAtA = orRemove(a, 0);
    const b = orAdd(OR_EMPTY, { elem: 0, node: 2, seq: 1 });
    expect(orElements(orMerge(removedAtA, b))).toEqual([0]);
    expect(orElements(orRemove(orMerge(a, b), 0))).toEqual([]);
  });
});

describe('the known-bug joins fail the law they break (fast-check finds a counterexample)', () => {
  const fails = (law: (f: DataMerge, x: GossipData, y: GossipData) => boolean, f: DataMerge) =>
    fc.check(fc.property(threeArb, ([a, b]) => law(f, a.data, b.data)), { numRuns: 500, seed: 1 }).failed;
  const idempotent = (f: DataMerge, x: GossipData) => dataEqual(f(x, x), x);
  const upperBound = (f: DataMerge, x: GossipData, y: GossipData) => dataEqual(mergeData(f(x, y), x), f(x, y)) && dataEqual(mergeData(f(x, y), y), f(x, y));
  const meaning = (f: DataMerge, x: GossipData, y: GossipData) => JSON.stringify(orElements(f(x, y).set)) === JSON.stringify(orElements(mergeData(x, y).set));

  it('double-count: not idempotent', () => {
    expect(fails(idempotent, mergeData)).toBe(false);
    expect(fails(idempotent, sumCounterMerge)).toBe(true);
  });
  it('remove-deletes-concurrent-adds: loses concurrent adds', () => {
    expect(fails(meaning, removeAllMerge)).toBe(true);
  });
  it('resurrect-dead and overwrite: not upper bounds (they lose what they saw)', () => {
    expect(fails(upperBound, mergeData)).toBe(false);
    expect(fails(upperBound, overwriteMerge)).toBe(true);
    expect(resurrectMerge(withMember({ hb: 2, status: 'dead' }), withMember({ hb: 2, status: 'alive' })).members[0]).toEqual({ hb: 2, status: 'alive' });
    expect(mergeData(withMember({ hb: 2, status: 'dead' }), withMember({ hb: 2, status: 'alive' })).members[0]).toEqual({ hb: 2, status: 'dead' });
  });
});

function withMember(m: Member): GossipData {
  return { counter: [0, 0, 0], set: OR_EMPTY, reg: LWW_EMPTY, members: [m, { hb: 0, status: 'alive' }, { hb: 0, status: 'alive' }] };
}

/**
 * The specs' own lattice (`specs/gossip.ts`: `lostUpdate`, `sameData`), written apart from the
 * implementation's so that a wrong order there is not also the checks' order.
 */
describe("the specs' lattice order", () => {
  it('the join is an upper bound of both sides; data is the same iff neither lost anything of the other', () => {
    fc.assert(
      fc.property(threeArb, ([a, b]) => {
        const m = mergeData(a.data, b.data);
        expect(lostUpdate(a.data, m)).toBeNull();
        expect(lostUpdate(b.data, m)).toBeNull();
        expect(sameData(a.data, b.data)).toBe(lostUpdate(a.data, b.data) === null && lostUpdate(b.data, a.data) === null);
        expect(sameData(a.data, b.data)).toBe(dataEqual(a.data, b.data));
      }),
      { numRuns: 300 },
    );
  });

  it('finds the write a join that ignores the logical counter loses (the order the implementation would share)', () => {
    // n2 writes at (0,0); n1, having seen it, writes later at (0,1). Ordered by l then writer
    // only, n2's older write would win the join and n1's would be lost.
    const older: Lww = { value: 1, l: 0, c: 0, writer: 2 };
    const newer: Lww = { value: 2, l: 0, c: 1, writer: 1 };
    const base: GossipData = withMember({ hb: 0, status: 'alive' });
    const byLThenWriter = (x: Lww, y: Lww): number => x.l - y.l || x.writer! - y.writer!;
    const joined = { ...base, reg: byLThenWriter(newer, older) >= 0 ? newer : older };
    expect(joined.reg).toBe(older);
    expect(lostUpdate({ ...base, reg: newer }, joined)).toMatch(/register write 2@\(0,1\) by n1/);
    expect(lostUpdate({ ...base, reg: newer }, { ...base, reg: lwwMerge(newer, older) })).toBeNull();
    // And a status ranked the wrong way: alive over dead at the same heartbeat.
    expect(lostUpdate(withMember({ hb: 2, status: 'dead' }), withMember({ hb: 2, status: 'alive' }))).toMatch(/membership n1 dead@2/);
    expect(lostUpdate(withMember({ hb: 2, status: 'alive' }), withMember({ hb: 3, status: 'unknown' }))).toBeNull();
  });
});
