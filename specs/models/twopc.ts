/**
 * The `twopc` model: the Two-Phase Commit protocol of `impl/commit/twopc.ts` with the commit
 * checks of `specs/commit/properties.ts` (atomicity, validity, the refinement to TCommit), its
 * witnesses, the blocking observations used by the bounded-liveness tests, and the known-bug
 * variants with the checks each breaks.
 *
 * Participant i (1-based) is node i+1 (`pi`); the coordinator `c1` is node 1. The history's
 * node sets have participant i at bit i (`first` = 2 in the commit properties).
 */
import { bool, defineModel, int, oneOf, type Witness } from '../../impl/core/machine.ts';
import { envMachine, type EnvMachine } from '../../impl/env/machine.ts';
import { envParams } from '../../impl/env/params.ts';
import type { EnvConfig } from '../../impl/env/config.ts';
import type { NodeId } from '../../impl/env/types.ts';
import { commitEnvConfig, type RMState } from '../../impl/commit/common.ts';
import {
  buggyTwoPC,
  COORDINATOR,
  twoPCProtocol,
  TWOPC_VARIANTS,
  type TwoPCAction,
  type TwoPCBug,
  type TwoPCState,
  type TwoPCTypes,
} from '../../impl/commit/twopc.ts';
import { atomicity, commitWitnesses, refinesTCommit, validity } from '../commit/properties.ts';

export type { TwoPCAction, TwoPCBug, TwoPCState };

/** The known-bug variants: what each does and the checks it breaks. */
export const TWOPC_BUGS = {
  'abort-after-yes': { doc: TWOPC_VARIANTS['abort-after-yes'], breaks: ['atomicity', 'refines-tcommit'] },
  'commit-on-timeout': { doc: TWOPC_VARIANTS['commit-on-timeout'], breaks: ['atomicity', 'validity', 'refines-tcommit'] },
  // Random mode: about 43,000 runs with seed 1 (random mode's default is 1,000).
  'announce-before-log': { doc: TWOPC_VARIANTS['announce-before-log'], breaks: ['atomicity', 'refines-tcommit'], random: { runs: 100_000 } },
  'forget-vote': { doc: TWOPC_VARIANTS['forget-vote'], breaks: ['atomicity', 'refines-tcommit'] },
} as const;

/** The first participant's node id (participant i is node i+1). */
const FIRST: NodeId = COORDINATOR + 1;

/** Participant i's log state (i is 1-based: node i+1). */
export function participantState(s: TwoPCState, i: number): RMState {
  const d = s.nodes[i]!.durable;
  return d.role === 'participant' ? d.state : 'working';
}

/** Every participant's log state, as TCommit's `rmState`. */
export function twoPCRmState(s: TwoPCState): RMState[] {
  const out: RMState[] = [];
  for (let i = 1; i < s.nodes.length; i++) out.push(participantState(s, i));
  return out;
}

const decided = (x: RMState): boolean => x === 'committed' || x === 'aborted';

/** True when a `Commit` or `Abort` is in flight to participant `to` (any sender). */
function decisionInFlight(s: TwoPCState, to?: NodeId): boolean {
  return s.net.some((p) => (p.msg.type === 'Commit' || p.msg.type === 'Abort') && (to === undefined || p.to === to));
}

/** Every running participant has decided: the goal of the bounded-liveness check. */
export function twoPCAllDecided(s: TwoPCState): boolean {
  for (let i = 1; i < s.nodes.length; i++) if (s.nodes[i]!.up && !decided(participantState(s, i))) return false;
  return true;
}

/** The blocking state of 2PC: coordinator down, every participant uncertain, no decision in flight. */
export function twoPCBlocked(s: TwoPCState): boolean {
  if (s.nodes[COORDINATOR - 1]!.up) return false;
  for (let i = 1; i < s.nodes.length; i++) if (participantState(s, i) !== 'prepared') return false;
  return !decisionInFlight(s);
}

