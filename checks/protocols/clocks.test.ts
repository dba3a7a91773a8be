/**
 * Logical clocks (issue 7): Lamport clocks, vector clocks and hybrid logical clocks, checked
 * against the true happens-before relation of the ghost record. Pinned state spaces (exact mode
 * and fingerprints agree), witnesses reached, every known-bug variant found by BFS with its
 * shortest trace and by random mode, and long random runs of the correct clocks.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { formatTrace, lastState } from '../../impl/core/trace.ts';
import { formatDiagram } from '../diagram.ts';
import { InputError, instantiate, type AnyMachine, type AnyModel, type Machine } from '../../impl/core/machine.ts';
import type { EnvConfig } from '../../impl/env/config.ts';
import { lamportModel, makeLamport } from '../../specs/models/lamport.ts';
import { makeVectorClock, vectorClockModel } from '../../specs/models/vector-clock.ts';
import { hlcModel, makeHlc } from '../../specs/models/hlc.ts';
import type { LamportBug } from '../../impl/clocks/lamport.ts';
import type { VectorBug } from '../../impl/clocks/vector.ts';
import type { HlcBug } from '../../impl/clocks/hlc.ts';

const SMALL: Partial<EnvConfig> = { nodes: 3, requests: 3 };
const FAULTS: Partial<EnvConfig> = { nodes: 3, requests: 3, drops: 1, duplicates: 1 };
const FIFO: Partial<EnvConfig> = { nodes: 3, requests: 3, delivery: 'fifo' };
const HLC_SMALL: Partial<EnvConfig> = { nodes: 2, requests: 2, maxClock: 2, maxSkew: 1 };
const HLC_THREE: Partial<EnvConfig> = { nodes: 3, requests: 2, maxClock: 2, maxSkew: 1 };
const HLC_WIDE: Partial<EnvConfig> = { nodes: 2, requests: 3, maxClock: 2, maxSkew: 1 };
/** Random runs: a larger budget, every fault, far more events than exhaustive search reaches. */
const LONG: Partial<EnvConfig> = { nodes: 3, requests: 24, drops: 3, duplicates: 3 };
const HLC_LONG: Partial<EnvConfig> = { ...LONG, maxClock: 12, maxSkew: 2 };

/** Exhaustive search in exact mode and with fingerprints: both must agree on everything. */
function exhaust(m: AnyMachine, pin: { states: number; transitions: number; diameter: number }) {
  const exact = explore(m, { exact: true });
  const fp = explore(m);
  expect(exact.status).toBe('exhausted');
  expect(fp.status).toBe('exhausted');
  expect({ states: exact.stats.states, transitions: exact.stats.transitions, diameter: exact.stats.diameter }).toEqual(pin);
  expect({ states: fp.stats.states, transitions: fp.stats.transitions, diameter: fp.stats.diameter }).toEqual(pin);
  const missing = fp.witnesses.filter((w) => !w.reached).map((w) => w.name);
  expect(missing).toEqual([]);
  return fp;
}

/** BFS finds the bug with the shortest trace, pinned; returns the violation. */
function bfsFinds<S, A>(m: Machine<S, A>, check: string, steps: number) {
  const r = explore(m, { checks: [check] });
  expect(r.status).toBe('violation');
  expect(r.violation?.kind).toBe('invariant');
  expect(r.violation?.name).toBe(check);
  expect(r.violation?.trace.steps).toHaveLength(steps);
  return r.violation!;
}

/** Random mode with a fixed seed finds it too. */
function randomFinds(m: AnyMachine, check: string, seed: number) {
  const r = checkRandom(m, { seed, runs: 2000, maxSteps: 80, checks: [check] });
  expect(r.status).toBe('violation');
  expect(r.violation?.name).toBe(check);
  return r;
}

/** Long random runs of a correct clock: no violation, every witness reached. */
function randomHolds(m: AnyMachine, seed: number) {
  const r = checkRandom(m, { seed, runs: 400, maxSteps: 120 });
  expect(r.status).toBe('bounded');
  expect(r.witnesses.filter((w) => !w.reached).map((w) => w.name)).toEqual([]);
  return r;
}

