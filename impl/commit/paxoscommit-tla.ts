/**
 * PaxosCommit: Gray and Lamport's Paxos Commit, ported action for action from their TLA+
 * module (J. Gray and L. Lamport, "Consensus on Transaction Commit", ACM TODS 31(1), 2006,
 * appendix A.3; tlaplus/Examples, specifications/transaction_commit/PaxosCommit.tla).
 *
 * This is the failure-free, message-set view the TLA+ module takes, kept identical so that the
 * state space can be compared with TLC's (2 RMs, 3 acceptors, ballots {0, 1}: 1,321,761 distinct
 * states). `impl/commit/paxoscommit.ts` is the same algorithm run over the shared environment,
 * with crashes. As in the TLA+ module:
 * - `msgs` is the set of every message ever sent, one set per message type (`phase1a`,
 *   `phase1b`, `phase2a`, `phase2b`; `commit` and `abort` say whether Commit and Abort were
 *   sent); receiving is "the message is in msgs", so loss and duplication need no modelling;
 * - `rmState[r]`: working | prepared | committed | aborted; `aState[ins][acc]`: an acceptor's
 *   (mbal, bal, val) for instance `ins` (one Paxos instance per RM: its vote);
 * - leader selection is not modelled: any process may act as the leader of any ballot > 0
 *   (Phase1a, Phase2a, Decide); ballot 0 is the RM's own fast path (RMPrepare and
 *   RMChooseToAbort send its phase 2a message directly);
 * - `Majority` is the set of minimal majorities (every set of ⌊A/2⌋ + 1 acceptors), as in the
 *   distributed PaxosCommit.cfg for 3 acceptors.
 *
 * The data is declared once, as a schema ({@link paxosCommitTlaSchema}); its encoding, decoder,
 * view and validity check are derived. RMs are nodes `r1..rR` (ids 1..R) and acceptors nodes
 * `a1..aA` (ids R+1..R+A), so traces name them.
 *
 * Actions are enabled exactly as the TLA+ disjuncts are, including steps that change nothing
 * (a Phase1a already sent, an RM receiving Commit twice), and each existential choice TLC
 * enumerates is a separate action (the message a Phase1b/Phase2b answers, the majority a Phase2a
 * uses, the ballot and majority that witness Decided(rm, v) in Decide), so the generated-
 * transition count is TLC's too: for 2 RMs, 3 acceptors and ballots {0, 1}, 16,959,158
 * transitions, which with the initial state are TLC's 16,959,159 "states generated".
 * The checks (PCTypeOK, TCConsistent, the refinement of TCommit) and the model are in
 * `specs/models/paxoscommit-tla.ts`.
 */
import { assertNever, InputError, type Machine } from '../core/machine.ts';
import { WordBuffer } from '../core/encode.ts';
import { compile, S, SchemaError, type Infer } from '../env/schema.ts';
import { RM_STATE, type RMState } from './common.ts';

/** An acceptor's value: a vote, or none yet (schema). */
export const PC_VALUE = S.enum('none', 'prepared', 'aborted');
/** A vote (schema). */
export const PC_VOTE = S.enum('prepared', 'aborted');
/** An acceptor's value: a vote, or none yet. */
export type PCValue = Infer<typeof PC_VALUE>;
/** A vote. */
export type PCVote = Infer<typeof PC_VOTE>;

/** PaxosCommit's data for ballots `0..maxBallot`: the three TLA+ variables. */
export function paxosCommitTlaSchema(maxBallot: number) {
  const B = maxBallot;
  return S.record({
    rmState: S.perRole('rm', RM_STATE),
    aState: S.perRole('rm', S.perRole('acceptor', S.record({ mbal: S.int(0, B), bal: S.int(-1, B), val: PC_VALUE }))),
    msgs: S.record({
      phase1a: S.set(S.record({ ins: S.node('rm'), bal: S.int(1, B) })),
      phase1b: S.set(S.record({ ins: S.node('rm'), mbal: S.int(1, B), bal: S.int(-1, B), val: PC_VALUE, acc: S.node('acceptor') })),
      phase2a: S.set(S.record({ ins: S.node('rm'), bal: S.int(0, B), val: PC_VOTE })),
      phase2b: S.set(S.record({ acc: S.node('acceptor'), ins: S.node('rm'), bal: S.int(0, B), val: PC_VOTE })),
      commit: S.bool(),
      abort: S.bool(),
    }),
  });
}

