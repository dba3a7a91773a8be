/**
 * The delivery-semantics models of issue 19, binding each protocol of `impl/delivery/` to its
 * checks in `specs/delivery.ts` and to its known-bug variants:
 *
 * - `delivery`: producer → broker → consumer, at-most-once or at-least-once, with an idempotent
 *   consumer (exactly-once effect);
 * - `outbox`: a service's transactional outbox and its relay (or a dual write);
 * - `cdc`: change data capture from a write-ahead log;
 * - `saga`: a saga of steps with compensations.
 */
import { defineModel, int, oneOf } from '../../impl/core/machine.ts';
import { deliveryEnvParams, settled } from '../../impl/delivery/common.ts';
import type { EnvChecks } from '../../impl/env/machine.ts';
import { makeQueue, queueShape, queueVariant, type DeliveryMode, type QueueShape, type QueueTypes } from '../../impl/delivery/queue.ts';
import { makeOutbox, outboxProtocol, OUTBOX_NODES, type OutboxState, type OutboxTypes } from '../../impl/delivery/outbox.ts';
import { cdcProtocol, makeCdc, type CdcState, type CdcTypes } from '../../impl/delivery/cdc.ts';
import { makeSaga, sagaProtocol, type SagaTypes } from '../../impl/delivery/saga.ts';
import type { StreamShape } from '../../impl/delivery/stream.ts';
import {
  queueInvariants,
  queueSettled,
  queueWitnesses,
  sagaInvariants,
  sagaSettled,
  sagaWitnesses,
  streamInvariants,
  streamWitnesses,
  type StreamObserver,
} from '../delivery.ts';

/** The pipeline's checks for a shape (its mode decides whether effect-at-least-once is claimed). */
export const queueChecks = (shape: QueueShape): EnvChecks<QueueTypes> => ({
  name: 'delivery',
  invariants: queueInvariants(shape.mode),
  sometimes: queueWitnesses(shape),
  isTerminal: queueSettled,
});

/** The outbox's checks. */
export function outboxChecks(): EnvChecks<OutboxTypes> {
  const busy = (s: OutboxState) => {
    const svc = s.nodes[OUTBOX_NODES.service - 1]!;
    const v = svc.volatile;
    return (svc.durable.role === 'service' && svc.durable.outbox.length > 0) || (v !== null && v.role === 'service' && (v.unpublished.length > 0 || v.undecided !== null));
  };
  const o: StreamObserver<OutboxState> = {
    history: (s) => s.ghost,
    settled: (s) => settled(s, busy),
    rolledBack: (s) => {
      const d = s.nodes[OUTBOX_NODES.service - 1]!.durable;
      return d.role === 'service' ? d.txns - s.ghost.committed.length : 0;
    },
  };
  return { name: 'outbox', invariants: streamInvariants(o), sometimes: streamWitnesses(o), isTerminal: o.settled };
}

/** CDC's checks. */
export function cdcChecks(): EnvChecks<CdcTypes> {
  const busy = (s: CdcState) => {
    const db = s.nodes[0]!;
    const v = db.volatile;
    return db.durable.role === 'database' && v !== null && v.role === 'database' && (v.pos < db.durable.wal.length || v.toPublish !== null);
  };
  const o: StreamObserver<CdcState> = {
    history: (s) => s.ghost,
    settled: (s) => settled(s, busy),
    rolledBack: (s) => {
      const d = s.nodes[0]!.durable;
      return d.role === 'database' ? d.wal.filter((r) => !r.committed).length : 0;
    },
  };
  return { name: 'cdc', invariants: streamInvariants(o), sometimes: streamWitnesses(o), isTerminal: o.settled };
}

/** The saga's checks for `steps` steps. */
export const sagaChecks = (steps: number): EnvChecks<SagaTypes> => ({ name: 'saga', invariants: sagaInvariants(), sometimes: sagaWitnesses(steps), isTerminal: sagaSettled });

/** The pipeline's known-bug variants: each replaces the consumer's delivery handler. */
export const DELIVERY_BUGS = {
  'no-dedup': {
    doc: 'at-least-once delivery with no dedup table: a redelivered payment is charged again',
    breaks: ['effect-at-most-once'],
    config: { mode: 'at-least-once', requests: 1, crashes: 0, timeouts: 1 },
  },
  'dedup-after-effect': {
    doc: 'the dedup record is written after the charge, outside its transaction: a crash in between, a redelivery, a second charge',
    breaks: ['effect-at-most-once'],
    config: { mode: 'at-least-once', requests: 1, crashes: 1, timeouts: 1 },
  },
  'ack-before-apply': {
    doc: 'the consumer acks (commits the offset) before charging: a crash in between loses the charge, and nothing redelivers it',
    breaks: ['effect-at-least-once'],
    config: { mode: 'at-least-once', requests: 1, crashes: 1 },
  },
} as const;

