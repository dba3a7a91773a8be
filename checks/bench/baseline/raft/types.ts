/**
 * Raft's data: the state of a server as Figure 2 of the extended Raft paper lists it (Ongaro and
 * Ousterhout, "In Search of an Understandable Consensus Algorithm", 2014), the RPCs as messages,
 * the ghost history the safety properties read, and the fast encodings, labels and views the
 * checker and the traces use. The protocol itself is in `raft.ts`.
 *
 * Indices are 1-based as in the paper: `log[0]` holds index 1, index 0 is "before the log" with
 * term 0. Node ids are 1..n; `0` means "none" (`votedFor = 0`: no vote this term).
 */
import type { Encoder } from '../../../../impl/core/encode.ts';
import { nodeName } from '../../../../impl/env/partition.ts';
import type { EnvState, NodeId } from '../../../../impl/env/types.ts';

/** One log entry: the term it was created in, and the client command (a unique value). */
export interface Entry {
  readonly term: number;
  readonly value: number;
}

/** Figure 2, "Persistent state on all servers" (updated on stable storage before responding). */
export interface RaftDurable {
  /** currentTerm: latest term the server has seen (0 at first boot, increases monotonically). */
  readonly term: number;
  /** votedFor: the candidate that received this server's vote in `term`, or 0. */
  readonly votedFor: NodeId;
  /** log[]: entries; `log[i - 1]` is index i. */
  readonly log: readonly Entry[];
}

/** A server's role (§5.1). */
export type Role = 'follower' | 'candidate' | 'leader';

/**
 * Figure 2, "Volatile state on all servers" and "on leaders", plus the candidate's vote tally.
 * Fields that do not apply to the role are kept at a fixed value (0, `[]`), so equal situations
 * encode alike. `lastApplied` is not modelled: entries are applied as they are committed.
 */
export interface RaftVolatile {
  readonly role: Role;
  /** commitIndex: highest log entry known to be committed (0 after a restart). */
  readonly commitIndex: number;
  /** Candidate: the votes granted to it, bit `id - 1` per voter (its own included). 0 otherwise. */
  readonly votes: number;
  /** Leader: nextIndex per server, `nextIndex[id - 1]` (its own entry is 0, unused). `[]` otherwise. */
  readonly nextIndex: readonly number[];
  /** Leader: matchIndex per server, `matchIndex[id - 1]` (its own entry is 0, unused). `[]` otherwise. */
  readonly matchIndex: readonly number[];
  /** Leader: heartbeat rounds sent in this term (the model's bound, see `heartbeats`). */
  readonly beats: number;
}

/** The RPCs of Figure 2 as messages; the sender is the envelope's `from`. */
export type RaftMsg =
  | {
      readonly type: 'RequestVote';
      readonly term: number;
      readonly lastLogIndex: number;
      readonly lastLogTerm: number;
    }
  | { readonly type: 'RequestVoteResp'; readonly term: number; readonly granted: boolean }
  | {
      readonly type: 'AppendEntries';
      readonly term: number;
      readonly prevIndex: number;
      readonly prevTerm: number;
      readonly entries: readonly Entry[];
      /** leaderCommit. */
      readonly commit: number;
    }
  | {
      readonly type: 'AppendEntriesResp';
      readonly term: number;
      readonly success: boolean;
      /** On success the index of the last entry the request covered (the follower's match); on failure the request's prevIndex. */
      readonly index: number;
    };

/** Raft's timers: the election timeout (followers, candidates) and the heartbeat (leaders). */
export type RaftTimer = 'election' | 'heartbeat';

/** A client command: append `value` to the replicated log. */
export interface RaftRequest {
  readonly value: number;
}

/** An entry in the ghost record of commits: the entry, and the term of the node that first committed it. */
export interface CommittedEntry {
  readonly term: number;
  readonly value: number;
  /** The committing node's currentTerm when the entry was first committed. */
  readonly in: number;
}

/**
 * The history the safety properties read; no server ever sees it.
 * - `leaders[t]`: bit `id - 1` set for every node that became leader in term t (election safety
 *   is about the whole history: two leaders of one term need not coexist in one state);
 * - `committed[i - 1]`: the entry first committed at index i, written once (state machine safety:
 *   a committed entry never changes);
 * - `overwritten`: some node deleted an entry nobody had committed (a witness).
 */
export interface RaftGhost {
  readonly leaders: readonly number[];
  readonly committed: readonly CommittedEntry[];
  readonly overwritten: boolean;
}

/** Raft's types, for the environment. */
export interface RaftTypes {
  readonly durable: RaftDurable;
  readonly volatile: RaftVolatile;
  readonly msg: RaftMsg;
  readonly timer: RaftTimer;
  readonly request: RaftRequest;
  readonly ghost: RaftGhost;
}

/** A Raft cluster's state in the environment. */
export type RaftState = EnvState<RaftTypes>;

// ---------------------------------------------------------------------------------------------
// Log helpers

/** Index of the last entry (0 when empty). */
export function lastIndex(log: readonly Entry[]): number {
  return log.length;
}

/** Term of the last entry (0 when empty). */
export function lastTerm(log: readonly Entry[]): number {
  return log.length === 0 ? 0 : log[log.length - 1]!.term;
}

/** Term of the entry at index i (0 for index 0; -1 when there is none). */
export function termAt(log: readonly Entry[], i: number): number {
  if (i === 0) return 0;
  const e = log[i - 1];
  return e === undefined ? -1 : e.term;
}

/** Whether two entries are the same entry. */
export function sameEntry(a: Entry, b: Entry): boolean {
  return a.term === b.term && a.value === b.value;
}

