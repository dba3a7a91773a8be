/**
 * The transactional outbox (Richardson, "Microservices Patterns", ch. 3.3.7: "Transactional
 * outbox" and "Polling publisher"): a service writes its state change *and* an outbox row in
 * one local transaction; a relay publishes the rows at least once; the downstream consumer is
 * idempotent (`stream.ts`).
 *
 * Roles: service s1 (its database, and the relay process that runs beside it: a crash of s1
 * stops both), consumer c1. Both may crash.
 *
 * - A transaction on key k commits `db[k] = id` and appends the row (id, k) to the outbox, in
 *   one step; a rolled-back transaction changes nothing (its outbox row is rolled back with it).
 * - The relay publishes the outbox's oldest row, `Change(id, k)`, and waits: the consumer's
 *   `ChangeAck(id)` deletes the row; the `retry` timer resends it; after a crash the relay
 *   starts again from the table, so a row can be published twice (at least once).
 *   Publishing one row at a time keeps commit order per key.
 *
 * Known-bug variants, the two orders of a dual write: `dual-write` commits the database alone
 * and publishes the change afterwards, from memory, in a separate step: a crash in between
 * loses the event. `publish-before-commit` publishes first and decides the transaction in a
 * later step: a rollback, or a crash before the commit, leaves an event for a change that never
 * happened (an invented event).
 */
