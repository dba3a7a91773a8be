/**
 * Raft (impl/raft, specs/raft.ts), the correct machine: every safety property holds in
 * exhaustive runs within pinned bounds (distinct-state counts pinned) and in long random runs
 * with faults; every `sometimes` witness is reached; the checker's view of a state (ignored
 * messages left out, symmetry) is sound; the model validates its parameters.
 *
 * The known-bug variants are in raft-bugs.test.ts, the scenario scripts in
 * raft-scenarios.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { WordBuffer } from '../../impl/core/encode.ts';
import { InputError, instantiate } from '../../impl/core/machine.ts';
import { checkNames } from '../../impl/core/result.ts';
import { makeRaft, raftModel, RAFT_BUGS, RAFT_RANDOM_CONFIGS, type RaftBug, type RaftConfig } from '../../impl/raft/raft.ts';
import { ignoredMessage, pruneIgnored } from '../../impl/raft/canonical.ts';
import type { RaftState, RaftTypes } from '../../impl/raft/types.ts';
import type { EnvAction } from '../../impl/env/types.ts';
import type { EnvMachine } from '../../impl/env/machine.ts';

const ALL_WITNESSES = ['leader-elected', 'committed-on-majority', 'leader-replaced-after-crash', 'entry-overwritten-before-commit'];

/** Exhaustive runs of the correct machine (3 nodes, symmetry, multiset network), pinned. */
const EXHAUSTIVE: readonly { name: string; cfg: RaftConfig; states: number; diameter: number; witnesses: readonly string[] }[] = [
  {
    name: 'terms ≤ 2, 1 request, 1 heartbeat round',
    cfg: { maxTerm: 2, requests: 1, heartbeats: 1 },
    states: 3_353,
    diameter: 21,
    witnesses: ['leader-elected', 'committed-on-majority'],
  },
  {
    name: 'the same with 1 crash',
    cfg: { maxTerm: 2, requests: 1, heartbeats: 1, crashes: 1 },
    states: 22_285,
    diameter: 25,
    witnesses: ['leader-elected', 'committed-on-majority', 'leader-replaced-after-crash'],
  },
  {
    name: 'the same with 1 partition',
    cfg: { maxTerm: 2, requests: 1, heartbeats: 1, partitions: 1 },
    states: 16_712,
    diameter: 23,
    witnesses: ['leader-elected', 'committed-on-majority'],
  },
  {
    name: 'the same with 1 drop and 1 duplicate',
    cfg: { maxTerm: 2, requests: 1, heartbeats: 1, drops: 1, duplicates: 1 },
    states: 72_926,
    diameter: 23,
    witnesses: ['leader-elected', 'committed-on-majority'],
  },
  {
    name: '5 nodes, term 1, 1 request, 1 heartbeat round',
    cfg: { nodes: 5, maxTerm: 1, requests: 1, heartbeats: 1 },
    states: 7_395,
    diameter: 20,
    witnesses: ['leader-elected', 'committed-on-majority'],
  },
];

describe('Raft, the correct machine, exhaustively', () => {
  for (const { name, cfg, states, diameter, witnesses } of EXHAUSTIVE) {
    it(`${name}: ${states.toLocaleString('en-US')} states, diameter ${diameter}, every check holds`, () => {
      const r = explore(makeRaft({ ...cfg, symmetry: true }));
      expect(r.status).toBe('exhausted');
      expect(r.stats.symmetry).toBe(true);
      expect(r.stats.states).toBe(states);
      expect(r.stats.diameter).toBe(diameter);
      expect(r.witnesses.filter((w) => w.reached).map((w) => w.name)).toEqual(witnesses);
    });
  }

  it('exact keys and 64-bit fingerprints give the same count; without symmetry the same checks hold on 5.9× more states', () => {
    const cfg: RaftConfig = { maxTerm: 2, requests: 1, heartbeats: 0, crashes: 1 };
    const exact = explore(makeRaft({ ...cfg, symmetry: true }), { exact: true });
    expect(exact.status).toBe('exhausted');
    expect(exact.stats.states).toBe(3_689);
    const full = explore(makeRaft(cfg));
    expect(full.status).toBe('exhausted');
    expect(full.stats.symmetry).toBe(false);
    expect(full.stats.states).toBe(21_750);
    expect(full.witnesses.map((w) => w.reached)).toEqual(exact.witnesses.map((w) => w.reached));
  });

  it('two requests: an uncommitted entry is overwritten; no violation within depth 9 (bounded, pinned)', () => {
    const r = explore(makeRaft({ maxTerm: 2, requests: 2, heartbeats: 0, symmetry: true }), { maxDepth: 9 });
    expect(r.status).toBe('bounded');
    expect(r.bound).toEqual({ kind: 'depth', limit: 9 });
    expect(r.stats.states).toBe(828);
    expect(r.witnesses.find((w) => w.name === 'entry-overwritten-before-commit')).toEqual({ name: 'entry-overwritten-before-commit', reached: true, depth: 9 });
  });

  it('every witness is reached by some pinned run', () => {
    const reached = new Set([...EXHAUSTIVE.flatMap((e) => e.witnesses), 'committed-on-majority', 'entry-overwritten-before-commit']);
    expect([...reached].sort()).toEqual([...ALL_WITNESSES].sort());
  });
});


