/**
 * The demonstrations of issue 7: a last-writer-wins register ordered by skewed physical
 * timestamps loses a causally later write and settles conflicts silently (the checker breaks
 * both properties, with readable traces); the same register keyed by version vectors keeps the
 * later write and detects the conflict with siblings (the checker keeps both).
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { formatTrace, lastState } from '../../impl/core/trace.ts';
import { formatDiagram } from '../diagram.ts';
import { InputError, instantiate, type AnyModel } from '../../impl/core/machine.ts';
import type { LwwState, VcStoreState } from '../../impl/clocks/store.ts';
import { lwwStoreModel, makeLwwStore } from '../../specs/models/lww-store.ts';
import { makeVcStore } from '../../specs/models/vc-store.ts';
import { writeBefore } from '../../specs/clocks/store.ts';

const TWO = { nodes: 2, requests: 2, maxClock: 1, maxSkew: 1 };
const LONG = { nodes: 3, requests: 12, drops: 2, duplicates: 2 };

describe('last writer wins by physical timestamps', () => {
  it('loses a causally later write: 3 steps, when the clocks tie and the replica id decides', () => {
    const m = makeLwwStore(TWO);
    const r = explore(m, { checks: ['no-lost-causal-write'] });
    expect(r.status).toBe('violation');
    const v = r.violation!;
    expect(v.trace.steps.map((s) => m.formatAction(s.action))).toEqual([
      'request n2 put w1',
      'deliver n2→n1 Put(w1, ts=0, n2)',
      'request n1 put w2',
    ]);
    expect(v.message).toBe('n1 shows w1 (n2, pt 0), but it has seen w2 (n1, pt 0), written after it (w1 → w2): the later write is lost');
  });

  it('loses a causally later write to a clock that runs ahead: 4 steps, found by BFS when ties are set aside', () => {
    // The same property, restricted to losses where the lost write happened at a strictly
    // smaller physical time than the write that beat it: what skew alone does.
    const m = makeLwwStore(TWO);
    const byClock = {
      name: 'no-loss-to-a-faster-clock',
      check(s: LwwState): boolean {
        const h = s.ghost;
        return s.nodes.every((node, i) => {
          const shown = node.durable.value.w;
          if (shown === 0) return true;
          return !h.writes.some((x, k) => (h.seen[i]! >>> k) & 1 && writeBefore(h, shown, k + 1) && x.pt < h.writes[shown - 1]!.pt);
        });
      },
    };
    const r = explore({ ...m, invariants: [byClock] });
    expect(r.status).toBe('violation');
    const v = r.violation!;
    expect(v.trace.steps.map((s) => m.formatAction(s.action))).toEqual([
      'tick n1',
      'request n1 put w1',
      'deliver n1→n2 Put(w1, ts=1, n1)',
      'request n2 put w2',
    ]);
    // The model's own invariant breaks on that state too.
    const inv = m.invariants!.find((i) => i.name === 'no-lost-causal-write')!;
    expect(inv.check(lastState(v.trace))).toBe('n2 shows w1 (n1, pt 1), but it has seen w2 (n2, pt 0), written after it (w1 → w2): the later write is lost');
    const chart = formatDiagram(m, v.trace);
    expect(chart).toContain('tick');
    expect(chart).toContain('deliver n1→n2 Put(w1, ts=1, n1)');
  });

  it('settles two phones racing for the last ticket silently: 3 steps', () => {
    const m = makeLwwStore(TWO);
    const r = explore(m, { checks: ['conflicts-detected'] });
    const v = r.violation!;
    expect(v.name).toBe('conflicts-detected');
    expect(v.trace.steps).toHaveLength(3);
    expect(v.message).toBe('n2 has seen the concurrent writes w1 (n1, pt 0) and w2 (n2, pt 0), but shows only w2: the conflict is silently resolved');
    expect(formatTrace(m, v.trace, v)).toContain('nodes.n2.durable: "empty" → "w2 (ts=0, n2)"');
  });

  it('random mode finds both', () => {
    const m = makeLwwStore({ ...LONG, maxClock: 6, maxSkew: 2 });
    for (const check of ['no-lost-causal-write', 'conflicts-detected']) {
      const r = checkRandom(m, { seed: 21, runs: 2000, maxSteps: 80, checks: [check] });
      expect(r.status).toBe('violation');
      expect(r.violation?.name).toBe(check);
    }
  });

  it('without the properties, its witnesses are reached: 200 states for 2 replicas and 2 writes', () => {
    const m = makeLwwStore(TWO);
    const r = explore({ ...m, invariants: [] });
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(200);
    expect(r.witnesses.every((w) => w.reached)).toBe(true);
  });
});

describe('siblings under version vectors', () => {
  const PINS = [
    { cfg: { nodes: 2, requests: 2 }, states: 25, transitions: 30, diameter: 4 },
    { cfg: { nodes: 2, requests: 3 }, states: 141, transitions: 216, diameter: 6 },
    { cfg: { nodes: 3, requests: 3 }, states: 4045, transitions: 11_259, diameter: 9 },
    { cfg: { nodes: 2, requests: 3, drops: 1, duplicates: 1 }, states: 1407, transitions: 3408, diameter: 8 },
  ];
  for (const { cfg, states, transitions, diameter } of PINS) {
    it(`${JSON.stringify(cfg)}: ${states} states, both properties hold (exact = fingerprints)`, () => {
      const m = makeVcStore(cfg);
      const exact = explore(m, { exact: true });
      const fp = explore(m);
      for (const r of [exact, fp]) {
        expect(r.status).toBe('exhausted');
        expect({ states: r.stats.states, transitions: r.stats.transitions, diameter: r.stats.diameter }).toEqual({ states, transitions, diameter });
      }
      expect(fp.witnesses.filter((w) => !w.reached)).toEqual([]);
    });
  }

  it('detects the race as siblings: the shortest trace to a conflict', () => {
    const m = makeVcStore({ nodes: 2, requests: 2 });
    const probe = { ...m, invariants: [{ name: 'no-siblings', check: (s: VcStoreState) => s.nodes.every((x) => x.durable.siblings.length < 2) }] };
    const v = explore(probe).violation!;
    expect(v.trace.steps.map((s) => m.formatAction(s.action))).toEqual(['request n1 put w1', 'request n2 put w2', 'deliver n1→n2 Put(w1, [1,0])']);
    expect(formatTrace(m, v.trace)).toContain('nodes.n2.durable: "w2 [0,1]" → "w1 [1,0] | w2 [0,1]"');
    // And the model's checks hold on that state.
    for (const inv of m.invariants!) expect(inv.check(lastState(v.trace))).toBe(true);
  });

  it('long random runs with faults: no violation', () => {
    const r = checkRandom(makeVcStore(LONG), { seed: 22, runs: 400, maxSteps: 100 });
    expect(r.status).toBe('bounded');
    expect(r.witnesses.filter((w) => !w.reached)).toEqual([]);
  });

  it('the registry entries: defaults, and bad parameters are input errors', () => {
    const lww = instantiate(lwwStoreModel as AnyModel, {}).machine;
    expect(explore(lww).status).toBe('violation');
    expect(() => instantiate(lwwStoreModel as AnyModel, { nodes: 1 })).toThrow(InputError);
    expect(() => instantiate(lwwStoreModel as AnyModel, { writes: 31 })).toThrow(InputError);
  });
});
