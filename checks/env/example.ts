/**
 * The example protocol of the guide in `impl/env/index.ts`, verbatim, so that the guide is
 * known to compile and run (see `example.test.ts`). It has no encoder, view or renamer: they
 * are derived from its schema.
 */
import { envMachine, defineProtocol, S, type NodeId, type Protocol, type SchemaTypes } from '../../impl/env/index.ts';

/** The example's data. */
export const pingSchema = {
  durable: S.record({ seq: S.int(0, 8) }), // survives a crash
  volatile: S.record({ waiting: S.optional(S.node()) }), // lost on a crash
  msg: S.union('type', { Ping: { seq: S.int(0, 8) }, Pong: { seq: S.int(0, 8) } }),
  ghost: S.record({ pongs: S.int(0, 8) }), // history for invariants
};

/** The example's types. */
export interface PingTypes extends SchemaTypes<typeof pingSchema> {
  readonly timer: 'retry'; // timer names
  readonly request: { readonly to: NodeId }; // client request payloads
  readonly local: 'give-up'; // spontaneous local steps
}

/** The example protocol. */
export const pingProtocol = defineProtocol<PingTypes>({
  name: 'ping',
  schema: pingSchema,
  symmetry: {}, // nodes are interchangeable
  timers: ['retry'],
  initGhost: { pongs: 0 },
  init: () => ({ durable: { seq: 0 }, volatile: { waiting: null } }),
  onRestart: (_ctx, durable) => ({ durable, volatile: { waiting: null } }),
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
        return { durable: node.durable, volatile: { waiting: null },
                 effects: [ctx.cancelTimer('retry'), ctx.ghost((g) => ({ pongs: g.pongs + 1 }))] };
    }
  },
  onTimer: (ctx, node) => ({ ...node, effects: node.volatile.waiting === null ? [] :
                             [ctx.send(node.volatile.waiting, { type: 'Ping', seq: node.durable.seq })] }),
  localActions: (_ctx, node) => (node.volatile.waiting !== null ? ['give-up'] : []),
  onLocal: (ctx, node) => ({ durable: node.durable, volatile: { waiting: null }, effects: [ctx.cancelTimer('retry')] }),
});

/** The guide's machine. */
export const pingMachine = envMachine(pingProtocol, { nodes: 3, crashes: 1, requests: 2 }, {
  invariants: [{ name: 'one-pong-per-ping', check: (s) => s.ghost.pongs <= s.used.requests || 'too many pongs' }],
  properties: [], // (prev, action, next) checks
  sometimes: [{ name: 'pong', check: (s) => s.ghost.pongs > 0 }],
  isTerminal: (s) => s.net.length === 0, // optional: proper ends, not deadlocks
});

/** The guide's known-bug variant. */
export const forgetful: Protocol<PingTypes> = { ...pingProtocol, onRestart: () => ({ durable: { seq: 0 }, volatile: { waiting: null } }) };