describe('Lamport clocks', () => {
  it('3 processes, 3 events: 2,646 states, every check holds (exact = fingerprints)', () => {
    exhaust(makeLamport(SMALL), { states: 2646, transitions: 4233, diameter: 6 });
  });
  it('with one drop and one duplicate: 27,880 states', () => {
    exhaust(makeLamport(FAULTS), { states: 27_880, transitions: 57_936, diameter: 8 });
  });
  it('on FIFO links: 2,178 states', () => {
    exhaust(makeLamport(FIFO), { states: 2178, transitions: 3609, diameter: 6 });
  });
  it('long random runs with faults: no violation', () => {
    randomHolds(makeLamport(LONG), 101);
  });

  it('no-max: the Clock Condition breaks in 2 steps (a send and its receipt share L = 1)', () => {
    const m = makeLamport(SMALL, 'no-max');
    const v = bfsFinds(m, 'lamport-clock-condition', 2);
    expect(v.message).toBe('n1.1 (send to n2) → n2.1 (receive n1.1), but L(n1.1) = 1 is not less than L(n2.1) = 1');
    expect(v.trace.steps.map((s) => m.formatAction(s.action))).toEqual(['request n1 send to n2', 'deliver n1→n2 Stamp(L=1)']);
    randomFinds(m, 'lamport-clock-condition', 1);
  });
  it('no-max: the total order breaks in 2 steps (the receiver has the smaller id)', () => {
    const m = makeLamport(SMALL, 'no-max');
    const v = bfsFinds(m, 'lamport-total-order', 2);
    expect(v.message).toMatch(/^n2\.1 \(send to n1\) → n1\.1 \(receive n2\.1\), but the total order puts n1\.1 \(L = 1, n1\) before n2\.1/);
    randomFinds(m, 'lamport-total-order', 2);
  });
  it('the trace reads as a message-sequence chart', () => {
    const m = makeLamport(SMALL, 'no-max');
    const v = explore(m, { checks: ['lamport-clock-condition'] }).violation!;
    const text = formatTrace(m, v.trace, v);
    expect(text).toContain('ghost.n2: + "n2.1 recv n1.1 L=1"');
    const chart = formatDiagram(m, v.trace);
    expect(chart).toContain('send n1→n2 Stamp(L=1)');
    expect(chart).toContain('deliver n1→n2 Stamp(L=1)');
  });
});

describe('vector clocks', () => {
  // The state space is the Lamport clock's: both are functions of the same event histories.
  it('3 processes, 3 events: 2,646 states, every check holds (exact = fingerprints)', () => {
    exhaust(makeVectorClock(SMALL), { states: 2646, transitions: 4233, diameter: 6 });
  });
  it('with one drop and one duplicate: 27,880 states', () => {
    exhaust(makeVectorClock(FAULTS), { states: 27_880, transitions: 57_936, diameter: 8 });
  });
  it('long random runs with faults: no violation', () => {
    randomHolds(makeVectorClock(LONG), 102);
  });

  it('no-merge: the strong clock condition breaks in 2 steps (a receipt looks concurrent with its send)', () => {
    const m = makeVectorClock(SMALL, 'no-merge');
    const v = bfsFinds(m, 'vc-strong-clock', 2);
    expect(v.message).toBe('n1.1 (send to n2) → n2.1 (receive n1.1), but V(n1.1) = [1,0,0] and V(n2.1) = [0,1,0] compare as concurrent');
    bfsFinds(m, 'vc-concurrency', 2);
    randomFinds(m, 'vc-strong-clock', 3);
    randomFinds(m, 'vc-concurrency', 3);
  });
  it('no-send-increment: the strong clock condition breaks in 2 steps (a send repeats the previous clock)', () => {
    const m = makeVectorClock(SMALL, 'no-send-increment');
    const v = bfsFinds(m, 'vc-strong-clock', 2);
    expect(v.message).toBe('n1.1 (local) → n1.2 (send to n2), but V(n1.1) = [1,0,0] and V(n1.2) = [1,0,0] compare as equal');
    const c = bfsFinds(m, 'vc-concurrency', 2);
    expect(c.message).toMatch(/compare as after, but n1\.1 \(local\) and n2\.1 \(send to n1\) are concurrent/);
    randomFinds(m, 'vc-strong-clock', 4);
    randomFinds(m, 'vc-concurrency', 4);
  });
  it('equal-is-concurrent: exact concurrency breaks at the first event (compared with itself)', () => {
    const m = makeVectorClock(SMALL, 'equal-is-concurrent');
    const v = bfsFinds(m, 'vc-concurrency', 1);
    expect(v.message).toBe('V(n1.1) = [1,0,0] and V(n1.1) = [1,0,0] compare as concurrent, but they are the same event n1.1 (local)');
    randomFinds(m, 'vc-concurrency', 5);
    // The happens-before half does not use 'equal', so it still holds.
    expect(explore(m, { checks: ['vc-strong-clock'] }).status).toBe('exhausted');
  });
});

