/**
 * The checker's view of a Raft state: a canonical encoding that leaves out the messages their
 * receivers will ignore ({@link ignoredMessage}) and, with symmetry, is the least encoding over
 * the permutations of node ids.
 *
 * The environment's generic symmetry reduction renames whole states (new node slots, new
 * message keys) for every candidate permutation and compares their encodings as strings. Here
 * each candidate is written straight into a word buffer, renaming ids on the fly, so a
 * candidate costs no allocation; only nodes with equal digests (term, role, log, commitIndex,
 * armed timers, messages in and out, …) are permuted among themselves. The result is the same
 * kind of canonical form (the least encoding of a renamed state), built faster.
 */
import type { Encoder } from '../../../../impl/core/encode.ts';
import type { NodeId, Packet } from '../../../../impl/env/types.ts';
/** A known-bug variant's name (kept local: no import cycle with raft.ts). */
type RaftBug = string;
import { permutationsOf } from '../../../../impl/env/symmetry.ts';
import { encodeMessage, popcount, termAt, type RaftMsg, type RaftState } from './types.ts';

/** Bugs under which the cross-node "ignored" rules below do not hold (two leaders of a term, stale appends applied, other commit rules). */
const ORDINARY_REPLICATION: ReadonlySet<RaftBug> = new Set<RaftBug>(['none', 'figure8', 'no-up-to-date-check']);

/**
 * Whether delivering the message `p` can never have an effect, now or later: its receiver
 * would leave its state unchanged and send nothing but messages that are ignored in turn, and
 * this stays so (terms only grow; within a term a vote never changes, a leader's matchIndex
 * only grows, and a follower's log keeps the entries it shares with its leader). `restarts`:
 * whether nodes may crash and restart (a restart resets commitIndex to 0).
 * - a message of an earlier term (`stepStale` drops it; except AppendEntries under bug
 *   stale-append, which applies it);
 * - a RequestVote of the receiver's term when it has voted for another node (it answers with a
 *   denial, which its candidate ignores), or for this candidate and the candidate no longer
 *   needs the vote (it counted it already, or no longer campaigns in that term);
 * - an AppendEntries of the receiver's term to a follower (or a down node, which restarts as
 *   one) that already holds all its entries and commits nothing new (nor could after a
 *   restart), when the success reply would tell the leader nothing new (see the last rule);
 * - a RequestVoteResp of the receiver's term that is not a new granted vote for a running
 *   candidate (a follower or leader of term T never becomes a candidate of T; a vote counts once);
 * - an AppendEntriesResp of the receiver's term to a node that does not lead it (a follower of
 *   T never leads T; a candidate of T has sent no AppendEntries in T);
 * - a successful AppendEntriesResp that tells its leader nothing new, `index ≤ matchIndex`
 *   (nextIndex stays above matchIndex: a follower never rejects an index it acknowledged in the
 *   same term).
 * Under bug volatile-term a restart lowers the term and nothing counts as ignored; the rules
 * that rely on one leader per term, on followers refusing stale appends or on Figure 2's commit
 * rule hold only for the variants in {@link ORDINARY_REPLICATION}, and the vote rules not under
 * volatile-vote.
 */
