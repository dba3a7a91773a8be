/**
 * The `paxoscommit` model: Paxos Commit over the environment (`impl/commit/paxoscommit.ts`) with
 * the commit checks of `specs/commit/properties.ts` (atomicity, validity, the refinement to
 * TCommit), Paxos agreement per instance, its witnesses, and the known-bug variant with the
 * checks it breaks.
 *
 * RM k (1-based) is node k+1 (`rk`); the history's node sets have RM k at bit k (`first` = 2 in
 * the commit properties). Acceptor sets are node sets too (bit `id - 1`).
 */
import { bool, defineModel, InputError, int, type Witness } from '../../impl/core/machine.ts';
import { envMachine, type EnvMachine } from '../../impl/env/machine.ts';
import { envParams } from '../../impl/env/params.ts';
import { popcount } from '../../impl/env/nodeset.ts';
import type { EnvConfig } from '../../impl/env/config.ts';
import type { NodeId } from '../../impl/env/types.ts';
import { commitEnvConfig, type RMState } from '../../impl/commit/common.ts';
import {
  acceptedIndex,
  buggyPaxosCommit,
  PAXOSCOMMIT_VARIANTS,
  paxosCommitProtocol,
  PC_COORDINATOR,
  rmNode,
  type PCBug,
  type PCEnvAction,
  type PCEnvState,
  type PCLayout,
  type PCTypes,
  type PCVal,
} from '../../impl/commit/paxoscommit.ts';
import { atomicity, commitWitnesses, refinesTCommit, validity } from '../commit/properties.ts';
import { rmName } from '../tcommit.ts';

export type { PCBug, PCEnvAction, PCEnvState };

/** The known-bug variants: what each does and the checks it breaks. */
export const PAXOSCOMMIT_BUGS = {
  'skip-phase1': { doc: PAXOSCOMMIT_VARIANTS['skip-phase1'], breaks: ['paxos-agreement', 'atomicity', 'refines-tcommit'] },
} as const;

/** The first RM's node id (RM k is node k+1). */
const FIRST: NodeId = PC_COORDINATOR + 1;

/** RM k's state (k is 1-based: node k+1). */
export function pcRmState(s: PCEnvState, k: number): RMState {
  const d = s.nodes[rmNode(k) - 1]!.durable;
  return d.role === 'rm' ? d.state : 'working';
}

/** Every RM's state, as TCommit's `rmState`. */
export function pcRmStates(s: PCEnvState, R: number): RMState[] {
  return Array.from({ length: R }, (_, i) => pcRmState(s, i + 1));
}

/** Every running RM has decided: the goal of the bounded-liveness check. */
export function pcAllDecided(s: PCEnvState, R: number): boolean {
  for (let k = 1; k <= R; k++) {
    if (!s.nodes[rmNode(k) - 1]!.up) continue;
    const x = pcRmState(s, k);
    if (x !== 'committed' && x !== 'aborted') return false;
  }
  return true;
}

/** The values chosen in instance `ins` (accepted by a majority in some ballot), as a set. */
export function chosenValues(s: PCEnvState, L: PCLayout, ins: number): PCVal[] {
  const quorum = Math.floor(L.acceptors / 2) + 1;
  const out = new Set<PCVal>();
  for (let bal = 0; bal <= L.rms; bal++) {
    for (const val of ['prepared', 'aborted'] as const) if (popcount(s.ghost.accepted[acceptedIndex(L.rms, ins, bal, val)]!) >= quorum) out.add(val);
  }
  return [...out];
}

/** The fault actions, for the bounded-liveness check. */
export function pcIsFault(a: PCEnvAction): boolean {
  return a.type === 'crash' || a.type === 'restart' || a.type === 'drop' || a.type === 'duplicate' || a.type === 'partition';
}

/** Options of {@link makePaxosCommit}. */
export interface MakePaxosCommitOptions {
  readonly bug?: PCBug;
  /** How many acceptors may be down at once (default 1); any of them may crash. */
  readonly faultyAcceptors?: number;
  /** The coordinator may crash (default true). */
  readonly coordinatorCrashes?: boolean;
  /** RMs may crash (default false). */
  readonly rmCrashes?: boolean;
  /** An RM's takeover timer may fire while the coordinator is up and reachable (default false). */
  readonly spuriousTimeouts?: boolean;
  /** How many RMs (the first ones) may lead a ballot when the coordinator fails (default 1). */
  readonly backups?: number;
  /**
   * How many acceptors are already down in the initial state (default: the configuration's
   * `initiallyDown`, else 0; the environment takes the last acceptors).
   * Each counts against the crash budget and against `faultyAcceptors`.
   */
  readonly initiallyDown?: number;
}

