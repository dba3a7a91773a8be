/**
 * Echo: the smallest protocol on the shared environment, to show (and test) its semantics.
 *
 * A client asks a node to ping a peer. The node numbers its pings with a counter kept in durable
 * state (`seq`), sends `Ping(seq)` and waits for `Pong(seq)`; the peer answers every Ping with a
 * Pong. With `retry`, the node arms a `retry` timer and, if it fires before the Pong arrives,
 * sends the same Ping once more. The ghost record keeps the history the invariants
 * (`specs/echo.ts`) read: every Ping sent (by a client request) and every Ping delivered, in
 * order. Every node plays the same role, so the model is symmetric under node permutations.
 *
 * The data is declared once ({@link echoSchema}): encodings, views, renaming and signatures are
 * derived from it. The model (`specs/models/echo.ts`) binds this protocol, its specs and the
 * known-bug variants, which are one-handler overrides at the end of this file.
 */
import type { EnvMachine } from '../env/machine.ts';
import type { EnvConfig } from '../env/config.ts';
import { S } from '../env/schema.ts';
import { defineProtocol, type EnvState, type NodeId, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';

/** Echo's data, for a configuration: every counter is bounded by the request budget. */
export const echoSchema = (cfg: EnvConfig) => {
  const Seq = S.int(0, cfg.requests);
  const Ping = S.record({ from: S.node(), to: S.node(), seq: Seq });
  return {
    /** What survives a crash: the number of pings this node has sent. */
    durable: S.record({ seq: Seq }),
    /** What a crash loses: the ping being waited for, and the pongs received. */
    volatile: S.record({ waiting: S.optional(S.record({ to: S.node(), seq: Seq })), pongs: Seq }),
    msg: S.union('type', { Ping: { seq: Seq }, Pong: { seq: Seq } }),
    /**
     * The ghost history: pings sent by client requests, and pings delivered, in order (each Ping
     * is sent at most twice, plus one retry, plus the duplicates the network makes).
     */
    ghost: S.record({ sent: S.list(Ping, cfg.requests), delivered: S.list(Ping, 3 * cfg.requests + cfg.duplicates) }),
    /** A client request, labelled `ping n2`. */
    request: S.labelled(S.record({ to: S.node() }), (r, at) => `ping ${at.name(r.to)}`),
  };
};

/** Echo's types, for the environment. */
export interface EchoTypes extends SchemaTypes<ReturnType<typeof echoSchema>> {
  readonly timer: 'retry';
  /** A client request: ping node `to`. */
  readonly request: { readonly to: NodeId };
}
/** One ping, in the ghost history. */
export type PingRecord = EchoTypes['ghost']['sent'][number];
/** Echo's state in the environment. */
export type EchoState = EnvState<EchoTypes>;
/** Echo's machine. */
export type EchoMachine = EnvMachine<EchoTypes>;

const FRESH: EchoTypes['volatile'] = { waiting: null, pongs: 0 };

/** The correct Echo protocol; `retry` arms a one-shot retry timer with every ping. */
export function echoProtocol(opts: { readonly retry?: boolean } = {}): Protocol<EchoTypes> {
  const retry = opts.retry ?? false;
  return defineProtocol<EchoTypes>({
    name: 'echo',
    schema: echoSchema,
    symmetry: {},
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
        volatile: { waiting: { to: req.to, seq }, pongs: node.volatile.pongs },
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
          const w = node.volatile.waiting;
          if (w === null || w.to !== from || w.seq !== msg.seq) return node;
          return {
            durable: node.durable,
            volatile: { waiting: null, pongs: node.volatile.pongs + 1 },
            effects: [ctx.cancelTimer('retry'), ctx.note(`got Pong(${msg.seq})`)],
          };
        }
      }
    },
    onTimer(ctx, node) {
      const w = node.volatile.waiting;
      if (w === null) return node;
      return { ...node, effects: [ctx.send(w.to, { type: 'Ping', seq: w.seq })] };
    },
  });
}

/** A known-bug variant's name. */
export type EchoBug = 'volatile-seq' | 'double-send';

/** Echo with a known bug: each variant overrides one handler of the correct protocol. */
export function buggyEcho(bug: EchoBug | 'none', opts: { readonly retry?: boolean } = {}): Protocol<EchoTypes> {
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
