/**
 * A replicated key-value store under partition, in three modes: the CAP/PACELC trade made
 * concrete (Brewer, "CAP twelve years later", IEEE Computer 2012; Abadi, "Consistency tradeoffs
 * in modern distributed database system design", IEEE Computer 2012).
 *
 * One register (one key) replicated on replicas r1..rR; clients c1..cC are sessions, each pinned
 * to its home replica r((i − 1) mod R + 1) (a sticky session: the client's requests arrive there,
 * and its answers come from there); with `roaming` (AP modes) a client's request may arrive at
 * any replica. A client has at most one operation pending. Operation k (the
 * k-th request made, in any session) is a read or the write of value k, so values are unique.
 * The ghost record is the client history: a `call` event when an operation is invoked, a `ret`
 * event when it is answered (with the value read: one value, or the siblings).
 *
 * - **cp**: r1 is the leader (fixed: no failover; electing one is Raft's business). A follower
 *   forwards its clients' operations to the leader. The leader applies a write to its copy with
 *   the next version number and answers once a majority (itself included) holds it; it answers
 *   a read with the highest version among a majority's copies. A replica that cannot complete
 *   its clients' operations refuses them: its `timeout` (a failure-detector timeout) fires when
 *   it suspects every node they still need, and it answers `unavailable`. A refused read is
 *   failed (no effect); a refused write was already sent onward and may still take effect, so
 *   it is indeterminate (see `onTimer`).
 * - **ap-lww**: every replica takes its clients' reads and writes at once, and stamps a write
 *   with its hybrid logical clock (Kulkarni et al., "Logical physical clocks", OPODIS 2014),
 *   ties broken by replica id; the larger stamp wins. Anti-entropy: a replica whose value changed
 *   by a client write pushes its value to every peer (a local step, so several writes can be
 *   pushed as one); messages across a cut wait for the heal. Concurrent writes are settled
 *   silently: one of them is lost. With `stamps: 'physical'` a write is stamped with the
 *   replica's physical clock instead (Cassandra's default, ties broken by the larger value): the
 *   environment's clocks drift apart by up to `maxSkew`, so a write that causally follows
 *   another (its client read it) may carry a smaller stamp and lose, even at its own replica.
 * - **ap-siblings**: every replica takes reads and writes at once; versions carry version
 *   vectors (Dynamo, DeCandia et al., SOSP 2007, section 4.4). A read returns every sibling, and
 *   the session keeps their merged vector as its context; a write supersedes exactly its
 *   session's context (what the client has read or written), so concurrent writes are kept side
 *   by side and surfaced to the next reader. Anti-entropy as in ap-lww.
 *
 * The HLC here is a tiny local one (the `impl/clocks/hlc.ts` port was in flight when this was
 * written): a write ticks (l, c) past the physical clock; a received stamp is merged by maximum
 * (no tick on receipt: only writes are stamped, and a write always ticks past everything its
 * replica has seen, which is what makes the order respect causality).
 *
 * Known-bug variants (one-handler overrides, at the end): `stale-read` (cp: a follower answers
 * its clients' reads from its own copy) and `drop-sibling` (ap-siblings: a replica receiving a
 * concurrent version keeps only the larger value instead of both).
 */
