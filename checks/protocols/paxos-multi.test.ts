/**
 * Multi-Paxos with a stable leader (impl/paxos/multipaxos.ts) against specs/paxos.ts, per slot,
 * and a Consensus instance per slot: pinned state spaces, witnesses (including recovery by a
 * second leader and a full log), and the skip-recovery bug found by BFS, random mode and the
 * refinement check.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { InputError, instantiate } from '../../impl/core/machine.ts';
import { lastState, type Trace } from '../../impl/core/trace.ts';
import { analyse } from '../../impl/paxos/history.ts';
import { refinesConsensus } from '../../specs/paxos.ts';
import {
  makeMultiPaxos,
  MULTIPAXOS_BUGS,
  multiPaxosModel,
  multiPaxosObserver,
  type MultiPaxosParams,
  type MultiPaxosState,
  type MultiPaxosTypes,
} from '../../specs/models/multipaxos.ts';
import type { EnvAction } from '../../impl/env/types.ts';

const BASE = { acceptors: 3, proposers: 2, ballots: 2, slots: 2, window: 1 } as const;
const SLOW = 120_000;

const witnessDepths = (r: { witnesses: readonly { name: string; depth?: number }[] }) =>
  Object.fromEntries(r.witnesses.map((w) => [w.name, w.depth ?? null]));

describe('Multi-Paxos: the correct protocol', () => {
  it(
    '3 acceptors, 2 leaders, ballots ≤ 2, 2 slots: 105,826 states, every check holds; the log fills, a second leader recovers',
    () => {
      const r = explore(makeMultiPaxos(BASE));
      expect(r.status).toBe('exhausted');
      expect(r.stats.states).toBe(105_826);
      expect(r.stats.transitions).toBe(472_959);
      expect(r.stats.diameter).toBe(31);
      expect(witnessDepths(r)).toEqual({ 'value-chosen': 8, 'competing-proposers-agree': 15, 'chosen-after-restart': null, 'log-filled': 13 });
    },
    SLOW,
  );

  it('acceptor symmetry: 18,167 states (2 slots) and 3,608 (1 slot), exact = fingerprints', () => {
    for (const [slots, states, transitions] of [
      [2, 18_167, 81_048],
      [1, 3608, 13_523],
    ] as const) {
      const m = makeMultiPaxos({ ...BASE, slots, symmetry: true });
      const exact = explore(m, { exact: true });
      const fp = explore(m);
      for (const r of [exact, fp]) {
        expect(r.status).toBe('exhausted');
        expect(r.stats.states).toBe(states);
        expect(r.stats.transitions).toBe(transitions);
      }
      expect(fp.witnesses.find((w) => w.name === 'competing-proposers-agree')?.depth).toBe(15);
    }
  }, SLOW);

  it('crash-recovery (1 leader, 1 crash): 1,531 states, exact = fingerprints; values chosen after an acceptor restarts', () => {
    const m = makeMultiPaxos({ ...BASE, proposers: 1, ballots: 1, crashes: 1 });
    const exact = explore(m, { exact: true });
    const fp = explore(m);
    for (const r of [exact, fp]) {
      expect(r.status).toBe('exhausted');
      expect(r.stats.states).toBe(1531);
      expect(r.stats.transitions).toBe(4294);
    }
    expect(witnessDepths(fp)).toEqual({ 'value-chosen': 8, 'competing-proposers-agree': null, 'chosen-after-restart': 10, 'log-filled': 13 });
  });

  it(
    'pipelining (window 2) under a drop, a duplicate and a partition: 68,232 states (symmetry); FIFO links: 12,740',
    () => {
      const cases: [Partial<MultiPaxosParams>, number][] = [
        [{ proposers: 1, ballots: 1, window: 2, drops: 1, duplicates: 1, partitions: 1, symmetry: true }, 68_232],
        [{ delivery: 'fifo', symmetry: true }, 12_740],
      ];
      for (const [p, states] of cases) {
        const r = explore(makeMultiPaxos({ ...BASE, ...p }));
        expect(r.status, JSON.stringify(p)).toBe('exhausted');
        expect(r.stats.states, JSON.stringify(p)).toBe(states);
        expect(r.witnesses.find((w) => w.name === 'log-filled')?.reached).toBe(true);
      }
    },
    SLOW,
  );

  it(
    'long random runs with every fault kind (5 acceptors, 3 leaders, 4 slots, window 2): no violation, logs fill',
    () => {
      const m = makeMultiPaxos({ acceptors: 5, proposers: 3, ballots: 9, slots: 4, window: 2, crashes: 3, maxDown: 2, drops: 3, duplicates: 3, partitions: 2 });
      const r = checkRandom(m, { seed: 7, runs: 1000, maxSteps: 200 });
      expect(r.status).toBe('bounded');
      expect(r.bound?.kind).toBe('runs');
      expect(r.witnesses.find((w) => w.name === 'log-filled')?.reached).toBe(true);
      const small = checkRandom(makeMultiPaxos({ ...BASE, crashes: 2 }), { seed: 11, runs: 500, maxSteps: 100 });
      expect(small.status).toBe('bounded');
      expect(small.witnesses.every((w) => w.reached)).toBe(true);
    },
    SLOW,
  );

  it('impossible parameters are one-line input errors', () => {
    expect(() => makeMultiPaxos({ ...BASE, ballots: 1 })).toThrow(/ballots \(1\) must be at least proposers \(2\)/);
    expect(() => makeMultiPaxos({ ...BASE, proposers: 1, ballots: 1 }, 'skip-recovery')).toThrow(InputError);
    expect(() => instantiate(multiPaxosModel, { window: 0 })).toThrow(InputError);
    expect(() => instantiate(multiPaxosModel, { slots: 9 })).toThrow(InputError);
  });
});

describe('Multi-Paxos: a new leader that skips recovering a slot', () => {
  it('declares the checks it breaks', () => {
    expect(MULTIPAXOS_BUGS['skip-recovery'].breaks).toEqual(['agreement', 'refines-consensus']);
  });

  for (const check of MULTIPAXOS_BUGS['skip-recovery'].breaks) {
    it(`skip-recovery breaks ${check} on slot 1: BFS finds a shortest trace of 16 steps (registry model, crashes=0)`, () => {
      const { machine } = instantiate(multiPaxosModel, { bug: 'skip-recovery', crashes: 0 });
      const r = explore(machine, { checks: [check] });
      expect(r.status).toBe('violation');
      expect(r.violation?.name).toBe(check);
      const trace = r.violation!.trace as Trace<MultiPaxosState, EnvAction<MultiPaxosTypes>>;
      expect(trace.steps).toHaveLength(16);
      const chosen = analyse(lastState(trace).ghost, 3, 2).chosen;
      expect(chosen).toEqual([[1, 2], []]);
      if (check === 'agreement') {
        expect(r.violation?.message).toBe('slot 1: two values chosen: v1 in ballot 1 (a1,a2) and v2 in ballot 2 (a1,a2)');
      } else {
        // The first step that does not map to a Consensus step is the last one.
        expect(r.violation?.message).toMatch(/^no consensus step leads from \{"chosen":\[\["v1"\],\[\]\]\} to \{"chosen":\[\["v1","v2"\],\[\]\]\}/);
        const prop = refinesConsensus<MultiPaxosState, EnvAction<MultiPaxosTypes>>(multiPaxosObserver(BASE, (id) => `n${id}`));
        let prev = trace.init;
        const verdicts = trace.steps.map((st) => {
          const v = prop.check(prev, st.action, st.state);
          prev = st.state;
          return v;
        });
        expect(verdicts.slice(0, -1).every((v) => v === true)).toBe(true);
        expect(verdicts[15]).toMatch(/no consensus step leads from/);
      }
      // The new leader heard slot 1's value in phase 1 and proposed its own anyway.
      const labels = trace.steps.map((st) => machine.formatAction!(st.action));
      expect(labels).toContain('deliver a1→l2 1b(b2, accepted [b1 v1, -])');
      expect(labels[13]).toBe('local l2 propose(slot 1)');
    });
  }

  it('without symmetry BFS finds the same 16-step trace; with 1 slot too', () => {
    for (const slots of [1, 2]) {
      const r = explore(makeMultiPaxos({ ...BASE, slots }, 'skip-recovery'), { checks: ['agreement'] });
      expect(r.violation?.trace.steps).toHaveLength(16);
    }
  });

  it('random mode finds it (seed 1)', () => {
    for (const check of ['agreement', 'refines-consensus']) {
      const r = checkRandom(makeMultiPaxos(BASE, 'skip-recovery'), { seed: 1, runs: 20_000, maxSteps: 60, checks: [check] });
      expect(r.status).toBe('violation');
      expect(r.violation?.name).toBe(check);
      expect(r.violation!.trace.steps.length).toBeGreaterThanOrEqual(16);
    }
  }, SLOW);
});
