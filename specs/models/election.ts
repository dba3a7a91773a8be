/**
 * The `election` model: leader election over a heartbeat failure detector
 * (`impl/failover/election.ts`), checked against `specs/failover/election.ts`. The correct
 * design is the majority vote; the known-bug variant `bully` runs the bully algorithm, whose one
 * leader depends on the detector being right.
 */
import { defineModel, int } from '../../impl/core/machine.ts';
import { envParams } from '../../impl/env/params.ts';
import { envMachine, type EnvMachine } from '../../impl/env/machine.ts';
import { electionProtocol, type ElectionDesign, type ElectionShape, type ElectionTypes } from '../../impl/failover/election.ts';
import { electionWitnesses, oneLeaderPerTerm } from '../failover/election.ts';

/** The known-bug variants. */
export const ELECTION_BUGS = {
  bully: {
    doc: 'the bully algorithm (Garcia-Molina 1982): a node that hears no answer from higher ids takes over, so a partition (or one late heartbeat) makes two leaders',
    breaks: ['one-leader-per-term'],
    config: { partitions: 1 },
  },
} as const;

/** The election machine. */
export function makeElection(p: ElectionShape & { readonly partitions?: number; readonly crashes?: number; readonly drops?: number; readonly timeouts?: number }, design: ElectionDesign = 'majority'): EnvMachine<ElectionTypes> {
  const m: EnvMachine<ElectionTypes> = envMachine(electionProtocol(p, design), { ...p, nodes: p.nodes }, {
    name: 'election',
    invariants: [oneLeaderPerTerm((id) => m.nodes()[id - 1]!)],
    sometimes: electionWitnesses(p.nodes),
  });
  return m;
}

/** The registry entry. */
export const electionModel = defineModel({
  name: 'election',
  doc: 'leader election over a heartbeat failure detector: a Raft-style majority vote (one leader per term); bug=bully shows two leaders',
  params: {
    nodes: int(3, 2, 7, 'nodes n1..nN; nN leads term 1'),
    maxTerm: int(2, 1, 6, 'largest term'),
    k: int(2, 1, 4, 'missed heartbeat periods before suspecting the leader'),
    // The parameters the election's declaration uses (roles fix the node count); no clients, clocks or detector.
    ...envParams(electionProtocol({ nodes: 3, maxTerm: 2, k: 2 }, 'majority'), { partitions: 1, timeouts: 6 }),
  },
  // Node counts include even ones: a majority off by one (2·votes ≥ N) only shows with N even.
  draw: { nodes: [3, 4], k: [1, 2], maxTerm: [2, 3], partitions: [0, 1], crashes: [0, 1], drops: [0, 1] },
  bugs: ELECTION_BUGS,
  build: (p) => makeElection(p, p.bug === 'bully' ? 'bully' : 'majority'),
});
