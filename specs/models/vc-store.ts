/**
 * The vc-store model: the register that keeps siblings under version vectors (`impl/clocks/store.ts`), checked by `specs/clocks/store.ts`.
 */
import { defineModel } from '../../impl/core/machine.ts';
import { envMachine, type EnvMachine } from '../../impl/env/machine.ts';
import { envConfig, type EnvConfig } from '../../impl/env/config.ts';
import { storeParams, vcStoreProtocol, type VcStoreState, type VcStoreTypes } from '../../impl/clocks/store.ts';
import { conflictsDetected, noLostCausalWrite, siblingsShown, storeWitnesses, type StoreView } from '../../specs/clocks/store.ts';

const vcView = (n: number): StoreView<VcStoreState> => ({
  replicas: n,
  history: (s) => s.ghost,
  shown: (s, r) => s.nodes[r - 1]!.durable.siblings.map((x) => x.w),
});

/** The vector-clock store machine: `config.requests` is the number of writes. */
export function makeVcStore(config: Partial<EnvConfig>): EnvMachine<VcStoreTypes> {
  const n = envConfig(config).nodes;
  const v = vcView(n);
  return envMachine(vcStoreProtocol(n), config, {
    invariants: [noLostCausalWrite(v), conflictsDetected(v)],
    sometimes: [...storeWitnesses(v), siblingsShown(v)],
  });
}

/** The vector-clock store registry entry. */
export const vcStoreModel = defineModel({
  name: 'vc-store',
  doc: 'demonstration: a register keyed by version vectors keeps causally later writes and detects conflicts as siblings',
  params: storeParams(),
  bugs: {},
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { nodes: [2, 3], writes: [1, 3], delivery: ['multiset', 'fifo'], drops: [0, 1], duplicates: [0, 1] },
  build: (p) => makeVcStore({ nodes: p.nodes, requests: p.writes, delivery: p.delivery, drops: p.drops, duplicates: p.duplicates }),
});