describe('Raft, the correct machine, randomly', () => {
  it('3 nodes with crashes, drops, duplicates and partitions: no violation in 5,000 runs of 200 steps, every witness reached', () => {
    const m = makeRaft({ maxTerm: 6, requests: 4, heartbeats: 2, crashes: 2, drops: 3, duplicates: 2, partitions: 2 });
    const r = checkRandom(m, { seed: 11, runs: 5000, maxSteps: 200 });
    expect(r.status).toBe('bounded');
    expect(r.bound?.kind).toBe('runs');
    expect(r.witnesses.filter((w) => !w.reached)).toEqual([]);
  });

  it('5 nodes with faults: no violation in 1,500 runs of 300 steps', () => {
    const m = makeRaft({ nodes: 5, maxTerm: 5, requests: 4, heartbeats: 2, crashes: 2, drops: 3, duplicates: 2, partitions: 2 });
    const r = checkRandom(m, { seed: 12, runs: 1500, maxSteps: 300 });
    expect(r.status).toBe('bounded');
    expect(r.witnesses.find((w) => w.name === 'committed-on-majority')?.reached).toBe(true);
  });

  it('the random configuration of the figure8 benchmark (30 terms, 6 requests) holds without the bug', () => {
    const r = checkRandom(makeRaft({ maxTerm: 30, requests: 6, heartbeats: 0 }), { seed: 13, runs: 1500, maxSteps: 400 });
    expect(r.status).toBe('bounded');
  });
});

