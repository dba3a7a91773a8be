/**
 * Single-decree Paxos (impl/paxos/paxos.ts) against specs/paxos.ts and the Consensus spec
 * (specs/consensus.ts): pinned state spaces of the correct protocol, the refinement to
 * Consensus, the witnesses, and the classic bugs found by BFS (shortest traces pinned), by random
 * mode (fixed seeds) and by the refinement check (at the first step that does not map).
 *
 * Every pinned count comes from this checker; exact mode (full canonical keys) and fingerprint
 * mode agree on each configuration small enough to run both.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { formatDiagram } from '../diagram.ts';
import { InputError, instantiate } from '../../impl/core/machine.ts';
import { lastState, type Trace } from '../../impl/core/trace.ts';
import { makeConsensus } from '../../specs/consensus.ts';
import { analyse } from '../../impl/paxos/history.ts';
import { refinesConsensus } from '../../specs/paxos.ts';
import {
  makePaxos,
  PAXOS_BUGS,
  paxosModel,
  paxosObserver,
  type PaxosBug,
  type PaxosParams,
  type PaxosState,
  type PaxosTypes,
} from '../../specs/models/paxos.ts';
import type { EnvAction } from '../../impl/env/types.ts';

const BASE = { acceptors: 3, proposers: 2, ballots: 2 } as const;
const SLOW = 120_000;

const witnessDepths = (r: { witnesses: readonly { name: string; depth?: number }[] }) =>
  Object.fromEntries(r.witnesses.map((w) => [w.name, w.depth ?? null]));

describe('Consensus (specs/consensus.ts)', () => {
  it('chosen grows from empty to one value, once per slot: 3 states for 2 values, 9 for 2 slots (exact = fingerprints)', () => {
    for (const [slots, states] of [
      [1, 3],
      [2, 9],
    ] as const) {
      const exact = explore(makeConsensus([1, 2], slots), { exact: true });
      const fp = explore(makeConsensus([1, 2], slots));
      expect(exact.status).toBe('exhausted');
      expect(exact.stats.states).toBe(states);
      expect(fp.stats.states).toBe(states);
      expect(fp.witnesses.every((w) => w.reached)).toBe(true);
    }
  });

  it('its invariant rejects two chosen values, and no step leads from one value to two', () => {
    const m = makeConsensus([1, 2]);
    const inv = m.invariants![0]!;
    expect(inv.check({ chosen: [[1]] })).toBe(true);
    expect(inv.check({ chosen: [[1, 2]] })).toMatch(/v1 and v2 are both chosen/);
    expect(m.actions({ chosen: [[1]] })).toEqual([]);
    expect(() => makeConsensus([])).toThrow(InputError);
  });
});

describe('single-decree Paxos: the correct protocol', () => {
  it(
    '3 acceptors, 2 proposers, ballots ≤ 2: 174,892 states, every check holds, agreement reached through competition',
    () => {
      const r = explore(makePaxos(BASE));
      expect(r.status).toBe('exhausted');
      expect(r.stats.states).toBe(174_892);
      expect(r.stats.transitions).toBe(804_528);
      expect(r.stats.diameter).toBe(24);
      expect(witnessDepths(r)).toEqual({ 'value-chosen': 7, 'competing-proposers-agree': 14, 'chosen-after-restart': null });
    },
    SLOW,
  );

  it(
    'acceptor symmetry: 30,116 states, exact = fingerprints, same witness depths',
    () => {
      const m = makePaxos({ ...BASE, symmetry: true });
      const exact = explore(m, { exact: true });
      const fp = explore(m);
      for (const r of [exact, fp]) {
        expect(r.status).toBe('exhausted');
        expect(r.stats.states).toBe(30_116);
        expect(r.stats.transitions).toBe(138_683);
        expect(r.stats.diameter).toBe(24);
      }
      expect(witnessDepths(fp)).toEqual({ 'value-chosen': 7, 'competing-proposers-agree': 14, 'chosen-after-restart': null });
    },
    SLOW,
  );

  it('crash-recovery (1 proposer, 1 crash): 2,118 states, exact = fingerprints; a value is chosen after an acceptor restarts', () => {
    const m = makePaxos({ acceptors: 3, proposers: 1, ballots: 1, crashes: 1 });
    const exact = explore(m, { exact: true });
    const fp = explore(m);
    for (const r of [exact, fp]) {
      expect(r.status).toBe('exhausted');
      expect(r.stats.states).toBe(2118);
      expect(r.stats.transitions).toBe(6972);
    }
    expect(witnessDepths(fp)).toEqual({ 'value-chosen': 7, 'competing-proposers-agree': null, 'chosen-after-restart': 9 });
  });

  it('2 acceptors (a majority is both), 2 proposers: 516 states, exact = fingerprints, competition witnessed', () => {
    const m = makePaxos({ acceptors: 2, proposers: 2, ballots: 2 });
    const exact = explore(m, { exact: true });
    const fp = explore(m);
    expect(exact.stats.states).toBe(516);
    expect(fp.stats.states).toBe(516);
    expect(fp.status).toBe('exhausted');
    expect(fp.witnesses.find((w) => w.name === 'competing-proposers-agree')?.reached).toBe(true);
  });

  it('network faults, one at a time (1 proposer): drop 921, duplicate 3,286, partition 2,538 states; FIFO links with 2 proposers: 13,584 (symmetry)', () => {
    const one = { acceptors: 3, proposers: 1, ballots: 1 } as const;
    const cases: [Partial<PaxosParams>, number][] = [
      [{ ...one, drops: 1 }, 921],
      [{ ...one, duplicates: 1 }, 3286],
      [{ ...one, partitions: 1 }, 2538],
      [{ ...BASE, delivery: 'fifo', symmetry: true }, 13_584],
    ];
    for (const [p, states] of cases) {
      const r = explore(makePaxos({ ...BASE, ...p }));
      expect(r.status, JSON.stringify(p)).toBe('exhausted');
      expect(r.stats.states, JSON.stringify(p)).toBe(states);
      expect(r.witnesses.find((w) => w.name === 'value-chosen')?.reached).toBe(true);
    }
  });

  it(
    'long random runs with every fault kind (5 acceptors, 3 proposers, 9 ballots): no violation, a value is chosen',
    () => {
      const m = makePaxos({ acceptors: 5, proposers: 3, ballots: 9, crashes: 3, maxDown: 2, drops: 3, duplicates: 3, partitions: 2 });
      const r = checkRandom(m, { seed: 7, runs: 1000, maxSteps: 200 });
      expect(r.status).toBe('bounded');
      expect(r.bound?.kind).toBe('runs');
      expect(r.witnesses.find((w) => w.name === 'value-chosen')?.reached).toBe(true);
      expect(r.witnesses.find((w) => w.name === 'competing-proposers-agree')?.reached).toBe(true);
      const small = checkRandom(makePaxos({ ...BASE, crashes: 2 }), { seed: 11, runs: 500, maxSteps: 100 });
      expect(small.status).toBe('bounded');
      expect(small.witnesses.every((w) => w.reached)).toBe(true);
    },
    SLOW,
  );

  it('the refinement mapping is onto: every Consensus state is reached (nothing chosen, v1, v2)', () => {
    const seen = new Set<string>();
    const m = makePaxos({ acceptors: 2, proposers: 2, ballots: 2 });
    const collect = {
      ...m,
      invariants: [{ name: 'collect', check: (s: PaxosState) => (seen.add(JSON.stringify(analyse(s.ghost, 2, 1).chosen)), true) }],
    };
    explore(collect, { checks: ['collect'] });
    expect([...seen].sort()).toEqual(['[[1]]', '[[2]]', '[[]]']);
  });

  it('impossible parameters are one-line input errors', () => {
    expect(() => makePaxos({ acceptors: 3, proposers: 3, ballots: 2 })).toThrow(/ballots \(2\) must be at least proposers \(3\)/);
    expect(() => makePaxos({ acceptors: 1, proposers: 1, ballots: 1 }, 'minority-quorum')).toThrow(InputError);
    expect(() => makePaxos({ acceptors: 14, proposers: 3, ballots: 3 })).toThrow(/at most 16 nodes/);
    expect(() => instantiate(paxosModel, { ballots: 1 })).toThrow(InputError);
    expect(() => instantiate(paxosModel, { acceptors: 0 })).toThrow(InputError);
    expect(() => instantiate(paxosModel, { bug: 'no-such-bug' })).toThrow(/must be one of none, forgetful-acceptor/);
  });
});

/** Each (bug, check) pair: the shortest trace BFS finds, and the parameters it needs. */
const BUG_TABLE: readonly { bug: PaxosBug; check: string; steps: number; crashes: number }[] = [
  { bug: 'forgetful-acceptor', check: 'agreement', steps: 16, crashes: 1 },
  { bug: 'forgetful-acceptor', check: 'promise-monotonic', steps: 4, crashes: 1 },
  { bug: 'forgetful-acceptor', check: 'refines-consensus', steps: 16, crashes: 1 },
  { bug: 'ignore-accepted', check: 'agreement', steps: 14, crashes: 0 },
  { bug: 'ignore-accepted', check: 'refines-consensus', steps: 14, crashes: 0 },
  { bug: 'minority-quorum', check: 'agreement', steps: 10, crashes: 0 },
  { bug: 'minority-quorum', check: 'learned-chosen', steps: 5, crashes: 0 },
  { bug: 'minority-quorum', check: 'refines-consensus', steps: 10, crashes: 0 },
  { bug: 'accept-below-promise', check: 'agreement', steps: 14, crashes: 0 },
  { bug: 'accept-below-promise', check: 'accept-respects-promise', steps: 8, crashes: 0 },
  { bug: 'accept-below-promise', check: 'refines-consensus', steps: 14, crashes: 0 },
  { bug: 'null-value', check: 'validity', steps: 7, crashes: 0 },
  { bug: 'null-value', check: 'refines-consensus', steps: 7, crashes: 0 },
];

