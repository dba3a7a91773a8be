/**
 * TwoPhase: the Two-Phase Commit protocol, ported from Lamport and Gray, "Consensus on
 * Transaction Commit" (2004), module TwoPhase (tlaplus/Examples,
 * specifications/transaction_commit/TwoPhase.tla).
 *
 * Same variables and actions as the TLA+ module, so the state space corresponds one-to-one:
 * - `rmState`: each RM's state (working | prepared | committed | aborted);
 * - `tmState`: the TM's state (init | committed | aborted);
 * - `tmPrepared`: the RMs the TM has received "Prepared" from;
 * - `msgs`: the set of messages ever sent: the RMs whose [type |-> "Prepared", rm |-> r] was
 *   sent, and whether [type |-> "Commit"] and [type |-> "Abort"] were. Messages are never
 *   removed, so receipt is "the message is in msgs", and loss needs no modelling.
 *
 * The data is declared once, as a schema (`twoPhaseSchema`): the state's encoding and its
 * renaming under RM permutations are derived from it, so TwoPhase's symmetry (RMs are
 * interchangeable) comes for free. Symmetry is off unless asked for: TLC's reference count
 * (1,745,408 states at 8 RMs) is without it.
 *
 * The TLA+ actions are enabled exactly as written, including steps that change nothing
 * (TMRcvPrepared of an RM already in tmPrepared; RMRcvCommitMsg by an RM already committed), so
 * generated-transition counts match TLC's too. The checks (TPTypeOK, TCConsistent, refinement of
 * TCommit) are bound in `specs/models/twophase.ts`; the known-bug variants are one-rule
 * overrides at the end of this file.
 */
import type { Machine } from '../core/machine.ts';
import { compile, S, type Infer } from '../env/schema.ts';
import { nodesIn, popcount } from '../env/nodeset.ts';
import { symmetryCanonicalizer, symmetryKeyWriter } from '../env/symmetry.ts';
import { RM_STATE } from '../commit/common.ts';

/** The RM states, in TLA+ order (TCommit's vocabulary, `impl/commit/common.ts`). */
export { RM_STATE };
/** The TM states. */
export const TM_STATE = S.enum('init', 'committed', 'aborted');

/** A message of TwoPhase.tla: `[type |-> "Prepared", rm |-> r]`, `[type |-> "Commit"]`, `[type |-> "Abort"]`. */
export const TWOPHASE_MESSAGE = S.union('type', { Prepared: { rm: S.node() }, Commit: {}, Abort: {} });

/**
 * TwoPhase's data: the four TLA+ variables. `msgs` is held as the RMs whose Prepared was sent
 * and two flags, and viewed as the set of message records it is in TwoPhase.tla:
 * `[{type: 'Prepared', rm: 'r1'}, {type: 'Commit'}]`.
 */
export const twoPhaseSchema = S.record({
  rmState: S.perNode(RM_STATE),
  tmState: TM_STATE,
  tmPrepared: S.nodeSet(),
  msgs: S.viewAs(S.record({ prepared: S.nodeSet(), commit: S.bool(), abort: S.bool() }), S.list(TWOPHASE_MESSAGE), (m) => [
    ...nodesIn(m.prepared).map((rm) => ({ type: 'Prepared' as const, rm })),
    ...(m.commit ? [{ type: 'Commit' as const }] : []),
    ...(m.abort ? [{ type: 'Abort' as const }] : []),
  ]),
});

/** An RM's state. */
export type RMState = Infer<typeof RM_STATE>;
/** The TM's state. */
export type TMState = Infer<typeof TM_STATE>;
/** TwoPhase's state: the four TLA+ variables. */
export type TwoPhaseState = Infer<typeof twoPhaseSchema>;

/** TwoPhase's actions, as in TPNext. */
export type TwoPhaseAction =
  | { readonly type: 'TMCommit' }
  | { readonly type: 'TMAbort' }
  | { readonly type: 'TMRcvPrepared'; readonly rm: number }
  | { readonly type: 'RMPrepare'; readonly rm: number }
  | { readonly type: 'RMChooseToAbort'; readonly rm: number }
  | { readonly type: 'RMRcvCommitMsg'; readonly rm: number }
  | { readonly type: 'RMRcvAbortMsg'; readonly rm: number };

/** RM r's name in traces. */
const rmName = (r: number): string => `r${r}`;

/** The two rules the known-bug variants change. */
export interface TwoPhaseRules {
  /** TMCommit's guard: may the TM commit with `prepared` (a node set) of `n` RMs prepared? */
  tmCanCommit(prepared: number, n: number): boolean;
  /** RMChooseToAbort's guard: may an RM in state `x` abort on its own? */
  rmCanAbort(x: RMState): boolean;
}

/** The rules as TwoPhase.tla states them. */
export const TWOPHASE_RULES: TwoPhaseRules = {
  tmCanCommit: (prepared, n) => prepared === (1 << n) - 1,
  rmCanAbort: (x) => x === 'working',
};

/** How to build the machine. */
export interface TwoPhaseOptions {
  /** Reduce by RM permutations (default false: TLC's counts are without symmetry). */
  readonly symmetry?: boolean;
}

/**
 * The TwoPhase machine over `n` RMs with `rules`, without checks (the model adds them):
 * `init`, `actions`, `step`, the derived encoding, and with `symmetry` the derived renaming.
 */
