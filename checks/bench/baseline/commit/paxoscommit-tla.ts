// Bench-only baseline: impl/commit/paxoscommit-tla.ts before its schema port (commit e9fe17a), hand-written encoder and view, kept to measure the port side by side (`npm run bench -- port`). Not used by any model.
/**
 * PaxosCommit: Gray and Lamport's Paxos Commit, ported action for action from their TLA+
 * module (J. Gray and L. Lamport, "Consensus on Transaction Commit", ACM TODS 31(1), 2006,
 * appendix A.3; tlaplus/Examples, specifications/transaction_commit/PaxosCommit.tla).
 *
 * This is the failure-free, message-set view the TLA+ module takes, kept identical so that the
 * state space can be compared with TLC's (2 RMs, 3 acceptors, ballots {0, 1}: 1,321,761 distinct
 * states). `impl/commit/paxoscommit.ts` is the same algorithm run over the shared environment,
 * with crashes. As in the TLA+ module:
 * - `msgs` is the set of every message ever sent (a bitset over the finite message universe);
 *   receiving is "the message is in msgs", so loss and duplication need no modelling;
 * - `rmState[r]`: working | prepared | committed | aborted; `aState[ins][acc]`: an acceptor's
 *   (mbal, bal, val) for instance `ins` (one Paxos instance per RM: its vote);
 * - leader selection is not modelled: any process may act as the leader of any ballot > 0
 *   (Phase1a, Phase2a, Decide); ballot 0 is the RM's own fast path (RMPrepare and
 *   RMChooseToAbort send its phase 2a message directly);
 * - `Majority` is the set of minimal majorities (every set of ⌊A/2⌋ + 1 acceptors), as in the
 *   distributed PaxosCommit.cfg for 3 acceptors.
 *
 * Actions are enabled exactly as the TLA+ disjuncts are, including steps that change nothing
 * (a Phase1a already sent, an RM receiving Commit twice), and each existential choice TLC
 * enumerates is a separate action (the message a Phase1b/Phase2b answers, the majority a Phase2a
 * uses, the ballot and majority that witness Decided(rm, v) in Decide), so the generated-
 * transition count is TLC's too: for 2 RMs, 3 acceptors and ballots {0, 1}, 16,959,158
 * transitions, which with the initial state are TLC's 16,959,159 "states generated".
 */
import { assertNever, defineModel, InputError, int, type Machine } from '../../../../impl/core/machine.ts';
import type { Encoder } from '../../../../impl/core/encode.ts';
import { packRmState, rmName, rmStateTypeOk, tcConsistent, type RMState } from '../../../../specs/tcommit.ts';
import { refinesTCommit } from '../../../../specs/commit/properties.ts';

/** An acceptor's value: a vote, or none yet. */
export type PCValue = 'prepared' | 'aborted' | 'none';

/** PaxosCommit's state. `aState[(ins - 1) * A + (acc - 1)]` packs (mbal, bal, val). */
export interface PCState {
  readonly rmState: readonly RMState[];
  /** Per instance and acceptor: `mbal * 16 + (bal + 1) * 4 + valCode` (val: none 0, prepared 1, aborted 2). */
  readonly aState: readonly number[];
  /** The set of messages ever sent: bit k of word k >> 5 is message number k. */
  readonly msgs: Int32Array;
}

/** PaxosCommit's actions, as in PCNext (with TLC's existential choices made explicit). */
export type PCAction =
  | { readonly type: 'RMPrepare'; readonly rm: number }
  | { readonly type: 'RMChooseToAbort'; readonly rm: number }
  | { readonly type: 'RMRcvCommitMsg'; readonly rm: number }
  | { readonly type: 'RMRcvAbortMsg'; readonly rm: number }
  | { readonly type: 'Phase1a'; readonly bal: number; readonly rm: number }
  | { readonly type: 'Phase2a'; readonly bal: number; readonly rm: number; readonly majority: number }
  | { readonly type: 'DecideCommit'; readonly witness: number }
  | { readonly type: 'DecideAbort'; readonly rm: number; readonly bal: number; readonly majority: number }
  | { readonly type: 'Phase1b'; readonly acc: number; readonly msg: number }
  | { readonly type: 'Phase2b'; readonly acc: number; readonly msg: number };