/** Whether `a` is a prefix of `b` (entries compared by term and value). */
export function isPrefix(a: readonly Entry[], b: readonly Entry[]): boolean {
  if (a === b) return true;
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameEntry(a[i]!, b[i]!)) return false;
  return true;
}

/** Number of bits set. */
export function popcount(x: number): number {
  let c = 0;
  for (; x !== 0; x &= x - 1) c++;
  return c;
}

// ---------------------------------------------------------------------------------------------
// Encodings (the checker's hot path): self-delimiting words, one per entry.

const ROLE_CODE: Readonly<Record<Role, number>> = { follower: 0, candidate: 1, leader: 2 };
const MSG_CODE: Readonly<Record<RaftMsg['type'], number>> = { RequestVote: 0, RequestVoteResp: 1, AppendEntries: 2, AppendEntriesResp: 3 };

/** An entry as one word: term in the high half, value in the low half. */
function entryWord(e: Entry): number {
  return (e.term << 16) | e.value;
}

function writeEntries(es: readonly Entry[], out: Encoder): void {
  out.int(es.length);
  for (const e of es) out.int(entryWord(e));
}

/** Encode a durable state. */
export function encodeDurable(d: RaftDurable, out: Encoder): void {
  out.int(d.term);
  out.int(d.votedFor);
  writeEntries(d.log, out);
}

/** Encode a volatile state. */
export function encodeVolatile(v: RaftVolatile, out: Encoder): void {
  out.int(ROLE_CODE[v.role]);
  out.int(v.commitIndex);
  out.int(v.votes);
  out.int(v.beats);
  out.int(v.nextIndex.length);
  for (const x of v.nextIndex) out.int(x);
  for (const x of v.matchIndex) out.int(x);
}

/** Encode a message. */
export function encodeMessage(m: RaftMsg, out: Encoder): void {
  out.int(MSG_CODE[m.type]);
  out.int(m.term);
  switch (m.type) {
    case 'RequestVote':
      out.int(m.lastLogIndex);
      out.int(m.lastLogTerm);
      return;
    case 'RequestVoteResp':
      out.int(m.granted ? 1 : 0);
      return;
    case 'AppendEntries':
      out.int(m.prevIndex);
      out.int(m.prevTerm);
      out.int(m.commit);
      writeEntries(m.entries, out);
      return;
    case 'AppendEntriesResp':
      out.int(m.success ? 1 : 0);
      out.int(m.index);
      return;
  }
}

/** Encode the ghost record. */
export function encodeGhost(g: RaftGhost, out: Encoder): void {
  out.int(g.leaders.length);
  for (const x of g.leaders) out.int(x);
  out.int(g.committed.length);
  for (const c of g.committed) {
    out.int(entryWord(c));
    out.int(c.in);
  }
  out.int(g.overwritten ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Labels and views

/** An entry's label: `t2:v3` (term 2, value 3). */
export function formatEntry(e: Entry): string {
  return `t${e.term}:v${e.value}`;
}

/** A message's label, e.g. `AppendEntries(t3, prev=1/t1, [t3:v2], commit=1)`. */
export function formatMessage(m: RaftMsg): string {
  switch (m.type) {
    case 'RequestVote':
      return `RequestVote(t${m.term}, last=${m.lastLogIndex}/t${m.lastLogTerm})`;
    case 'RequestVoteResp':
      return `RequestVoteResp(t${m.term}, ${m.granted ? 'granted' : 'denied'})`;
    case 'AppendEntries':
      return `AppendEntries(t${m.term}, prev=${m.prevIndex}/t${m.prevTerm}, [${m.entries.map(formatEntry).join(' ')}], commit=${m.commit})`;
    case 'AppendEntriesResp':
      return m.success ? `AppendEntriesResp(t${m.term}, ok, match=${m.index})` : `AppendEntriesResp(t${m.term}, reject, prev=${m.index})`;
  }
}

/** A node's bitmask as names: `[n1, n3]`. */
export function namesOf(mask: number): string[] {
  const out: string[] = [];
  for (let i = 0; 1 << i <= mask; i++) if ((mask >>> i) & 1) out.push(nodeName(i + 1));
  return out;
}

/** The JSON view of a durable state. */
export function viewDurable(d: RaftDurable): unknown {
  return { term: d.term, votedFor: d.votedFor === 0 ? null : nodeName(d.votedFor), log: d.log.map(formatEntry) };
}

/** The JSON view of a volatile state: only the fields of its role. */
export function viewVolatile(v: RaftVolatile): unknown {
  switch (v.role) {
    case 'follower':
      return { role: v.role, commitIndex: v.commitIndex };
    case 'candidate':
      return { role: v.role, commitIndex: v.commitIndex, votes: namesOf(v.votes) };
    case 'leader': {
      const next: Record<string, number> = {};
      const match: Record<string, number> = {};
      v.nextIndex.forEach((x, i) => {
        if (x === 0) return; // the leader's own slot
        next[nodeName(i + 1)] = x;
        match[nodeName(i + 1)] = v.matchIndex[i]!;
      });
      return { role: v.role, commitIndex: v.commitIndex, nextIndex: next, matchIndex: match, beats: v.beats };
    }
  }
}

/** The JSON view of the ghost record. */
export function viewGhost(g: RaftGhost): unknown {
  const leaders: Record<string, string[]> = {};
  g.leaders.forEach((mask, t) => {
    if (mask !== 0) leaders[`t${t}`] = namesOf(mask);
  });
  return {
    leaders,
    committed: g.committed.map((c) => `${formatEntry(c)} (in t${c.in})`),
    overwritten: g.overwritten,
  };
}
