/**
 * The `antientropy` model: two replicas repaired by top-down Merkle-tree comparison
 * (`impl/antientropy/repair.ts`), with the checks of `specs/antientropy.ts`.
 */
import { defineModel, InputError, int } from '../../impl/core/machine.ts';
import { envMachine, type EnvMachine } from '../../impl/env/machine.ts';
import { type EnvConfig } from '../../impl/env/config.ts';
import { envParam, envParams } from '../../impl/env/params.ts';
import { checkTreeShape } from '../../impl/antientropy/merkle.ts';
import { buggyRepair, REPAIR_BUG_RULES, type RepairBug, type RepairShape, type RepairTypes } from '../../impl/antientropy/repair.ts';
import { repairInvariants, repairWitnesses } from '../antientropy.ts';

/** The known-bug variants. */
export const ANTIENTROPY_BUGS = {
  'insertion-order-hash': {
    doc: 'leaves hash their entries in insertion order, so equal replicas look different and repair never ends',
    breaks: ['equal-stores-equal-roots'],
  },
  'stop-one-level-early': {
    doc: 'a session stops one level above the leaves, never syncs them, and misses the differences',
    breaks: ['equal-after-repair', 'exchanged-exactly-differing'],
  },
} as const;

/** The machine. */
export function makeAntientropy(p: RepairShape & Partial<EnvConfig>, bug: RepairBug = 'none'): EnvMachine<RepairTypes> {
  const bad = checkTreeShape(p);
  if (bad !== null) throw new InputError(`antientropy: ${bad}`);
  if (p.keys > 16) throw new InputError(`antientropy: keys must be at most 16 in the model, got ${p.keys}`);
  const order = bug === 'none' ? 'key' : REPAIR_BUG_RULES[bug].order;
  return envMachine(buggyRepair(p, bug), { ...p, nodes: 2 }, { name: 'antientropy', invariants: repairInvariants(p, order), sometimes: repairWitnesses() });
}

/** The parameters the repair's declaration uses: roles fix the two replicas; no timers, clocks, detector or symmetry. */
const env = { ...envParams(buggyRepair({ keys: 8, leaves: 4, sessions: 2, requests: 2 }, 'none'), { requests: 2 }), requests: envParam('requests', { requests: 2 }) };

/** The registry entry. */
export const antientropyModel = defineModel({
  name: 'antientropy',
  doc: 'anti-entropy between two replicas by top-down Merkle-tree comparison over key ranges (Dynamo, Cassandra repair)',
  params: {
    keys: int(8, 2, 16, 'keys 0..K−1 (a power of two)'),
    leaves: int(4, 1, 16, 'leaf ranges (a power of two ≤ keys)'),
    sessions: int(2, 1, 4, 'repair sessions r1 may run'),
    ...env,
  },
  bugs: ANTIENTROPY_BUGS,
  draw: { requests: [1, 3], sessions: [1, 2], crashes: [0, 1], drops: [0, 1] },
  build: (p) => makeAntientropy(p, p.bug),
});
