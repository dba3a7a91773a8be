/**
 * Symmetry reduction: the canonicaliser picks one representative per orbit of node
 * permutations, the reduced search visits exactly one state per orbit of the reachable states,
 * and violations are still found.
 */
import { describe, expect, it } from 'vitest';
import { echoProtocol, type EchoState, type EchoTypes } from '../../impl/echo/echo.ts';
import { echoInvariants } from '../../specs/echo.ts';
import { makeEcho } from '../../specs/models/echo.ts';
import { envMachine, permutationsOf, symmetryCanonicalizer, type EnvMachine } from '../../impl/env/index.ts';
import { labelOf } from '../../impl/core/trace.ts';
import { encodingOf, exploreBoth, reachable } from './helpers.ts';

/** Every permutation of 1..n as `perm[old] = new` (`perm[0] = 0`). */
const perms = (n: number): number[][] => permutationsOf(n).map((p) => [0, ...p.map((x) => x + 1)]);

/** The least encoding over all renamings: the orbit's name, computed by brute force. */
const orbitKey = (m: EnvMachine<EchoTypes>, s: EchoState): string =>
  perms(m.config.nodes)
    .map((p) => encodingOf(m, m.rename(s, p)))
    .sort()[0]!;

describe('symmetryCanonicalizer', () => {
  it('enumerates permutations in lexicographic order', () => {
    expect(permutationsOf(3)).toEqual([[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]);
    expect(permutationsOf(5).length).toBe(120);
  });

  it('works on any state type: here, a tuple of node values', () => {
    const canon = symmetryCanonicalizer<readonly number[]>({
      n: 3,
      rename: (s, p) => {
        const out = [0, 0, 0];
        s.forEach((x, i) => (out[p[i + 1]! - 1] = x));
        return out;
      },
      encode: (s, out) => s.forEach((x) => out.int(x)),
    });
    expect(canon([3, 1, 2])).toEqual([1, 2, 3]);
    expect(canon([2, 2, 1])).toEqual([1, 2, 2]);
  });
});

describe('environment symmetry', () => {
  // Partitions, crashes, duplicates, timers and clocks, so that every renamed part is exercised.
  const cfg = { nodes: 3, requests: 2, crashes: 1, duplicates: 1, partitions: 1, oneWay: true, maxClock: 1 } as const;
  const plain = makeEcho(cfg, { retry: true });
  const reduced = makeEcho({ ...cfg, symmetry: true }, { retry: true });
  const sample = reachable(plain, 1500);

  it('maps every renaming of a state to one representative in its orbit', () => {
    const canon = reduced.symmetry!;
    for (const s of sample) {
      const rep = encodingOf(plain, canon(s));
      const orbit = new Set(perms(3).map((p) => encodingOf(plain, plain.rename(s, p))));
      expect(orbit.has(rep)).toBe(true);
      for (const p of perms(3)) expect(encodingOf(plain, canon(plain.rename(s, p)))).toBe(rep);
    }
  });

  it('renamed states are real states: their packets step like freshly sent ones', () => {
    for (const s of sample.slice(0, 300)) {
      const t = plain.rename(s, [0, 3, 1, 2]);
      for (const a of plain.actions(t)) {
        const fromJson = JSON.parse(JSON.stringify(a)) as typeof a;
        expect(encodingOf(plain, plain.step(t, fromJson))).toBe(encodingOf(plain, plain.step(t, a)));
      }
    }
  });

  it('cuts the state count to one state per orbit of the reachable states', () => {
    const base = { nodes: 3, requests: 2, crashes: 1, delivery: 'fifo' } as const;
    const full = exploreBoth(makeEcho(base));
    const sym = exploreBoth(makeEcho({ ...base, symmetry: true }));
    expect([full.status, full.stats.states]).toEqual(['exhausted', 3125]);
    expect([sym.status, sym.stats.states]).toEqual(['exhausted', 523]);
    // Exactly the number of orbits of the unreduced reachable set (brute force over 3! renamings).
    const all = reachable(makeEcho(base), 10_000);
    expect(all.length).toBe(3125);
    expect(new Set(all.map((s) => orbitKey(makeEcho(base), s))).size).toBe(523);
    // Bigger: 3 requests.
    const more = { nodes: 3, requests: 3, delivery: 'fifo' } as const;
    expect(exploreBoth(makeEcho(more)).stats.states).toBe(15775);
    expect(exploreBoth(makeEcho({ ...more, symmetry: true })).stats.states).toBe(2630);
  });

  it('respects classes of interchangeable nodes', () => {
    const base = { nodes: 3, requests: 2, crashes: 1, delivery: 'fifo', symmetry: true } as const;
    const echo = echoProtocol();
    const pinned = envMachine({ ...echo, symmetry: { ...echo.symmetry, classes: () => [[1], [2, 3]] } }, base, { invariants: echoInvariants });
    const r = exploreBoth(pinned);
    expect([r.status, r.stats.states]).toEqual(['exhausted', 1564]);
    // The orbits of the reachable states under the permutations that fix n1: identity and (n2 n3).
    const all = reachable(makeEcho({ ...base, symmetry: false }), 10_000);
    const key = (t: EchoState) => [encodingOf(pinned, t), encodingOf(pinned, pinned.rename(t, [0, 1, 3, 2]))].sort()[0]!;
    expect(new Set(all.map(key)).size).toBe(1564);
  });

  it('still finds violations, with a shortest trace of the same length', () => {
    for (const symmetry of [false, true]) {
      const m = makeEcho({ nodes: 3, requests: 2, crashes: 1, delivery: 'fifo', symmetry }, { bug: 'volatile-seq' });
      const r = exploreBoth(m);
      expect(r.violation?.name).toBe('fresh-seq');
      expect(r.violation!.trace.steps.map((s) => labelOf(m, s.action))).toEqual(['request n1 ping n2', 'crash n1', 'restart n1', 'request n1 ping n2']);
    }
  });
});
