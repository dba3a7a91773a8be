/**
 * Two rules of the quorum registers that the environment does not express yet (issue 13,
 * items 3 and 4); everything else the old wrapper did is now the environment's: role names
 * (`r1`, `s1`, `c1`), crash targets (clients are declared `crashes: false`) and stale answers
 * (`protocol.ignores`, kept in traces).
 *
 * - **A perfect failure detector** for the sloppy quorum: a client may suspect a replica (and
 *   turn to a spare) only while that replica is down or cut off from it by a partition. The
 *   protocol never reads the network or the partition; the environment decides when the
 *   suspicion is offered, as it decides when a timer fires.
 * - **Stale queries**: a `Query` whose sender has finished that operation's query phase. The
 *   replica that gets it answers, and the answer is stale at the client (declared ignored), so
 *   delivering it changes nothing but the network. `protocol.ignores` cannot say so: it sees
 *   only the receiver, and the replica cannot know that the client has moved on. So the
 *   machine leaves stale queries out of a state's identity (multiset network, `reduceIgnored`)
 *   exactly as the environment leaves out ignored messages; traces keep every message. The
 *   claim is checked, not trusted: with `checkIgnored`, every explored step delivers each stale
 *   query in flight and fails, naming it, if the identity of the state changes.
 *
 * Both go when the environment grows failure-detector oracles and an `ignores` that sees the
 * sender.
 */
import { WordBuffer } from '../core/encode.ts';
import type { EnvMachine } from '../env/machine.ts';
import { blocks } from '../env/partition.ts';
import { symmetryCanonicalizer } from '../env/symmetry.ts';
import type { EnvAction, EnvState, NodeId, Packet } from '../env/types.ts';
import type { QuorumMsg, QuorumTypes } from './quorum.ts';

/** A quorum machine's state. */
export type QuorumState = EnvState<QuorumTypes>;
/** A quorum machine's action. */
export type QuorumAction = EnvAction<QuorumTypes>;
/** A quorum machine. */
export type QuorumMachine = EnvMachine<QuorumTypes>;

/** Is `b` up and reachable from `a`, both ways? */
const reachable = (s: QuorumState, a: NodeId, b: NodeId): boolean => s.nodes[b - 1]!.up && !blocks(s.partition, a, b) && !blocks(s.partition, b, a);

/** A Query whose sender's query phase for that operation is over (operations and phases only move forward). */
export function isStaleQuery(s: QuorumState, p: Packet<QuorumMsg>): boolean {
  if (p.msg.type !== 'Query') return false;
  const v = s.nodes[p.from - 1]!.volatile;
  const q = v !== null && v.role === 'client' ? v.pending : null;
  return q === null || q.op !== p.msg.op || q.phase !== 'query';
}

/** The state without its stale queries (the same object when it has none). */
function withoutStale(s: QuorumState): QuorumState {
  let out: Packet<QuorumMsg>[] | null = null;
  const net = s.net;
  for (let i = 0; i < net.length; i++) {
    const p = net[i]!;
    if (isStaleQuery(s, p)) out ??= net.slice(0, i);
    else if (out !== null) out.push(p);
  }
  return out === null ? s : { nodes: s.nodes, net: out, partition: s.partition, used: s.used, ghost: s.ghost };
}

/** A QueryReply its client will ignore (the client's side of `protocol.ignores`). */
function isStaleReply(s: QuorumState, p: Packet<QuorumMsg>): boolean {
  if (p.msg.type !== 'QueryReply') return false;
  const v = s.nodes[p.to - 1]!.volatile;
  const q = v !== null && v.role === 'client' ? v.pending : null;
  return q === null || q.op !== p.msg.op || q.phase !== 'query' || (q.answered & (1 << (p.from - 1))) !== 0;
}

/**
 * `after` is `t` with node `to`'s state, the ghost, the budgets and the partition the same
 * objects, and every message new in flight a stale reply (a cheap, sufficient test; when it
 * fails, the caller compares the identities).
 */
function unchangedButStaleReplies(t: QuorumState, after: QuorumState, to: NodeId): boolean {
  const a = t.nodes[to - 1]!;
  const b = after.nodes[to - 1]!;
  if (a.durable !== b.durable || a.volatile !== b.volatile || a.up !== b.up || t.ghost !== after.ghost || t.used !== after.used || t.partition !== after.partition) return false;
  for (let i = 0; i < t.nodes.length; i++) if (i !== to - 1 && t.nodes[i] !== after.nodes[i]) return false;
  const before = new Set(t.net.map((p) => p.key));
  return after.net.every((p) => before.has(p.key) || isStaleReply(after, p));
}

/** `m` with the perfect failure detector (sloppy quorums) and stale queries out of a state's identity. */
export function quorumScheduling(m: QuorumMachine, sloppy: boolean): QuorumMachine {
  const offered = (s: QuorumState, a: QuorumAction): boolean => a.type !== 'local' || a.action.type !== 'suspect' || !reachable(s, a.node, a.action.replica);
  const cfg = m.config;
  const reduce = cfg.reduceIgnored && cfg.delivery === 'multiset';
  const encode = reduce ? (s: QuorumState, out: Parameters<QuorumMachine['encode']>[1]) => m.encode(withoutStale(s), out) : m.encode;
  const words = new WordBuffer();
  const keyOf = (s: QuorumState): string => {
    words.reset();
    encode(s, words);
    return words.key();
  };
  /** Deliver every stale query of `t` to its running receiver: the state's identity must not change. */
  const verify = (t: QuorumState): void => {
    let k: string | null = null;
    for (const p of t.net) {
      if (!isStaleQuery(t, p) || !t.nodes[p.to - 1]!.up || blocks(t.partition, p.from, p.to)) continue;
      const after = m.step(t, { type: 'deliver', from: p.from, to: p.to, msg: p.msg });
      if (unchangedButStaleReplies(t, after, p.to)) continue; // the fast path: nothing else moved
      k ??= keyOf(t);
      if (keyOf(after) !== k) throw new Error(`quorum: delivering the stale ${m.formatMessage(p.msg)} from ${m.nodes()[p.from - 1]} to ${m.nodes()[p.to - 1]} changed the state: a stale query must change nothing but the network`);
    }
  };
  // Symmetry picks its representative by the same identity (the environment's own canonicalizer
  // would rank states by their stale queries too, and split what the identity merges).
  const symmetry = reduce && m.symmetry !== undefined ? symmetryCanonicalizer<QuorumState>({ n: m.nodes().length, classes: m.symmetryClasses(), rename: m.rename, encode }) : m.symmetry;
  return {
    ...m,
    ...(symmetry !== undefined ? { symmetry } : {}),
    actions: sloppy ? (s) => m.actions(s).filter((a) => offered(s, a)) : m.actions,
    step: reduce && cfg.checkIgnored ? (s, a) => { const t = m.step(s, a); verify(t); return t; } : m.step,
    encode,
  };
}
