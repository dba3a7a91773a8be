/**
 * Echo: the smallest protocol on the shared environment, to show (and test) its semantics.
 *
 * A client asks a node to ping a peer. The node numbers its pings with a counter kept in durable
 * state (`seq`), sends `Ping(seq)` and waits for `Pong(seq)`; the peer answers every Ping with a
 * Pong. With `retry`, the node arms a `retry` timer and, if it fires before the Pong arrives,
 * sends the same Ping once more. The ghost record keeps the history invariants read: every Ping
 * sent (by a client request) and every Ping delivered, in order.
 *
 * Invariants:
 * - `fresh-seq`: a node never numbers two pings alike (needs the counter to survive crashes);
 * - `no-double-delivery`: no Ping is delivered twice (holds on a non-duplicating network
 *   without retries);
 * - `fifo-order`: the pings from one node to another arrive in the order they were sent (holds
 *   with `delivery=fifo`; the checker finds a violation on a multiset network).
 *
 * Every node plays the same role, so the model is symmetric under node permutations.
 */
import { bool, defineModel } from '../core/machine.ts';
import type { Encoder } from '../core/encode.ts';
import { envMachine, type EnvMachine } from '../env/machine.ts';
import { type EnvConfig } from '../env/config.ts';
import { envParams } from '../env/params.ts';
import { nodeName } from '../env/partition.ts';
import { defineProtocol, type EnvState, type NodeId, type Protocol, type Reaction } from '../env/types.ts';

/** Echo's messages. */
export type EchoMsg = { readonly type: 'Ping'; readonly seq: number } | { readonly type: 'Pong'; readonly seq: number };

/** What survives a crash: the number of pings this node has sent. */
export interface EchoDurable {
  readonly seq: number;
}

/** What a crash loses: the ping being waited for (`waiting = 0`: none), and pongs received. */
export interface EchoVolatile {
  readonly waiting: NodeId;
  readonly waitingSeq: number;
  readonly pongs: number;
}

/** A client request: ping node `to`. */
export interface EchoRequest {
  readonly to: NodeId;
}

/** One ping, in the ghost history. */
export interface PingRecord {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly seq: number;
}

/** The ghost history: pings sent by client requests, and pings delivered, in order. */
export interface EchoGhost {
  readonly sent: readonly PingRecord[];
  readonly delivered: readonly PingRecord[];
}

/** Echo's types, for the environment. */
export interface EchoTypes {
  readonly durable: EchoDurable;
  readonly volatile: EchoVolatile;
  readonly msg: EchoMsg;
  readonly timer: 'retry';
  readonly request: EchoRequest;
  readonly ghost: EchoGhost;
}

/** Echo's state in the environment. */
export type EchoState = EnvState<EchoTypes>;

/** The known-bug variants. */
export const ECHO_BUGS = {
  'volatile-seq': {
    doc: 'the ping counter is not persisted: a restarted node numbers its pings from 1 again',
    breaks: ['fresh-seq'],
  },
  'double-send': {
    doc: 'a node sends each ping twice',
    breaks: ['no-double-delivery', 'fifo-order'],
  },
} as const;
/** A known-bug variant's name, or none. */
export type EchoBug = keyof typeof ECHO_BUGS | 'none';

const FRESH: EchoVolatile = { waiting: 0, waitingSeq: 0, pongs: 0 };
const PING = 0;
const PONG = 1;

const writePings = (xs: readonly PingRecord[], out: Encoder): void => {
  out.int(xs.length);
  for (const x of xs) {
    out.int(x.from);
    out.int(x.to);
    out.int(x.seq);
  }
};

/** The correct Echo protocol; `retry` arms a one-shot retry timer with every ping. */
export function echoProtocol(opts: { readonly retry?: boolean } = {}): Protocol<EchoTypes> {
  const retry = opts.retry ?? false;
  return defineProtocol<EchoTypes>({
    name: 'echo',
    timers: ['retry'],
    initGhost: { sent: [], delivered: [] },
    init: () => ({ durable: { seq: 0 }, volatile: FRESH }),
    onRestart: (_ctx, durable) => ({ durable, volatile: FRESH }),
    requests: (_seq, n) => Array.from({ length: n }, (_, i) => ({ to: i + 1 })),
    acceptsRequest: (ctx, _node, req) => req.to !== ctx.self,
    onClientRequest(ctx, node, req): Reaction<EchoTypes> {
      const seq = node.durable.seq + 1;
      const ping: PingRecord = { from: ctx.self, to: req.to, seq };
      return {
        durable: { seq },
        volatile: { waiting: req.to, waitingSeq: seq, pongs: node.volatile.pongs },
        effects: [
          ctx.send(req.to, { type: 'Ping', seq }),
          ctx.ghost((g) => ({ sent: [...g.sent, ping], delivered: g.delivered })),
          ...(retry ? [ctx.setTimer('retry')] : []),
        ],
      };
    },
    onMessage(ctx, node, msg, from): Reaction<EchoTypes> {
      switch (msg.type) {
        case 'Ping': {
          const ping: PingRecord = { from, to: ctx.self, seq: msg.seq };
          return {
            ...node,
            effects: [ctx.ghost((g) => ({ sent: g.sent, delivered: [...g.delivered, ping] })), ctx.send(from, { type: 'Pong', seq: msg.seq })],
          };
        }
        case 'Pong': {
          const v = node.volatile;
          if (v.waiting !== from || v.waitingSeq !== msg.seq) return node;
          return {
            durable: node.durable,
            volatile: { waiting: 0, waitingSeq: 0, pongs: v.pongs + 1 },
            effects: [ctx.cancelTimer('retry'), ctx.note(`got Pong(${msg.seq})`)],
          };
        }
      }
    },
    onTimer(ctx, node) {
      const v = node.volatile;
      if (v.waiting === 0) return node;
      return { ...node, effects: [ctx.send(v.waiting, { type: 'Ping', seq: v.waitingSeq })] };
    },
    encodeDurable: (d, out) => out.int(d.seq),
    encodeVolatile: (v, out) => {
      out.int(v.waiting);
      out.int(v.waitingSeq);
      out.int(v.pongs);
    },
    encodeMessage: (m, out) => {
      out.int(m.type === 'Ping' ? PING : PONG);
      out.int(m.seq);
    },
    encodeGhost: (g, out) => {
      writePings(g.sent, out);
      writePings(g.delivered, out);
    },
    formatRequest: (r) => `ping ${nodeName(r.to)}`,
    viewVolatile: (v) => (v.waiting === 0 ? { pongs: v.pongs } : { waiting: `${nodeName(v.waiting)} #${v.waitingSeq}`, pongs: v.pongs }),
    viewGhost: (g) => ({
      sent: g.sent.map((p) => `${nodeName(p.from)}→${nodeName(p.to)} #${p.seq}`),
      delivered: g.delivered.map((p) => `${nodeName(p.from)}→${nodeName(p.to)} #${p.seq}`),
    }),
    symmetry: {
      renameVolatile: (v, f) => ({ waiting: f(v.waiting), waitingSeq: v.waitingSeq, pongs: v.pongs }),
      renameGhost: (g, f) => {
        const r = (p: PingRecord): PingRecord => ({ from: f(p.from), to: f(p.to), seq: p.seq });
        return { sent: g.sent.map(r), delivered: g.delivered.map(r) };
      },
      signature: (node) => node.durable.seq * 64 + (node.volatile === null ? 0 : node.volatile.pongs + 1),
    },
  });
}