/** A decoded message of the universe. */
export type PCMessage =
  | { readonly type: 'phase1a'; readonly ins: number; readonly bal: number }
  | { readonly type: 'phase1b'; readonly ins: number; readonly mbal: number; readonly bal: number; readonly val: PCValue; readonly acc: number }
  | { readonly type: 'phase2a'; readonly ins: number; readonly bal: number; readonly val: Exclude<PCValue, 'none'> }
  | { readonly type: 'phase2b'; readonly acc: number; readonly ins: number; readonly bal: number; readonly val: Exclude<PCValue, 'none'> }
  | { readonly type: 'Commit' }
  | { readonly type: 'Abort' };

const VALS: readonly PCValue[] = ['none', 'prepared', 'aborted'];

/** The message universe of a configuration: message number ↔ message. */
class Universe {
  readonly size: number;
  readonly words: number;
  private readonly p1a: number;
  private readonly p1b: number;
  private readonly p2a: number;
  private readonly p2b: number;
  readonly commit: number;
  readonly abort: number;
  readonly all: readonly PCMessage[];

  constructor(
    readonly R: number,
    readonly A: number,
    readonly B: number,
  ) {
    // Ballot = 0..B. phase1a: ins × (1..B); phase1b: ins × mbal (1..B) × bal (-1..B) × val × acc;
    // phase2a: ins × (0..B) × {prepared, aborted}; phase2b: acc × ins × (0..B) × val.
    this.p1a = 0;
    this.p1b = this.p1a + R * B;
    this.p2a = this.p1b + R * B * (B + 2) * 3 * A;
    this.p2b = this.p2a + R * (B + 1) * 2;
    this.commit = this.p2b + A * R * (B + 1) * 2;
    this.abort = this.commit + 1;
    this.size = this.abort + 1;
    this.words = (this.size + 31) >>> 5;
    const all: PCMessage[] = [];
    for (let k = 0; k < this.size; k++) all.push(this.decode(k));
    this.all = all;
  }

  phase1a(ins: number, bal: number): number {
    return this.p1a + (ins - 1) * this.B + (bal - 1);
  }
  /** `val`: 0 none, 1 prepared, 2 aborted. */
  phase1b(ins: number, mbal: number, bal: number, val: number, acc: number): number {
    const { B, A } = this;
    return this.p1b + ((((ins - 1) * B + (mbal - 1)) * (B + 2) + (bal + 1)) * 3 + val) * A + (acc - 1);
  }
  /** `val`: 1 prepared, 2 aborted. */
  phase2a(ins: number, bal: number, val: number): number {
    return this.p2a + ((ins - 1) * (this.B + 1) + bal) * 2 + (val - 1);
  }
  phase2b(acc: number, ins: number, bal: number, val: number): number {
    return this.p2b + (((acc - 1) * this.R + (ins - 1)) * (this.B + 1) + bal) * 2 + (val - 1);
  }

  private decode(k: number): PCMessage {
    const { R, A, B } = this;
    if (k === this.commit) return { type: 'Commit' };
    if (k === this.abort) return { type: 'Abort' };
    if (k >= this.p2b) {
      let x = k - this.p2b;
      const val = (x % 2) + 1;
      x = (x - (val - 1)) / 2;
      const bal = x % (B + 1);
      x = (x - bal) / (B + 1);
      const ins = (x % R) + 1;
      const acc = (x - (ins - 1)) / R + 1;
      return { type: 'phase2b', acc, ins, bal, val: VALS[val] as Exclude<PCValue, 'none'> };
    }
    if (k >= this.p2a) {
      let x = k - this.p2a;
      const val = (x % 2) + 1;
      x = (x - (val - 1)) / 2;
      const bal = x % (B + 1);
      const ins = (x - bal) / (B + 1) + 1;
      return { type: 'phase2a', ins, bal, val: VALS[val] as Exclude<PCValue, 'none'> };
    }
    if (k >= this.p1b) {
      let x = k - this.p1b;
      const acc = (x % A) + 1;
      x = (x - (acc - 1)) / A;
      const val = x % 3;
      x = (x - val) / 3;
      const bal = (x % (B + 2)) - 1;
      x = (x - (bal + 1)) / (B + 2);
      const mbal = (x % B) + 1;
      const ins = (x - (mbal - 1)) / B + 1;
      return { type: 'phase1b', ins, mbal, bal, val: VALS[val]!, acc };
    }
    const bal = (k % B) + 1;
    return { type: 'phase1a', ins: (k - (bal - 1)) / B + 1, bal };
  }
}

const has = (msgs: Int32Array, k: number): boolean => ((msgs[k >>> 5]! >>> (k & 31)) & 1) === 1;
const withMsg = (msgs: Int32Array, k: number): Int32Array => {
  if (has(msgs, k)) return msgs;
  const out = msgs.slice();
  out[k >>> 5]! |= 1 << (k & 31);
  return out;
};

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