/** The Paxos Commit machine for `rms` RMs and `acceptors` acceptors in an environment configuration. */
export function makePaxosCommit(rms: number, acceptors: number, config: Partial<EnvConfig> = {}, opts: MakePaxosCommitOptions = {}): EnvMachine<PCTypes> {
  const L: PCLayout = { rms, acceptors };
  const faulty = opts.faultyAcceptors ?? 1;
  if (faulty > acceptors) throw new InputError(`faultyAcceptors (${faulty}) cannot exceed acceptors (${acceptors})`);
  const backups = opts.backups ?? 1;
  if (backups > rms) throw new InputError(`backups (${backups}) cannot exceed rms (${rms})`);
  const initiallyDown = opts.initiallyDown ?? config.initiallyDown ?? 0;
  if (initiallyDown > faulty) throw new InputError(`initiallyDown (${initiallyDown}) cannot exceed faultyAcceptors (${faulty})`);
  if (initiallyDown > (config.crashes ?? 0) || initiallyDown > (config.maxDown ?? 1)) throw new InputError(`initiallyDown (${initiallyDown}) needs a crash budget and maxDown of at least ${initiallyDown}`);
  const name = rmName;
  const history = (s: PCEnvState) => s.ghost.history;
  const witnesses: Witness<PCEnvState>[] = [
    ...commitWitnesses(history, rms, FIRST),
    {
      name: 'decided-without-coordinator',
      symmetric: true,
      doc: 'the coordinator is down and every running RM has decided: another leader finished the transaction',
      check: (s) => !s.nodes[0]!.up && pcAllDecided(s, rms) && s.ghost.history.yes !== 0,
    },
    {
      name: 'higher-ballot-chosen',
      symmetric: true,
      doc: 'a value is chosen in a ballot above 0',
      check: (s) => s.ghost.accepted.some((x, i) => Math.floor(i / 2) % (rms + 1) !== 0 && popcount(x) >= Math.floor(acceptors / 2) + 1),
    },
  ];
  const protocol = buggyPaxosCommit(L, opts.bug ?? 'none', {
    backups,
    faultyAcceptors: faulty,
    coordinatorCrashes: opts.coordinatorCrashes ?? true,
    rmCrashes: opts.rmCrashes ?? false,
    spuriousTimeouts: opts.spuriousTimeouts ?? false,
  });
  // Initially-down acceptors are the environment's: the last nodes that may crash are acceptors.
  return envMachine(protocol, { ...commitEnvConfig(config, 1 + rms + acceptors), initiallyDown }, {
    name: 'paxoscommit',
    invariants: [
      atomicity(history, rms, name, FIRST),
      validity(history, rms, name, FIRST),
      {
        name: 'paxos-agreement',
        symmetric: true,
        doc: 'in every instance, at most one value is ever chosen (accepted by a majority in some ballot)',
        check(s) {
          for (let ins = 1; ins <= rms; ins++) {
            const vs = chosenValues(s, L, ins);
            if (vs.length > 1) return `instance ${rmName(ins)} chose both ${vs.join(' and ')}`;
          }
          return true;
        },
      },
    ],
    properties: [refinesTCommit<PCEnvState, PCEnvAction>(rms, (s) => pcRmStates(s, rms))],
    sometimes: witnesses,
    isTerminal: (s) => pcAllDecided(s, rms),
  });
}

/** The `paxoscommit` catalogue entry. */
export const paxosCommitModel = defineModel({
  name: 'paxoscommit',
  doc: 'Paxos Commit (Gray & Lamport 2006) with crashes: per-RM Paxos instances over acceptors, RMs take over when the coordinator fails; refines TCommit',
  params: {
    rms: int(2, 1, 3, 'number of resource managers (nodes n2..); the coordinator is n1'),
    acceptors: int(3, 1, 5, 'number of acceptors (the nodes after the RMs)'),
    faultyAcceptors: int(1, 0, 5, 'how many acceptors may be down at once (any of them may crash)'),
    coordinatorCrashes: bool(true, 'the coordinator may crash'),
    rmCrashes: bool(false, 'resource managers may crash'),
    backups: int(1, 1, 3, 'how many RMs (the first ones) may lead a ballot when the coordinator fails'),
    spuriousTimeouts: bool(false, 'the takeover timer is a plain timer that may fire any time (false: a failure-detector timeout on the coordinator, see detector)'),
    // initiallyDown (default 1) is the environment's: acceptors down from the start, each a crash spent.
    ...envParams(paxosCommitProtocol({ rms: 2, acceptors: 3 }), { crashes: 2, maxDown: 2, restarts: false, symmetry: true, initiallyDown: 1 }),
  },
  bugs: PAXOSCOMMIT_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { rms: [2, 3], acceptors: [3, 5], coordinatorCrashes: [true, false], rmCrashes: [false, true], spuriousTimeouts: [false, true], delivery: ['multiset', 'fifo'], crashes: [1, 3], maxDown: [1, 2], drops: [0, 2], duplicates: [0, 1] },
  build: (p) =>
    makePaxosCommit(p.rms, p.acceptors, p, {
      bug: p.bug,
      faultyAcceptors: p.faultyAcceptors,
      coordinatorCrashes: p.coordinatorCrashes,
      rmCrashes: p.rmCrashes,
      spuriousTimeouts: p.spuriousTimeouts,
      backups: p.backups,
    }),
});
