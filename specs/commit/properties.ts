/**
 * What "correct" means for atomic commit, shared by the Two-Phase Commit, Three-Phase Commit and
 * Paxos Commit machines in `impl/commit/`.
 *
 * The properties are the ones Gray and Lamport state for transaction commit ("Consensus on
 * Transaction Commit", 2006, section 2; TCommit.tla) and the textbook ones of Bernstein,
 * Hadzilacos and Goodman ("Concurrency Control and Recovery in Database Systems", 1987,
 * section 7.2, conditions AC1–AC5):
 *
 * - **atomicity** (AC1, TCConsistent over the whole history): no participant ever commits while
 *   another, or the same one, ever aborts;
 * - **validity** (AC3/AC4): a participant commits only if every participant voted yes;
 * - **refinement**: every step maps to a step (or a stutter) of TCommit, from `specs/tcommit.ts`.
 *
 * Atomicity and validity read a `CommitHistory` (`impl/commit/common.ts`), a ghost record of
 * everything that ever happened (votes, commits, aborts), so a participant that commits, crashes
 * and forgets still counts. Each machine keeps that record with ghost effects and never reads it.
 * Its bitsets are node sets: participant `i` (1-based) is node `first + i - 1`, bit
 * `first + i - 2`; `first` is 1 for bitsets over the participants themselves.
 */
import type { Invariant, TransitionProperty, Witness } from '../../impl/core/machine.ts';
import type { NodeId } from '../../impl/env/types.ts';
import { refines } from '../../impl/core/refinement.ts';
import type { CommitHistory, RMState } from '../../impl/commit/common.ts';
import { makeTCommit, type TCState } from '../tcommit.ts';

export type { CommitHistory };

/** The participants (1-based) whose bit is set. */
export function members(bits: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if ((bits >>> (i - 1)) & 1) out.push(i);
  return out;
}

/**
 * Atomicity over the whole history: no participant commits while another (or the same one)
 * aborts. `name(i)` names participant `i` (1-based) in the explanation; participant `i` is node
 * `first + i - 1` of the history's node sets.
 */
export function atomicity<S>(history: (s: S) => CommitHistory, n: number, name: (i: number) => string, first: NodeId = 1): Invariant<S> {
  const shift = first - 1;
  return {
    name: 'atomicity',
    symmetric: true,
    doc: 'no participant ever commits while another ever aborts (TCConsistent over the whole history)',
    check(s) {
      const h = history(s);
      if (h.commits === 0 || h.aborts === 0) return true;
      const c = members(h.commits >>> shift, n)[0]!;
      const a = members(h.aborts >>> shift, n)[0]!;
      return c === a ? `${name(c)} both committed and aborted` : `${name(c)} committed while ${name(a)} aborted`;
    },
  };
}

/** Validity: a participant commits only if every participant voted yes. */
export function validity<S>(history: (s: S) => CommitHistory, n: number, name: (i: number) => string, first: NodeId = 1): Invariant<S> {
  const shift = first - 1;
  const all = ((1 << n) - 1) << shift;
  return {
    name: 'validity',
    symmetric: true,
    doc: 'a participant commits only if every participant voted yes',
    check(s) {
      const h = history(s);
      if (h.commits === 0 || h.yes === all) return true;
      const c = members(h.commits >>> shift, n)[0]!;
      const missing = members((all & ~h.yes) >>> shift, n).map(name).join(', ');
      return `${name(c)} committed but ${missing} never voted yes`;
    },
  };
}

/**
 * The refinement to TCommit (`refines-tcommit`): `rmState(s)` maps a concrete state to TCommit's
 * `rmState` (participant `i` is TCommit's RM `r<i>`).
 */
export function refinesTCommit<S, A>(n: number, rmState: (s: S) => readonly RMState[]): TransitionProperty<S, A> {
  // Symmetric: renaming participants renames TCommit's RMs, and TCommit's steps are the same for every RM.
  return { ...refines<S, A, TCState, unknown>(makeTCommit(n), (s) => ({ rmState: rmState(s) }), { name: 'refines-tcommit' }), symmetric: true };
}

/** The `sometimes` witnesses that go with atomicity and validity: both outcomes happen. */
export function commitWitnesses<S>(history: (s: S) => CommitHistory, n: number, first: NodeId = 1): Witness<S>[] {
  const all = ((1 << n) - 1) << (first - 1);
  return [
    { name: 'all-committed', symmetric: true, doc: 'every participant commits', check: (s) => history(s).commits === all },
    { name: 'some-aborted', symmetric: true, doc: 'a participant aborts', check: (s) => history(s).aborts !== 0 },
  ];
}