/** The PaxosCommit machine of PaxosCommit.tla. */
export function makePaxosCommitTla(p: PaxosCommitTlaParams): Machine<PCState, PCAction> {
  const { rms: R, acceptors: A, maxBallot: B } = p;
  if (R < 1 || A < 1 || B < 1) throw new InputError('paxoscommit-tla needs at least 1 RM, 1 acceptor and maxBallot ≥ 1');
  const U = new Universe(R, A, B);
  if (U.size > 30 * 32) throw new InputError(`paxoscommit-tla: ${U.size} possible messages is too many; use fewer RMs, acceptors or ballots`);
  const quorum = Math.floor(A / 2) + 1;
  const majorities = subsetsOfSize(A, quorum);
  const rmList = Array.from({ length: R }, (_, i) => i + 1);
  const accList = Array.from({ length: A }, (_, i) => i + 1);
  const slot = (ins: number, acc: number) => (ins - 1) * A + (acc - 1);
  const mbalOf = (x: number) => x >>> 4;
  const balOf = (x: number) => ((x >>> 2) & 3) - 1;
  const valOf = (x: number) => x & 3;
  const pack = (mbal: number, bal: number, val: number) => mbal * 16 + (bal + 1) * 4 + val;
  const popcount = (x: number) => {
    let c = 0;
    for (; x !== 0; x &= x - 1) c++;
    return c;
  };

  // Action objects, built once.
  const per = <T extends 'RMPrepare' | 'RMChooseToAbort' | 'RMRcvCommitMsg' | 'RMRcvAbortMsg'>(type: T) =>
    rmList.map((rm) => ({ type, rm }) as PCAction);
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
  const phase1bA = new Map<number, PCAction>();
  const phase2bA = new Map<number, PCAction>();
  const actOn = (cache: Map<number, PCAction>, type: 'Phase1b' | 'Phase2b', acc: number, msg: number): PCAction => {
    const key = msg * 64 + acc;
    const old = cache.get(key);
    if (old !== undefined) return old;
    const a: PCAction = { type, acc, msg };
    cache.set(key, a);
    return a;
  };
  // The phase 1a and 2a messages, for Phase1b/Phase2b's "∃ m ∈ msgs".
  const p1aMsgs: { k: number; ins: number; bal: number }[] = [];
  for (const rm of rmList) for (let bal = 1; bal <= B; bal++) p1aMsgs.push({ k: U.phase1a(rm, bal), ins: rm, bal });
  p1aMsgs.sort((x, y) => x.k - y.k);
  const p2aMsgs: { k: number; ins: number; bal: number; val: number }[] = [];
  for (const rm of rmList) for (let bal = 0; bal <= B; bal++) for (const val of [1, 2]) p2aMsgs.push({ k: U.phase2a(rm, bal, val), ins: rm, bal, val });
  p2aMsgs.sort((x, y) => x.k - y.k);

  /** The (ballot, majority) pairs showing that instance `rm` chose `val`: Decided(rm, v)'s witnesses. */
  const decidedBy = (msgs: Int32Array, rm: number, val: number): number[] => {
    const out: number[] = [];
    for (let bal = 0; bal <= B; bal++) {
      let accs = 0;
      for (const acc of accList) if (has(msgs, U.phase2b(acc, rm, bal, val))) accs |= 1 << (acc - 1);
      majorities.forEach((ms, mi) => {
        if ((accs & ms) === ms) out.push(bal * majorities.length + mi);
      });
    }
    return out;
  };

  /** Phase2a's value for (bal, rm) with majority `ms`, or -1 when a member sent no phase 1b. */
  const phase2aValue = (msgs: Int32Array, bal: number, rm: number, ms: number): number => {
    let maxbal = -1;
    let val = 2;
    for (const acc of accList) {
      if (!((ms >>> (acc - 1)) & 1)) continue;
      let found = false;
      for (let b = -1; b <= B; b++) {
        for (let v = 0; v < 3; v++) {
          if (!has(msgs, U.phase1b(rm, bal, b, v, acc))) continue;
          found = true;
          if (b > maxbal) {
            maxbal = b;
            val = v;
          }
        }
      }
      if (!found) return -1;
    }
    return maxbal === -1 ? 2 : val;
  };

  const withRm = (s: PCState, rm: number, x: RMState, msgs = s.msgs): PCState => {
    const rmState = s.rmState.slice();
    rmState[rm - 1] = x;
    return { rmState, aState: s.aState, msgs };
  };

  return {
    name: 'paxoscommit-tla',
    init: () => [{ rmState: rmList.map((): RMState => 'working'), aState: Array.from({ length: R * A }, () => pack(0, -1, 0)), msgs: new Int32Array(U.words) }],
    actions(s) {
      const out: PCAction[] = [];
      const { msgs } = s;
      const commitSent = has(msgs, U.commit);
      const abortSent = has(msgs, U.abort);
      for (let i = 0; i < R; i++) {
        const working = s.rmState[i] === 'working';
        if (working) out.push(prepareA[i]!, chooseAbortA[i]!);
        if (commitSent) out.push(rcvCommitA[i]!);
        if (abortSent) out.push(rcvAbortA[i]!);
      }
      for (let bal = 1; bal <= B; bal++) {
        for (const rm of rmList) {
          out.push(phase1aA[bal]![rm - 1]!);
          if (has(msgs, U.phase2a(rm, bal, 1)) || has(msgs, U.phase2a(rm, bal, 2))) continue;
          majorities.forEach((ms, mi) => {
            if (phase2aValue(msgs, bal, rm, ms) >= 0) out.push(phase2aA[bal]![rm - 1]![mi]!);
          });
        }
      }
      const commitBy = rmList.map((rm) => decidedBy(msgs, rm, 1));
      if (commitBy.every((w) => w.length > 0)) {
        // Every combination of one witness per instance (mixed radix over the witness lists).
        const total = commitBy.reduce((p, w) => p * w.length, 1);
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
        for (const w of decidedBy(msgs, rm, 2)) out.push(decideAbortA[rm - 1]![Math.floor(w / majorities.length)]![w % majorities.length]!);
      }
      for (const acc of accList) {
        for (const m of p1aMsgs) {
          if (has(msgs, m.k) && mbalOf(s.aState[slot(m.ins, acc)]!) < m.bal) out.push(actOn(phase1bA, 'Phase1b', acc, m.k));
        }
        for (const m of p2aMsgs) {
          if (has(msgs, m.k) && mbalOf(s.aState[slot(m.ins, acc)]!) <= m.bal) out.push(actOn(phase2bA, 'Phase2b', acc, m.k));
        }
      }
      return out;
    },
    step(s, a) {
      switch (a.type) {
        case 'RMPrepare':
          return withRm(s, a.rm, 'prepared', withMsg(s.msgs, U.phase2a(a.rm, 0, 1)));
        case 'RMChooseToAbort':
          return withRm(s, a.rm, 'aborted', withMsg(s.msgs, U.phase2a(a.rm, 0, 2)));
        case 'RMRcvCommitMsg':
          return withRm(s, a.rm, 'committed');
        case 'RMRcvAbortMsg':
          return withRm(s, a.rm, 'aborted');
        case 'Phase1a':
          return { rmState: s.rmState, aState: s.aState, msgs: withMsg(s.msgs, U.phase1a(a.rm, a.bal)) };
        case 'Phase2a': {
          const val = phase2aValue(s.msgs, a.bal, a.rm, majorities[a.majority]!);
          return { rmState: s.rmState, aState: s.aState, msgs: withMsg(s.msgs, U.phase2a(a.rm, a.bal, val)) };
        }
        case 'DecideCommit':
          return { rmState: s.rmState, aState: s.aState, msgs: withMsg(s.msgs, U.commit) };
        case 'DecideAbort':
          return { rmState: s.rmState, aState: s.aState, msgs: withMsg(s.msgs, U.abort) };
        case 'Phase1b': {
          const m = U.all[a.msg] as Extract<PCMessage, { type: 'phase1a' }>;
          const i = slot(m.ins, a.acc);
          const x = s.aState[i]!;
          const aState = s.aState.slice();
          aState[i] = pack(m.bal, balOf(x), valOf(x));
          return { rmState: s.rmState, aState, msgs: withMsg(s.msgs, U.phase1b(m.ins, m.bal, balOf(x), valOf(x), a.acc)) };
        }
        case 'Phase2b': {
          const m = U.all[a.msg] as Extract<PCMessage, { type: 'phase2a' }>;
          const i = slot(m.ins, a.acc);
          const val = m.val === 'prepared' ? 1 : 2;
          const aState = s.aState.slice();
          aState[i] = pack(m.bal, m.bal, val);
          return { rmState: s.rmState, aState, msgs: withMsg(s.msgs, U.phase2b(a.acc, m.ins, m.bal, val)) };
        }
        default:
          return assertNever(a);
      }
    },
    invariants: [
      {
        name: 'type-ok',
        doc: 'PCTypeOK: every variable has its declared type',
        check(s) {
          const rm = rmStateTypeOk(s.rmState, R);
          if (rm !== true) return rm;
          for (let i = 0; i < R * A; i++) {
            const x = s.aState[i]!;
            if (mbalOf(x) > B || balOf(x) > B || valOf(x) > 2) return `aState[${rmName(Math.floor(i / A) + 1)}][a${(i % A) + 1}] is out of range`;
          }
          return true;
        },
      },
      tcConsistent((s: PCState) => s.rmState),
    ],
    properties: [refinesTCommit<PCState, PCAction>(R, (s) => s.rmState)],
    sometimes: [
      { name: 'all-committed', doc: 'every RM commits', check: (s) => s.rmState.every((x) => x === 'committed') },
      { name: 'some-aborted', doc: 'an RM aborts', check: (s) => s.rmState.includes('aborted') },
      {
        name: 'higher-ballot-decides',
        doc: 'a ballot above 0 gets a value chosen (a leader other than the RM decided an instance)',
        check: (s) => rmList.some((rm) => [1, 2].some((v) => accList.filter((acc) => has(s.msgs, U.phase2b(acc, rm, B, v))).length >= quorum)),
      },
    ],
    encode(s: PCState, out: Encoder) {
      out.int(packRmState(s.rmState));
      let w = 0;
      let k = 0;
      for (const x of s.aState) {
        w |= x << (6 * k);
        if (++k === 5) {
          out.int(w);
          w = 0;
          k = 0;
        }
      }
      if (k > 0) out.int(w);
      for (let i = 0; i < s.msgs.length; i++) out.int(s.msgs[i]!);
    },
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
          return `Phase2a(${a.bal}, ${rmName(a.rm)}) with {${accList.filter((acc) => (majorities[a.majority]! >>> (acc - 1)) & 1).map((x) => `a${x}`).join(',')}}`;
        case 'DecideCommit':
          return 'Decide(commit)';
        case 'DecideAbort':
          return `Decide(abort: ${rmName(a.rm)} aborted in ballot ${a.bal})`;
        case 'Phase1b':
        case 'Phase2b':
          return `${a.type}(a${a.acc}) on ${formatMsg(U.all[a.msg]!)}`;
        default:
          return assertNever(a);
      }
    },
    view(s) {
      const aState: Record<string, Record<string, { mbal: number; bal: number; val: PCValue }>> = {};
      for (const rm of rmList) {
        const row: Record<string, { mbal: number; bal: number; val: PCValue }> = {};
        for (const acc of accList) {
          const x = s.aState[slot(rm, acc)]!;
          row[`a${acc}`] = { mbal: mbalOf(x), bal: balOf(x), val: VALS[valOf(x)]! };
        }
        aState[rmName(rm)] = row;
      }
      const msgs: string[] = [];
      for (let k = 0; k < U.size; k++) if (has(s.msgs, k)) msgs.push(formatMsg(U.all[k]!));
      return { rmState: Object.fromEntries(s.rmState.map((x, i) => [rmName(i + 1), x])), aState, msgs };
    },
    isTerminal: () => false,
  };
}

