/**
 * The `erasure` model: an erasure-coded store whose shard holders crash and are rebuilt
 * (`impl/erasure/storage.ts`), with the checks of `specs/erasure.ts`.
 */
import { defineModel, InputError, int } from '../../impl/core/machine.ts';
import { envMachine, type EnvMachine } from '../../impl/env/machine.ts';
import { type EnvConfig } from '../../impl/env/config.ts';
import { envParams } from '../../impl/env/params.ts';
import { encodingMatrix, xorParityMatrix } from '../../impl/erasure/rs.ts';
import { buggyStorage, type StorageBug, type StorageShape, type StorageTypes } from '../../impl/erasure/storage.ts';
import { storageInvariants, storageWitnesses } from '../erasure.ts';

/** The known-bug variants. */
export const ERASURE_BUGS = {
  'xor-parity': {
    doc: 'every parity shard is the XOR of the data shards (an all-ones parity row repeated), so losing two data shards loses the data though m = 2',
    breaks: ['data-readable'],
    config: { k: 2, m: 2, crashes: 2, maxDown: 2 },
  },
  'rebuild-wrong-shard': {
    doc: "a rebuilding holder re-encodes its 1-based id as the row (off by one), writing its neighbour's shard",
    breaks: ['shards-intact'],
  },
} as const;

/** The erasure machine. */
export function makeErasure(p: StorageShape & Partial<EnvConfig>, bug: StorageBug = 'none'): EnvMachine<StorageTypes> {
  if (p.k + p.m > 8) throw new InputError(`erasure: k + m must be at most 8 holders in the model, got ${p.k + p.m}`);
  const matrix = bug === 'xor-parity' ? xorParityMatrix(p.k, p.m) : encodingMatrix(p.k, p.m);
  return envMachine(buggyStorage(p, bug), { ...p, nodes: p.k + p.m }, { name: 'erasure', invariants: storageInvariants(p, matrix), sometimes: storageWitnesses() });
}

/** The parameters the storage's declaration uses: roles fix the holders; no clients, timers, clocks, detector or symmetry. */
const env = envParams(buggyStorage({ k: 2, m: 1 }, 'none'), { crashes: 1, maxDown: 1 });

/** The registry entry. */
export const erasureModel = defineModel({
  name: 'erasure',
  doc: 'an object stored as k data + m parity Reed-Solomon shards over GF(2^8) on k + m holders that crash (losing their disk) and rebuild from any k others',
  params: {
    k: int(2, 1, 6, 'data shards'),
    m: int(1, 0, 4, 'parity shards (holders are h1..h(k+m))'),
    ...env,
  },
  bugs: ERASURE_BUGS,
  // Never more crashes than the smallest drawn m tolerates (the loss beyond m is a pinned test, not a draw).
  draw: { k: [2, 3], m: [2, 3], crashes: [0, 2] },
  build: (p) => makeErasure(p, p.bug),
});