export function ignoredMessage(s: RaftState, p: Packet<RaftMsg>, bug: RaftBug = 'none', restarts = true): boolean {
  if (bug === 'volatile-term') return false;
  const m = p.msg;
  const slot = s.nodes[p.to - 1]!;
  const d = slot.durable;
  if (m.term < d.term) return !(m.type === 'AppendEntries' && bug === 'stale-append');
  if (m.term > d.term) return false;
  const v = slot.up ? slot.volatile : null;
  const ordinary = ORDINARY_REPLICATION.has(bug);
  switch (m.type) {
    case 'RequestVote': {
      if (bug === 'volatile-vote' || d.votedFor === 0) return false;
      if (d.votedFor !== p.from) return true;
      return ignoredReply(s, p.from, { type: 'RequestVoteResp', term: m.term, granted: true }, p.to, bug);
    }
    case 'AppendEntries': {
      // A down node restarts as a follower of its term (with commitIndex 0).
      if (!ordinary || (v !== null && v.role !== 'follower') || termAt(d.log, m.prevIndex) !== m.prevTerm) return false;
      for (let k = 0; k < m.entries.length; k++) if (termAt(d.log, m.prevIndex + k + 1) !== m.entries[k]!.term) return false;
      const lastNew = m.prevIndex + m.entries.length;
      const commit = Math.min(m.commit, lastNew);
      if (commit > (restarts || v === null ? 0 : v.commitIndex)) return false;
      return ignoredReply(s, p.from, { type: 'AppendEntriesResp', term: m.term, success: true, index: lastNew }, p.to, bug);
    }
    case 'RequestVoteResp':
    case 'AppendEntriesResp':
      return ignoredReply(s, p.to, m, p.from, bug);
  }
}

/** Whether node `to` would ignore the reply `m` from `from` (same term as `to` or older). */
function ignoredReply(s: RaftState, to: NodeId, m: Extract<RaftMsg, { type: 'RequestVoteResp' | 'AppendEntriesResp' }>, from: NodeId, bug: RaftBug): boolean {
  const slot = s.nodes[to - 1]!;
  if (m.term < slot.durable.term) return true;
  if (m.term > slot.durable.term) return false;
  const v = slot.up ? slot.volatile : null;
  if (m.type === 'RequestVoteResp') return !(m.granted && v?.role === 'candidate' && ((v.votes >>> (from - 1)) & 1) === 0);
  if (v?.role === 'candidate') return false;
  if (v?.role !== 'leader') return true;
  return m.success && m.index <= v.matchIndex[from - 1]! && ORDINARY_REPLICATION.has(bug);
}

/** The state without the messages in flight that will be ignored ({@link ignoredMessage}). */
export function pruneIgnored(s: RaftState, bug: RaftBug = 'none', restarts = true): RaftState {
  const net = s.net;
  let keep: Packet<RaftMsg>[] | null = null;
  for (let i = 0; i < net.length; i++) {
    const p = net[i]!;
    const ignored = ignoredMessage(s, p, bug, restarts);
    if (ignored && keep === null) keep = net.slice(0, i);
    else if (!ignored && keep !== null) keep.push(p);
  }
  return keep === null ? s : { nodes: s.nodes, net: keep, partition: s.partition, used: s.used, ghost: s.ghost };
}

/** Which messages in flight the view leaves out: `(state, packet) => ignored`. */
export type IgnoredFn = (s: RaftState, p: Packet<RaftMsg>) => boolean;

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x01000193);
  return h ^ (h >>> 15);
}

/** A total order on messages (their encodings compared word by word), independent of node ids. */
function compareMsg(a: RaftMsg, b: RaftMsg): number {
  if (a === b) return 0;
  const ta = MSG_ORDER[a.type];
  const tb = MSG_ORDER[b.type];
  if (ta !== tb) return ta - tb;
  if (a.term !== b.term) return a.term - b.term;
  switch (a.type) {
    case 'RequestVote': {
      const o = b as typeof a;
      return a.lastLogIndex - o.lastLogIndex || a.lastLogTerm - o.lastLogTerm;
    }
    case 'RequestVoteResp':
      return Number(a.granted) - Number((b as typeof a).granted);
    case 'AppendEntriesResp': {
      const o = b as typeof a;
      return Number(a.success) - Number(o.success) || a.index - o.index;
    }
    case 'AppendEntries': {
      const o = b as typeof a;
      const d = a.prevIndex - o.prevIndex || a.prevTerm - o.prevTerm || a.commit - o.commit || a.entries.length - o.entries.length;
      if (d !== 0) return d;
      for (let i = 0; i < a.entries.length; i++) {
        const x = a.entries[i]!;
        const y = o.entries[i]!;
        const e = x.term - y.term || x.value - y.value;
        if (e !== 0) return e;
      }
      return 0;
    }
  }
}