import { assertNever, InputError, type Invariant, type Witness } from '../core/machine.ts';
import { envMachine, type EnvMachine } from '../env/machine.ts';
import type { EnvConfig } from '../env/config.ts';
import { addNode, hasNode, popcount } from '../env/nodeset.ts';
import { S } from '../env/schema.ts';
import { defineProtocol, type Ctx, type EnvState, type NodeId, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';

/** The store's modes. */
export const STORE_MODES = ['cp', 'ap-lww', 'ap-siblings'] as const;
/** A mode. */
export type StoreMode = (typeof STORE_MODES)[number];

/** The store's shape: replicas, client sessions, operations in total. */
export interface StoreShape {
  readonly replicas: number;
  readonly clients: number;
  /** Client operations in total (the environment's request budget); write k writes value k. */
  readonly ops: number;
  /**
   * AP modes only: a client's operations may go to any replica (a load balancer's choice), not
   * only to its home. Its session context then stays behind at each replica it used.
   */
  readonly roaming?: boolean;
  /**
   * ap-lww only: what stamps a write. `hlc` (default): the replica's hybrid logical clock.
   * `physical`: the replica's own physical clock (Cassandra's default: the coordinator's wall
   * clock), ties broken by the larger value; the environment's clocks may be skewed by up to
   * `maxSkew`, so a causally later write may carry a smaller stamp and lose.
   */
  readonly stamps?: 'hlc' | 'physical';
}

/** Client `c`'s home replica. */
export const homeOf = (shape: StoreShape, c: number): NodeId => ((c - 1) % shape.replicas) + 1;

/** The leader in cp mode. */
export const LEADER: NodeId = 1;

// ---------------------------------------------------------------------------------------------
// The client history (ghost), shared by the modes

const historySchema = (shape: StoreShape) => {
  const C = S.int(1, shape.clients);
  const OP = S.int(1, shape.ops);
  return S.record({
    events: S.list(
      S.union('type', {
        /** Client `c` invokes operation `op` (a read, or the write of value `op`). */
        call: { c: C, op: OP, f: S.enum('read', 'write') },
        /** Operation `op` of client `c` is answered: `vals` is empty for a write, the value(s) read for a read. */
        ret: { c: C, op: OP, vals: S.list(S.int(0, shape.ops), shape.ops + 1) },
        /**
         * cp: operation `op` of client `c` is refused (`unavailable`, its replica timed out).
         * `effect`: `none` when it certainly has no effect (a read), `unknown` when it may still
         * take effect (a write already sent onward: Jepsen's `:info`, indeterminate).
         */
        refused: { c: C, op: OP, effect: S.enum('none', 'unknown') },
      }),
      2 * shape.ops,
    ),
  });
};

/** A client request: client `c`'s operation number `op`. */
export interface StoreRequest {
  readonly c: number;
  readonly op: number;
  readonly f: 'read' | 'write';
}

/** One event of the client history. */
export type StoreEvent =
  | { readonly type: 'call'; readonly c: number; readonly op: number; readonly f: 'read' | 'write' }
  | { readonly type: 'ret'; readonly c: number; readonly op: number; readonly vals: readonly number[] }
  | { readonly type: 'refused'; readonly c: number; readonly op: number; readonly effect: 'none' | 'unknown' };

/** The ghost record of every mode. */
export interface StoreGhost {
  readonly events: readonly StoreEvent[];
}

const requestsOf =
  (shape: StoreShape) =>
  (seq: number): readonly StoreRequest[] =>
    Array.from({ length: shape.clients }, (_, i) => i + 1).flatMap((c) => [
      { c, op: seq + 1, f: 'write' as const },
      { c, op: seq + 1, f: 'read' as const },
    ]);

/**
 * A client and an operation as the store's messages and requests label them: `c1`, `op 3` (node
 * views and the history show the plain numbers).
 */
const labels = (shape: StoreShape) => ({
  Client: S.labelled(S.int(1, shape.clients), (c) => `c${c}`),
  Op: S.labelled(S.int(1, shape.ops), (op) => `op ${op}`),
});

/** A client request's data (every mode), labelled `c1 write 3 (op 3)`, `c2 read (op 1)`. */
const requestSchema = (shape: StoreShape) => {
  const { Client, Op } = labels(shape);
  return S.labelled(S.record({ c: Client, op: Op, f: S.enum('read', 'write') }), (r, at) => `${at.show(Client, r.c)} ${r.f === 'write' ? `write ${r.op}` : 'read'} (${at.show(Op, r.op)})`);
};

/** The ghost effect recording an invocation, and an answer. */
const called = (g: StoreGhost, r: StoreRequest): StoreGhost => ({ events: [...g.events, { type: 'call', c: r.c, op: r.op, f: r.f }] });
const answered = (g: StoreGhost, c: number, op: number, vals: readonly number[]): StoreGhost => ({ events: [...g.events, { type: 'ret', c, op, vals }] });

// ---------------------------------------------------------------------------------------------
// CP: a fixed leader with majority quorums

/** The cp mode's data. */
export const cpSchema = (shape: StoreShape) => {
  const V = S.int(0, shape.ops);
  const OP = S.int(1, shape.ops);
  const C = S.int(1, shape.clients);
  const { Client, Op } = labels(shape);
  /** A version, labelled `v2` in messages. */
  const Version = S.labelled(V, (ver) => `v${ver}`);
  return {
    /** The replica's copy: version and value (the leader numbers versions). */
    durable: S.record({ ver: V, val: V }),
    volatile: S.record({
      /** This replica's clients with an operation pending, and the operation (by number). */
      busy: S.list(S.record({ c: C, op: OP, f: S.enum('read', 'write') }), shape.clients),
      /**
       * At the leader: the operations in progress. An operation refused at its home replica may
       * stay here (and still complete), so this holds up to every operation, not one per client.
       */
      pending: S.list(S.record({ op: OP, c: C, home: S.node(), f: S.enum('read', 'write'), acks: S.nodeSet(), ver: V, val: V }), shape.ops),
    }),
    /** Labelled `Fwd(c1 write op 3)`, `Rep(v2=3, op 3)`, `Ack(op 3)`, `Rq(op 1)`, `Ra(v0=0, op 1)`, `Done(c1 op 3 → 3)`. */
    msg: S.labelled(
      S.union('type', {
        /** Follower → leader: a client's operation. */
        Fwd: { op: Op, c: Client, f: S.enum('read', 'write') },
        /** Leader → followers: replicate version `ver` = value `val`. */
        Rep: { op: Op, ver: Version, val: V },
        /** Follower → leader: holds the write of `op`. */
        Ack: { op: Op },
        /** Leader → followers: report your copy, for the read `op`. */
        Rq: { op: Op },
        /** Follower → leader: my copy, for the read `op`. */
        Ra: { op: Op, ver: Version, val: V },
        /** Leader → the client's home replica: `op` is done (`val`: the value read, or the value written). */
        Done: { op: Op, c: Client, val: V },
      }),
      (m, at) => {
        const op = at.show(Op, m.op);
        switch (m.type) {
          case 'Fwd':
            return `Fwd(${at.show(Client, m.c)} ${m.f} ${op})`;
          case 'Rep':
          case 'Ra':
            return `${m.type}(${at.show(Version, m.ver)}=${m.val}, ${op})`;
          case 'Ack':
          case 'Rq':
            return `${m.type}(${op})`;
          case 'Done':
            return `Done(${at.show(Client, m.c)} ${op} → ${m.val})`;
        }
      },
    ),
    ghost: historySchema(shape),
    request: requestSchema(shape),
  };
};

/** The cp mode's types. */
export interface CpTypes extends SchemaTypes<ReturnType<typeof cpSchema>> {
  readonly request: StoreRequest;
  /** Armed while the replica has a client operation waiting; firing it refuses them all. */
  readonly timer: 'timeout';
}
type Cp = CpTypes;
type CpNode = { readonly durable: Cp['durable']; readonly volatile: Cp['volatile'] };
type CpPending = Cp['volatile']['pending'][number];

/** The cp rules a known-bug variant may change. */
interface CpRules {
  /** Does a follower answer its clients' reads from its own copy? Correct: no, it forwards them. */
  readonly followerReads: boolean;
}

/** The cp store. */
export function cpProtocol(shape: StoreShape, rules: CpRules = { followerReads: false }): Protocol<Cp> {
  const idle: Cp['volatile'] = { busy: [], pending: [] };

  /**
   * The home replica answers operation `op` of client `c` with `val`, if it is still waiting
   * for it (an operation refused on a timeout may complete later: its answer is dropped).
   */
  const answer = (ctx: Ctx<Cp>, node: CpNode, c: number, op: number, val: number): Reaction<Cp> => {
    const b = node.volatile.busy.find((x) => x.c === c && x.op === op);
    if (b === undefined) return node;
    const busy = node.volatile.busy.filter((x) => x !== b);
    return {
      durable: node.durable,
      volatile: { ...node.volatile, busy },
      effects: [ctx.ghost((g) => answered(g, c, op, b.f === 'read' ? [val] : [])), ...(busy.length === 0 ? [ctx.cancelTimer('timeout')] : [])],
    };
  };

  /** The client's answer: recorded at its home replica (`home`), directly or by a Done message. */
  const finish = (ctx: Ctx<Cp>, node: CpNode, p: CpPending, val: number): Reaction<Cp> => {
    const pending = node.volatile.pending.filter((x) => x.op !== p.op);
    if (p.home !== ctx.self) return { durable: node.durable, volatile: { ...node.volatile, pending }, effects: [ctx.send(p.home, { type: 'Done', op: p.op, c: p.c, val })] };
    return answer(ctx, { durable: node.durable, volatile: { ...node.volatile, pending } }, p.c, p.op, val);
  };

  /**
   * The leader starts an operation: a write takes the next version; a read asks for copies. (`op`
   * may be the forwarded message itself: its fields are copied one by one, so that its `type`
   * does not ride along undeclared in the pending entry.)
   */
  const start = (ctx: Ctx<Cp>, node: CpNode, op: { op: number; c: number; f: 'read' | 'write' }, home: NodeId, effects: Reaction<Cp>['effects'] = []): Reaction<Cp> => {
    const d = node.durable;
    const acks = addNode(0, ctx.self);
    if (op.f === 'write') {
      const ver = d.ver + 1;
      const p: CpPending = { op: op.op, c: op.c, f: op.f, home, acks, ver, val: op.op };
      return {
        durable: { ver, val: op.op },
        volatile: { ...node.volatile, pending: [...node.volatile.pending, p] },
        effects: [...(effects ?? []), ctx.broadcast({ type: 'Rep', op: op.op, ver, val: op.op })],
      };
    }
    const p: CpPending = { op: op.op, c: op.c, f: op.f, home, acks, ver: d.ver, val: d.val };
    return { durable: d, volatile: { ...node.volatile, pending: [...node.volatile.pending, p] }, effects: [...(effects ?? []), ctx.broadcast({ type: 'Rq', op: op.op })] };
  };

  /** The leader receives an ack or a copy: a majority completes the operation. */
  const collect = (ctx: Ctx<Cp>, node: CpNode, op: number, from: NodeId, copy: { ver: number; val: number } | null): Reaction<Cp> => {
    const p = node.volatile.pending.find((x) => x.op === op);
    if (p === undefined || (copy === null) !== (p.f === 'write')) return node; // late: already answered
    const better = copy !== null && copy.ver > p.ver;
    const next: CpPending = { ...p, acks: addNode(p.acks, from), ...(better ? { ver: copy.ver, val: copy.val } : {}) };
    // A majority holds the write (or has reported its copy): any later read's majority meets
    // this one, so it sees this version or a later one.
    if (popcount(next.acks) >= ctx.majority) return finish(ctx, node, next, next.val);
    return { durable: node.durable, volatile: { ...node.volatile, pending: node.volatile.pending.map((x) => (x.op === op ? next : x)) } };
  };

  return defineProtocol<Cp>({
    name: 'store',
    schema: cpSchema(shape),
    roles: { replica: { count: shape.replicas, prefix: 'r', symmetric: false } },
    initGhost: { events: [] },
    init: () => ({ durable: { ver: 0, val: 0 }, volatile: idle }),
    onRestart: (_ctx, durable) => ({ durable, volatile: idle }),
    requests: requestsOf(shape),
    acceptsRequest: (ctx, node, req) => homeOf(shape, req.c) === ctx.self && node.volatile !== null && !node.volatile.busy.some((b) => b.c === req.c),
    onClientRequest(ctx, node, req) {
      const call = ctx.ghost((g) => called(g, req));
      if (req.f === 'read' && rules.followerReads && ctx.self !== LEADER) {
        return { durable: node.durable, volatile: node.volatile, effects: [call, ctx.ghost((g) => answered(g, req.c, req.op, [node.durable.val]))] };
      }
      const v = { ...node.volatile, busy: [...node.volatile.busy, { c: req.c, op: req.op, f: req.f }].sort((a, b) => a.c - b.c) };
      const wait = ctx.setTimer('timeout');
      if (ctx.self === LEADER) return start(ctx, { durable: node.durable, volatile: v }, req, ctx.self, [call, wait]);
      return { durable: node.durable, volatile: v, effects: [call, wait, ctx.send(LEADER, { type: 'Fwd', op: req.op, c: req.c, f: req.f })] };
    },
    timers: ['timeout'],
    /**
     * The timeout is a failure-detector timeout: it fires when the replica suspects every node
     * its waiting operations still need. A follower needs the leader. The leader needs, for
     * each of its own clients' operations, the peers that have not acked or reported yet; it
     * suspects them all only when they are cut off, and then no majority can answer. (Exact for
     * 3 replicas, where a minority side is one replica; with more, a follower on the leader's
     * minority side waits for the heal: no answer, never a wrong one.) With the environment's
     * `detector=unreliable` and `falseSuspicions`, it may also fire when nothing is wrong, as a
     * real timeout does, racing with the completion.
     */
    detector: {
      timeout: (ctx, node) => {
        const v = node.volatile;
        if (v.busy.length === 0) return [];
        if (ctx.self !== LEADER) return [LEADER];
        const waiting = v.pending.filter((p) => v.busy.some((b) => b.op === p.op));
        return ctx.peers.filter((r) => waiting.some((p) => !hasNode(p.acks, r)));
      },
    },
    /**
     * The timeout fired: every operation still waiting here is answered `unavailable`. The
     * history must stay sound: a refused read has no effect (failed); a refused write was
     * already sent onward (to the followers by the leader, or to the leader by a follower) and
     * may still take effect, so it is recorded as indeterminate, never as failed. Whatever the
     * leader still holds for it stays, and a late answer for it is dropped (see `answer`).
     */
    onTimer(ctx, node) {
      const refused = node.volatile.busy;
      return {
        durable: node.durable,
        volatile: { ...node.volatile, busy: [] },
        effects: refused.map((b) => ctx.ghost((g) => ({ events: [...g.events, { type: 'refused' as const, c: b.c, op: b.op, effect: b.f === 'read' ? ('none' as const) : ('unknown' as const) }] }))),
      };
    },
    onMessage(ctx, node, msg, from) {
      const d = node.durable;
      switch (msg.type) {
        case 'Fwd':
          return start(ctx, node, msg, from);
        case 'Rep':
          return { durable: msg.ver > d.ver ? { ver: msg.ver, val: msg.val } : d, volatile: node.volatile, effects: [ctx.send(from, { type: 'Ack', op: msg.op })] };
        case 'Rq':
          return { ...node, effects: [ctx.send(from, { type: 'Ra', op: msg.op, ver: d.ver, val: d.val })] };
        case 'Ack':
          return collect(ctx, node, msg.op, from, null);
        case 'Ra':
          return collect(ctx, node, msg.op, from, { ver: msg.ver, val: msg.val });
        case 'Done':
          return answer(ctx, node, msg.c, msg.op, msg.val);
        default:
          return assertNever(msg);
      }
    },
  });
}

// ---------------------------------------------------------------------------------------------
// AP, last writer wins by hybrid logical clock

/** A hybrid logical timestamp with its replica: compared as (l, c, node). */
export interface Stamp {
  readonly l: number;
  readonly c: number;
  readonly n: number;
}

/** `a` is later than `b`. */
export function stampAfter(a: Stamp, b: Stamp): boolean {
  return a.l !== b.l ? a.l > b.l : a.c !== b.c ? a.c > b.c : a.n > b.n;
}

/** The HLC of a replica that takes a write at physical time `pt`. */
export function hlcTick(h: { l: number; c: number }, pt: number): { l: number; c: number } {
  return pt > h.l ? { l: pt, c: 0 } : { l: h.l, c: h.c + 1 };
}

/** The HLC after seeing stamp `m`: the larger of the two (see the module comment). */
export function hlcMerge(h: { l: number; c: number }, m: { l: number; c: number }): { l: number; c: number } {
  return m.l > h.l || (m.l === h.l && m.c > h.c) ? { l: m.l, c: m.c } : h;
}

/** The ap-lww mode's data. */
export const lwwSchema = (shape: StoreShape, maxClock: number) => {
  const V = S.int(0, shape.ops);
  const L = S.int(0, maxClock);
  const CC = S.int(0, shape.ops);
  return {
    durable: S.record({
      /** The value and its stamp (`n` = 0: the initial value). */
      val: V,
      l: L,
      c: CC,
      n: S.int(0, shape.replicas),
      /** The replica's HLC. */
      hl: L,
      hc: CC,
      /** Changed by a client write since the last push. */
      dirty: S.bool(),
    }),
    volatile: S.record({}),
    /** Labelled `Push(3 @ 1.0.r2)`: the value, and its stamp's l, c and replica (every pushed value was written, so its replica is a node). */
    msg: S.labelled(S.union('type', { Push: { val: V, l: L, c: CC, n: S.int(0, shape.replicas) } }), (m, at) => `Push(${m.val} @ ${m.l}.${m.c}.${at.name(m.n)})`),
    ghost: historySchema(shape),
    request: requestSchema(shape),
    local: S.enum('push'),
  };
};

/** The ap-lww mode's types. */
export interface LwwTypes extends SchemaTypes<ReturnType<typeof lwwSchema>> {
  readonly request: StoreRequest;
  readonly local: 'push';
}
type Lww = LwwTypes;

/** The ap-lww store. */
export function lwwProtocol(shape: StoreShape, maxClock: number): Protocol<Lww> {
  const physical = shape.stamps === 'physical';
  return defineProtocol<Lww>({
    name: 'store',
    schema: lwwSchema(shape, maxClock),
    // The HLC reads the physical clock (`ctx.clock`): the model offers maxClock and maxSkew.
    clocks: true,
    roles: { replica: { count: shape.replicas, prefix: 'r', symmetric: false } },
    initGhost: { events: [] },
    init: () => ({ durable: { val: 0, l: 0, c: 0, n: 0, hl: 0, hc: 0, dirty: false }, volatile: {} }),
    onRestart: (_ctx, durable) => ({ durable, volatile: {} }),
    requests: requestsOf(shape),
    acceptsRequest: (ctx, _node, req) => shape.roaming === true || homeOf(shape, req.c) === ctx.self,
    onClientRequest(ctx, node, req) {
      const d = node.durable;
      const call = ctx.ghost((g) => called(g, req));
      if (req.f === 'read') return { ...node, effects: [call, ctx.ghost((g) => answered(g, req.c, req.op, [d.val]))] };
      const ack = ctx.ghost((g) => answered(g, req.c, req.op, []));
      if (physical) {
        // The replica's wall clock, ties broken by value (Cassandra). A clock behind the stamp
        // already held makes the new write lose here at once: acknowledged, never visible.
        const s: Stamp = { l: ctx.clock, c: req.op, n: ctx.self };
        if (stampAfter(d, s)) return { ...node, effects: [call, ack] };
        return { durable: { ...d, val: req.op, l: s.l, c: s.c, n: s.n, dirty: true }, volatile: node.volatile, effects: [call, ack] };
      }
      // The new stamp is past everything this replica has seen, so the write wins here.
      const h = hlcTick({ l: d.hl, c: d.hc }, ctx.clock);
      return {
        durable: { val: req.op, l: h.l, c: h.c, n: ctx.self, hl: h.l, hc: h.c, dirty: true },
        volatile: node.volatile,
        effects: [call, ack],
      };
    },
    localActions: (_ctx, node) => (node.durable.dirty ? ['push'] : []),
    onLocal: (ctx, node) => {
      const d = node.durable;
      return { durable: { ...d, dirty: false }, volatile: node.volatile, effects: [ctx.broadcast({ type: 'Push', val: d.val, l: d.l, c: d.c, n: d.n })] };
    },
    onMessage(_ctx, node, msg) {
      const d = node.durable;
      // Physical stamps: the clock is not a logical one, so a received stamp does not move it.
      const h = physical ? { l: d.hl, c: d.hc } : hlcMerge({ l: d.hl, c: d.hc }, msg);
      // Last writer wins: the larger stamp; the other write is gone.
      const wins = stampAfter(msg, d);
      return { durable: { ...(wins ? { val: msg.val, l: msg.l, c: msg.c, n: msg.n } : { val: d.val, l: d.l, c: d.c, n: d.n }), hl: h.l, hc: h.c, dirty: d.dirty }, volatile: node.volatile };
    },
  });
}

// ---------------------------------------------------------------------------------------------
// AP, siblings under version vectors

/** The ap-siblings mode's data. */
export const siblingsSchema = (shape: StoreShape) => {
  const V = S.int(0, shape.ops);
  const VV = S.perNode(S.int(0, shape.ops));
  const sibling = S.record({ val: V, vv: VV });
  /** A sibling in a message, labelled `3[1,0,2]` (its value and version vector). */
  const sent = S.labelled(sibling, (x) => `${x.val}[${x.vv.join(',')}]`);
  return {
    durable: S.record({
      /** The siblings, by value. */
      sibs: S.list(sibling, shape.ops),
      /** Each session's context (indexed by client − 1; only this replica's clients are used). */
      ctx: S.list(VV, shape.clients),
      dirty: S.bool(),
    }),
    volatile: S.record({}),
    /** Labelled `Push(1[1,0,0] | 2[0,1,0])` (`Push(empty)`: no sibling). */
    msg: S.labelled(S.union('type', { Push: { sibs: S.list(sent, shape.ops) } }), (m, at) => `Push(${m.sibs.map((x) => at.show(sent, x)).join(' | ') || 'empty'})`),
    ghost: historySchema(shape),
    request: requestSchema(shape),
    local: S.enum('push'),
  };
};

/** The ap-siblings mode's types. */
export interface SiblingsTypes extends SchemaTypes<ReturnType<typeof siblingsSchema>> {
  readonly request: StoreRequest;
  readonly local: 'push';
}
type Sib = SiblingsTypes;
type Sibling = Sib['durable']['sibs'][number];

/** How two version vectors compare. */
export function vvCompare(a: readonly number[], b: readonly number[]): 'before' | 'after' | 'equal' | 'concurrent' {
  let lt = false;
  let gt = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) lt = true;
    else if (a[i]! > b[i]!) gt = true;
  }
  return lt && gt ? 'concurrent' : lt ? 'before' : gt ? 'after' : 'equal';
}
const vvMerge = (a: readonly number[], b: readonly number[]): number[] => a.map((x, i) => Math.max(x, b[i]!));

