/**
 * The `multipaxos` model: Multi-Paxos with a stable leader (`impl/paxos/multipaxos.ts`), the
 * checks of `specs/paxos.ts` per slot and the refinement to a Consensus instance per slot, and
 * the known-bug variant of the protocol file with the checks it breaks.
 */
import { defineModel, InputError, int } from '../../impl/core/machine.ts';
import { envMachine } from '../../impl/env/machine.ts';
import type { EnvConfig } from '../../impl/env/config.ts';
import { envParams } from '../../impl/env/params.ts';
import { checkShape, paxosEnvConfig } from '../../impl/paxos/common.ts';
import { PAXOS_LIMITS } from '../../impl/paxos/history.ts';
import {
  buggyMultiPaxos,
  multiPaxosProtocol,
  MULTIPAXOS_VARIANTS,
  type MultiPaxosBug,
  type MultiPaxosMachine,
  type MultiPaxosShape,
  type MultiPaxosState,
} from '../../impl/paxos/multipaxos.ts';
import { paxosInvariants, paxosProperties, paxosWitnesses, refinesConsensus, type Learned, type PaxosObserver } from '../paxos.ts';

export type { MultiPaxosBug, MultiPaxosState, MultiPaxosTypes } from '../../impl/paxos/multipaxos.ts';

/** The known-bug variant, and the checks it must break. */
export const MULTIPAXOS_BUGS = {
  'skip-recovery': { doc: MULTIPAXOS_VARIANTS['skip-recovery'], breaks: ['agreement', 'refines-consensus'] },
} as const;

/** How `specs/paxos.ts` reads a Multi-Paxos state. */
export function multiPaxosObserver(shape: MultiPaxosShape, name: (id: number) => string): PaxosObserver<MultiPaxosState> {
  const leaders = Array.from({ length: shape.proposers }, (_, k) => shape.acceptors + k + 1);
  return {
    acceptors: shape.acceptors,
    proposers: shape.proposers,
    slots: shape.slots,
    values: Array.from({ length: shape.proposers }, (_, k) => k + 1),
    name,
    history: (s) => s.ghost,
    promise(s, a) {
      const slot = s.nodes[a - 1]!;
      return slot.up && slot.durable.role === 'acceptor' ? slot.durable.promised : null;
    },
    learned(s) {
      let out: Learned[] | undefined;
      for (const id of leaders) {
        const v = s.nodes[id - 1]!.volatile;
        if (v === null || v.role !== 'leader') continue;
        v.learned.forEach((value, slot) => {
          if (value !== 0) (out ??= []).push({ learner: id, slot, value });
        });
      }
      return out ?? [];
    },
  };
}

/** The parameters of {@link makeMultiPaxos}: the shape and the environment's faults. */
export type MultiPaxosParams = MultiPaxosShape & Partial<EnvConfig>;

/** Multi-Paxos in the environment, with every check of `specs/paxos.ts`, per slot. */
export function makeMultiPaxos(p: MultiPaxosParams, bug: MultiPaxosBug = 'none'): MultiPaxosMachine {
  const shape: MultiPaxosShape = { acceptors: p.acceptors, proposers: p.proposers, ballots: p.ballots, slots: p.slots, window: p.window };
  checkShape('multipaxos', shape, false);
  if (shape.slots > PAXOS_LIMITS.slots) throw new InputError(`multipaxos: at most ${PAXOS_LIMITS.slots} slots`);
  if (!Number.isInteger(shape.window) || shape.window < 1) throw new InputError(`multipaxos: window must be at least 1, got ${shape.window}`);
  if (bug === 'skip-recovery' && shape.proposers < 2) throw new InputError('multipaxos: skip-recovery needs at least 2 proposers (a new leader must take over)');
  const o = multiPaxosObserver(shape, (id) => m.nodes()[id - 1]!);
  const m: MultiPaxosMachine = envMachine(buggyMultiPaxos(shape, bug), paxosEnvConfig(p, shape), {
    name: 'multipaxos',
    invariants: paxosInvariants(o),
    properties: [...paxosProperties(o), refinesConsensus(o)],
    sometimes: paxosWitnesses(o),
  });
  return m;
}

/** The Multi-Paxos catalogue entry. */
export const multiPaxosModel = defineModel({
  name: 'multipaxos',
  doc: 'Multi-Paxos with a stable leader (Paxos Made Simple, section 3): a bounded log, phase 1 per ballot, recovery; refines Consensus per slot',
  params: {
    acceptors: int(3, 1, 9, 'acceptors (a1..aA)'),
    proposers: int(2, 1, 4, 'leaders (l1..lP); leader k proposes value vk'),
    ballots: int(2, 1, 12, 'largest ballot number; leader k owns ballots k, k+P, …'),
    slots: int(2, 1, 8, 'log length'),
    window: int(1, 1, 8, 'pipelining: slots a leader may have proposed but not yet learned'),
    // The parameters Multi-Paxos's declaration uses: roles fix the node count; no clients, timers or clocks.
    ...envParams(multiPaxosProtocol({ acceptors: 3, proposers: 2, ballots: 2, slots: 2, window: 1 }), { crashes: 1, symmetry: true }),
  },
  bugs: MULTIPAXOS_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { acceptors: [2, 5], proposers: [2, 3], ballots: [3, 5], slots: [1, 3], window: [1, 2], delivery: ['multiset', 'fifo'], crashes: [0, 2], maxDown: [1, 2], drops: [0, 2], duplicates: [0, 2], partitions: [0, 1] },
  build: (p) => makeMultiPaxos(p, p.bug),
});