/** States along seeded random walks, for the local soundness checks below. */
function sampleStates(m: EnvMachine<RaftTypes>, walks: number, length: number, seed: number): RaftState[] {
  let x = seed;
  const rnd = (n: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  const out: RaftState[] = [];
  for (let w = 0; w < walks; w++) {
    let s = m.init()[0]!;
    for (let i = 0; i < length; i++) {
      const acts = m.actions(s);
      if (acts.length === 0) break;
      s = m.step(s, acts[rnd(acts.length)]!);
      out.push(s);
    }
  }
  return out;
}

const VARIANTS: readonly RaftBug[] = ['none', ...(Object.keys(RAFT_BUGS) as RaftBug[])];
const FAULTY: RaftConfig = { maxTerm: 4, requests: 3, heartbeats: 2, crashes: 2, drops: 2, duplicates: 2, partitions: 1 };

describe("the checker's view of a Raft state", () => {
  it('an ignored message is one whose delivery changes nothing but the network, and sends only ignored messages', () => {
    for (const bug of VARIANTS) {
      const m = makeRaft({ ...FAULTY, pruneIgnored: false }, bug);
      let checked = 0;
      for (const s of sampleStates(m, 40, 120, 7)) {
        for (const p of s.net) {
          if (!ignoredMessage(s, p, bug)) continue;
          if (!s.nodes[p.to - 1]!.up) continue; // not deliverable now; deliveries after a restart are covered by the restarted states
          const a: EnvAction<RaftTypes> = { type: 'deliver', from: p.from, to: p.to, msg: p.msg };
          if (s.partition !== null && ((s.partition.cut[p.from - 1]! >>> (p.to - 1)) & 1) === 1) continue;
          const t = m.step(s, a);
          expect(m.view(t).nodes, `${bug}: ${m.formatAction(a)}`).toEqual(m.view(s).nodes);
          expect(t.ghost).toEqual(s.ghost);
          const before = new Set(s.net.map((q) => q.key));
          for (const q of t.net) if (!before.has(q.key)) expect(ignoredMessage(t, q, bug)).toBe(true);
          checked++;
        }
      }
      // Under volatile-term a restart lowers the term, so nothing is ever ignored.
      if (bug === 'volatile-term') expect(checked).toBe(0);
      else expect(checked, bug).toBeGreaterThan(100);
    }
  });

  it('leaving ignored messages out merges exactly the states that differ only in them', { timeout: 300_000 }, () => {
    // Every variant on two tiny configurations; the correct machine on two larger ones that
    // exercise every rule (replies, repeated appends, commits, heartbeats, restarts).
    const cases: [RaftBug, RaftConfig][] = [
      // (volatile-term ignores nothing: there the pruned machine is the raw one.)
      ...VARIANTS.filter((b) => b !== 'volatile-term').flatMap((bug): [RaftBug, RaftConfig][] => [
        [bug, { nodes: 2, maxTerm: 2, requests: 1, heartbeats: 1, crashes: 1 }],
        [bug, { maxTerm: 2, requests: 0, heartbeats: 0, timeouts: 2 }],
      ]),
      ['none', { maxTerm: 1, requests: 1, heartbeats: 1, timeouts: 2 }],
      ['none', { nodes: 2, maxTerm: 2, requests: 2, heartbeats: 1 }],
    ];
    for (const [bug, cfg] of cases) {
      const raw = makeRaft({ ...cfg, pruneIgnored: false }, bug);
      const views = new Set<string>();
      const w = new WordBuffer();
      const collect = {
        ...raw,
        properties: [],
        invariants: [
          {
            name: 'collect',
            check: (s: RaftState) => {
              w.reset();
              raw.encode(pruneIgnored(s, bug, (cfg.crashes ?? 0) > 0), w);
              views.add(w.key());
              return true;
            },
          },
        ],
      };
      const all = explore(collect);
      const pruned = explore({ ...makeRaft(cfg, bug), invariants: [], properties: [] });
      expect(all.status).toBe('exhausted');
      expect(pruned.status).toBe('exhausted');
      expect(pruned.stats.states, `${bug} ${JSON.stringify(cfg)}`).toBe(views.size);
      expect(pruned.stats.states).toBeLessThan(all.stats.states);
    }
  });

  it('the symmetric view is the same for every renaming of a state, and every check agrees on renamed states', () => {
    const perms = [
      [0, 1, 2, 3],
      [0, 1, 3, 2],
      [0, 2, 1, 3],
      [0, 2, 3, 1],
      [0, 3, 1, 2],
      [0, 3, 2, 1],
    ];
    for (const bug of VARIANTS) {
      const m = makeRaft({ ...FAULTY, symmetry: true }, bug);
      const key = (s: RaftState): string => {
        const w = new WordBuffer();
        m.encode(m.symmetry!(s), w);
        return w.key();
      };
      for (const s of sampleStates(m, 10, 80, 3)) {
        const k = key(s);
        for (const perm of perms) {
          const r = m.rename(s, perm);
          expect(key(r)).toBe(k);
          for (const inv of m.invariants ?? []) expect(inv.check(r) === true, `${bug} ${inv.name}`).toBe(inv.check(s) === true);
          for (const wit of m.sometimes ?? []) expect(wit.check(r)).toBe(wit.check(s));
        }
      }
    }
  });

  it('on a FIFO network nothing is pruned (an ignored message at a link head holds back the rest)', () => {
    const cfg: RaftConfig = { maxTerm: 1, requests: 1, heartbeats: 0, delivery: 'fifo' };
    expect(explore(makeRaft(cfg)).stats.states).toBe(explore(makeRaft({ ...cfg, pruneIgnored: false })).stats.states);
  });
});

describe('the raft model', () => {
  it('declares every check its bugs break, and builds with its defaults', () => {
    const { machine, params } = instantiate(raftModel);
    expect(params).toMatchObject({ nodes: 3, maxTerm: 2, heartbeats: 1, requests: 1, symmetry: true, bug: 'none' });
    const names = checkNames(machine);
    expect(names).toEqual([
      'election-safety',
      'log-matching',
      'leader-completeness',
      'state-machine-safety',
      'leader-append-only',
      'term-monotonic',
      'commit-monotonic',
      'durable-survives-crash',
    ]);
    for (const spec of Object.values(raftModel.bugs)) for (const c of spec.breaks) expect(names).toContain(c);
    // Every check is broken by some known bug.
    const broken = new Set(Object.values(raftModel.bugs).flatMap((b) => b.breaks));
    expect(names.filter((n) => !broken.has(n))).toEqual([]);
    expect(machine.sometimes?.map((w) => w.name)).toEqual(ALL_WITNESSES);
  });

  it('takes every configuration the bug tests and the benchmark use as model parameters (so the CLI can run them)', () => {
    for (const bug of Object.keys(RAFT_BUGS) as (keyof typeof RAFT_BUGS)[]) {
      expect(instantiate(raftModel, { ...RAFT_BUGS[bug].config, bug }).machine.name).toBe('raft');
      expect(instantiate(raftModel, { ...RAFT_RANDOM_CONFIGS[bug], bug }).params['bug']).toBe(bug);
    }
  });

  it('rejects out-of-range parameters with a one-line input error', () => {
    expect(() => instantiate(raftModel, { nodes: 6 })).toThrow(InputError);
    expect(() => instantiate(raftModel, { maxTerm: 0 })).toThrow(/maxTerm must be an integer in 1\.\.64/);
    expect(() => instantiate(raftModel, { bug: 'nope' })).toThrow(/bug must be one of none, figure8/);
  });

  it('its default configuration is exhausted with every check holding', () => {
    const { machine } = instantiate(raftModel);
    const r = explore(machine);
    expect(r.status).toBe('exhausted');
    expect(r.stats.symmetry).toBe(true);
    expect(r.stats.states).toBe(3_353);
  });
});

