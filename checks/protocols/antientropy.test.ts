/**
 * Merkle-tree anti-entropy (`impl/antientropy/`): the tree and top-down comparison on their own
 * (fast-check: equal stores in any insertion order hash alike, the differing leaves found are
 * exactly those holding differing keys, hashes compared within 1 + 2·depth·diffs), and the
 * `antientropy` model: the correct repair holds exhaustively at pinned bounds, both known bugs
 * are found by BFS with pinned shortest traces and by random mode.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareTopDown, depthOf, diffKeys, leafOf, repairCost, storesEqual, treeHashes, type Entry, type TreeShape } from '../../impl/antientropy/merkle.ts';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { instantiate, type ParamValue } from '../../impl/core/machine.ts';
import { formatTrace } from '../../impl/core/trace.ts';
import { ANTIENTROPY_BUGS, antientropyModel } from '../../specs/models/antientropy.ts';
import { loadModel } from '../../specs/models/catalogue.ts';

const shapeArb = fc.constantFrom<TreeShape>({ keys: 8, leaves: 4 }, { keys: 64, leaves: 16 }, { keys: 256, leaves: 64 }, { keys: 16, leaves: 16 });
/** A store: distinct keys with versions, in a random insertion order. */
const storeArb = (keys: number) => fc.uniqueArray(fc.record({ key: fc.integer({ min: 0, max: keys - 1 }), ver: fc.integer({ min: 1, max: 3 }) }), { selector: (e) => e.key, maxLength: keys });

describe('Merkle tree over key ranges', () => {
  it('equal contents hash alike whatever the insertion order; the buggy order does not', () => {
    fc.assert(
      fc.property(shapeArb.chain((t) => fc.tuple(fc.constant(t), storeArb(t.keys))), fc.integer(), ([t, s], seed) => {
        const shuffled = fc.sample(fc.shuffledSubarray(s as Entry[], { minLength: s.length, maxLength: s.length }), { numRuns: 1, seed })[0]!;
        expect(treeHashes(t, shuffled)).toEqual(treeHashes(t, s));
      }),
    );
    const t = { keys: 8, leaves: 4 };
    const a = [{ key: 0, ver: 1 }, { key: 1, ver: 1 }];
    expect(treeHashes(t, a, 'insertion')[1]).not.toBe(treeHashes(t, [...a].reverse(), 'insertion')[1]);
  });

  it('top-down comparison finds exactly the leaves with differing keys, within 1 + 2·depth·diffs hash pairs', () => {
    fc.assert(
      fc.property(shapeArb.chain((t) => fc.tuple(fc.constant(t), storeArb(t.keys), storeArb(t.keys))), ([t, a, b]) => {
        const c = repairCost(t, a, b);
        const diff = diffKeys(a, b);
        expect(c.keys).toEqual(diff);
        expect(c.leaves).toEqual([...new Set(diff.map((k) => leafOf(t, k)))].sort((x, y) => x - y));
        expect(c.compared).toBeLessThanOrEqual(1 + 2 * depthOf(t) * diff.length);
        if (diff.length === 0) expect(c.compared).toBe(1);
        expect(storesEqual(a, b)).toBe(diff.length === 0);
      }),
      { numRuns: 300 },
    );
  });

  it('stopping one level early finds no leaf (the bug the model catches)', () => {
    const t = { keys: 8, leaves: 4 };
    const a = treeHashes(t, [{ key: 5, ver: 1 }]);
    const b = treeHashes(t, []);
    expect(compareTopDown(t, a, b).leaves).toEqual([6]);
    expect(compareTopDown(t, a, b, 1).leaves).toEqual([]);
  });
});

const build = (p: Record<string, ParamValue> = {}) => instantiate(antientropyModel, p).machine;

describe('antientropy model', () => {
  it.each([
    [{}, 23_847],
    [{ keys: 4, leaves: 2, crashes: 1, drops: 1 }, 66_611],
  ] as const)('%o: the correct repair holds exhaustively and repairs a difference', (p, states) => {
    const r = explore(build(p));
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(states);
    expect(r.witnesses.find((w) => w.name === 'difference-repaired')?.reached).toBe(true);
  });

  it.each([
    ['insertion-order-hash', 'equal-stores-equal-roots', 11, 'root hashes differ'],
    ['stop-one-level-early', 'equal-after-repair', 6, 'still different'],
  ] as const)('%s breaks %s in %d steps (BFS), and random mode finds it', (bug, check, steps, msg) => {
    expect(ANTIENTROPY_BUGS[bug].breaks).toContain(check);
    const m = build({ bug });
    const r = explore(m);
    expect(r.violation?.name).toBe(check);
    expect(r.violation?.message).toContain(msg);
    expect(r.violation?.trace.steps).toHaveLength(steps);
    expect(formatTrace(m, r.violation!.trace, r.violation)).toContain('Get(1)');
    const rr = checkRandom(m, { seed: 1, runs: 2000, maxSteps: 30 });
    expect(rr.status).toBe('violation');
    expect(ANTIENTROPY_BUGS[bug].breaks).toContain(rr.violation!.name);
  });

  it('is registered in the catalogue', async () => {
    expect(await loadModel('antientropy')).toBe(antientropyModel);
  });
});
