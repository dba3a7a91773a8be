/**
 * Producer → broker → consumer, with acknowledgements, retries and redelivery: the pipeline of
 * "exactly-once is an illusion". Delivery can be at-most-once or at-least-once, never exactly
 * once; what can be exactly once is the *effect*, when the consumer is idempotent.
 *
 * Roles: producer p1, broker b1, consumer c1; each may crash (the `crashes` budget) and restart
 * from its durable state. Request k (k = 1, 2, …) is a payment with idempotency key k.
 *
 * - **Producer.** A request sends `Publish(k)` to the broker. At-least-once: k stays in the
 *   durable `pending` set until the broker's `PubAck(k)`; a retry timer resends every pending
 *   key (and survives a restart). At-most-once: fire and forget.
 * - **Broker.** `Publish(k)` appends k to the durable log (a resend appends it again: the log
 *   holds duplicates, as a broker without producer idempotence does), answers `PubAck(k)` and
 *   pushes `Deliver(offset, k)` to the consumer. At-least-once: every entry not yet acked is
 *   redelivered on the `redeliver` timer, also after a restart. At-most-once: pushed once.
 * - **Consumer.** At-least-once: one local transaction applies the charge *and* records k in
 *   the dedup table (both durable), then acks the offset; a key already in the table is acked
 *   without charging. At-most-once: the consumer commits (acks) the offset first and charges
 *   in a later step; a crash in between loses the charge, by design.
 *
 * The known-bug variants (end of file) each override the consumer's delivery handler.
 */