/** How a replica merges a received sibling: correct (keep concurrent ones), or the drop-sibling bug. */
type MergeRule = (sibs: readonly Sibling[], s: Sibling) => Sibling[];

/** A received version replaces the siblings it follows, is dropped if one follows it, and otherwise joins them. */
export const keepSiblings: MergeRule = (sibs, s) => {
  if (sibs.some((x) => { const o = vvCompare(s.vv, x.vv); return o === 'before' || o === 'equal'; })) return [...sibs];
  return [...sibs.filter((x) => vvCompare(x.vv, s.vv) !== 'before'), s].sort((a, b) => a.val - b.val);
};

/** The ap-siblings store. */
export function siblingsProtocol(shape: StoreShape, merge: MergeRule = keepSiblings): Protocol<Sib> {
  const zero = (): number[] => new Array<number>(shape.replicas).fill(0);
  return defineProtocol<Sib>({
    name: 'store',
    schema: siblingsSchema(shape),
    roles: { replica: { count: shape.replicas, prefix: 'r', symmetric: false } },
    initGhost: { events: [] },
    init: () => ({ durable: { sibs: [], ctx: Array.from({ length: shape.clients }, zero), dirty: false }, volatile: {} }),
    onRestart: (_ctx, durable) => ({ durable, volatile: {} }),
    requests: requestsOf(shape),
    acceptsRequest: (ctx, _node, req) => shape.roaming === true || homeOf(shape, req.c) === ctx.self,
    onClientRequest(ctx, node, req) {
      const d = node.durable;
      const call = ctx.ghost((g) => called(g, req));
      const k = req.c - 1;
      if (req.f === 'read') {
        // The reader sees every sibling; its context becomes their merge.
        const seen = d.sibs.reduce((acc, s) => vvMerge(acc, s.vv), d.ctx[k]!);
        const vals = d.sibs.length === 0 ? [0] : d.sibs.map((s) => s.val);
        return { durable: { ...d, ctx: d.ctx.map((x, i) => (i === k ? seen : x)) }, volatile: node.volatile, effects: [call, ctx.ghost((g) => answered(g, req.c, req.op, vals))] };
      }
      // The write supersedes its session's context; this replica's entry moves past every
      // version it has made, so the new vector follows the context and nothing else.
      const own = d.sibs.reduce((m, s) => Math.max(m, s.vv[ctx.self - 1]!), d.ctx.reduce((m, x) => Math.max(m, x[ctx.self - 1]!), 0));
      const vv = d.ctx[k]!.map((x, i) => (i === ctx.self - 1 ? own + 1 : x));
      const mine: Sibling = { val: req.op, vv };
      const sibs = [...d.sibs.filter((s) => vvCompare(s.vv, vv) !== 'before'), mine].sort((a, b) => a.val - b.val);
      return {
        durable: { sibs, ctx: d.ctx.map((x, i) => (i === k ? vv : x)), dirty: true },
        volatile: node.volatile,
        effects: [call, ctx.ghost((g) => answered(g, req.c, req.op, []))],
      };
    },
    localActions: (_ctx, node) => (node.durable.dirty ? ['push'] : []),
    onLocal: (ctx, node) => ({ durable: { ...node.durable, dirty: false }, volatile: node.volatile, effects: [ctx.broadcast({ type: 'Push', sibs: node.durable.sibs })] }),
    onMessage(_ctx, node, msg) {
      const d = node.durable;
      const sibs = msg.sibs.reduce<Sibling[]>((acc, s) => merge(acc, s), [...d.sibs]);
      return { durable: { ...d, sibs }, volatile: node.volatile };
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Known-bug variants: one override each

/** The known-bug variants. */
export const STORE_BUG_NAMES = ['stale-read', 'drop-sibling'] as const;
/** A variant's name, or none. */
export type StoreBug = (typeof STORE_BUG_NAMES)[number] | 'none';

/** `drop-sibling`: a concurrent version replaces the siblings instead of joining them, when its value is larger. */
export const dropSibling: MergeRule = (sibs, s) => {
  const kept = keepSiblings(sibs, s);
  if (kept.length <= 1) return kept;
  const top = kept.reduce((a, b) => (b.val > a.val ? b : a));
  return [top];
};

// ---------------------------------------------------------------------------------------------
// Machines

/** The state of the store in any mode (the ghost and what each replica shows are common). */
export type StoreState = EnvState<Cp> | EnvState<Lww> | EnvState<Sib>;
/** The store machine in any mode. */
export type StoreMachine = EnvMachine<Cp> | EnvMachine<Lww> | EnvMachine<Sib>;

/** What replica `r` would answer a read with, from its own copy (for the convergence checks). */
export function shownAt(mode: StoreMode, s: StoreState, r: NodeId): readonly number[] {
  const d = s.nodes[r - 1]!.durable as Cp['durable'] | Lww['durable'] | Sib['durable'];
  if (mode === 'ap-siblings') {
    const sibs = (d as Sib['durable']).sibs;
    return sibs.length === 0 ? [0] : sibs.map((x) => x.val);
  }
  return [(d as Cp['durable'] | Lww['durable']).val];
}

/** Nothing left in motion: no message in flight, no partition, no push due, no operation in progress. */
export function quiescent(mode: StoreMode, s: StoreState): boolean {
  if (s.net.length > 0 || s.partition !== null) return false;
  for (const n of s.nodes) {
    if (mode === 'cp') {
      const v = n.volatile as Cp['volatile'] | null;
      if (v !== null && v.pending.length > 0) return false;
    } else if ((n.durable as Lww['durable'] | Sib['durable']).dirty) return false;
  }
  return true;
}

/** The checks a store machine runs: over the state of any mode. */
export interface StoreChecks {
  readonly invariants: readonly Invariant<StoreState>[];
  readonly sometimes: readonly Witness<StoreState>[];
}

/** Build the store machine of `mode` (bug: one of the variants, for its mode). */
export function makeStoreMachine(mode: StoreMode, shape: StoreShape, env: Partial<EnvConfig>, checks: StoreChecks, bug: StoreBug = 'none'): StoreMachine {
  const config: Partial<EnvConfig> = { ...env, nodes: shape.replicas, requests: shape.ops };
  if (mode !== 'ap-lww' && shape.stamps === 'physical') throw new InputError(`stamps=physical is an ap-lww option; mode=${mode} stamps nothing`);
  if (mode !== 'ap-lww' && (env.maxClock ?? 0) > 0) throw new InputError(`mode=${mode} reads no clock; maxClock is for ap-lww's stamps`);
  switch (mode) {
    case 'cp':
      if (shape.roaming === true) throw new InputError('cp sessions stay at their home replica (it forwards to the leader); roaming is for the AP modes');
      return envMachine(cpProtocol(shape, { followerReads: bug === 'stale-read' }), config, checks);
    case 'ap-lww':
      if (shape.stamps === 'physical' && (env.maxClock ?? 0) < 1) throw new InputError('stamps=physical reads the physical clocks: set maxClock ≥ 1 (with maxClock=0 there are no clocks)');
      return envMachine(lwwProtocol(shape, env.maxClock ?? 0), config, checks);
    case 'ap-siblings':
      return envMachine(siblingsProtocol(shape, bug === 'drop-sibling' ? dropSibling : keepSiblings), config, checks);
    default:
      return assertNever(mode);
  }
}