const MSG_ORDER: Readonly<Record<RaftMsg['type'], number>> = { RequestVote: 0, RequestVoteResp: 1, AppendEntries: 2, AppendEntriesResp: 3 };

/** A growable buffer of 32-bit words implementing the parts of {@link Encoder} Raft uses. */
class Words implements Encoder {
  buf = new Int32Array(256);
  len = 0;
  reset(): void {
    this.len = 0;
  }
  int(x: number): void {
    if (this.len === this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = x | 0;
  }
  bool(b: boolean): void {
    this.int(b ? 1 : 0);
  }
  str(s: string): void {
    this.int(s.length);
    for (let i = 0; i < s.length; i++) this.int(s.charCodeAt(i));
  }
  value(): void {
    throw new Error('raft view: generic values are not encoded here');
  }
  /** Lexicographic comparison of the words written with `other`'s. */
  compare(other: Words): number {
    const n = Math.min(this.len, other.len);
    const a = this.buf;
    const b = other.buf;
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return this.len - other.len;
  }
  copyFrom(other: Words): void {
    if (this.buf.length < other.len) this.buf = new Int32Array(other.buf.length);
    this.buf.set(other.buf.subarray(0, other.len));
    this.len = other.len;
  }
}

/**
 * A state standing for its symmetry class: the state itself, tagged with the generation of the
 * canonicalisation whose least encoding (kept in the view's buffer) is its encoding.
 */
class Canonical implements RaftState {
  readonly nodes: RaftState['nodes'];
  readonly net: RaftState['net'];
  readonly partition: RaftState['partition'];
  readonly used: RaftState['used'];
  readonly ghost: RaftState['ghost'];
  constructor(
    s: RaftState,
    readonly gen: number,
  ) {
    this.nodes = s.nodes;
    this.net = s.net;
    this.partition = s.partition;
    this.used = s.used;
    this.ghost = s.ghost;
  }
}

/** The canonical view encoder of an n-node Raft machine. */
export class RaftView {
  private readonly cand = new Words();
  private readonly best = new Words();
  private readonly perms: number[][][];
  /** Scratch: the live packets of the state being encoded. */
  private live: Packet<RaftMsg>[] = [];
  private order: number[] = [];
  private keys: number[] = [];
  private gen = 0;
  private readonly ids: number[];
  private readonly sig: number[];
  private readonly outDeg: number[];
  private readonly inDeg: number[];
  private readonly perm: number[];
  private readonly inv: number[];
  private readonly identity: number[];
  private readonly runStart: number[] = [];
  private readonly runLen: number[] = [];
  private readonly choice: number[] = [];

  constructor(
    private readonly n: number,
    private readonly opts: { readonly fifo: boolean; readonly clocks: boolean; readonly ignored: IgnoredFn | null },
  ) {
    this.perms = Array.from({ length: n + 1 }, (_, k) => permutationsOf(k));
    this.ids = Array.from({ length: n }, (_, i) => i + 1);
    this.sig = new Array<number>(n).fill(0);
    this.outDeg = new Array<number>(n).fill(0);
    this.inDeg = new Array<number>(n).fill(0);
    this.perm = new Array<number>(n + 1).fill(0);
    this.inv = new Array<number>(n + 1).fill(0);
    this.identity = Array.from({ length: n + 1 }, (_, i) => i);
  }

  /** Collect the live packets; in multiset mode sort them by message (a rank for `write`). */
  private collectLive(s: RaftState): void {
    const live = this.live;
    live.length = 0;
    const ignored = this.opts.ignored;
    for (const p of s.net) if (ignored === null || !ignored(s, p)) live.push(p);
    if (this.opts.fifo) return;
    for (let i = 1; i < live.length; i++) {
      const x = live[i]!;
      let j = i - 1;
      while (j >= 0 && compareMsg(live[j]!.msg, x.msg) > 0) {
        live[j + 1] = live[j]!;
        j--;
      }
      live[j + 1] = x;
    }
  }