describe('hybrid logical clocks', () => {
  it('2 processes, 2 events, clocks ≤ 2, ε = 1: 1,721 states (exact = fingerprints)', () => {
    exhaust(makeHlc(HLC_SMALL), { states: 1721, transitions: 2586, diameter: 8 });
  });
  it('3 processes, 2 events: 21,885 states', () => {
    exhaust(makeHlc(HLC_THREE), { states: 21_885, transitions: 44_292, diameter: 10 });
  });
  it('2 processes, 3 events: 24,791 states', () => {
    const r = explore(makeHlc(HLC_WIDE));
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(24_791);
    expect(r.witnesses.every((w) => w.reached)).toBe(true);
  });
  it('long random runs with skewed clocks and faults: no violation', () => {
    randomHolds(makeHlc(HLC_LONG), 103);
  });

  const cases: { bug: HlcBug; check: string; steps: number; message: RegExp }[] = [
    { bug: 'no-counter', check: 'hlc-causality', steps: 2, message: /^n1\.1 \(local\) → n1\.2 \(local\), but hlc\(n1\.1\) = \(0,0\) is not less than hlc\(n1\.2\) = \(0,0\)$/ },
    { bug: 'ignore-pt', check: 'hlc-l-ge-pt', steps: 2, message: /^n1\.1 has l = 0 below its physical clock pt = 1$/ },
    { bug: 'l-increment', check: 'hlc-l-within-eps', steps: 2, message: /^n1\.2 has l = 2, 2 ahead of its physical clock pt = 0; the skew bound ε is 1$/ },
    { bug: 'counter-no-reset', check: 'hlc-counter-bound', steps: 2, message: /^n1\.1 \(local\) has counter c = 1, but only 0 events with l = 1/ },
  ];
  for (const { bug, check, steps, message } of cases) {
    it(`${bug}: ${check} breaks in ${steps} steps, and only it`, () => {
      const m = makeHlc(HLC_SMALL, bug);
      const v = bfsFinds(m, check, steps);
      expect(v.message).toMatch(message);
      randomFinds(makeHlc(HLC_LONG, bug), check, 6);
      for (const other of ['hlc-causality', 'hlc-l-ge-pt', 'hlc-l-within-eps', 'hlc-counter-bound'].filter((c) => c !== check)) {
        expect(explore(m, { checks: [other] }).status, `${bug} keeps ${other}`).toBe('exhausted');
      }
    });
  }
  it('no-counter: the trace shows the tie (two events at the same physical time)', () => {
    const m = makeHlc(HLC_SMALL, 'no-counter');
    const v = explore(m, { checks: ['hlc-causality'] }).violation!;
    expect(v.trace.steps.map((s) => m.formatAction(s.action))).toEqual(['request n1 local event', 'request n1 local event']);
    expect(lastState(v.trace).ghost.procs[0]!.map((e) => e.pt)).toEqual([0, 0]);
  });
});

describe('clock models in the registry', () => {
  const models: [AnyModel, readonly string[]][] = [
    [lamportModel as AnyModel, ['lamport-clock-condition', 'lamport-total-order']],
    [vectorClockModel as AnyModel, ['vc-strong-clock', 'vc-concurrency']],
    [hlcModel as AnyModel, ['hlc-causality', 'hlc-l-ge-pt', 'hlc-l-within-eps', 'hlc-counter-bound']],
  ];
  it('default parameters: every check holds and every check is broken by some declared bug', () => {
    for (const [model, checks] of models) {
      const { machine } = instantiate(model, model.name === 'hlc' ? { nodes: 2, events: 2 } : {});
      expect(explore(machine).status, model.name).toBe('exhausted');
      const broken = new Set(Object.values(model.bugs).flatMap((b) => b.breaks));
      expect([...broken].sort()).toEqual([...checks].sort());
    }
  });
  it('every declared bug breaks each check it claims, and no other', () => {
    for (const [model, checks] of models) {
      for (const [bug, spec] of Object.entries(model.bugs)) {
        const { machine } = instantiate(model, { bug, ...(model.name === 'hlc' ? { nodes: 2, events: 2 } : {}) });
        for (const check of checks) {
          const r = explore(machine, { checks: [check] });
          expect(r.status, `${model.name} ${bug} ${check}`).toBe(spec.breaks.includes(check) ? 'violation' : 'exhausted');
        }
      }
    }
  });
  it('the event budget is the request budget; bad parameters are input errors', () => {
    const { machine } = instantiate(lamportModel as AnyModel, { nodes: 2, events: 1 });
    // The initial state; a local event or a send at n1 or n2 (4); the receipt of either send (2).
    expect(explore(machine).stats.states).toBe(7);
    expect(() => instantiate(lamportModel as AnyModel, { events: -1 })).toThrow(InputError);
    expect(() => instantiate(vectorClockModel as AnyModel, { nodes: 17 })).toThrow(InputError);
    expect(() => instantiate(hlcModel as AnyModel, { maxClock: 0 })).toThrow(InputError);
    expect(() => instantiate(hlcModel as AnyModel, { bug: 'no-max' })).toThrow(InputError);
  });
  it('bug types cover the registry', () => {
    const l: LamportBug[] = ['none', 'no-max'];
    const v: VectorBug[] = ['none', 'no-merge', 'no-send-increment', 'equal-is-concurrent'];
    expect(Object.keys(lamportModel.bugs)).toEqual(l.slice(1));
    expect(Object.keys(vectorClockModel.bugs)).toEqual(v.slice(1));
  });
});