/** PaxosCommit's state (`aState[ins - 1][k]` is acceptor `a(k+1)`'s state for instance `ins`). */
export type PCState = Infer<ReturnType<typeof paxosCommitTlaSchema>>;
/** The set of messages ever sent. */
export type PCMsgs = PCState['msgs'];
/** A phase 1b message. */
export type PC1b = PCMsgs['phase1b'][number];

/**
 * PaxosCommit's actions, as in PCNext (with TLC's existential choices made explicit). RMs and
 * instances are numbered 1..R, acceptors 1..A (node `a<acc>`); `majority` indexes the minimal
 * majorities in lexicographic order.
 */
export type PCAction =
  | { readonly type: 'RMPrepare'; readonly rm: number }
  | { readonly type: 'RMChooseToAbort'; readonly rm: number }
  | { readonly type: 'RMRcvCommitMsg'; readonly rm: number }
  | { readonly type: 'RMRcvAbortMsg'; readonly rm: number }
  | { readonly type: 'Phase1a'; readonly bal: number; readonly rm: number }
  | { readonly type: 'Phase2a'; readonly bal: number; readonly rm: number; readonly majority: number }
  | { readonly type: 'DecideCommit'; readonly witness: number }
  | { readonly type: 'DecideAbort'; readonly rm: number; readonly bal: number; readonly majority: number }
  | { readonly type: 'Phase1b'; readonly acc: number; readonly ins: number; readonly bal: number }
  | { readonly type: 'Phase2b'; readonly acc: number; readonly ins: number; readonly bal: number; readonly val: PCVote };

/** A value's code (its rank in {@link PC_VALUE}; votes keep their relative order in {@link PC_VOTE}). */
const valCode = (v: PCValue): number => (v === 'none' ? 0 : v === 'prepared' ? 1 : 2);
type Msg<K extends 'phase1a' | 'phase1b' | 'phase2a' | 'phase2b'> = PCMsgs[K][number];
// The order of each set's encoding: by the last declared field first (see `send`).
const by1a = (x: Msg<'phase1a'>, y: Msg<'phase1a'>): number => x.bal - y.bal || x.ins - y.ins;
const by1b = (x: PC1b, y: PC1b): number => x.acc - y.acc || valCode(x.val) - valCode(y.val) || x.bal - y.bal || x.mbal - y.mbal || x.ins - y.ins;
const by2a = (x: Msg<'phase2a'>, y: Msg<'phase2a'>): number => valCode(x.val) - valCode(y.val) || x.bal - y.bal || x.ins - y.ins;
const by2b = (x: Msg<'phase2b'>, y: Msg<'phase2b'>): number => valCode(x.val) - valCode(y.val) || x.bal - y.bal || x.ins - y.ins || x.acc - y.acc;

/** Every subset of `1..A` with `size` members, as bitsets (bit i-1: acceptor i), in lexicographic order. */
function subsetsOfSize(A: number, size: number): number[] {
  const out: number[] = [];
  for (let mask = 0; mask < 1 << A; mask++) {
    let c = 0;
    for (let x = mask; x !== 0; x &= x - 1) c++;
    if (c === size) out.push(mask);
  }
  return out;
}

/** The parameters of a PaxosCommit configuration. */
export interface PaxosCommitTlaParams {
  /** Resource managers (instances). */
  readonly rms: number;
  /** Acceptors. */
  readonly acceptors: number;
  /** The largest ballot: Ballot = 0..maxBallot. */
  readonly maxBallot: number;
}

