/**
 * Change data capture (as Debezium does it: tail the database's write-ahead log, publish each
 * committed change, checkpoint the log offset once published): the database d1 logs every
 * transaction, committed or rolled back, and a CDC reader tails that log.
 *
 * Roles: database d1 (its WAL, its tables, and the CDC reader process, which runs beside it like
 * a logical-decoding client on the same host: a crash of d1 stops the reader; committed
 * transactions are durable), consumer c1 (`stream.ts`, idempotent). Both may crash.
 *
 * - A transaction on key k appends (id, k, committed?) to the WAL and, if it commits, sets
 *   `db[k] = id`, in one step.
 * - The reader keeps its position in memory and its checkpoint (the offset of the first WAL
 *   record not yet known to be delivered) durably. A `read` step looks at the record at its
 *   position: a rolled-back transaction is skipped; a committed change is published as
 *   `Change(id, k)`, and the reader waits. `ChangeAck(id)` checkpoints the offset past it; the
 *   `retry` timer resends; a restart resumes from the checkpoint (at least once).
 *
 * Known-bug variant `checkpoint-before-publish`: the reader checkpoints the offset past a record
 * when it reads it, and publishes it in a later step: a crash in between skips the change.
 */
import { assertNever } from '../core/machine.ts';
import { envMachine, type EnvChecks, type EnvMachine } from '../env/machine.ts';
import type { EnvConfig } from '../env/config.ts';
import { S } from '../env/schema.ts';
import { defineProtocol, type Ctx, type EnvState, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';
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

/** CDC's data. */
export const cdcSchema = (shape: StreamShape) => {
  const Off = S.int(0, shape.txns);
  return {
    durable: S.union('role', {
      database: {
        db: S.list(S.int(0, shape.txns), shape.keys),
        /** The write-ahead log: every transaction in commit order (its id is its offset + 1). */
        wal: S.list(S.record({ key: S.int(1, shape.keys), committed: S.bool() }), shape.txns),
        /** The CDC reader's checkpoint: WAL records before it are delivered. */
        checkpoint: Off,
      },
      consumer: consumerSchema(shape),
    }),
    volatile: S.union('role', {
      /** The reader's position; `inflight`: the offset published and waited on; `toPublish`: read, not yet published (a bug). */
      database: { pos: Off, inflight: S.optional(Off), toPublish: S.optional(Off) },
      consumer: {},
    }),
    msg: changeMessageSchema(shape),
    ghost: streamHistorySchema(shape),
    request: txnRequestSchema(shape),
    local: S.labelled(S.enum('read', 'publish'), (a) => (a === 'read' ? 'reader reads the WAL' : 'reader publishes what it read')),
  };
};

/** CDC's types. */
export interface CdcTypes extends SchemaTypes<ReturnType<typeof cdcSchema>> {
  readonly timer: 'retry';
  readonly request: TxnRequest;
  /** The reader reads the WAL record at its position; (bug) publishes what it read. */
  readonly local: 'read' | 'publish';
}
type C = CdcTypes;
type Db = Extract<C['durable'], { role: 'database' }>;
type Reader = Extract<C['volatile'], { role: 'database' }>;
/** CDC's state. */
export type CdcState = EnvState<C>;
/** CDC's machine. */
export type CdcMachine = EnvMachine<C>;

const CONSUMER = 2;
const reader = (pos: number): Reader => ({ role: 'database', pos, inflight: null, toPublish: null });
const change = (ctx: Ctx<C>, d: Db, off: number) => ctx.send(CONSUMER, { type: 'Change', id: off + 1, key: d.wal[off]!.key });

/** The reader's step at a committed record: the part the known-bug variant replaces. */
type ReadCommitted = (ctx: Ctx<C>, d: Db, r: Reader) => Reaction<C>;

/** Publish, then wait for the ack before checkpointing. */
const publishThenCheckpoint: ReadCommitted = (ctx, d, r) => ({ durable: d, volatile: { ...r, inflight: r.pos }, effects: [change(ctx, d, r.pos), ctx.setTimer('retry')] });

/** Checkpoint first (durably), publish later. */
const checkpointThenPublish: ReadCommitted = (_ctx, d, r) => ({ durable: { ...d, checkpoint: r.pos + 1 }, volatile: { ...r, pos: r.pos + 1, toPublish: r.pos } });

/** The CDC protocol, with the reader's step at a committed record (`onCommitted`). */
export function cdcProtocol(shape: StreamShape, onCommitted: ReadCommitted = publishThenCheckpoint): Protocol<C> {
  return defineProtocol<C>({
    name: 'cdc',
    schema: cdcSchema(shape),
    roles: { database: { count: 1, prefix: 'd' }, consumer: { count: 1, prefix: 'c' } },
    timers: ['retry'],
    initGhost: EMPTY_HISTORY,
    init: (ctx) =>
      ctx.role === 'database'
        ? { durable: { role: 'database', db: Array.from({ length: shape.keys }, () => 0), wal: [], checkpoint: 0 }, volatile: reader(0) }
        : { durable: { role: 'consumer', ...emptyConsumer(shape) }, volatile: { role: 'consumer' } },
    // The reader resumes from its checkpoint.
    onRestart: (_ctx, d) => (d.role === 'database' ? { durable: d, volatile: reader(d.checkpoint) } : { durable: d, volatile: { role: 'consumer' } }),
    requests: txnRequests(shape),
    acceptsRequest: (ctx, node) => ctx.role === 'database' && node.durable.role === 'database' && node.durable.wal.length < shape.txns,
    onClientRequest: (ctx, node, req) => {
      const d = node.durable;
      if (d.role !== 'database') return node;
      const id = d.wal.length + 1;
      const wal = [...d.wal, { key: req.key, committed: req.commit }];
      if (!req.commit) return { durable: { ...d, wal }, volatile: node.volatile };
      const db = d.db.map((x, i) => (i === req.key - 1 ? id : x));
      return { durable: { ...d, wal, db }, volatile: node.volatile, effects: [ctx.ghost((g) => recordCommit(g, id, req.key))] };
    },
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
          // Delivered: checkpoint past it, and read on.
          if (d.role !== 'database' || v.role !== 'database' || v.inflight === null || v.inflight + 1 !== msg.id) return node;
          const next = v.inflight + 1;
          return { durable: { ...d, checkpoint: Math.max(d.checkpoint, next) }, volatile: reader(next), effects: [ctx.cancelTimer('retry')] };
        }
        default:
          return assertNever(msg);
      }
    },
    onTimer: (ctx, node) => {
      const d = node.durable;
      const v = node.volatile;
      if (d.role !== 'database' || v.role !== 'database' || v.inflight === null) return node;
      return { ...node, effects: [change(ctx, d, v.inflight), ctx.setTimer('retry')] };
    },
    localActions: (_ctx, node) => {
      const d = node.durable;
      const v = node.volatile;
      if (d.role !== 'database' || v.role !== 'database' || v.inflight !== null) return [];
      if (v.toPublish !== null) return ['publish'];
      return v.pos < d.wal.length ? ['read'] : [];
    },
    onLocal: (ctx, node, a) => {
      const d = node.durable;
      const v = node.volatile;
      if (d.role !== 'database' || v.role !== 'database') return node;
      if (a === 'publish' && v.toPublish !== null) return { durable: d, volatile: { ...v, toPublish: null }, effects: [change(ctx, d, v.toPublish)] };
      // A rolled-back transaction publishes nothing; the reader moves past it.
      if (!d.wal[v.pos]!.committed) return { durable: d, volatile: { ...v, pos: v.pos + 1 } };
      return onCommitted(ctx, d, v);
    },
  });
}

/** CDC's known-bug variants. */
export type CdcBug = 'checkpoint-before-publish';

/** CDC in the environment with `checks`. */
export function makeCdc(shape: StreamShape, config: Partial<EnvConfig>, bug: CdcBug | 'none', checks: EnvChecks<C>): CdcMachine {
  const protocol = bug === 'none' ? cdcProtocol(shape) : bug === 'checkpoint-before-publish' ? cdcProtocol(shape, checkpointThenPublish) : assertNever(bug);
  return envMachine(protocol, config, checks);
}
