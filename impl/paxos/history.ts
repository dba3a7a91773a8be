/**
 * The ghost history Paxos and Multi-Paxos keep for their checks, and the vocabulary the reducers
 * and `specs/paxos.ts` share: ballots, values and their names, the history's schema, the
 * recording steps the handlers emit as ghost effects, and the analysis of what is chosen (a
 * restart is remembered only while nothing is chosen, so recording needs it too). Nodes never
 * read the history.
 */
import { S, type Infer } from '../env/schema.ts';

/** A value's name in traces: `v1`; 0 (no value) is `nil`. */
export const valueName = (v: number): string => (v === 0 ? 'nil' : `v${v}`);

/** A ballot (`b2`) and a value (`v1`; 0 is `nil`) as messages and local steps label them. */
export const ballotSchema = (ballots: number) => S.labelled(S.int(0, ballots), (b) => `b${b}`);
export const valueSchema = (values: number) => S.labelled(S.int(0, values), valueName);

/** A ballot number; 0 means "none". */
export type Ballot = number;
/** A value: proposer k's own value is k (`v1`, `v2`, …); 0 means "no value" (`nil`). */
export type Value = number;

/** A majority of the acceptors. */
export const majority = (acceptors: number): number => Math.floor(acceptors / 2) + 1;

/** The largest slot count, ballot number and value a history holds. */
export const PAXOS_LIMITS = { slots: 8, ballot: 63, value: 31, acceptors: 16 } as const;

/** The ghost history's schema: acceptors are the nodes of role `acceptor`. */
export const paxosHistorySchema = (slots: number, ballots: number) => {
  const B = S.int(0, ballots);
  return S.record({
    /** Every 2b vote cast: acceptor voted for value in ballot of slot (from 0). */
    // (Fields declared least significant first: the packed words then sort like voteKey, the
    // order recordVote keeps, and the encoder needs no sort.)
    // Labelled `a1 voted v1 in b2` (`… in b2 slot 1` with several slots) in traces.
    votes: S.set(
      S.labelled(S.record({ acceptor: S.node('acceptor'), value: S.int(0, PAXOS_LIMITS.value), ballot: B, slot: S.int(0, slots - 1) }), (v, at) =>
        `${at.name(v.acceptor)} voted ${valueName(v.value)} in b${v.ballot}${slots > 1 ? ` slot ${v.slot + 1}` : ''}`,
      ),
    ),
    /** The values proposers put forward as their own (bit v for value v). */
    inputs: S.int(0, 0x7fffffff),
    /** Per acceptor: the highest ballot it has promised, by a 1b or by accepting. */
    promised: S.perRole('acceptor', B),
    /** Some acceptor restarted while no value was chosen yet. */
    restartedUnchosen: S.bool(),
  });
};

/** The ghost history a Paxos machine keeps for its checks; nodes never read it. */
export type PaxosHistory = Infer<ReturnType<typeof paxosHistorySchema>>;
/** One 2b vote. */
export type Vote = PaxosHistory['votes'][number];

/** The order of votes: (slot, ballot, value, acceptor). */
export const voteKey = (v: Vote): number => ((v.slot * 64 + v.ballot) * 32 + v.value) * 32 + v.acceptor;

/** The empty history for `acceptors` acceptors. */
export function emptyHistory(acceptors: number): PaxosHistory {
  return { votes: [], inputs: 0, promised: Array.from({ length: acceptors }, () => 0), restartedUnchosen: false };
}

/** The history with one more vote (a no-op when that vote was already cast). */
export function recordVote(g: PaxosHistory, slot: number, ballot: Ballot, value: Value, acceptor: number): PaxosHistory {
  const v: Vote = { slot, ballot, value, acceptor };
  const k = voteKey(v);
  if (g.votes.some((x) => voteKey(x) === k)) return g;
  return { ...g, votes: [...g.votes, v].sort((a, b) => voteKey(a) - voteKey(b)) };
}

/** The history after acceptor `a` (its rank among acceptors is a - 1) promised `ballot`, if higher than before. */
export function recordPromise(g: PaxosHistory, a: number, ballot: Ballot): PaxosHistory {
  if (g.promised[a - 1]! >= ballot) return g;
  const promised = g.promised.slice();
  promised[a - 1] = ballot;
  return { ...g, promised };
}

/** The history after a proposer put forward its own value. */
export function recordInput(g: PaxosHistory, value: Value): PaxosHistory {
  const inputs = g.inputs | (1 << value);
  return inputs === g.inputs ? g : { ...g, inputs };
}

/** The history after an acceptor restarted (remembered if nothing was chosen yet). */
export function recordRestart(g: PaxosHistory, acceptors: number, slots: number): PaxosHistory {
  if (g.restartedUnchosen || analyse(g, acceptors, slots).quorums.length > 0) return g;
  return { ...g, restartedUnchosen: true };
}

/** A majority of the acceptors voted for `value` in `ballot` of `slot`: these acceptors (ids). */
export interface ChosenQuorum {
  readonly slot: number;
  readonly ballot: Ballot;
  readonly value: Value;
  readonly acceptors: readonly number[];
}

/** What the history says was chosen. */
export interface PaxosAnalysis {
  /** Per slot: the chosen values, sorted (at most one, when the protocol is correct). */
  readonly chosen: readonly (readonly Value[])[];
  /** Every (slot, ballot, value) with a majority of votes. */
  readonly quorums: readonly ChosenQuorum[];
}

/** The last two analyses: the checks of a step ask about the state before and after it, several times. */
const memo: { votes: readonly Vote[]; acceptors: number; r: PaxosAnalysis }[] = [];

/** What was chosen, per slot. */
export function analyse(g: PaxosHistory, acceptors: number, slots: number): PaxosAnalysis {
  for (const e of memo) if (e.votes === g.votes && e.acceptors === acceptors && e.r.chosen.length === slots) return e.r;
  // Votes are kept in voteKey order, so the votes of one (slot, ballot, value) are adjacent; a
  // list out of that order (recordVote and the decoder never build one) is sorted first.
  let vs = g.votes;
  for (let i = 1; i < vs.length; i++) if (voteKey(vs[i - 1]!) > voteKey(vs[i]!)) vs = [...vs].sort((a, b) => voteKey(a) - voteKey(b));
  const quorums: ChosenQuorum[] = [];
  const chosen: Value[][] = Array.from({ length: slots }, () => []);
  for (let i = 0; i < vs.length; ) {
    const v = vs[i]!;
    const who: number[] = [];
    for (const k = voteKey(v) >>> 5; i < vs.length && voteKey(vs[i]!) >>> 5 === k; i++) who.push(vs[i]!.acceptor);
    if (who.length < majority(acceptors)) continue;
    quorums.push({ slot: v.slot, ballot: v.ballot, value: v.value, acceptors: who });
    const c = chosen[v.slot]!;
    if (!c.includes(v.value)) c.push(v.value);
    c.sort((a, b) => a - b);
  }
  const r = { chosen, quorums };
  if (memo.unshift({ votes: g.votes, acceptors, r }) > 2) memo.pop();
  return r;
}
