// Bench-only baseline: the code before issue 13 (commit 3429dc0), kept to measure the port side by side (`npm run bench -- port`). Not used by any model.
/**
 * TwoPhase: the Two-Phase Commit protocol, ported from Lamport and Gray, "Consensus on
 * Transaction Commit" (2004), module TwoPhase (tlaplus/Examples,
 * specifications/transaction_commit/TwoPhase.tla).
 *
 * Same variables and actions as the TLA+ module, so the state space corresponds one-to-one:
 * - `rmState`: each RM's state (working | prepared | committed | aborted);
 * - `tmState`: the TM's state (init | committed | aborted);
 * - `tmPrepared`: the RMs the TM has received "Prepared" from, as a bitset (bit r-1 is RM r);
 * - `msgs`: the set of messages ever sent, as a bitset (bit r-1 is [type |-> "Prepared", rm |-> r],
 *   bit N is [type |-> "Commit"], bit N+1 is [type |-> "Abort"]). Messages are never removed, so
 *   receipt is "the message is in msgs", and loss needs no modelling (see the TLA+ comment).
 * The sets are bitsets because this is the benchmark model; `view` shows them as TLA+ sets.
 *
 * The TLA+ actions are enabled exactly as written, including steps that change nothing
 * (TMRcvPrepared of an RM already in tmPrepared; RMRcvCommitMsg by an RM already committed), so
 * generated-transition counts match TLC's too.
 */
import { defineModel, int, type Machine } from '../../../impl/core/machine.ts';
import type { Encoder } from '../../../impl/core/encode.ts';
import { refines } from '../../../impl/core/refinement.ts';
import { makeTCommit, packRmState, rmName, rmStateTypeOk, tcConsistent, type RMState, type TCState } from '../../../specs/tcommit.ts';

/** The TM's state. */
export type TMState = 'init' | 'committed' | 'aborted';

/** TwoPhase's state: the four TLA+ variables. */
export interface TwoPhaseState {
  readonly rmState: readonly RMState[];
  readonly tmState: TMState;
  readonly tmPrepared: number;
  readonly msgs: number;
}

/** TwoPhase's actions, as in TPNext. */
export type TwoPhaseAction =
  | { readonly type: 'TMCommit' }
  | { readonly type: 'TMAbort' }
  | { readonly type: 'TMRcvPrepared'; readonly rm: number }
  | { readonly type: 'RMPrepare'; readonly rm: number }
  | { readonly type: 'RMChooseToAbort'; readonly rm: number }
  | { readonly type: 'RMRcvCommitMsg'; readonly rm: number }
  | { readonly type: 'RMRcvAbortMsg'; readonly rm: number };

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
/** A known-bug variant's name, or none. */
export type TwoPhaseBug = keyof typeof TWOPHASE_BUGS | 'none';

const TM_CODE: Readonly<Record<TMState, number>> = { init: 0, committed: 1, aborted: 2 };

