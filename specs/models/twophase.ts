/**
 * The TwoPhase model: the TLA+ port of `impl/twophase/twophase.ts` with TwoPhase.tla's checks
 * (TPTypeOK, TCConsistent), its refinement of TCommit, witnesses, and the known-bug variants.
 * Every check is symmetric under RM permutations (TCommit is), so `symmetry=true` may reduce;
 * it is off by default, to match TLC's counts.
 */
import { bool, defineModel, int, type Machine } from '../../impl/core/machine.ts';
import { refines } from '../../impl/core/refinement.ts';
import { twoPhaseMachine, twoPhaseRules, type TwoPhaseAction, type TwoPhaseBug, type TwoPhaseState } from '../../impl/twophase/twophase.ts';
import { makeTCommit, rmStateTypeOk, tcConsistent, type TCState } from '../tcommit.ts';

export type { TwoPhaseAction, TwoPhaseBug, TwoPhaseState };

/** The known-bug variants. */
export const TWOPHASE_BUGS = {
  'commit-unprepared': {
    doc: 'the TM commits once all but one RM have reported Prepared',
    breaks: ['tc-consistent', 'refines-tcommit'],
  },
  'abort-after-prepare': {
    doc: 'a prepared RM may still decide to abort on its own (it changes its mind after voting yes)',
    breaks: ['tc-consistent', 'refines-tcommit'],
  },
} as const;

const TM_STATES: readonly string[] = ['init', 'committed', 'aborted'];

/** The TwoPhase machine over `n` RMs with its checks, optionally with a known bug or symmetry. */
export function makeTwoPhase(n: number, bug: TwoPhaseBug = 'none', opts: { readonly symmetry?: boolean } = {}): Machine<TwoPhaseState, TwoPhaseAction> {
  const ALL = (1 << n) - 1;
  const core = twoPhaseMachine(n, twoPhaseRules(bug), opts);
  return {
    ...core,
    invariants: [
      {
        name: 'type-ok',
        symmetric: true,
        doc: 'TPTypeOK: every variable has its declared type',
        check(s) {
          const rm = rmStateTypeOk(s.rmState, n);
          if (rm !== true) return rm;
          if (!TM_STATES.includes(s.tmState)) return `tmState = ${JSON.stringify(s.tmState)}`;
          if ((s.tmPrepared & ~ALL) !== 0) return `tmPrepared holds a non-RM`;
          if ((s.msgs.prepared & ~ALL) !== 0) return `msgs holds a non-message`;
          return true;
        },
      },
      { ...tcConsistent((s: TwoPhaseState) => s.rmState), symmetric: true },
    ],
    // TCommit treats its RMs alike, and the mapping renames with the state: symmetric.
    properties: [{ ...refines(makeTCommit(n), (s: TwoPhaseState): TCState => ({ rmState: s.rmState })), symmetric: true }],
    sometimes: [
      { name: 'all-committed', symmetric: true, doc: 'the transaction commits at every RM', check: (s) => s.rmState.every((x) => x === 'committed') },
      { name: 'tm-aborted', symmetric: true, doc: 'the TM aborts', check: (s) => s.tmState === 'aborted' },
    ],
  };
}

/** The TwoPhase catalogue entry. */
export const twoPhaseModel = defineModel({
  name: 'twophase',
  doc: "Two-Phase Commit as in Lamport & Gray's TwoPhase.tla; refines TCommit",
  params: {
    rms: int(3, 1, 16, 'number of resource managers'),
    symmetry: bool(false, 'reduce by permutations of the RMs (off by default: TLC counts without it)'),
  },
  bugs: TWOPHASE_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { rms: [2, 6] },
  build: (p) => makeTwoPhase(p.rms, p.bug, { symmetry: p.symmetry }),
});