function formatMsg(m: PCMessage): string {
  switch (m.type) {
    case 'phase1a':
      return `1a(${rmName(m.ins)}, bal ${m.bal})`;
    case 'phase1b':
      return `1b(${rmName(m.ins)}, mbal ${m.mbal}, bal ${m.bal}, ${m.val}, a${m.acc})`;
    case 'phase2a':
      return `2a(${rmName(m.ins)}, bal ${m.bal}, ${m.val})`;
    case 'phase2b':
      return `2b(${rmName(m.ins)}, bal ${m.bal}, ${m.val}, a${m.acc})`;
    case 'Commit':
    case 'Abort':
      return m.type;
    default:
      return assertNever(m);
  }
}

/** The PaxosCommit (TLA+ port) registry entry. */
export const paxosCommitTlaModel = defineModel({
  name: 'paxoscommit-tla',
  doc: 'Paxos Commit as in Gray & Lamport\'s PaxosCommit.tla (message set, no failures); refines TCommit; TLC: 1,321,761 states for 2 RMs, 3 acceptors, ballots {0,1}',
  params: {
    rms: int(2, 1, 4, 'number of resource managers (one Paxos instance each)'),
    acceptors: int(3, 1, 5, 'number of acceptors'),
    maxBallot: int(1, 1, 3, 'largest ballot number (Ballot = 0..maxBallot)'),
  },
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { rms: [1, 3], acceptors: [1, 4], maxBallot: [1, 2] },
  build: (p) => makePaxosCommitTla(p),
});
