/**
 * Fast symmetry (issue 16, item 5): the direct symmetry key — candidates written by the
 * schema-derived permuted encoders into a word buffer, compared as words — must write exactly
 * the words of the old path, `encode(symmetry(s))` (rename whole states, encode, compare
 * strings), on states from real searches; and, like any canonical key, the same words for every
 * renaming of a state within its symmetry classes (fast-check: random reachable states, random
 * permutations). Explorations with and without it give the same counts.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WordBuffer } from '../../impl/core/encode.ts';
import type { Machine } from '../../impl/core/machine.ts';
import { compile, S } from '../../impl/env/schema.ts';
import { permutationsOf } from '../../impl/env/symmetry.ts';
import { twoPhaseMachine, TWOPHASE_RULES } from '../../impl/twophase/twophase.ts';
import { makeRaft } from '../../specs/models/raft.ts';
import { makePaxos } from '../../specs/models/paxos.ts';
import { makeAbd } from '../../specs/models/abd.ts';
import { makeTwoPC } from '../../specs/models/twopc.ts';
import { makeEcho } from '../../specs/models/echo.ts';
import { symmetryKeyOf } from '../engine/checking.ts';
import { explore } from '../exhaustive.ts';
import { exploreParallel } from '../parallel/explore.ts';
import { loadMachine } from '../parallel/model-ref.ts';
import { reachable } from './helpers.ts';
import { CATALOGUE } from '../../specs/models/catalogue.ts';
import { instantiate } from '../../impl/core/machine.ts';

/** A symmetric machine with the renaming the tests apply (`perm[old] = new`). */
interface Case {
  readonly name: string;
  readonly machine: () => Machine<unknown, unknown> & {
    rename(s: unknown, perm: readonly number[]): unknown;
    symmetryClasses(): readonly (readonly number[])[];
  };
}

type Renaming = ReturnType<Case['machine']>;
const as = (m: unknown): Renaming => m as Renaming;

const CASES: readonly Case[] = [
  { name: 'TwoPhase, 4 RMs', machine: () => as(twoPhaseMachine(4, TWOPHASE_RULES, { symmetry: true })) },
  // Crashes, drops, duplicates and a partition; messages the receivers ignore left out.
  { name: 'raft, 3 nodes, faults', machine: () => as(makeRaft({ maxTerm: 3, requests: 2, heartbeats: 1, crashes: 1, drops: 1, duplicates: 1, partitions: 1, symmetry: true })) },
  { name: 'paxos A3 P2 B2', machine: () => as(makePaxos({ acceptors: 3, proposers: 2, ballots: 2, symmetry: true })) },
  // FIFO links: the network is ordered by link, stably.
  { name: 'paxos A3 P2 B2, FIFO', machine: () => as(makePaxos({ acceptors: 3, proposers: 2, ballots: 2, delivery: 'fifo', symmetry: true })) },
  // Replicas are one class, clients stay fixed.
  { name: 'quorum (ABD), 2 requests', machine: () => as(makeAbd({ requests: 2, symmetry: true })) },
  { name: 'two-phase commit, 3 participants, crashes', machine: () => as(makeTwoPC(3, { crashes: 1, symmetry: true })) },
  // One-way partitions, clocks, duplicates, timers.
  {
    name: 'echo, partitions and clocks',
    machine: () => as(makeEcho({ nodes: 3, requests: 2, crashes: 1, duplicates: 1, partitions: 1, oneWay: true, maxClock: 1, symmetry: true }, { retry: true })),
  },
];

/** The old path: the representative, built and encoded. */
function oldKey(m: Renaming, s: unknown): string {
  const w = new WordBuffer();
  const rep = m.symmetry!(s);
  if (m.encode) m.encode(rep, w);
  else w.value(rep);
  return w.key();
}

function newKey(m: Renaming, s: unknown): string {
  const key = symmetryKeyOf(m)!;
  const w = new WordBuffer();
  key(s, w);
  return w.key();
}

/** A permutation within the classes: for class c and a shuffle of it, perm[c[k]] = shuffle[k]. */
function permutationArb(n: number, classes: readonly (readonly number[])[]): fc.Arbitrary<number[]> {
  return fc.tuple(...classes.map((c) => fc.shuffledSubarray([...c], { minLength: c.length, maxLength: c.length }))).map((shuffles) => {
    const perm = Array.from({ length: n + 1 }, (_, i) => i);
    classes.forEach((c, i) => c.forEach((id, k) => (perm[id] = shuffles[i]![k]!)));
    return perm;
  });
}

