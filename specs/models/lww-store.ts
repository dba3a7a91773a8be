/**
 * The lww-store model: the last-writer-wins register (`impl/clocks/store.ts`), checked by `specs/clocks/store.ts`.
 */
import { defineModel, int } from '../../impl/core/machine.ts';
import { envMachine, type EnvMachine } from '../../impl/env/machine.ts';
import { envConfig, type EnvConfig } from '../../impl/env/config.ts';
import { lwwProtocol, storeParams, type LwwState, type LwwTypes } from '../../impl/clocks/store.ts';
import { conflictsDetected, noLostCausalWrite, storeWitnesses, type StoreView } from '../../specs/clocks/store.ts';

const lwwView = (n: number): StoreView<LwwState> => ({
  replicas: n,
  history: (s) => s.ghost,
  shown: (s, r) => {
    const w = s.nodes[r - 1]!.durable.value.w;
    return w === 0 ? [] : [w];
  },
});

/** The LWW store machine: `config.requests` is the number of writes. */
export function makeLwwStore(config: Partial<EnvConfig>): EnvMachine<LwwTypes> {
  const n = envConfig(config).nodes;
  const v = lwwView(n);
  return envMachine(lwwProtocol(n), config, {
    invariants: [noLostCausalWrite(v), conflictsDetected(v)],
    sometimes: storeWitnesses(v),
  });
}

/** The LWW store registry entry. */
export const lwwStoreModel = defineModel({
  name: 'lww-store',
  doc: 'demonstration: last-writer-wins by skewed physical timestamps loses a causally later write (and settles conflicts silently)',
  params: {
    ...storeParams(),
    maxClock: int(1, 0, 1000, 'largest physical clock value (0: clocks never move, so stamps tie)'),
    maxSkew: int(1, 0, 1000, 'largest difference between two physical clocks'),
  },
  bugs: {},
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { nodes: [2, 3], writes: [1, 3], delivery: ['multiset', 'fifo'], drops: [0, 1], duplicates: [0, 1], maxClock: [0, 2], maxSkew: [0, 2] },
  build: (p) =>
    makeLwwStore({ nodes: p.nodes, requests: p.writes, delivery: p.delivery, drops: p.drops, duplicates: p.duplicates, maxClock: p.maxClock, maxSkew: p.maxSkew }),
});