/** What the model's checks read besides the state. */
export interface PaxosCommitTlaExtras {
  /** PCTypeOK: true, or the first variable outside its declared type (the schema's check). */
  typeOk(s: PCState): true | string;
  /** Did a majority of acceptors accept `val` for instance `ins` in ballot `bal` (a phase 2b quorum)? */
  chosenIn(s: PCState, ins: number, bal: number, val: PCVote): boolean;
}

/** The PaxosCommit machine of PaxosCommit.tla, without checks (the model adds them). */
export function paxosCommitTlaMachine(p: PaxosCommitTlaParams): Machine<PCState, PCAction> & PaxosCommitTlaExtras {
  const { rms: R, acceptors: A, maxBallot: B } = p;
  if (!(R >= 1 && A >= 1 && B >= 1)) throw new InputError('paxoscommit-tla needs at least 1 RM, 1 acceptor and maxBallot ≥ 1');
  // The enabling conditions keep the phase 2a messages sent in one 32-bit word.
  if (R * (B + 1) * 2 > 32) throw new InputError(`paxoscommit-tla: rms × (maxBallot + 1) must be at most 16, got ${R} × ${B + 1}`);
  const rmList = Array.from({ length: R }, (_, i) => i + 1);
  const accList = Array.from({ length: A }, (_, i) => i + 1);
  /** Acceptor `acc`'s node id. */
  const accId = (acc: number): number => R + acc;
  const name = (id: number): string => (id <= R ? `r${id}` : `a${id - R}`);
  const schema = paxosCommitTlaSchema(B);
  const codec = compile(schema, { n: R + A, name, members: (role) => (role === 'rm' ? rmList : accList.map(accId)) });
  const scratch = new WordBuffer();
  const quorum = Math.floor(A / 2) + 1;
  const majorities = subsetsOfSize(A, quorum);
  const accsOf = (ms: number): number[] => accList.filter((acc) => (ms >>> (acc - 1)) & 1);

  // Action objects, built once.
  const per = <T extends 'RMPrepare' | 'RMChooseToAbort' | 'RMRcvCommitMsg' | 'RMRcvAbortMsg'>(type: T) => rmList.map((rm) => ({ type, rm }) as PCAction);
  const prepareA = per('RMPrepare');
  const chooseAbortA = per('RMChooseToAbort');
  const rcvCommitA = per('RMRcvCommitMsg');
  const rcvAbortA = per('RMRcvAbortMsg');
  // Decide's existential choices, which TLC enumerates: for abort, the instance, ballot and
  // majority that show the instance chose `aborted`; for commit, one (ballot, majority) per
  // instance (`witness` numbers the combination).
  const decideAbortA = rmList.map((rm) => Array.from({ length: B + 1 }, (_, bal) => majorities.map((_, mi): PCAction => ({ type: 'DecideAbort', rm, bal, majority: mi }))));
  const decideCommitA: PCAction[] = [];
  const decideCommit = (witness: number): PCAction => (decideCommitA[witness] ??= { type: 'DecideCommit', witness });
  const phase1aA: PCAction[][] = [];
  const phase2aA: PCAction[][][] = [];
  for (let bal = 1; bal <= B; bal++) {
    phase1aA[bal] = rmList.map((rm): PCAction => ({ type: 'Phase1a', bal, rm }));
    phase2aA[bal] = rmList.map((rm) => majorities.map((_, mi): PCAction => ({ type: 'Phase2a', bal, rm, majority: mi })));
  }
  // Phase1b/Phase2b: per acceptor, the message answered, in TLC's order (instance, ballot, value).
  const phase1bA = accList.map((acc) => rmList.map((ins) => Array.from({ length: B + 1 }, (_, bal): PCAction => ({ type: 'Phase1b', acc, ins, bal }))));
  const phase2bA = accList.map((acc) =>
    rmList.map((ins) => Array.from({ length: B + 1 }, (_, bal) => (['prepared', 'aborted'] as const).map((val): PCAction => ({ type: 'Phase2b', acc, ins, bal, val })))),
  );

  // ---- the message set

  /** The acceptors (bit acc-1) whose phase 2b message (ins, bal, val) is in msgs. */
  const accepted = (m: PCMsgs, ins: number, bal: number, val: PCVote): number => {
    let accs = 0;
    for (const x of m.phase2b) if (x.ins === ins && x.bal === bal && x.val === val) accs |= 1 << (x.acc - R - 1);
    return accs;
  };
  /**
   * `msgs ∪ {x}`, sharing what is unchanged. Each set is kept in the order of its encoding (the
   * schema writes a set's packed words sorted, and the last field is the most significant), so
   * the state decoded from an encoding (`--frontier encoded`) equals the state; BFS checks that
   * on its first states. `cmp` compares two messages in that order.
   */
  const send = <K extends 'phase1a' | 'phase1b' | 'phase2a' | 'phase2b'>(m: PCMsgs, kind: K, x: Msg<K>, cmp: (a: Msg<K>, b: Msg<K>) => number): PCMsgs => {
    const set = m[kind] as readonly Msg<K>[];
    let i = 0;
    for (; i < set.length; i++) {
      const c = cmp(set[i]!, x);
      if (c === 0) return m;
      if (c > 0) break;
    }
    const to = set.slice(0, i);
    to.push(x);
    for (; i < set.length; i++) to.push(set[i]!);
    const { phase1a, phase1b, phase2a, phase2b, commit, abort } = m;
    switch (kind) {
      case 'phase1a':
        return { phase1a: to as PCMsgs['phase1a'], phase1b, phase2a, phase2b, commit, abort };
      case 'phase1b':
        return { phase1a, phase1b: to as PCMsgs['phase1b'], phase2a, phase2b, commit, abort };
      case 'phase2a':
        return { phase1a, phase1b, phase2a: to as PCMsgs['phase2a'], phase2b, commit, abort };
      default:
        return { phase1a, phase1b, phase2a, phase2b: to as PCMsgs['phase2b'], commit, abort };
    }
  };

  /** The (ballot, majority) pairs showing that instance `rm` chose `val`: Decided(rm, v)'s witnesses. */
  const decidedBy = (m: PCMsgs, rm: number, val: PCVote): number[] => {
    const out: number[] = [];
    for (let bal = 0; bal <= B; bal++) {
      const accs = accepted(m, rm, bal, val);
      if (accs === 0) continue;
      majorities.forEach((ms, mi) => {
        if ((accs & ms) === ms) out.push(bal * majorities.length + mi);
      });
    }
    return out;
  };

  /**
   * Phase2a's value for (bal, rm) with majority `ms`, or null when a member sent no phase 1b for
   * it: the value of the highest-ballot report (the first such report in acceptor, then value
   * order, as TLC's CHOOSE picks it here), or `aborted` if no member accepted anything.
   */
  const phase2aValue = (m: PCMsgs, bal: number, rm: number, ms: number): PCVote | null => {
    let found = 0;
    let best: PC1b | null = null;
    for (const x of m.phase1b) {
      if (x.ins !== rm || x.mbal !== bal) continue;
      const acc = x.acc - R;
      if (!((ms >>> (acc - 1)) & 1)) continue;
      found |= 1 << (acc - 1);
      if (x.bal === -1) continue;
      if (best === null || x.bal > best.bal || (x.bal === best.bal && (x.acc < best.acc || (x.acc === best.acc && PC_VALUE.values.indexOf(x.val) < PC_VALUE.values.indexOf(best.val))))) best = x;
    }
    if (found !== ms) return null;
    return best === null ? 'aborted' : (best.val as PCVote);
  };

  const withRm = (s: PCState, rm: number, x: RMState, msgs = s.msgs): PCState => {
    const rmState = s.rmState.slice();
    rmState[rm - 1] = x;
    return { rmState, aState: s.aState, msgs };
  };
  const withAcc = (s: PCState, ins: number, acc: number, x: PCState['aState'][number][number], msgs: PCMsgs): PCState => {
    const aState = s.aState.slice();
    const row = aState[ins - 1]!.slice();
    row[acc - 1] = x;
    aState[ins - 1] = row;
    return { rmState: s.rmState, aState, msgs };
  };
  const withMsgs = (s: PCState, msgs: PCMsgs): PCState => (msgs === s.msgs ? s : { rmState: s.rmState, aState: s.aState, msgs });
  const send2a = (m: PCMsgs, ins: number, bal: number, val: PCVote): PCMsgs => send(m, 'phase2a', { ins, bal, val }, by2a);
  const rmName = (rm: number): string => name(rm);
  const accName = (acc: number): string => name(accId(acc));

  return {
    name: 'paxoscommit-tla',
    init: () => [
      {
        rmState: rmList.map((): RMState => 'working'),
        aState: rmList.map(() => accList.map(() => ({ mbal: 0, bal: -1, val: 'none' as PCValue }))),
        msgs: { phase1a: [], phase1b: [], phase2a: [], phase2b: [], commit: false, abort: false },
      },
    ],
    actions(s) {
      const out: PCAction[] = [];
      const { msgs } = s;
      // The phase 1a and 2a messages sent, as bitsets (one pass over each set).
      let sent1a = 0; // bit (ins - 1) * B + bal - 1
      for (const x of msgs.phase1a) sent1a |= 1 << ((x.ins - 1) * B + x.bal - 1);
      let sent2a = 0; // bit ((ins - 1) * (B + 1) + bal) * 2 + (0 prepared, 1 aborted): at most 4 × 4 × 2 bits
      for (const x of msgs.phase2a) sent2a |= 1 << (((x.ins - 1) * (B + 1) + x.bal) * 2 + (x.val === 'prepared' ? 0 : 1));
      for (let i = 0; i < R; i++) {
        if (s.rmState[i] === 'working') out.push(prepareA[i]!, chooseAbortA[i]!);
        if (msgs.commit) out.push(rcvCommitA[i]!);
        if (msgs.abort) out.push(rcvAbortA[i]!);
      }
      for (let bal = 1; bal <= B; bal++) {
        for (const rm of rmList) {
          out.push(phase1aA[bal]![rm - 1]!);
          if ((sent2a >>> (((rm - 1) * (B + 1) + bal) * 2)) & 3) continue;
          majorities.forEach((ms, mi) => {
            if (phase2aValue(msgs, bal, rm, ms) !== null) out.push(phase2aA[bal]![rm - 1]![mi]!);
          });
        }
      }
      const commitBy = rmList.map((rm) => decidedBy(msgs, rm, 'prepared'));
      if (commitBy.every((w) => w.length > 0)) {
        // Every combination of one witness per instance (mixed radix over the witness lists).
        const total = commitBy.reduce((n, w) => n * w.length, 1);
        for (let c = 0; c < total; c++) {
          let witness = 0;
          let rest = c;
          for (const w of commitBy) {
            witness = witness * (B + 1) * majorities.length + w[rest % w.length]!;
            rest = Math.floor(rest / w.length);
          }
          out.push(decideCommit(witness));
        }
      }
      for (const rm of rmList) {
        for (const w of decidedBy(msgs, rm, 'aborted')) out.push(decideAbortA[rm - 1]![Math.floor(w / majorities.length)]![w % majorities.length]!);
      }
      for (const acc of accList) {
        // Phase1b answers a phase 1a message of a higher ballot; Phase2b a phase 2a message of
        // at least the acceptor's ballot.
        for (const ins of rmList) {
          const mbal = s.aState[ins - 1]![acc - 1]!.mbal;
          for (let bal = mbal + 1; bal <= B; bal++) if ((sent1a >>> ((ins - 1) * B + bal - 1)) & 1) out.push(phase1bA[acc - 1]![ins - 1]![bal]!);
        }
        for (const ins of rmList) {
          const mbal = s.aState[ins - 1]![acc - 1]!.mbal;
          for (let bal = mbal; bal <= B; bal++) {
            const both = (sent2a >>> (((ins - 1) * (B + 1) + bal) * 2)) & 3;
            if (both & 1) out.push(phase2bA[acc - 1]![ins - 1]![bal]![0]!);
            if (both & 2) out.push(phase2bA[acc - 1]![ins - 1]![bal]![1]!);
          }
        }
      }
      return out;
    },
    step(s, a) {
      switch (a.type) {
        case 'RMPrepare':
          return withRm(s, a.rm, 'prepared', send2a(s.msgs, a.rm, 0, 'prepared'));
        case 'RMChooseToAbort':
          return withRm(s, a.rm, 'aborted', send2a(s.msgs, a.rm, 0, 'aborted'));
        case 'RMRcvCommitMsg':
          return withRm(s, a.rm, 'committed');
        case 'RMRcvAbortMsg':
          return withRm(s, a.rm, 'aborted');
        case 'Phase1a':
          return withMsgs(s, send(s.msgs, 'phase1a', { ins: a.rm, bal: a.bal }, by1a));
        case 'Phase2a': {
          const val = phase2aValue(s.msgs, a.bal, a.rm, majorities[a.majority]!);
          if (val === null) throw new Error(`Phase2a(${a.bal}, ${rmName(a.rm)}) is not enabled`);
          return withMsgs(s, send2a(s.msgs, a.rm, a.bal, val));
        }
        case 'DecideCommit':
          return s.msgs.commit ? s : withMsgs(s, { ...s.msgs, commit: true });
        case 'DecideAbort':
          return s.msgs.abort ? s : withMsgs(s, { ...s.msgs, abort: true });
        case 'Phase1b': {
          const x = s.aState[a.ins - 1]![a.acc - 1]!;
          const m: PC1b = { ins: a.ins, mbal: a.bal, bal: x.bal, val: x.val, acc: accId(a.acc) };
          return withAcc(s, a.ins, a.acc, { mbal: a.bal, bal: x.bal, val: x.val }, send(s.msgs, 'phase1b', m, by1b));
        }
        case 'Phase2b': {
          const msgs = send(s.msgs, 'phase2b', { acc: accId(a.acc), ins: a.ins, bal: a.bal, val: a.val }, by2b);
          return withAcc(s, a.ins, a.acc, { mbal: a.bal, bal: a.bal, val: a.val }, msgs);
        }
        default:
          return assertNever(a);
      }
    },
    encode: codec.encode,
    // The compiled decoder: BFS may hold its frontier as encodings (`--frontier encoded`).
    decode: (words: Int32Array) => codec.decode(words, { pos: 0 }),
    view: codec.view,
    formatAction(a) {
      switch (a.type) {
        case 'RMPrepare':
        case 'RMChooseToAbort':
        case 'RMRcvCommitMsg':
        case 'RMRcvAbortMsg':
          return `${a.type}(${rmName(a.rm)})`;
        case 'Phase1a':
          return `Phase1a(${a.bal}, ${rmName(a.rm)})`;
        case 'Phase2a':
          return `Phase2a(${a.bal}, ${rmName(a.rm)}) with {${accsOf(majorities[a.majority]!).map(accName).join(',')}}`;
        case 'DecideCommit':
          return 'Decide(commit)';
        case 'DecideAbort':
          return `Decide(abort: ${rmName(a.rm)} aborted in ballot ${a.bal})`;
        case 'Phase1b':
          return `Phase1b(${accName(a.acc)}) on 1a(${rmName(a.ins)}, bal ${a.bal})`;
        case 'Phase2b':
          return `Phase2b(${accName(a.acc)}) on 2a(${rmName(a.ins)}, bal ${a.bal}, ${a.val})`;
        default:
          return assertNever(a);
      }
    },
    isTerminal: () => false,
    typeOk(s) {
      // The compiled encoder checks every field's declared range and type as it writes.
      scratch.reset();
      try {
        codec.encode(s, scratch);
      } catch (e) {
        if (e instanceof SchemaError) return e.message;
        throw e;
      }
      return true;
    },
    chosenIn: (s, ins, bal, val) => {
      let c = 0;
      for (let x = accepted(s.msgs, ins, bal, val); x !== 0; x &= x - 1) c++;
      return c >= quorum;
    },
  };
}