  /** Write `s` with ids renamed by `perm` (`perm[old] = new`, `inv[new] = old`) into `w`. */
  private write(s: RaftState, perm: readonly number[], inv: readonly number[], w: Words): void {
    const n = this.n;
    const rename = (id: NodeId): number => (id === 0 ? 0 : perm[id]!);
    const mask = (m: number): number => {
      let out = 0;
      for (let i = 0; 1 << i <= m; i++) if ((m >>> i) & 1) out |= 1 << (perm[i + 1]! - 1);
      return out;
    };
    for (let k = 1; k <= n; k++) {
      const slot = s.nodes[inv[k]! - 1]!;
      w.int(slot.up ? 1 : 0);
      w.int(slot.timers);
      if (this.opts.clocks) w.int(slot.clock);
      const d = slot.durable;
      w.int(d.term);
      w.int(rename(d.votedFor));
      w.int(d.log.length);
      for (const e of d.log) w.int((e.term << 16) | e.value);
      const v = slot.up ? slot.volatile : null;
      if (v !== null) {
        w.int(v.role === 'follower' ? 0 : v.role === 'candidate' ? 1 : 2);
        w.int(v.commitIndex);
        w.int(mask(v.votes));
        w.int(v.beats);
        w.int(v.nextIndex.length);
        if (v.nextIndex.length > 0) {
          for (let j = 1; j <= n; j++) w.int(v.nextIndex[inv[j]! - 1]!);
          for (let j = 1; j <= n; j++) w.int(v.matchIndex[inv[j]! - 1]!);
        }
      }
    }
    // The network: live packets by renamed link, then by message (multiset: `live` is sorted
    // by message, so its index is the rank) or in send order within a link (FIFO: `live` keeps
    // the network's order).
    const live = this.live;
    const order = this.order;
    const keys = this.keys;
    const count = live.length;
    for (let i = 0; i < count; i++) {
      const p = live[i]!;
      keys[i] = (perm[p.from]! * 32 + perm[p.to]!) * 65536 + i;
      order[i] = i;
    }
    for (let i = 1; i < count; i++) {
      const x = order[i]!;
      let j = i - 1;
      while (j >= 0 && keys[order[j]!]! > keys[x]!) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = x;
    }
    w.int(count);
    for (let k = 0; k < count; k++) {
      const p = live[order[k]!]!;
      w.int(perm[p.from]! * 32 + perm[p.to]!);
      encodeMessage(p.msg, w);
      w.int(p.count);
    }
    const part = s.partition;
    if (part === null) w.int(0);
    else {
      w.int(1);
      for (let k = 1; k <= n; k++) w.int(mask(part.cut[inv[k]! - 1]!));
    }
    const u = s.used;
    w.int(u.crashes);
    w.int(u.drops);
    w.int(u.duplicates);
    w.int(u.partitions);
    w.int(u.requests);
    w.int(u.timeouts);
    const g = s.ghost;
    w.int(g.leaders.length);
    for (const m of g.leaders) w.int(mask(m));
    w.int(g.committed.length);
    for (const c of g.committed) {
      w.int((c.term << 16) | c.value);
      w.int(c.in);
    }
    w.int(g.overwritten ? 1 : 0);
  }