import { assertNever } from '../core/machine.ts';
import { envMachine, type EnvChecks, type EnvMachine } from '../env/machine.ts';
import type { EnvConfig } from '../env/config.ts';
import { S } from '../env/schema.ts';
import { defineProtocol, type EnvState, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';
import {
  applyChange,
  changeMessageSchema,
  consumerSchema,
  EMPTY_HISTORY,
  emptyConsumer,
  recordCommit,
  recordEffect,
  streamHistorySchema,
  txnRequests,
  txnRequestSchema,
  type StreamShape,
  type TxnRequest,
} from './stream.ts';

/** The outbox's data. */
export const outboxSchema = (shape: StreamShape) => {
  const Row = S.record({ id: S.int(1, shape.txns), key: S.int(1, shape.keys) });
  return {
    durable: S.union('role', {
      service: { db: S.list(S.int(0, shape.txns), shape.keys), txns: S.int(0, shape.txns), outbox: S.list(Row, shape.txns) },
      consumer: consumerSchema(shape),
    }),
    volatile: S.union('role', {
      /** The row the relay published and waits on; `unpublished`: the dual write's changes in memory. */
      service: {
        inflight: S.optional(S.int(1, shape.txns)),
        unpublished: S.list(Row, shape.txns),
        /** Publish-first dual write: the transaction whose event went out, not yet decided. */
        undecided: S.optional(S.record({ id: S.int(1, shape.txns), key: S.int(1, shape.keys), commit: S.bool() })),
      },
      consumer: {},
    }),
    msg: changeMessageSchema(shape),
    ghost: streamHistorySchema(shape),
    request: txnRequestSchema(shape),
    /** The relay publishes the oldest outbox row; the dual write publishes a change from memory; publish-first decides. */
    local: S.labelled(S.enum('relay', 'publish', 'decide'), (a) =>
      a === 'relay' ? 'relay publishes the oldest outbox row' : a === 'publish' ? 'publish the change (dual write)' : 'commit or roll back (after publishing)',
    ),
  };
};

/** The outbox's types. */
export interface OutboxTypes extends SchemaTypes<ReturnType<typeof outboxSchema>> {
  readonly timer: 'retry';
  readonly request: TxnRequest;
  /** The relay publishes the oldest outbox row; the dual write publishes a change from memory. */
  readonly local: 'relay' | 'publish' | 'decide';
}
type O = OutboxTypes;
type Service = Extract<O['durable'], { role: 'service' }>;
/** The outbox's state. */
export type OutboxState = EnvState<O>;
/** The outbox's machine. */
export type OutboxMachine = EnvMachine<O>;

const SERVICE = 1;
const CONSUMER = 2;
const IDLE = { role: 'service', inflight: null, unpublished: [], undecided: null } as const;

/** How the service writes a transaction: the part the dual-write variant replaces. */
type Write = (ctx: Parameters<Protocol<O>['onClientRequest']>[0], d: Service, v: Extract<O['volatile'], { role: 'service' }>, req: TxnRequest) => Reaction<O>;

/** The outbox: the change and its outbox row in one local transaction. */
const writeWithOutbox: Write = (ctx, d, v, req) => {
  const id = d.txns + 1;
  if (!req.commit) return { durable: { ...d, txns: id }, volatile: v };
  const db = d.db.map((x, i) => (i === req.key - 1 ? id : x));
  return { durable: { ...d, txns: id, db, outbox: [...d.outbox, { id, key: req.key }] }, volatile: v, effects: [ctx.ghost((g) => recordCommit(g, id, req.key))] };
};

/** The dual write: commit the database, keep the event in memory to publish in a later step. */
const dualWrite: Write = (ctx, d, v, req) => {
  const id = d.txns + 1;
  if (!req.commit) return { durable: { ...d, txns: id }, volatile: v };
  const db = d.db.map((x, i) => (i === req.key - 1 ? id : x));
  return { durable: { ...d, txns: id, db }, volatile: { ...v, unpublished: [...v.unpublished, { id, key: req.key }] }, effects: [ctx.ghost((g) => recordCommit(g, id, req.key))] };
};

/** The other dual write: publish the event first, then commit (or roll back) the transaction in a later step. */
const publishFirst: Write = (ctx, d, v, req) => {
  const id = d.txns + 1;
  return { durable: d, volatile: { ...v, undecided: { id, key: req.key, commit: req.commit } }, effects: [ctx.send(CONSUMER, { type: 'Change', id, key: req.key })] };
};

/** The outbox protocol, with the service's way of writing (`write`). */
export function outboxProtocol(shape: StreamShape, write: Write = writeWithOutbox): Protocol<O> {
  return defineProtocol<O>({
    name: 'outbox',
    schema: outboxSchema(shape),
    roles: { service: { count: 1, prefix: 's' }, consumer: { count: 1, prefix: 'c' } },
    timers: ['retry'],
    initGhost: EMPTY_HISTORY,
    init: (ctx) =>
      ctx.role === 'service'
        ? { durable: { role: 'service', db: Array.from({ length: shape.keys }, () => 0), txns: 0, outbox: [] }, volatile: IDLE }
        : { durable: { role: 'consumer', ...emptyConsumer(shape) }, volatile: { role: 'consumer' } },
    // The relay restarts from the outbox table; what the dual write held in memory is gone.
    onRestart: (_ctx, d) => (d.role === 'service' ? { durable: d, volatile: IDLE } : { durable: d, volatile: { role: 'consumer' } }),
    requests: txnRequests(shape),
    acceptsRequest: (ctx, node) =>
      ctx.role === 'service' && node.durable.role === 'service' && node.durable.txns < shape.txns && node.volatile.role === 'service' && node.volatile.undecided === null,
    onClientRequest: (ctx, node, req) => (node.durable.role === 'service' && node.volatile.role === 'service' ? write(ctx, node.durable, node.volatile, req) : node),
    onMessage(ctx, node, msg, from) {
      const d = node.durable;
      const v = node.volatile;
      switch (msg.type) {
        case 'Change': {
          if (d.role !== 'consumer') return node;
          const { role: _r, ...c } = d;
          const next = applyChange(c, msg.id, msg.key);
          const ack = ctx.send(from, { type: 'ChangeAck', id: msg.id });
          if (next === null) return { ...node, effects: [ack] };
          return { durable: { role: 'consumer', ...next }, volatile: v, effects: [ack, ctx.ghost((g) => recordEffect(g, msg.id, msg.key))] };
        }
        case 'ChangeAck': {
          // The row is delivered: delete it (and stop waiting on it).
          if (d.role !== 'service' || v.role !== 'service' || d.outbox[0]?.id !== msg.id) return node;
          return { durable: { ...d, outbox: d.outbox.slice(1) }, volatile: { ...v, inflight: null }, effects: [ctx.cancelTimer('retry')] };
        }
        default:
          return assertNever(msg);
      }
    },
    onTimer: (ctx, node) => {
      const d = node.durable;
      const v = node.volatile;
      if (d.role !== 'service' || v.role !== 'service' || v.inflight === null || d.outbox[0]?.id !== v.inflight) return node;
      return { ...node, effects: [ctx.send(CONSUMER, { type: 'Change', id: d.outbox[0].id, key: d.outbox[0].key }), ctx.setTimer('retry')] };
    },
    localActions: (_ctx, node) => {
      const d = node.durable;
      const v = node.volatile;
      if (d.role !== 'service' || v.role !== 'service') return [];
      return [
        ...(v.inflight === null && d.outbox.length > 0 ? (['relay'] as const) : []),
        ...(v.unpublished.length > 0 ? (['publish'] as const) : []),
        ...(v.undecided !== null ? (['decide'] as const) : []),
      ];
    },
    onLocal: (ctx, node, a) => {
      const d = node.durable;
      const v = node.volatile;
      if (d.role !== 'service' || v.role !== 'service') return node;
      if (a === 'relay') {
        const row = d.outbox[0]!;
        return { durable: d, volatile: { ...v, inflight: row.id }, effects: [ctx.send(CONSUMER, { type: 'Change', id: row.id, key: row.key }), ctx.setTimer('retry')] };
      }
      if (a === 'decide' && v.undecided !== null) {
        // The transaction the event announced commits or rolls back, now.
        const t = v.undecided;
        const db = t.commit ? d.db.map((x, i) => (i === t.key - 1 ? t.id : x)) : d.db;
        return { durable: { ...d, txns: t.id, db }, volatile: { ...v, undecided: null }, effects: t.commit ? [ctx.ghost((g) => recordCommit(g, t.id, t.key))] : [] };
      }
      const row = v.unpublished[0]!;
      return { durable: d, volatile: { ...v, unpublished: v.unpublished.slice(1) }, effects: [ctx.send(CONSUMER, { type: 'Change', id: row.id, key: row.key })] };
    },
  });
}

/** The node ids of the outbox's roles. */
export const OUTBOX_NODES = { service: SERVICE, consumer: CONSUMER } as const;

/** The outbox's known-bug variants. */
export type OutboxBug = 'dual-write' | 'publish-before-commit';

/** The outbox in the environment with `checks`. */
export function makeOutbox(shape: StreamShape, config: Partial<EnvConfig>, bug: OutboxBug | 'none', checks: EnvChecks<O>): OutboxMachine {
  const protocol =
    bug === 'none'
      ? outboxProtocol(shape)
      : bug === 'dual-write'
        ? outboxProtocol(shape, dualWrite)
        : bug === 'publish-before-commit'
          ? outboxProtocol(shape, publishFirst)
          : assertNever(bug);
  return envMachine(protocol, config, checks);
}
