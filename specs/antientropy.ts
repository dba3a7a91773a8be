/**
 * What "correct" means for Merkle-tree anti-entropy (`impl/antientropy/repair.ts`). Checked at
 * the end of every completed session during which no client wrote:
 *
 * - `equal-after-repair`: the two replicas hold the same (key, version) pairs;
 * - `exchanged-exactly-differing`: the keys that travelled are exactly those that differed when
 *   the session started;
 * - `hashes-logarithmic`: the hash pairs compared are at most 1 + 2 · depth · (differing keys):
 *   they grow with log(leaves) × differences, not with the key count;
 *
 * and in every state:
 *
 * - `equal-stores-equal-roots`: two replicas with the same contents have the same root hash
 *   (otherwise every repair finds a difference, and repair never ends).
 *
 * Witness: a session repaired a difference.
 */
import type { Invariant, Witness } from '../impl/core/machine.ts';
import type { EnvState } from '../impl/env/types.ts';
import { depthOf, storesEqual, treeHashes, type LeafOrder, type TreeShape } from '../impl/antientropy/merkle.ts';
import type { RepairTypes } from '../impl/antientropy/repair.ts';

type St = EnvState<RepairTypes>;

const keysOf = (mask: number, keys: number): string => `{${Array.from({ length: keys }, (_, k) => k).filter((k) => mask & (1 << k)).map((k) => `k${k}`).join(',')}}`;
const popcount = (x: number): number => {
  let c = 0;
  for (let v = x; v !== 0; v &= v - 1) c++;
  return c;
};
/** A completed session without concurrent writes has just ended. */
const settled = (s: St): boolean => !s.ghost.active && s.ghost.done > 0 && !s.ghost.dirty;

/** The invariants; `order` is how the replicas hash leaves. */
export function repairInvariants(t: TreeShape, order: LeafOrder): Invariant<St>[] {
  const depth = depthOf(t);
  return [
    {
      name: 'equal-stores-equal-roots',
      doc: 'replicas with equal contents have equal root hashes',
      check: (s) => {
        const [a, b] = [s.nodes[0]!.durable.store, s.nodes[1]!.durable.store];
        if (!storesEqual(a, b)) return true;
        return treeHashes(t, a, order)[1] === treeHashes(t, b, order)[1] || `r1 and r2 hold the same entries (in different orders) but their root hashes differ: repair would never end`;
      },
    },
    {
      name: 'equal-after-repair',
      doc: 'after a repair session, the replicas are equal',
      check: (s) => !settled(s) || storesEqual(s.nodes[0]!.durable.store, s.nodes[1]!.durable.store) || 'the session ended with the replicas still different',
    },
    {
      name: 'exchanged-exactly-differing',
      doc: 'a session exchanges exactly the keys that differ',
      check: (s) => !settled(s) || s.ghost.exchanged === s.ghost.diff || `exchanged ${keysOf(s.ghost.exchanged, t.keys)}, but ${keysOf(s.ghost.diff, t.keys)} differed`,
    },
    {
      name: 'hashes-logarithmic',
      doc: 'a session compares at most 1 + 2·depth·(differing keys) hash pairs',
      check: (s) => {
        if (!settled(s)) return true;
        const bound = 1 + 2 * depth * popcount(s.ghost.diff);
        return s.ghost.compared <= bound || `compared ${s.ghost.compared} hash pairs for ${popcount(s.ghost.diff)} differing key(s); the bound is ${bound}`;
      },
    },
  ];
}

/** The witnesses. */
export function repairWitnesses(): Witness<St>[] {
  return [{ name: 'difference-repaired', doc: 'a completed session repaired at least one differing key', needs: { requests: 1 }, check: (s) => !s.ghost.active && s.ghost.done > 0 && s.ghost.diff !== 0 }];
}