/** Producer, broker and consumer with acks, retries, redelivery and crashes. */
export const deliveryModel = defineModel({
  name: 'delivery',
  doc: 'producer → broker → consumer, at-most-once or at-least-once; an idempotent consumer makes the effect exactly once',
  params: {
    mode: oneOf<DeliveryMode>(['at-least-once', 'at-most-once'], 'at-least-once', 'delivery guarantee: at-least-once (retry until acked) or at-most-once (no retry)'),
    ...deliveryEnvParams(queueVariant(queueShape('at-least-once', { requests: 1, timeouts: 2, duplicates: 0 }), 'none'), { requests: 1, crashes: 1, timeouts: 2 }),
  },
  bugs: DELIVERY_BUGS,
  draw: { requests: [1, 2], crashes: [0, 2], drops: [0, 1], duplicates: [0, 1], timeouts: [1, 3], delivery: ['multiset', 'fifo'] },
  build: (p) => makeQueue(p.mode, p, p.bug, queueChecks),
});

// ---------------------------------------------------------------------------------------------
// Change streams

const streamShape = (p: { readonly keys: number; readonly requests: number }): StreamShape => ({ keys: p.keys, txns: Math.max(1, p.requests) });

/** The outbox's known-bug variant. */
export const OUTBOX_BUGS = {
  'dual-write': {
    doc: 'a dual write instead of the outbox: the service commits the database, then publishes the change from memory; a crash in between loses it; unordered publishing can also reorder changes to a key',
    breaks: ['change-at-least-once', 'commit-order-per-key'],
    config: { requests: 1, crashes: 1 },
  },
  'publish-before-commit': {
    doc: 'the other dual write: the service publishes the event, then commits or rolls back; a rollback (or a crash before the commit) leaves an invented event downstream',
    breaks: ['no-phantom-change'],
    config: { requests: 1, crashes: 0 },
  },
} as const;

/** The transactional outbox with its relay. */
export const outboxModel = defineModel({
  name: 'outbox',
  doc: 'transactional outbox: state change and outbox row in one local transaction, a relay publishing at least once, an idempotent consumer',
  params: {
    keys: int(1, 1, 3, 'keys the transactions write'),
    ...deliveryEnvParams(outboxProtocol({ keys: 1, txns: 2 }), { requests: 2, crashes: 1, timeouts: 1 }),
  },
  bugs: OUTBOX_BUGS,
  draw: { keys: [1, 2], requests: [1, 3], crashes: [0, 2], timeouts: [0, 2], duplicates: [0, 1], delivery: ['multiset', 'fifo'] },
  build: (p) => makeOutbox(streamShape(p), p, p.bug, outboxChecks()),
});

/** CDC's known-bug variant. */
export const CDC_BUGS = {
  'checkpoint-before-publish': {
    doc: 'the CDC reader checkpoints its WAL offset past a change before publishing it: a crash in between skips the change',
    breaks: ['change-at-least-once'],
    config: { requests: 1, crashes: 1 },
  },
} as const;

/** Change data capture from a write-ahead log. */
export const cdcModel = defineModel({
  name: 'cdc',
  doc: 'change data capture: a reader tails the write-ahead log (commits and rollbacks), publishes committed changes and checkpoints its offset; an idempotent consumer',
  params: {
    keys: int(1, 1, 3, 'keys the transactions write'),
    ...deliveryEnvParams(cdcProtocol({ keys: 1, txns: 2 }), { requests: 2, crashes: 1, timeouts: 1 }),
  },
  bugs: CDC_BUGS,
  draw: { keys: [1, 2], requests: [1, 3], crashes: [0, 2], timeouts: [0, 2], duplicates: [0, 1], delivery: ['multiset', 'fifo'] },
  build: (p) => makeCdc(streamShape(p), p, p.bug, cdcChecks()),
});

// ---------------------------------------------------------------------------------------------
// Saga

/** The saga's known-bug variant. */
export const SAGA_BUGS = {
  'non-idempotent-compensation': {
    doc: 'a compensation refunds every time it arrives, and the orchestrator retries it: the step is refunded twice',
    breaks: ['compensation-at-most-once', 'saga-atomic'],
    config: { crashes: 0, timeouts: 1 },
  },
} as const;

/** A saga of steps with compensations. */
export const sagaModel = defineModel({
  name: 'saga',
  doc: 'an orchestrated saga: steps run one by one with retries; a failed step makes every completed step compensate',
  params: {
    steps: int(2, 1, 3, 'saga steps (services s1..sN)'),
    // One saga: the request budget is fixed at 1, not a parameter.
    ...(({ requests: _r, ...env }) => env)(deliveryEnvParams(sagaProtocol(2), { requests: 1, crashes: 1, timeouts: 1 })),
  },
  bugs: SAGA_BUGS,
  draw: { steps: [2, 3], crashes: [0, 2], timeouts: [0, 2], duplicates: [0, 1], drops: [0, 1], delivery: ['multiset', 'fifo'] },
  build: (p) => makeSaga(p.steps, { ...p, requests: 1 }, p.bug, sagaChecks(p.steps)),
});