/** The `sometimes` witnesses of 2PC. */
export function twoPCWitnesses(n: number): Witness<TwoPCState>[] {
  return [
    ...commitWitnesses((s: TwoPCState) => s.ghost, n, FIRST),
    {
      name: 'coordinator-blocks',
      symmetric: true,
      doc: 'the coordinator is down after every participant voted yes, and no decision is in flight: every participant is stuck uncertain',
      check: twoPCBlocked,
    },
    {
      name: 'peer-answers',
      symmetric: true,
      doc: 'the cooperative termination protocol works: a participant tells another the outcome',
      check: (s) => s.net.some((p) => p.from !== COORDINATOR && (p.msg.type === 'Commit' || p.msg.type === 'Abort')),
    },
  ];
}

/** The fault actions, for the bounded-liveness check: restarts count when `restarts` is false. */
export function isFault(restarts: boolean): (a: TwoPCAction) => boolean {
  return (a) => a.type === 'crash' || a.type === 'drop' || a.type === 'duplicate' || a.type === 'partition' || (!restarts && a.type === 'restart');
}

/** Options of {@link makeTwoPC}. */
export interface MakeTwoPCOptions {
  readonly bug?: TwoPCBug;
  /**
   * Let a participant's decision timer fire at any point (true), not only while the
   * coordinator is down or cut off from it (false, the default). 2PC is safe either way; the
   * default keeps the state space small, since a spurious timeout only adds harmless requests.
   */
  readonly spuriousTimeouts?: boolean;
  /** Which nodes may crash: any (default), only the coordinator, or only participants. */
  readonly crashTargets?: 'any' | 'coordinator' | 'participants';
}

/** The 2PC machine: `participants` participants in an environment configuration. */
export function makeTwoPC(participants: number, config: Partial<EnvConfig> = {}, opts: MakeTwoPCOptions = {}): EnvMachine<TwoPCTypes> {
  const n = participants;
  const name = (i: number) => `p${i}`;
  const history = (s: TwoPCState) => s.ghost;
  const protocol = buggyTwoPC(n, opts.bug ?? 'none', { crashTargets: opts.crashTargets ?? 'any', spuriousTimeouts: opts.spuriousTimeouts ?? false });
  return envMachine(protocol, commitEnvConfig(config, n + 1), {
    name: 'twopc',
    invariants: [atomicity(history, n, name, FIRST), validity(history, n, name, FIRST)],
    properties: [refinesTCommit<TwoPCState, TwoPCAction>(n, twoPCRmState)],
    sometimes: twoPCWitnesses(n),
    // A proper end: every running participant decided. With crash-stop failures, a state with
    // nothing enabled and a running participant undecided is a deadlock: 2PC blocking.
    isTerminal: twoPCAllDecided,
  });
}

/** The `twopc` catalogue entry. */
export const twoPCModel = defineModel({
  name: 'twopc',
  doc: 'Two-Phase Commit with crashes, timeouts, log recovery and cooperative termination (Gray 1978; Bernstein et al. 1987, ch. 7); refines TCommit',
  params: {
    participants: int(2, 1, 8, 'number of participants (p1..pN); the coordinator is c1'),
    // One crash and one partition by default: a partition is what makes a running coordinator
    // look dead (its timeouts fire), so cooperative termination meets a coordinator that is still
    // deciding. 42,988 states, under a second.
    ...envParams(twoPCProtocol(2), { crashes: 1, partitions: 1 }),
    spuriousTimeouts: bool(false, 'the decision timer is a plain timer that may fire any time (false: a failure-detector timeout on the coordinator, see detector)'),
    crashTargets: oneOf(['any', 'coordinator', 'participants'], 'any', 'which nodes may crash'),
  },
  bugs: TWOPC_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { participants: [1, 4], delivery: ['multiset', 'fifo'], crashes: [0, 3], maxDown: [1, 2], restarts: [true, false], drops: [0, 2], duplicates: [0, 2], partitions: [0, 1] },
  build: (p) => makeTwoPC(p.participants, p, { bug: p.bug, spuriousTimeouts: p.spuriousTimeouts, crashTargets: p.crashTargets }),
});