import { assertNever } from '../core/machine.ts';
import { envMachine, type EnvChecks, type EnvMachine } from '../env/machine.ts';
import type { EnvConfig } from '../env/config.ts';
import { S } from '../env/schema.ts';
import { defineProtocol, type Ctx, type EnvState, type NodeView, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';

/** Delivery guarantee of the producer and broker (and the consumer's commit order). */
export type DeliveryMode = 'at-most-once' | 'at-least-once';

/** The bounds the schema needs. */
export interface QueueShape {
  /** Payments (client requests): keys 1..keys. */
  readonly keys: number;
  /** Largest log length: every Publish delivered appends. */
  readonly maxLog: number;
  readonly mode: DeliveryMode;
}

/** The queue's shape for a configuration: the log holds every copy of Publish that can arrive. */
export function queueShape(mode: DeliveryMode, c: Pick<EnvConfig, 'requests' | 'timeouts' | 'duplicates'>): QueueShape {
  const keys = Math.max(1, c.requests);
  const retries = mode === 'at-least-once' ? Math.max(0, c.timeouts) : 0;
  return { keys, maxLog: keys * (1 + retries) + c.duplicates, mode };
}

/** The pipeline's data. */
export const queueSchema = (shape: QueueShape) => {
  const K = S.int(1, shape.keys);
  const Off = S.int(0, shape.maxLog - 1);
  const InHand = S.optional(S.record({ off: Off, key: K }));
  return {
    durable: S.union('role', {
      producer: { issued: S.int(0, shape.keys), pending: S.set(K, shape.keys) },
      broker: { log: S.list(S.record({ key: K, acked: S.bool() }), shape.maxLog) },
      /** `seen` is the dedup table; `charges[k - 1]` counts the charges made for key k (the effect). */
      consumer: { seen: S.set(K, shape.keys), charges: S.list(S.int(0, 7), shape.keys) },
    }),
    volatile: S.union('role', {
      producer: {},
      broker: {},
      /** Acked but not yet charged (at-most-once), charged but not yet recorded (a bug). */
      consumer: { unapplied: InHand, unrecorded: InHand },
    }),
    /** `Publish(key 1)`, `Deliver(#0, key 1)`, `Ack(#0)` in traces. */
    msg: S.labelled(S.union('type', { Publish: { key: K }, PubAck: { key: K }, Deliver: { off: Off, key: K }, Ack: { off: Off } }), (m) =>
      m.type === 'Deliver' ? `Deliver(#${m.off}, key ${m.key})` : m.type === 'Ack' ? `Ack(#${m.off})` : `${m.type}(key ${m.key})`,
    ),
    /** A redelivered key met the dedup table (the idempotent consumer at work). */
    ghost: S.record({ deduplicated: S.bool() }),
    /** A payment: `pay(key 1)`. */
    request: S.labelled(S.record({ key: K }), (r) => `pay(key ${r.key})`),
    local: S.enum('apply', 'record'),
  };
};

/** The pipeline's types. */
export interface QueueTypes extends SchemaTypes<ReturnType<typeof queueSchema>> {
  readonly timer: 'retry' | 'redeliver';
  readonly request: { readonly key: number };
  /** The consumer finishes the message in hand. */
  readonly local: 'apply' | 'record';
}
type Q = QueueTypes;
/** The pipeline's state. */
export type QueueState = EnvState<Q>;
/** The pipeline's machine. */
export type QueueMachine = EnvMachine<Q>;
type Consumer = Extract<Q['durable'], { role: 'consumer' }>;
type ConsumerView = { readonly durable: Consumer; readonly volatile: Extract<Q['volatile'], { role: 'consumer' }> };

const IDLE_CONSUMER = { role: 'consumer', unapplied: null, unrecorded: null } as const;
const PRODUCER = 1;
const BROKER = 2;
const CONSUMER = 3;

/** The consumer's handler for `Deliver(off, key)`: the part the known-bug variants replace. */
export type ConsumeHandler = (ctx: Ctx<Q>, c: ConsumerView, off: number, key: number) => Reaction<Q>;

/** Charge key k once more (the effect). */
export function charge(c: Consumer, key: number): Consumer {
  const charges = c.charges.slice();
  charges[key - 1] = charges[key - 1]! + 1;
  return { ...c, charges };
}
const record = (c: Consumer, key: number): Consumer => ({ ...c, seen: [...c.seen, key] });

/** At-least-once, idempotent: dedup check, charge and dedup record in one local transaction, then the ack. */
export const consumeIdempotent: ConsumeHandler = (ctx, c, off, key) => {
  if (c.durable.seen.includes(key)) return { ...c, effects: [ctx.send(BROKER, { type: 'Ack', off }), ctx.ghost(() => ({ deduplicated: true }))] };
  return { durable: record(charge(c.durable, key), key), volatile: c.volatile, effects: [ctx.send(BROKER, { type: 'Ack', off })] };
};

/** At-most-once: commit (ack) the offset first, charge later (a crash in between loses the charge). */
export const consumeAckFirst: ConsumeHandler = (ctx, c, off, key) => ({
  durable: c.durable,
  volatile: { ...c.volatile, unapplied: { off, key } },
  effects: [ctx.send(BROKER, { type: 'Ack', off })],
});

/** The pipeline, with the consumer's delivery handler `consume` (default: the mode's). */
export function queueProtocol(shape: QueueShape, consume: ConsumeHandler = shape.mode === 'at-least-once' ? consumeIdempotent : consumeAckFirst): Protocol<Q> {
  const retrying = shape.mode === 'at-least-once';
  const unacked = (log: readonly { readonly acked: boolean }[]) => log.some((e) => !e.acked);

  const stepConsumer = (ctx: Ctx<Q>, node: NodeView<Q>, msg: Q['msg']): Reaction<Q> => {
    const d = node.durable;
    const v = node.volatile;
    if (d.role !== 'consumer' || v.role !== 'consumer' || msg.type !== 'Deliver') return node;
    // One message at a time: a delivery that arrives while one is in hand is not taken (not
    // acked: at-least-once redelivers it).
    if (v.unapplied !== null || v.unrecorded !== null) return node;
    return consume(ctx, { durable: d, volatile: v }, msg.off, msg.key);
  };

  return defineProtocol<Q>({
    name: 'delivery',
    schema: queueSchema(shape),
    roles: { producer: { count: 1, prefix: 'p' }, broker: { count: 1, prefix: 'b' }, consumer: { count: 1, prefix: 'c' } },
    timers: ['retry', 'redeliver'],
    initGhost: { deduplicated: false },
    init: (ctx) => {
      switch (ctx.role) {
        case 'producer':
          return { durable: { role: 'producer', issued: 0, pending: [] }, volatile: { role: 'producer' } };
        case 'broker':
          return { durable: { role: 'broker', log: [] }, volatile: { role: 'broker' } };
        default:
          return { durable: { role: 'consumer', seen: [], charges: Array.from({ length: shape.keys }, () => 0) }, volatile: IDLE_CONSUMER };
      }
    },
    onRestart: (ctx, d) => {
      switch (d.role) {
        case 'producer':
          return { durable: d, volatile: { role: 'producer' }, effects: retrying && d.pending.length > 0 ? [ctx.setTimer('retry')] : [] };
        case 'broker':
          return { durable: d, volatile: { role: 'broker' }, effects: retrying && unacked(d.log) ? [ctx.setTimer('redeliver')] : [] };
        case 'consumer':
          return { durable: d, volatile: IDLE_CONSUMER };
        default:
          return assertNever(d);
      }
    },
    requests: (seq) => (seq < shape.keys ? [{ key: seq + 1 }] : []),
    acceptsRequest: (ctx) => ctx.role === 'producer',
    onClientRequest: (ctx, node, req) => {
      const d = node.durable;
      if (d.role !== 'producer') return node;
      const publish = ctx.send(BROKER, { type: 'Publish', key: req.key });
      if (!retrying) return { durable: { ...d, issued: req.key }, volatile: node.volatile, effects: [publish] };
      return { durable: { ...d, issued: req.key, pending: [...d.pending, req.key] }, volatile: node.volatile, effects: [publish, ctx.setTimer('retry')] };
    },
    onMessage(ctx, node, msg, from) {
      const d = node.durable;
      switch (msg.type) {
        case 'Publish': {
          if (d.role !== 'broker') return node;
          const off = d.log.length;
          return {
            durable: { ...d, log: [...d.log, { key: msg.key, acked: false }] },
            volatile: node.volatile,
            effects: [ctx.send(from, { type: 'PubAck', key: msg.key }), ctx.send(CONSUMER, { type: 'Deliver', off, key: msg.key }), ...(retrying ? [ctx.setTimer('redeliver')] : [])],
          };
        }
        case 'PubAck': {
          if (d.role !== 'producer' || !d.pending.includes(msg.key)) return node;
          const pending = d.pending.filter((k) => k !== msg.key);
          return { durable: { ...d, pending }, volatile: node.volatile, effects: pending.length === 0 ? [ctx.cancelTimer('retry')] : [] };
        }
        case 'Ack': {
          if (d.role !== 'broker' || d.log[msg.off]?.acked !== false) return node;
          const log = d.log.map((e, i) => (i === msg.off ? { ...e, acked: true } : e));
          return { durable: { ...d, log }, volatile: node.volatile, effects: unacked(log) ? [] : [ctx.cancelTimer('redeliver')] };
        }
        case 'Deliver':
          return stepConsumer(ctx, node, msg);
        default:
          return assertNever(msg);
      }
    },
    onTimer: (ctx, node, timer) => {
      const d = node.durable;
      if (timer === 'retry' && d.role === 'producer' && d.pending.length > 0) {
        return { ...node, effects: [...d.pending.map((key) => ctx.send(BROKER, { type: 'Publish', key })), ctx.setTimer('retry')] };
      }
      if (timer === 'redeliver' && d.role === 'broker' && unacked(d.log)) {
        const again = d.log.flatMap((e, off) => (e.acked ? [] : [ctx.send(CONSUMER, { type: 'Deliver', off, key: e.key })]));
        return { ...node, effects: [...again, ctx.setTimer('redeliver')] };
      }
      return node;
    },
    localActions: (_ctx, node) => {
      const v = node.volatile;
      if (v.role !== 'consumer') return [];
      return v.unapplied !== null ? ['apply'] : v.unrecorded !== null ? ['record'] : [];
    },
    onLocal: (ctx, node, a) => {
      const d = node.durable;
      const v = node.volatile;
      if (d.role !== 'consumer' || v.role !== 'consumer') return node;
      if (a === 'apply' && v.unapplied !== null) {
        // The charge, with its dedup check and record, as one local transaction.
        const { key } = v.unapplied;
        const next = d.seen.includes(key) ? d : record(charge(d, key), key);
        return { durable: next, volatile: IDLE_CONSUMER };
      }
      if (a === 'record' && v.unrecorded !== null) {
        return { durable: record(d, v.unrecorded.key), volatile: IDLE_CONSUMER, effects: [ctx.send(BROKER, { type: 'Ack', off: v.unrecorded.off })] };
      }
      return node;
    },
  });
}

/** The node ids of the pipeline's roles. */
export const QUEUE_NODES = { producer: PRODUCER, broker: BROKER, consumer: CONSUMER } as const;

// ---------------------------------------------------------------------------------------------
// Known-bug variants: each replaces the consumer's delivery handler.

/** At-least-once with no dedup table: every delivery charges. */
export const consumeNoDedup: ConsumeHandler = (ctx, c, off, key) => ({
  durable: charge(c.durable, key),
  volatile: c.volatile,
  effects: [ctx.send(BROKER, { type: 'Ack', off })],
});

/** The dedup record is written after the charge, in a separate step (outside the transaction). */
export const consumeRecordLater: ConsumeHandler = (ctx, c, off, key) => {
  if (c.durable.seen.includes(key)) return { ...c, effects: [ctx.send(BROKER, { type: 'Ack', off }), ctx.ghost(() => ({ deduplicated: true }))] };
  return { durable: charge(c.durable, key), volatile: { ...c.volatile, unrecorded: { off, key } } };
};

/** The pipeline's known-bug variants (all in at-least-once mode). */
export type QueueBug = 'no-dedup' | 'dedup-after-effect' | 'ack-before-apply';

/** The pipeline with a known bug, or the correct one. */
export function queueVariant(shape: QueueShape, bug: QueueBug | 'none'): Protocol<Q> {
  switch (bug) {
    case 'none':
      return queueProtocol(shape);
    case 'no-dedup':
      return queueProtocol(shape, consumeNoDedup);
    case 'dedup-after-effect':
      return queueProtocol(shape, consumeRecordLater);
    case 'ack-before-apply':
      return queueProtocol(shape, consumeAckFirst);
    default:
      return assertNever(bug);
  }
}

/** The pipeline in the environment with `checks`. */
export function makeQueue(mode: DeliveryMode, config: Partial<EnvConfig>, bug: QueueBug | 'none', checks: (shape: QueueShape) => EnvChecks<Q>): QueueMachine {
  const c = { requests: config.requests ?? 1, timeouts: config.timeouts ?? 2, duplicates: config.duplicates ?? 0 };
  const shape = queueShape(mode, c);
  return envMachine(queueVariant(shape, bug), { ...config, ...c }, checks(shape));
}
