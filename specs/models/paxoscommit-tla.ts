/**
 * The PaxosCommit.tla model: the TLA+ port of `impl/commit/paxoscommit-tla.ts` with the module's
 * checks (PCTypeOK, TCConsistent), its refinement of TCommit, and witnesses. TLC's configuration
 * (2 RMs, 3 acceptors, ballots {0, 1}: 1,321,761 distinct states) is the default.
 */
import { defineModel, int, type Machine } from '../../impl/core/machine.ts';
import { paxosCommitTlaMachine, type PaxosCommitTlaParams, type PCAction, type PCState } from '../../impl/commit/paxoscommit-tla.ts';
import { refinesTCommit } from '../commit/properties.ts';
import { tcConsistent } from '../tcommit.ts';

export type { PaxosCommitTlaParams, PCAction, PCState };

/** The PaxosCommit machine of PaxosCommit.tla with its checks. */
export function makePaxosCommitTla(p: PaxosCommitTlaParams): Machine<PCState, PCAction> {
  const { typeOk, chosenIn, ...core } = paxosCommitTlaMachine(p);
  const rmList = Array.from({ length: p.rms }, (_, i) => i + 1);
  return {
    ...core,
    invariants: [{ name: 'type-ok', doc: 'PCTypeOK: every variable has its declared type', check: typeOk }, tcConsistent((s: PCState) => s.rmState)],
    properties: [refinesTCommit<PCState, PCAction>(p.rms, (s) => s.rmState)],
    sometimes: [
      { name: 'all-committed', doc: 'every RM commits', check: (s) => s.rmState.every((x) => x === 'committed') },
      { name: 'some-aborted', doc: 'an RM aborts', check: (s) => s.rmState.includes('aborted') },
      {
        name: 'higher-ballot-decides',
        doc: 'a ballot above 0 gets a value chosen (a leader other than the RM decided an instance)',
        check: (s) => rmList.some((rm) => chosenIn(s, rm, p.maxBallot, 'prepared') || chosenIn(s, rm, p.maxBallot, 'aborted')),
      },
    ],
  };
}

/** The PaxosCommit (TLA+ port) catalogue entry. */
export const paxosCommitTlaModel = defineModel({
  name: 'paxoscommit-tla',
  doc: "Paxos Commit as in Gray & Lamport's PaxosCommit.tla (message set, no failures); refines TCommit; TLC: 1,321,761 states for 2 RMs, 3 acceptors, ballots {0,1}",
  params: {
    rms: int(2, 1, 4, 'number of resource managers (one Paxos instance each)'),
    acceptors: int(3, 1, 5, 'number of acceptors'),
    maxBallot: int(1, 1, 3, 'largest ballot number (Ballot = 0..maxBallot)'),
  },
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { rms: [1, 3], acceptors: [1, 4], maxBallot: [1, 2] },
  build: (p) => makePaxosCommitTla(p),
});
