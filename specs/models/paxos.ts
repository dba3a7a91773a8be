/**
 * The `paxos` model: single-decree Paxos (`impl/paxos/paxos.ts`), the checks of
 * `specs/paxos.ts` and the refinement to Consensus (`specs/consensus.ts`), and the known-bug
 * variants of the protocol file (one override each) with the checks each breaks.
 */
import { defineModel, int } from '../../impl/core/machine.ts';
import { envMachine } from '../../impl/env/machine.ts';
import type { EnvConfig } from '../../impl/env/config.ts';
import { envParams } from '../../impl/env/params.ts';
import { checkShape, ownValue, paxosEnvConfig, type PaxosShape } from '../../impl/paxos/common.ts';
import { buggyPaxos, paxosProtocol, PAXOS_VARIANTS, type PaxosBug, type PaxosMachine, type PaxosState } from '../../impl/paxos/paxos.ts';
import { paxosInvariants, paxosProperties, paxosWitnesses, refinesConsensus, type Learned, type PaxosObserver } from '../paxos.ts';

export type { PaxosBug, PaxosState, PaxosTypes } from '../../impl/paxos/paxos.ts';

/** The known-bug variants, and the checks each must break. */
export const PAXOS_BUGS = {
  'forgetful-acceptor': { doc: PAXOS_VARIANTS['forgetful-acceptor'], breaks: ['agreement', 'promise-monotonic', 'refines-consensus'] },
  'ignore-accepted': { doc: PAXOS_VARIANTS['ignore-accepted'], breaks: ['agreement', 'refines-consensus'] },
  'minority-quorum': { doc: PAXOS_VARIANTS['minority-quorum'], breaks: ['agreement', 'learned-chosen', 'refines-consensus'] },
  'accept-below-promise': { doc: PAXOS_VARIANTS['accept-below-promise'], breaks: ['agreement', 'accept-respects-promise', 'refines-consensus'] },
  'null-value': { doc: PAXOS_VARIANTS['null-value'], breaks: ['validity', 'refines-consensus'] },
} as const;

/** How `specs/paxos.ts` reads a single-decree Paxos state. */
export function paxosObserver(shape: PaxosShape, name: (id: number) => string): PaxosObserver<PaxosState> {
  const proposers = Array.from({ length: shape.proposers }, (_, k) => shape.acceptors + k + 1);
  return {
    acceptors: shape.acceptors,
    proposers: shape.proposers,
    slots: 1,
    values: proposers.map((id) => ownValue(shape, id)),
    name,
    history: (s) => s.ghost,
    promise: (s, a) => {
      const slot = s.nodes[a - 1]!;
      return slot.up && slot.durable.role === 'acceptor' ? slot.durable.promised : null;
    },
    learned: (s) => {
      // A loop, not flatMap: this runs on every state.
      const out: Learned[] = [];
      for (const id of proposers) {
        const v = s.nodes[id - 1]!.volatile;
        if (v !== null && v.role === 'proposer' && v.learned !== null) out.push({ learner: id, slot: 0, value: v.learned });
      }
      return out;
    },
  };
}

/** The parameters of {@link makePaxos}: the shape and the environment's faults. */
export type PaxosParams = PaxosShape & Partial<EnvConfig>;

/** Single-decree Paxos in the environment, with every check of `specs/paxos.ts`. */
export function makePaxos(p: PaxosParams, bug: PaxosBug = 'none'): PaxosMachine {
  const shape: PaxosShape = { acceptors: p.acceptors, proposers: p.proposers, ballots: p.ballots };
  checkShape('paxos', shape, bug === 'minority-quorum');
  const o = paxosObserver(shape, (id) => m.nodes()[id - 1]!);
  const m: PaxosMachine = envMachine(buggyPaxos(shape, bug), paxosEnvConfig(p, shape), {
    name: 'paxos',
    invariants: paxosInvariants(o),
    properties: [...paxosProperties(o), refinesConsensus(o)],
    sometimes: paxosWitnesses(o),
  });
  return m;
}

/** The single-decree Paxos catalogue entry. */
export const paxosModel = defineModel({
  name: 'paxos',
  doc: 'single-decree Paxos (Paxos Made Simple; Paxos.tla) on the shared environment; refines Consensus',
  params: {
    acceptors: int(3, 1, 9, 'acceptors (a1..aA)'),
    proposers: int(2, 1, 4, 'proposers (p1..pP); proposer k proposes value vk'),
    ballots: int(2, 1, 12, 'largest ballot number; proposer k owns ballots k, k+P, …'),
    // The parameters Paxos's declaration uses: roles fix the node count; no clients, timers or clocks.
    ...envParams(paxosProtocol({ acceptors: 3, proposers: 2, ballots: 2 }), { crashes: 1, symmetry: true }),
  },
  bugs: PAXOS_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { acceptors: [2, 5], proposers: [1, 3], ballots: [3, 5], delivery: ['multiset', 'fifo'], crashes: [0, 2], maxDown: [1, 2], drops: [0, 2], duplicates: [0, 2], partitions: [0, 1] },
  build: (p) => makePaxos(p, p.bug),
});