const MESSAGES: Readonly<Record<string, RegExp>> = {
  agreement: /^two values chosen: v\d in ballot \d \(a\d,a\d\) and v\d in ballot \d \(a\d,a\d\)$/,
  'promise-monotonic': /^a\d's promise went down from ballot 1 to 0$/,
  'learned-chosen': /^p\d learned v\d, which no majority voted for$/,
  'accept-respects-promise': /^a\d accepted v1 in ballot 1 below its promise 2$/,
  validity: /^nil is chosen but no proposer proposed it$/,
  'refines-consensus': /^no consensus step leads from \{"chosen":\[.*\]\} to \{"chosen":\[.*\]\}/,
};

describe('single-decree Paxos: the classic bugs', () => {
  it('the table covers exactly the checks each registered bug claims to break', () => {
    const claimed = Object.entries(PAXOS_BUGS).flatMap(([bug, spec]) => spec.breaks.map((c) => `${bug}/${c}`));
    expect(BUG_TABLE.map((t) => `${t.bug}/${t.check}`).sort()).toEqual(claimed.sort());
  });

  for (const { bug, check, steps, crashes } of BUG_TABLE) {
    it(
      `${bug} breaks ${check}: BFS finds a shortest trace of ${steps} steps (registry model, default parameters but crashes=${crashes})${check === 'refines-consensus' ? ', at the first step that does not map to a Consensus step' : ''}`,
      () => {
        const { machine } = instantiate(paxosModel, { bug, crashes });
        const r = explore(machine, { checks: [check] });
        expect(r.status).toBe('violation');
        expect(r.violation?.name).toBe(check);
        expect(r.violation?.trace.steps).toHaveLength(steps);
        expect(r.violation?.message).toMatch(MESSAGES[check]!);
        if (check === 'refines-consensus') {
          // The refinement check points at the first step that does not map: replayed with a
          // fresh refinement property, every earlier step maps (to a Consensus step or a
          // stutter) and the reported last step does not.
          const trace = r.violation!.trace as Trace<PaxosState, EnvAction<PaxosTypes>>;
          expect(r.violation?.kind).toBe('property');
          const verdicts = refinementVerdicts(trace, BASE);
          expect(verdicts.slice(0, -1).every((v) => v === true)).toBe(true);
          expect(verdicts[verdicts.length - 1]).toMatch(/no consensus step leads from/);
          // That step chose a second value (or nil, which Consensus never chooses).
          const chosen = analyse(lastState(trace).ghost, 3, 1).chosen[0]!;
          expect(chosen).toEqual(bug === 'null-value' ? [0] : [1, 2]);
        }
      },
      SLOW,
    );
  }

  it('without symmetry reduction BFS finds the same shortest traces', () => {
    for (const { bug, check, steps } of BUG_TABLE.filter((t) => t.crashes === 0)) {
      const r = explore(makePaxos(BASE, bug), { checks: [check] });
      expect(r.violation?.name, `${bug}/${check}`).toBe(check);
      expect(r.violation?.trace.steps, `${bug}/${check}`).toHaveLength(steps);
    }
  }, SLOW);

  for (const { bug, check, steps, crashes } of BUG_TABLE) {
    it(`${bug} breaks ${check} in random mode too (seed 1)`, () => {
      const m = makePaxos({ ...BASE, crashes }, bug);
      const r = checkRandom(m, { seed: 1, runs: 20_000, maxSteps: 60, checks: [check] });
      expect(r.status).toBe('violation');
      expect(r.violation?.name).toBe(check);
      expect(r.violation!.trace.steps.length).toBeGreaterThanOrEqual(steps);
      expect(r.path).not.toBeNull();
    }, SLOW);
  }

  it('forgetful-acceptor: a restart forgets the promise, the accepted value survives', () => {
    const m = makePaxos({ ...BASE, crashes: 1 }, 'forgetful-acceptor');
    const r = explore(m, { checks: ['promise-monotonic'] });
    const t = r.violation!.trace;
    const labels = t.steps.map((s) => m.formatAction(s.action));
    expect(labels).toEqual(['local p1 prepare(b1)', 'deliver p1→a1 1a(b1)', 'crash a1', 'restart a1']);
    expect(t.steps[2]!.state.nodes[0]!.volatile).toBeNull();
    expect(m.view(lastState(t)).nodes['a1']!.durable).toEqual({ role: 'acceptor', promised: 0, vbal: 0, vval: 0 });
  });

  it('the ignore-accepted trace reads as a message-sequence diagram: the second proposer re-proposes v2 over a chosen v1', () => {
    const m = makePaxos({ ...BASE, symmetry: true }, 'ignore-accepted');
    const r = explore(m, { checks: ['agreement'] });
    const d = formatDiagram(m, r.violation!.trace);
    expect(d.split('\n')[0]).toMatch(/^step\s+a1\s+a2\s+a3\s+p1\s+p2$/);
    expect(d).toContain('1b(b2, accepted b1 v1)');
    expect(d).toContain('2a(b2, v2)');
  });
});

/** The refinement property's verdict on each step of a trace, with a fresh property. */
function refinementVerdicts(trace: Trace<PaxosState, EnvAction<PaxosTypes>>, shape: typeof BASE): (boolean | string)[] {
  const prop = refinesConsensus<PaxosState, EnvAction<PaxosTypes>>(paxosObserver(shape, (id) => `n${id}`));
  const out: (boolean | string)[] = [];
  let prev = trace.init;
  expect(prop.checkInit!(prev)).toBe(true);
  for (const st of trace.steps) {
    out.push(prop.check(prev, st.action, st.state));
    prev = st.state;
  }
  return out;
}