  /** Per node (index id - 1): a digest that renaming ids does not change. */
  private signatures(s: RaftState): number[] {
    const n = this.n;
    const sig = this.sig;
    const out = this.outDeg;
    const inn = this.inDeg;
    for (let i = 0; i < n; i++) {
      out[i] = 0;
      inn[i] = 0;
    }
    for (const p of this.live) {
      out[p.from - 1]! += p.count;
      inn[p.to - 1]! += p.count;
    }
    for (let i = 0; i < n; i++) {
      const slot = s.nodes[i]!;
      const d = slot.durable;
      let h = slot.up ? 0x2545f491 : 0x9e3779b9;
      h = mix(h, slot.timers);
      h = mix(h, slot.clock);
      h = mix(h, d.term);
      h = mix(h, d.votedFor === 0 ? 0 : 1);
      h = mix(h, d.log.length);
      for (const e of d.log) h = mix(h, (e.term << 16) | e.value);
      const v = slot.up ? slot.volatile : null;
      if (v !== null) {
        h = mix(h, v.role === 'follower' ? 1 : v.role === 'candidate' ? 2 : 3);
        h = mix(h, v.commitIndex);
        h = mix(h, popcount(v.votes));
        let sum = 0;
        let sq = 0;
        for (const m of v.matchIndex) {
          sum += m;
          sq += m * m;
        }
        h = mix(h, sum);
        h = mix(h, sq);
      }
      h = mix(h, out[i]!);
      h = mix(h, inn[i]!);
      sig[i] = h | 0;
    }
    return sig;
  }

  /** The plain view (no renaming): pruned, in the same layout. */
  encode(s: RaftState, out: Encoder): void {
    if (s instanceof Canonical) {
      // The least encoding is still in `best` when this is the latest canonical state (the
      // checker encodes it right away); otherwise compute it again.
      if (s.gen !== this.gen) this.canonical(s);
      const b = this.best;
      for (let i = 0; i < b.len; i++) out.int(b.buf[i]!);
      return;
    }
    this.collectLive(s);
    const w = this.cand;
    w.reset();
    this.write(s, this.identity, this.identity, w);
    for (let i = 0; i < w.len; i++) out.int(w.buf[i]!);
  }

  /**
   * A stand-in for the canonical representative of `s`: a copy of `s` whose {@link encode} is
   * the least encoding over the node permutations that keep the digests in order.
   */
  canonical(s: RaftState): RaftState {
    const n = this.n;
    this.collectLive(s);
    const sig = this.signatures(s);
    // Nodes in digest order; runs of equal digests are permuted among their positions.
    const ids = this.ids;
    for (let i = 0; i < n; i++) ids[i] = i + 1;
    for (let i = 1; i < n; i++) {
      const x = ids[i]!;
      let j = i - 1;
      while (j >= 0 && sig[ids[j]! - 1]! > sig[x - 1]!) {
        ids[j + 1] = ids[j]!;
        j--;
      }
      ids[j + 1] = x;
    }
    const runStart = this.runStart;
    const runLen = this.runLen;
    let runs = 0;
    for (let i = 0; i < n; ) {
      let j = i + 1;
      while (j < n && sig[ids[j]! - 1] === sig[ids[i]! - 1]) j++;
      runStart[runs] = i;
      runLen[runs] = j - i;
      runs++;
      i = j;
    }
    const perm = this.perm;
    const inv = this.inv;
    const choice = this.choice;
    for (let r = 0; r < runs; r++) choice[r] = 0;
    let first = true;
    for (;;) {
      for (let r = 0; r < runs; r++) {
        const start = runStart[r]!;
        const len = runLen[r]!;
        const p = this.perms[len]![choice[r]!]!;
        for (let j = 0; j < len; j++) {
          const old = ids[start + j]!;
          const pos = start + p[j]! + 1;
          perm[old] = pos;
          inv[pos] = old;
        }
      }
      if (first) {
        // The first candidate goes straight to `best`.
        this.best.reset();
        this.write(s, perm, inv, this.best);
        first = false;
      } else {
        const w = this.cand;
        w.reset();
        this.write(s, perm, inv, w);
        if (w.compare(this.best) < 0) this.best.copyFrom(w);
      }
      let r = 0;
      for (; r < runs; r++) {
        choice[r]!++;
        if (choice[r]! < this.perms[runLen[r]!]!.length) break;
        choice[r] = 0;
      }
      if (r === runs) break;
    }
    return new Canonical(s, ++this.gen);
  }
}