/** The state reached by a random walk: each choice picks one enabled action (mod their number). */
function walk(m: Renaming, choices: readonly number[]): unknown {
  const inits = m.init();
  let s: unknown = inits[choices.length % inits.length];
  for (const c of choices) {
    const as = m.actions(s);
    if (as.length === 0) break;
    s = m.step(s, as[c % as.length]!);
  }
  return s;
}

describe('direct symmetry key (impl/env/symkey.ts, symmetry.ts symmetryKeyWriter)', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const m = c.machine();
      const n = m.symmetryClasses().reduce((k, cl) => Math.max(k, ...cl), 0);
      const ids = Math.max(n, (m as { nodes?: () => readonly string[] }).nodes?.().length ?? 0);

      it('has the direct key, and runners use it', () => {
        expect(m.symmetryKey).toBeDefined();
        expect(symmetryKeyOf(m)).toBeDefined();
      });

      it('writes exactly encode(symmetry(s)) on the first 1,500 states of a breadth-first search', () => {
        let mismatches = 0;
        const states = reachable(m, 1500);
        expect(states.length).toBeGreaterThan(100);
        for (const s of states) if (newKey(m, s) !== oldKey(m, s)) mismatches++;
        expect(mismatches).toBe(0);
      });

      it('property: random reachable state s, random permutation p within the classes: key(rename(s, p)) = key(s) = encode(symmetry(s))', () => {
        fc.assert(
          fc.property(fc.array(fc.nat(), { maxLength: 40 }), permutationArb(ids, m.symmetryClasses()), (choices, perm) => {
            const s = walk(m, choices);
            const k = newKey(m, s);
            expect(newKey(m, m.rename(s, perm))).toBe(k);
            expect(k).toBe(oldKey(m, s));
          }),
          { numRuns: 150, seed: 16 },
        );
      });
    });
  }

  it('every catalogue model with symmetry has the direct key, and it writes encode(symmetry(s)) on its first 400 BFS states', async () => {
    const covered: string[] = [];
    for (const entry of CATALOGUE) {
      const model = await entry.load();
      if (!('symmetry' in model.params)) continue;
      const m = as(instantiate(model, { symmetry: true }).machine);
      if (m.symmetry === undefined) continue;
      expect(symmetryKeyOf(m), entry.name).toBeDefined();
      let mismatches = 0;
      for (const s of reachable(m, 400)) if (newKey(m, s) !== oldKey(m, s)) mismatches++;
      expect(mismatches, entry.name).toBe(0);
      covered.push(entry.name);
    }
    // The symmetric models of the catalogue today (a new one is covered by this loop as it is added).
    expect(covered).toEqual(expect.arrayContaining(['twophase', 'twopc', 'paxoscommit', 'echo', 'raft', 'paxos', 'multipaxos', 'abd', 'dynamo', 'leader-lease']));
  });

  it('TwoPhase, 5 RMs (pre-sort by the derived per-node signatures): symmetric BFS visits exactly the brute-force orbit count of the 8,832 states', () => {
    const m = as(twoPhaseMachine(5, TWOPHASE_RULES, { symmetry: true }));
    const all = reachable(m, 20_000);
    expect(all.length).toBe(8832);
    const perms = permutationsOf(5).map((p) => [0, ...p.map((x) => x + 1)]);
    const enc = (s: unknown): string => {
      const w = new WordBuffer();
      m.encode!(s, w);
      return w.key();
    };
    const orbits = new Set(all.map((s) => perms.map((p) => enc(m.rename(s, p))).sort()[0]!)).size;
    const r = explore(m);
    expect(r.stats.symmetry).toBe(true);
    expect(r.stats.states).toBe(orbits);
  });

  it('parallel BFS (2 workers, direct key in each worker) visits the same symmetric states as the old path in one thread', async () => {
    for (const [model, params] of [
      ['twophase', { rms: 5, symmetry: true }],
      ['abd', { requests: 1, symmetry: true }],
    ] as const) {
      const { machine } = await loadMachine({ model, params });
      expect(symmetryKeyOf(machine), model).toBeDefined();
      const old = explore({ ...machine, symmetryKey: undefined });
      const par = await exploreParallel({ model, params }, { workers: 2, warmStart: false, initialSlots: 1024, partitionAt: 4 });
      expect(old.stats.symmetry).toBe(true);
      expect([par.status, par.stats.states, par.stats['diameter']], model).toEqual([old.status, old.stats.states, old.stats['diameter']]);
    }
  }, 240_000);

  it('a machine that replaces symmetry or encode (spreading the original) falls back to encode(symmetry(s))', () => {
    const m = makeTwoPC(3, { symmetry: true });
    expect(symmetryKeyOf(m)).toBeDefined();
    expect(symmetryKeyOf({ ...m, symmetry: (s: typeof m extends Machine<infer S, unknown> ? S : never) => s })).toBeUndefined();
    expect(symmetryKeyOf({ ...m, encode: (_s: unknown, out: WordBuffer) => out.int(0) })).toBeUndefined();
  });

  it('BFS with the direct key and with the old path: the same states, diameter and verdict', () => {
    const makers: readonly (() => Renaming)[] = [
      () => as(makeTwoPC(3, { crashes: 0, symmetry: true })),
      () => as(makeAbd({ requests: 1, symmetry: true })),
      () => as(twoPhaseMachine(5, TWOPHASE_RULES, { symmetry: true })),
    ];
    for (const make of makers) {
      const fast = make();
      const slow: Renaming = { ...make(), symmetryKey: undefined };
      expect(symmetryKeyOf(fast)).toBeDefined();
      expect(symmetryKeyOf(slow)).toBeUndefined();
      const a = explore(fast);
      const b = explore(slow);
      expect(a.stats.symmetry).toBe(true);
      expect([a.status, a.stats.states, a.stats.diameter]).toEqual([b.status, b.stats.states, b.stats.diameter]);
    }
  });
});

