/**
 * The `threepc` model: the Three-Phase Commit protocol of `impl/commit/threepc.ts` with the
 * commit checks of `specs/commit/properties.ts` (atomicity, validity, the refinement to
 * TCommit), its witnesses and the known-bug variant with the checks it breaks.
 *
 * Participant i (1-based) is node i+1 (`pi`); the coordinator `c1` is node 1. The history's
 * node sets have participant i at bit i (`first` = 2 in the commit properties).
 */
import { defineModel, int, type Witness } from '../../impl/core/machine.ts';
import { envMachine, type EnvMachine } from '../../impl/env/machine.ts';
import { envParams } from '../../impl/env/params.ts';
import type { EnvConfig } from '../../impl/env/config.ts';
import type { NodeId } from '../../impl/env/types.ts';
import { commitEnvConfig, type RMState } from '../../impl/commit/common.ts';
import {
  buggyThreePC,
  COORDINATOR,
  threePCProtocol,
  THREEPC_VARIANTS,
  type ThreePCAction,
  type ThreePCBug,
  type ThreePCLogState,
  type ThreePCState,
  type ThreePCTypes,
} from '../../impl/commit/threepc.ts';
import { atomicity, commitWitnesses, refinesTCommit, validity } from '../commit/properties.ts';

export type { ThreePCAction, ThreePCBug, ThreePCState };

/** The known-bug variants: what each does and the checks it breaks. */
export const THREEPC_BUGS = {
  // Random mode: about 68,000 runs with seed 1 (random mode's default is 1,000).
  'skip-precommit': { doc: THREEPC_VARIANTS['skip-precommit'], breaks: ['atomicity', 'refines-tcommit'], random: { runs: 200_000 } },
} as const;

/** The first participant's node id (participant i is node i+1). */
const FIRST: NodeId = COORDINATOR + 1;

/** Participant i's log state (1-based: node i+1). */
export function threePCParticipantState(s: ThreePCState, i: number): ThreePCLogState {
  const d = s.nodes[i]!.durable;
  return d.role === 'participant' ? d.state : 'working';
}

const TC: Readonly<Record<ThreePCLogState, RMState>> = {
  working: 'working',
  prepared: 'prepared',
  precommitted: 'prepared',
  committed: 'committed',
  aborted: 'aborted',
};

/** TCommit's view: pre-committed is still `prepared` (undecided). */
export function threePCRmState(s: ThreePCState): RMState[] {
  const out: RMState[] = [];
  for (let i = 1; i < s.nodes.length; i++) out.push(TC[threePCParticipantState(s, i)]);
  return out;
}

const isDecided = (x: ThreePCLogState): boolean => x === 'committed' || x === 'aborted';

/** Every running participant has decided: the goal of the bounded-liveness check. */
export function threePCAllDecided(s: ThreePCState): boolean {
  for (let i = 1; i < s.nodes.length; i++) if (s.nodes[i]!.up && !isDecided(threePCParticipantState(s, i))) return false;
  return true;
}

/** The `sometimes` witnesses of 3PC. */
export function threePCWitnesses(n: number): Witness<ThreePCState>[] {
  const coordinatorUndecidedDown = (s: ThreePCState) => {
    const c = s.nodes[COORDINATOR - 1]!;
    return !c.up && c.durable.role === 'coordinator' && c.durable.decision === 'none';
  };
  return [
    ...commitWitnesses((s: ThreePCState) => s.ghost, n, FIRST),
    {
      name: 'backup-commits',
      doc: 'the coordinator crashed undecided and the termination protocol commits',
      check: (s) => coordinatorUndecidedDown(s) && s.ghost.commits !== 0 && threePCAllDecided(s),
    },
    {
      name: 'backup-aborts',
      doc: 'the coordinator crashed undecided after every participant voted yes, and the termination protocol aborts',
      check: (s) => coordinatorUndecidedDown(s) && s.ghost.yes === ((1 << n) - 1) << (FIRST - 1) && s.ghost.aborts !== 0 && threePCAllDecided(s),
    },
  ];
}

/** The fault actions, for the bounded-liveness check. */
export function threePCIsFault(a: ThreePCAction): boolean {
  return a.type === 'crash' || a.type === 'restart' || a.type === 'drop' || a.type === 'duplicate' || a.type === 'partition';
}

/** Options of {@link makeThreePC}. */
export interface MakeThreePCOptions {
  readonly bug?: ThreePCBug;
}

/**
 * The 3PC machine: `participants` participants in an environment configuration. The leader,
 * collect and ack timers are failure-detector timeouts: with `detector=perfect` (the default)
 * they fire only when the node awaited is down or cut off.
 */
export function makeThreePC(participants: number, config: Partial<EnvConfig> = {}, opts: MakeThreePCOptions = {}): EnvMachine<ThreePCTypes> {
  const n = participants;
  const name = (i: number) => `p${i}`;
  const history = (s: ThreePCState) => s.ghost;
  return envMachine(buggyThreePC(n, opts.bug ?? 'none'), commitEnvConfig(config, n + 1), {
    name: 'threepc',
    invariants: [atomicity(history, n, name, FIRST), validity(history, n, name, FIRST)],
    properties: [refinesTCommit<ThreePCState, ThreePCAction>(n, threePCRmState)],
    sometimes: threePCWitnesses(n),
    isTerminal: (s) => threePCAllDecided(s),
  });
}

/** The `threepc` catalogue entry. */
export const threePCModel = defineModel({
  name: 'threepc',
  doc: 'Three-Phase Commit with the backup-coordinator termination protocol (Skeen 1981; Bernstein et al. 1987, 7.5); accurate timeouts; refines TCommit',
  params: {
    participants: int(3, 1, 6, 'number of participants (p1..pN); the coordinator is c1'),
    // Two crashes, both possibly down at once, by default: the coordinator and then the backup
    // that took over from it (3PC's termination protocol must survive its own leader's crash;
    // one crash never exercises that). 30,502 states, about a second.
    ...envParams(threePCProtocol(3), { crashes: 2, maxDown: 2, restarts: false }),
  },
  bugs: THREEPC_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { participants: [2, 3], delivery: ['multiset', 'fifo'], crashes: [0, 2], maxDown: [1, 2], duplicates: [0, 1] },
  build: (p) => makeThreePC(p.participants, p, { bug: p.bug }),
});