/** The TwoPhase machine over `n` RMs, optionally with a known bug. */
export function makeTwoPhase(n: number, bug: TwoPhaseBug = 'none'): Machine<TwoPhaseState, TwoPhaseAction> {
  if (n > 16) throw new RangeError('TwoPhase supports at most 16 RMs');
  const rms = Array.from({ length: n }, (_, i) => i + 1);
  const ALL = (1 << n) - 1 || 0;
  const COMMIT = 1 << n;
  const ABORT = 1 << (n + 1);
  const prepared = (r: number) => 1 << (r - 1);
  const popcount = (x: number) => {
    let c = 0;
    for (; x !== 0; x &= x - 1) c++;
    return c;
  };
  // Action objects are data; build each once.
  const TMCommit: TwoPhaseAction = { type: 'TMCommit' };
  const TMAbort: TwoPhaseAction = { type: 'TMAbort' };
  const per = (type: 'TMRcvPrepared' | 'RMPrepare' | 'RMChooseToAbort' | 'RMRcvCommitMsg' | 'RMRcvAbortMsg') =>
    rms.map((rm): TwoPhaseAction => ({ type, rm }));
  const rcvPrepared = per('TMRcvPrepared');
  const prepare = per('RMPrepare');
  const chooseAbort = per('RMChooseToAbort');
  const rcvCommit = per('RMRcvCommitMsg');
  const rcvAbort = per('RMRcvAbortMsg');

  const tmCanCommit = (s: TwoPhaseState) =>
    bug === 'commit-unprepared' ? popcount(s.tmPrepared) >= n - 1 : s.tmPrepared === ALL;
  const rmCanAbort = (x: RMState) => x === 'working' || (bug === 'abort-after-prepare' && x === 'prepared');

  const withRm = (s: TwoPhaseState, r: number, v: RMState, msgs = s.msgs): TwoPhaseState => {
    const rmState = s.rmState.slice();
    rmState[r - 1] = v;
    return { rmState, tmState: s.tmState, tmPrepared: s.tmPrepared, msgs };
  };

  const tcommit = makeTCommit(n);
  return {
    name: 'twophase',
    init: () => [{ rmState: rms.map((): RMState => 'working'), tmState: 'init', tmPrepared: 0, msgs: 0 }],
    actions(s) {
      const out: TwoPhaseAction[] = [];
      const tmInit = s.tmState === 'init';
      if (tmInit && tmCanCommit(s)) out.push(TMCommit);
      if (tmInit) out.push(TMAbort);
      const commitSent = (s.msgs & COMMIT) !== 0;
      const abortSent = (s.msgs & ABORT) !== 0;
      for (let i = 0; i < n; i++) {
        const x = s.rmState[i]!;
        if (tmInit && (s.msgs & (1 << i)) !== 0) out.push(rcvPrepared[i]!);
        if (x === 'working') out.push(prepare[i]!);
        if (rmCanAbort(x)) out.push(chooseAbort[i]!);
        if (commitSent) out.push(rcvCommit[i]!);
        if (abortSent) out.push(rcvAbort[i]!);
      }
      return out;
    },
    step(s, a) {
      switch (a.type) {
        case 'TMRcvPrepared':
          return { rmState: s.rmState, tmState: s.tmState, tmPrepared: s.tmPrepared | prepared(a.rm), msgs: s.msgs };
        case 'TMCommit':
          return { rmState: s.rmState, tmState: 'committed', tmPrepared: s.tmPrepared, msgs: s.msgs | COMMIT };
        case 'TMAbort':
          return { rmState: s.rmState, tmState: 'aborted', tmPrepared: s.tmPrepared, msgs: s.msgs | ABORT };
        case 'RMPrepare':
          return withRm(s, a.rm, 'prepared', s.msgs | prepared(a.rm));
        case 'RMChooseToAbort':
          return withRm(s, a.rm, 'aborted');
        case 'RMRcvCommitMsg':
          return withRm(s, a.rm, 'committed');
        case 'RMRcvAbortMsg':
          return withRm(s, a.rm, 'aborted');
      }
    },
    invariants: [
      {
        name: 'type-ok',
        doc: 'TPTypeOK: every variable has its declared type',
        check(s) {
          const rm = rmStateTypeOk(s.rmState, n);
          if (rm !== true) return rm;
          if (!(s.tmState in TM_CODE)) return `tmState = ${JSON.stringify(s.tmState)}`;
          if ((s.tmPrepared & ~ALL) !== 0) return `tmPrepared holds a non-RM`;
          if ((s.msgs & ~(ALL | COMMIT | ABORT)) !== 0) return `msgs holds a non-message`;
          return true;
        },
      },
      tcConsistent((s: TwoPhaseState) => s.rmState),
    ],
    properties: [refines(tcommit, (s: TwoPhaseState): TCState => ({ rmState: s.rmState }))],
    sometimes: [
      { name: 'all-committed', doc: 'the transaction commits at every RM', check: (s) => s.rmState.every((x) => x === 'committed') },
      { name: 'tm-aborted', doc: 'the TM aborts', check: (s) => s.tmState === 'aborted' },
    ],
    encode(s: TwoPhaseState, out: Encoder) {
      out.int(packRmState(s.rmState));
      out.int(TM_CODE[s.tmState]);
      out.int(s.tmPrepared);
      out.int(s.msgs);
    },
    formatAction: (a) => ('rm' in a ? `${a.type}(${rmName(a.rm)})` : a.type),
    actionKinds: () => ['TMCommit', 'TMAbort', 'TMRcvPrepared', 'RMPrepare', 'RMChooseToAbort', 'RMRcvCommitMsg', 'RMRcvAbortMsg'],
    view(s) {
      const msgs: unknown[] = [];
      for (const r of rms) if (s.msgs & prepared(r)) msgs.push({ type: 'Prepared', rm: rmName(r) });
      if (s.msgs & COMMIT) msgs.push({ type: 'Commit' });
      if (s.msgs & ABORT) msgs.push({ type: 'Abort' });
      return {
        rmState: Object.fromEntries(s.rmState.map((x, i) => [rmName(i + 1), x])),
        tmState: s.tmState,
        tmPrepared: rms.filter((r) => s.tmPrepared & prepared(r)).map(rmName),
        msgs,
      };
    },
    isTerminal: (s) => s.tmState !== 'init' && s.rmState.every((x) => x === 'committed' || x === 'aborted'),
  };
}

/** The TwoPhase registry entry. */
export const twoPhaseModel = defineModel({
  name: 'twophase',
  doc: 'Two-Phase Commit as in Lamport & Gray\'s TwoPhase.tla; refines TCommit',
  params: { rms: int(3, 1, 16, 'number of resource managers') },
  bugs: TWOPHASE_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { rms: [2, 6] },
  build: (p) => makeTwoPhase(p.rms, p.bug),
});
