/**
 * The example protocol of the guide in `impl/env/index.ts`, verbatim, so that the guide is
 * known to compile and run (see `example.test.ts`).
 */
import { envMachine, defineProtocol, type NodeId, type Protocol } from '../../impl/env/index.ts';

/** The example's types. */
export interface PingTypes {
  readonly durable: { readonly seq: number }; // survives a crash
  readonly volatile: { readonly waiting: NodeId }; // lost on a crash
  readonly msg: // discriminated on `type`
    | { readonly type: 'Ping'; readonly seq: number }
    | { readonly type: 'Pong'; readonly seq: number };
  readonly timer: 'retry'; // timer names
  readonly request: { readonly to: NodeId }; // client request payloads
  readonly local: 'give-up'; // spontaneous local steps
  readonly ghost: { readonly pongs: number }; // history for invariants
}

/** The example protocol. */
export const pingProtocol = defineProtocol<PingTypes>({
  name: 'ping',
  timers: ['retry'],
  initGhost: { pongs: 0 },
  init: () => ({ durable: { seq: 0 }, volatile: { waiting: 0 } }),
  onRestart: (_ctx, durable) => ({ durable, volatile: { waiting: 0 } }),
  requests: (_seq, n) => Array.from({ length: n }, (_, i) => ({ to: i + 1 })),
  acceptsRequest: (ctx, _node, req) => req.to !== ctx.self,
  onClientRequest: (ctx, node, req) => ({
    durable: { seq: node.durable.seq + 1 },
    volatile: { waiting: req.to },
    effects: [ctx.send(req.to, { type: 'Ping', seq: node.durable.seq + 1 }), ctx.setTimer('retry')],
  }),
  onMessage(ctx, node, msg, from) {
    switch (msg.type) {
      case 'Ping': return { ...node, effects: [ctx.send(from, { type: 'Pong', seq: msg.seq })] };
      case 'Pong':
        if (from !== node.volatile.waiting || msg.seq !== node.durable.seq) return node; // stale
        return { durable: node.durable, volatile: { waiting: 0 },
                 effects: [ctx.cancelTimer('retry'), ctx.ghost((g) => ({ pongs: g.pongs + 1 }))] };
    }
  },
  onTimer: (ctx, node) => ({ ...node, effects: node.volatile.waiting === 0 ? [] :
                             [ctx.send(node.volatile.waiting, { type: 'Ping', seq: node.durable.seq })] }),
  localActions: (_ctx, node) => (node.volatile.waiting !== 0 ? ['give-up'] : []),
  onLocal: (ctx, node) => ({ durable: node.durable, volatile: { waiting: 0 }, effects: [ctx.cancelTimer('retry')] }),
});

/** The guide's machine. */
export const pingMachine = envMachine(pingProtocol, { nodes: 3, crashes: 1, requests: 2 }, {
  invariants: [{ name: 'one-pong-per-ping', check: (s) => s.ghost.pongs <= s.used.requests || 'too many pongs' }],
  properties: [], // (prev, action, next) checks
  sometimes: [{ name: 'pong', check: (s) => s.ghost.pongs > 0 }],
  isTerminal: (s) => s.net.length === 0, // optional: proper ends, not deadlocks
});

/** The guide's known-bug variant. */
export const forgetful: Protocol<PingTypes> = { ...pingProtocol, onRestart: () => ({ durable: { seq: 0 }, volatile: { waiting: 0 } }) };
