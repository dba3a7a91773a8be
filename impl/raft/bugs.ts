/**
 * Raft's known-bug variants, each one override of the correct protocol (`raft.ts`): a rule of
 * {@link RaftRules} or the restart handler. Where the override makes a message matter that the
 * correct protocol ignores, the variant narrows `ignores` with it (the environment checks every
 * declaration on every explored step, so a stale one fails loudly instead of hiding states).
 * Which checks each variant breaks, and the configuration that shows it, are in the model file
 * `specs/models/raft.ts`.
 */
import { assertNever } from '../core/machine.ts';
import type { Protocol } from '../env/types.ts';
import { lastTerm, raftProtocol, RAFT_RULES, type RaftOptions, type RaftTypes } from './raft.ts';

/** What each variant does wrong. */
export const RAFT_VARIANTS = {
  figure8: 'a leader commits an entry of an earlier term by counting its replicas (no current-term check, §5.4.2 and Figure 8)',
  'volatile-vote': 'votedFor is not durable: a restarted node forgets its vote and votes again in the same term',
  'no-up-to-date-check': 'a vote is granted without comparing logs (§5.4.1), so a leader may lack committed entries',
  'stale-append': 'AppendEntries from an older term is not refused: the receiver applies it to its log whatever its role',
  'commit-beyond-append': 'a follower advances commitIndex to min(leaderCommit, its last index) instead of the last new entry (atomix/copycat#265, scylladb#9965)',
  'volatile-term': 'currentTerm is not persisted: a restarted node takes the term of its last log entry, forgetting later terms and its vote (cockroachdb/cockroach#1131)',
  'commit-regress': 'a follower sets commitIndex from every AppendEntries, even a delayed one with a lower leaderCommit (ongardie/raft.tla#19)',
} as const;

/** A known-bug variant's name, or none. */
export type RaftBug = keyof typeof RAFT_VARIANTS | 'none';

/** The Raft protocol, correct or with one known bug. */
export function raftVariant(opts: RaftOptions, bug: RaftBug): Protocol<RaftTypes> {
  switch (bug) {
    case 'none':
      return raftProtocol(opts);
    case 'figure8':
      return raftProtocol(opts, { ...RAFT_RULES, countsReplicas: () => true });
    case 'no-up-to-date-check':
      return raftProtocol(opts, { ...RAFT_RULES, upToDate: () => true });
    case 'commit-beyond-append':
      return leaderHearsAcks(raftProtocol(opts, { ...RAFT_RULES, followerCommit: (c, leaderCommit, _lastNew, lastIndex) => Math.max(c, Math.min(leaderCommit, lastIndex)) }));
    case 'commit-regress':
      return leaderHearsAcks(raftProtocol(opts, { ...RAFT_RULES, followerCommit: (_c, leaderCommit, lastNew) => Math.min(leaderCommit, lastNew) }));
    case 'stale-append': {
      // The old leader's entries are applied: a stale AppendEntries is no longer ignored.
      return override(leaderHearsAcks(raftProtocol(opts, { ...RAFT_RULES, refusesStale: (m) => m.type !== 'AppendEntries' })), (_node, m) => (m.type === 'AppendEntries' ? false : undefined));
    }
    case 'volatile-vote': {
      // A restart forgets the vote: a RequestVote of the voter's term may count again.
      const base = override(raftProtocol(opts), (node, m) => (m.type === 'RequestVote' ? m.term < node.durable.term : undefined));
      return { ...base, onRestart: (ctx, d) => base.onRestart(ctx, { ...d, votedFor: null }) };
    }
    case 'volatile-term': {
      // A restart may lower the term, so no message is ignored for good.
      const { ignores: _, ignoresAtReceiver: __, ...base } = raftProtocol(opts);
      return { ...base, onRestart: (ctx, d) => base.onRestart(ctx, { term: lastTerm(d.log), votedFor: null, log: d.log }) };
    }
    default:
      return assertNever(bug);
  }
}

/** The receiver's part of a declaration's arguments (what an override may read). */
type Receiver = Parameters<NonNullable<Protocol<RaftTypes>['ignoresAtReceiver']>>[1];
type RaftMessage = RaftTypes['msg'];

/**
 * The protocol with its `ignores` declaration (both forms) overridden where `verdict` returns a
 * boolean: that answer, from the receiver alone, replaces both forms'; `undefined` keeps them.
 */
function override(p: Protocol<RaftTypes>, verdict: (node: Receiver, m: RaftMessage) => boolean | undefined): Protocol<RaftTypes> {
  return {
    ...p,
    ignoresAtReceiver: (ctx, node, m, from) => verdict(node, m) ?? p.ignoresAtReceiver!(ctx, node, m, from),
    ignores: (ctx, node, m, from, s) => verdict(node, m) === undefined && p.ignores!(ctx, node, m, from, s),
  };
}

/**
 * The declaration without the rules that rest on the correct follower (it keeps the entries it
 * acknowledged, and its commitIndex only grows): an AppendEntries or an AppendEntriesResp to a
 * leader, of the receiver's term, is never declared ignored. For the variants that change how
 * followers append or commit.
 */
function leaderHearsAcks(p: Protocol<RaftTypes>): Protocol<RaftTypes> {
  return override(p, (node, m) => (m.term === node.durable.term && (m.type === 'AppendEntries' || (m.type === 'AppendEntriesResp' && node.volatile?.role === 'leader')) ? false : undefined));
}
