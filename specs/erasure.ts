/**
 * What "correct" means for the erasure-coded store (`impl/erasure/storage.ts`):
 *
 * - `shards-intact`: every shard a holder keeps is the shard the correct code gives the object
 *   at that holder's index (a rebuild never writes wrong bytes);
 * - `data-readable`: the shards kept by running holders decode to the object. With at most m
 *   shards lost this must hold; with m + 1 lost before a repair the checker finds the loss.
 *
 * Witness: a lost shard was rebuilt.
 */
import type { Invariant, Witness } from '../impl/core/machine.ts';
import type { EnvState } from '../impl/env/types.ts';
import { decode, ErasureError } from '../impl/erasure/rs.ts';
import { fromWord, storedObject, storedShards, type StorageShape, type StorageTypes } from '../impl/erasure/storage.ts';
import type { GfMatrix } from '../impl/erasure/gf256.ts';

type St = EnvState<StorageTypes>;

/** The invariants; `matrix` is the code the holders use (the readable check decodes with it). */
export function storageInvariants(sh: StorageShape, matrix: GfMatrix): Invariant<St>[] {
  const truth = storedShards(sh, matrix);
  const object = storedObject(sh.k);
  return [
    {
      name: 'shards-intact',
      doc: "every kept shard holds the code's bytes for its index",
      check: (s) => {
        for (const [i, slot] of s.nodes.entries()) {
          const w = slot.volatile?.shard ?? null;
          if (w !== null && w !== truth[i]) return `h${i + 1} keeps 0x${w.toString(16)} for shard ${i}, the code gives 0x${truth[i]!.toString(16)}`;
        }
        return true;
      },
    },
    {
      name: 'data-readable',
      doc: 'the shards kept by running holders decode to the stored object',
      check: (s) => {
        const shards = s.nodes.map((slot, i) => (slot.up && slot.volatile?.shard != null ? { index: i, bytes: fromWord(slot.volatile.shard) } : null));
        try {
          const got = decode({ k: sh.k, m: sh.m, length: 2 * sh.k }, shards, { matrix });
          return got.every((b, i) => b === object[i]) || `the kept shards decode to [${[...got].join(',')}], not the object`;
        } catch (e) {
          if (e instanceof ErasureError) return `lost: ${e.message} (kept: ${shards.flatMap((x) => (x ? [`h${x.index + 1}`] : [])).join(', ') || 'none'})`;
          throw e;
        }
      },
    },
  ];
}

/** The witnesses. */
export function storageWitnesses(): Witness<St>[] {
  return [{ name: 'shard-rebuilt', doc: 'a holder that lost its shard rebuilt it from k others', needs: { crashes: 1 }, check: (s) => s.ghost.rebuilt > 0 }];
}