/** Echo with a known bug: each variant overrides one handler of the correct protocol. */
export function buggyEcho(bug: EchoBug, opts: { readonly retry?: boolean } = {}): Protocol<EchoTypes> {
  const base = echoProtocol(opts);
  switch (bug) {
    case 'none':
      return base;
    case 'volatile-seq':
      // The counter is lost on a crash: restart from 0.
      return { ...base, onRestart: () => ({ durable: { seq: 0 }, volatile: FRESH }) };
    case 'double-send':
      return {
        ...base,
        onClientRequest(ctx, node, req) {
          const r = base.onClientRequest(ctx, node, req);
          return { ...r, effects: [...(r.effects ?? []), ctx.send(req.to, { type: 'Ping', seq: r.durable.seq })] };
        },
      };
  }
}

const key = (p: PingRecord): string => `${p.from}>${p.to}#${p.seq}`;
const show = (p: PingRecord): string => `${nodeName(p.from)}→${nodeName(p.to)} #${p.seq}`;

/** Echo's invariants (they read the ghost history). */
export const echoInvariants = [
  {
    name: 'fresh-seq',
    symmetric: true,
    doc: 'no node numbers two pings alike',
    check(s: EchoState) {
      const seen = new Set<string>();
      for (const p of s.ghost.sent) {
        const k = `${p.from}#${p.seq}`;
        if (seen.has(k)) return `${nodeName(p.from)} sent two pings numbered ${p.seq}`;
        seen.add(k);
      }
      return true;
    },
  },
  {
    name: 'no-double-delivery',
    symmetric: true,
    doc: 'no ping is delivered twice',
    check(s: EchoState) {
      const seen = new Set<string>();
      for (const p of s.ghost.delivered) {
        if (seen.has(key(p))) return `${show(p)} was delivered twice`;
        seen.add(key(p));
      }
      return true;
    },
  },
  {
    name: 'fifo-order',
    symmetric: true,
    doc: 'the pings from one node to another arrive in the order they were sent (strictly increasing seq)',
    check(s: EchoState) {
      const last = new Map<string, number>();
      for (const p of s.ghost.delivered) {
        const link = `${p.from}>${p.to}`;
        const prev = last.get(link);
        if (prev !== undefined && p.seq <= prev) return `${show(p)} arrived after #${prev}`;
        last.set(link, p.seq);
      }
      return true;
    },
  },
] as const;

/** Echo's `sometimes` witnesses. */
export const echoWitnesses = [
  { name: 'ping-delivered', symmetric: true, doc: 'some ping is delivered', check: (s: EchoState) => s.ghost.delivered.length > 0 },
  { name: 'pong-received', symmetric: true, doc: 'some node gets the pong it waited for', check: (s: EchoState) => s.nodes.some((x) => x.volatile !== null && x.volatile.pongs > 0) },
] as const;

/** The Echo machine in an environment configuration, optionally with a known bug. */
export function makeEcho(config: Partial<EnvConfig> = {}, opts: { readonly retry?: boolean; readonly bug?: EchoBug } = {}): EnvMachine<EchoTypes> {
  return envMachine(buggyEcho(opts.bug ?? 'none', opts), config, {
    invariants: echoInvariants,
    sometimes: echoWitnesses,
  });
}

/** The Echo registry entry. */
export const echoModel = defineModel({
  name: 'echo',
  doc: 'ping/pong on the shared environment: shows its delivery, crash, partition and timer semantics',
  params: {
    ...envParams(echoProtocol(), { nodes: 2, delivery: 'fifo', crashes: 1, requests: 2 }),
    retry: bool(false, 'resend an unanswered ping once when its retry timer fires'),
  },
  bugs: ECHO_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { nodes: [2, 4], crashes: [0, 2], restarts: [true, false], drops: [0, 2], requests: [1, 3] },
  build: (p) => makeEcho(p, { retry: p.retry, bug: p.bug }),
});