describe('Codec.encodeRenamed (schema.ts): the words of encode(rename(v)) without the renamed value', () => {
  // Every kind that holds or is indexed by node ids, nested: node, role node, node set, per-node
  // and per-role maps (packed and not), sets of nodes, lists, optionals, unions.
  const members = (r: string): readonly number[] => (r === 'r' ? [2, 3, 4] : []);
  const N = 5;
  const schema = S.record({
    leader: S.optional(S.node()),
    voters: S.nodeSet(),
    acks: S.perNode(S.bool()),
    logs: S.perNode(S.list(S.record({ from: S.node(), term: S.int(0, 3) }), 3)),
    seen: S.set(S.node('r'), 3),
    byRole: S.perRole('r', S.optional(S.record({ to: S.node('r'), votes: S.nodeSet() }))),
    last: S.union('kind', { None: {}, Vote: { from: S.node(), granted: S.nodeSet() }, Map: { m: S.perNode(S.int(0, 2)) } }),
  });
  const codec = compile(schema, { n: N, members });
  const node = fc.integer({ min: 1, max: N });
  const role = fc.constantFrom(2, 3, 4);
  const set = fc.integer({ min: 0, max: 2 ** N - 1 });
  const value = fc.record({
    leader: fc.option(node, { nil: null }),
    voters: set,
    acks: fc.array(fc.boolean(), { minLength: N, maxLength: N }),
    logs: fc.array(fc.array(fc.record({ from: node, term: fc.integer({ min: 0, max: 3 }) }), { maxLength: 3 }), { minLength: N, maxLength: N }),
    seen: fc.uniqueArray(role, { maxLength: 3 }),
    byRole: fc.array(fc.option(fc.record({ to: role, votes: set }), { nil: null }), { minLength: 3, maxLength: 3 }),
    last: fc.oneof(
      fc.constant({ kind: 'None' as const }),
      fc.record({ kind: fc.constant('Vote' as const), from: node, granted: set }),
      fc.record({ kind: fc.constant('Map' as const), m: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: N, maxLength: N }) }),
    ),
  });
  // Permutations of 1..5 that map role r (2, 3, 4) onto itself: 1 and 5 may swap too.
  const perm = fc.tuple(fc.shuffledSubarray([2, 3, 4], { minLength: 3, maxLength: 3 }), fc.boolean()).map(([r, swap]) => [0, swap ? 5 : 1, ...r, swap ? 1 : 5]);

  it('property: encodeRenamed(v, p) writes encode(rename(v, p)), for random values and permutations', () => {
    fc.assert(
      fc.property(value, perm, (v, p) => {
        const inv = new Array<number>(p.length);
        p.forEach((x, i) => (inv[x] = i));
        const a = new WordBuffer();
        const b = new WordBuffer();
        codec.encode(codec.rename(v, (id) => p[id]!), a);
        codec.encodeRenamed(v, p, inv, b);
        expect(b.key()).toBe(a.key());
      }),
      { numRuns: 500, seed: 16 },
    );
  });
});