export function twoPhaseMachine(n: number, rules: TwoPhaseRules = TWOPHASE_RULES, opts: TwoPhaseOptions = {}): Machine<TwoPhaseState, TwoPhaseAction> & {
  rename(s: TwoPhaseState, perm: readonly number[]): TwoPhaseState;
  symmetryClasses(): readonly (readonly number[])[];
} {
  if (n > 16) throw new RangeError('TwoPhase supports at most 16 RMs');
  const codec = compile(twoPhaseSchema, { n, name: rmName });
  const rms = Array.from({ length: n }, (_, i) => i + 1);
  const bit = (r: number) => 1 << (r - 1);
  // Action objects are data; build each once.
  const TMCommit: TwoPhaseAction = { type: 'TMCommit' };
  const TMAbort: TwoPhaseAction = { type: 'TMAbort' };
  const per = (type: 'TMRcvPrepared' | 'RMPrepare' | 'RMChooseToAbort' | 'RMRcvCommitMsg' | 'RMRcvAbortMsg') => rms.map((rm): TwoPhaseAction => ({ type, rm }));
  const rcvPrepared = per('TMRcvPrepared');
  const prepare = per('RMPrepare');
  const chooseAbort = per('RMChooseToAbort');
  const rcvCommit = per('RMRcvCommitMsg');
  const rcvAbort = per('RMRcvAbortMsg');

  const withRm = (s: TwoPhaseState, r: number, v: RMState, msgs = s.msgs): TwoPhaseState => {
    const rmState = s.rmState.slice();
    rmState[r - 1] = v;
    return { rmState, tmState: s.tmState, tmPrepared: s.tmPrepared, msgs };
  };
  const rename = (s: TwoPhaseState, perm: readonly number[]): TwoPhaseState => codec.rename(s, (id) => perm[id]!);
  const classes = [rms];
  // The pre-sort: an RM's state and whether it is in tmPrepared and msgs.prepared (derived).
  const signature = (s: TwoPhaseState): number[] => codec.nodeSignatures(s);
  const symmetry = opts.symmetry === true ? symmetryCanonicalizer<TwoPhaseState>({ n, classes, rename, encode: codec.encode, signature }) : undefined;

  return {
    name: 'twophase',
    init: () => [{ rmState: rms.map((): RMState => 'working'), tmState: 'init', tmPrepared: 0, msgs: { prepared: 0, commit: false, abort: false } }],
    actions(s) {
      const out: TwoPhaseAction[] = [];
      const tmInit = s.tmState === 'init';
      if (tmInit && rules.tmCanCommit(s.tmPrepared, n)) out.push(TMCommit);
      if (tmInit) out.push(TMAbort);
      const { prepared, commit, abort } = s.msgs;
      for (let i = 0; i < n; i++) {
        const x = s.rmState[i]!;
        if (tmInit && (prepared & (1 << i)) !== 0) out.push(rcvPrepared[i]!);
        if (x === 'working') out.push(prepare[i]!);
        if (rules.rmCanAbort(x)) out.push(chooseAbort[i]!);
        if (commit) out.push(rcvCommit[i]!);
        if (abort) out.push(rcvAbort[i]!);
      }
      return out;
    },
    step(s, a) {
      switch (a.type) {
        case 'TMRcvPrepared':
          return { rmState: s.rmState, tmState: s.tmState, tmPrepared: s.tmPrepared | bit(a.rm), msgs: s.msgs };
        case 'TMCommit':
          return { rmState: s.rmState, tmState: 'committed', tmPrepared: s.tmPrepared, msgs: { ...s.msgs, commit: true } };
        case 'TMAbort':
          return { rmState: s.rmState, tmState: 'aborted', tmPrepared: s.tmPrepared, msgs: { ...s.msgs, abort: true } };
        case 'RMPrepare':
          return withRm(s, a.rm, 'prepared', { ...s.msgs, prepared: s.msgs.prepared | bit(a.rm) });
        case 'RMChooseToAbort':
          return withRm(s, a.rm, 'aborted');
        case 'RMRcvCommitMsg':
          return withRm(s, a.rm, 'committed');
        case 'RMRcvAbortMsg':
          return withRm(s, a.rm, 'aborted');
      }
    },
    encode: codec.encode,
    // The compiled decoder: BFS holds its frontier as encodings (a few words a state).
    decode: (words: Int32Array) => codec.decode(words, { pos: 0 }),
    ...(symmetry ? { symmetry, symmetryKey: { symmetry, encode: codec.encode, write: symmetryKeyWriter<TwoPhaseState>({ n, classes, signature, encodeRenamed: codec.encodeRenamed }) } } : {}),
    rename,
    symmetryClasses: () => classes,
    formatAction: (a) => ('rm' in a ? `${a.type}(${rmName(a.rm)})` : a.type),
    actionKinds: () => ['TMCommit', 'TMAbort', 'TMRcvPrepared', 'RMPrepare', 'RMChooseToAbort', 'RMRcvCommitMsg', 'RMRcvAbortMsg'],
    // The derived view: RMs by name, msgs as the set of message records it is in TwoPhase.tla.
    view: codec.view,
    isTerminal: (s) => s.tmState !== 'init' && s.rmState.every((x) => x === 'committed' || x === 'aborted'),
  };
}

// ---------------------------------------------------------------------------------------------
// Known-bug variants: each overrides one rule.

/** A known-bug variant's name. */
export type TwoPhaseBug = 'commit-unprepared' | 'abort-after-prepare' | 'none';

/** The rules with a known bug. */
export function twoPhaseRules(bug: TwoPhaseBug): TwoPhaseRules {
  switch (bug) {
    case 'none':
      return TWOPHASE_RULES;
    case 'commit-unprepared': // the TM commits once all but one RM have reported Prepared
      return { ...TWOPHASE_RULES, tmCanCommit: (prepared, n) => popcount(prepared) >= n - 1 };
    case 'abort-after-prepare': // a prepared RM may still abort on its own
      return { ...TWOPHASE_RULES, rmCanAbort: (x) => x === 'working' || x === 'prepared' };
  }
}
