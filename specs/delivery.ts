/**
 * What "correct" means for delivery (issue 19), observed from outside the protocols of
 * `impl/delivery/`: from the consumers' durable effects, the producers' and databases' durable
 * records, and the ghost history.
 *
 * Exactly-once *delivery* does not exist; exactly-once *effect* is two halves:
 * - `effect-at-most-once` (always): no request's effect is applied twice (no double charge);
 * - `effect-at-least-once` (when settled): every accepted request's effect was applied (nothing
 *   lost). "Settled" (`impl/delivery/common.ts`): all nodes up, nothing in flight, no retry
 *   timer armed, no work in hand; a run whose retry budget ran out never settles, so this half
 *   is judged only where the protocol had its chance.
 *
 * At-most-once delivery is allowed to lose effects: its machine does not claim
 * `effect-at-least-once`, and the witness `at-most-once-loses` shows a loss is reachable.
 *
 * Change streams (outbox, CDC) must deliver every committed change downstream exactly once in
 * effect, in commit order per key, and nothing of a rolled-back transaction. A saga ends with
 * every step done, or with every completed step compensated, each effect at most once.
 */
import type { Invariant, Witness } from '../impl/core/machine.ts';
import { settled } from '../impl/delivery/common.ts';
import type { StreamHistory } from '../impl/delivery/stream.ts';
import type { SagaState } from '../impl/delivery/saga.ts';
import { QUEUE_NODES, type DeliveryMode, type QueueShape, type QueueState } from '../impl/delivery/queue.ts';

// ---------------------------------------------------------------------------------------------
// Producer → broker → consumer

const consumerOf = (s: QueueState) => {
  const d = s.nodes[QUEUE_NODES.consumer - 1]!.durable;
  if (d.role !== 'consumer') throw new Error('c1 is not the consumer');
  return d;
};
const issuedBy = (s: QueueState): number => {
  const d = s.nodes[QUEUE_NODES.producer - 1]!.durable;
  return d.role === 'producer' ? d.issued : 0;
};
const inHand = (s: QueueState): boolean => {
  const v = s.nodes[QUEUE_NODES.consumer - 1]!.volatile;
  return v !== null && v.role === 'consumer' && (v.unapplied !== null || v.unrecorded !== null);
};
/** The pipeline has settled: nothing in flight, no retry pending, nothing in the consumer's hands. */
export const queueSettled = (s: QueueState): boolean => settled(s, inHand);

/** The pipeline's invariants: both halves of exactly-once effect in at-least-once mode, the first in at-most-once. */
export function queueInvariants(mode: DeliveryMode): Invariant<QueueState>[] {
  const atMostOnce: Invariant<QueueState> = {
    name: 'effect-at-most-once',
    doc: 'no payment is charged twice: the consumer applies each idempotency key at most once',
    check(s) {
      const c = consumerOf(s).charges;
      const k = c.findIndex((n) => n > 1);
      return k < 0 || `key ${k + 1} charged ${c[k]} times`;
    },
  };
  const atLeastOnce: Invariant<QueueState> = {
    name: 'effect-at-least-once',
    doc: 'once the pipeline has settled, every payment the producer accepted has been charged',
    check(s) {
      if (!queueSettled(s)) return true;
      const c = consumerOf(s).charges;
      for (let k = 1; k <= issuedBy(s); k++) if (c[k - 1] === 0) return `settled, and key ${k} was never charged (the effect is lost)`;
      return true;
    },
  };
  return mode === 'at-least-once' ? [atMostOnce, atLeastOnce] : [atMostOnce];
}

/** The pipeline's witnesses. */
export function queueWitnesses(shape: QueueShape): Witness<QueueState>[] {
  return [
    { name: 'charged', doc: 'a payment is charged', needs: { requests: 1 }, check: (s) => consumerOf(s).charges.some((n) => n > 0) },
    {
      name: 'all-charged-settled',
      doc: 'the pipeline settles with every payment charged exactly once',
      needs: { requests: 1 },
      check: (s) => issuedBy(s) === shape.keys && queueSettled(s) && consumerOf(s).charges.every((n) => n === 1),
    },
    {
      name: 'duplicate-deduplicated',
      doc: 'a payment is delivered again after it was charged, and the dedup table absorbs it',
      needs: { mode: 'at-least-once', requests: 1, timeouts: 1 },
      check: (s) => s.ghost.deduplicated,
    },
    {
      name: 'at-most-once-loses',
      doc: 'at-most-once: the pipeline settles with an accepted payment never charged (a loss the mode allows)',
      needs: { mode: 'at-most-once', requests: 1, crashes: 1 },
      check: (s) => shape.mode === 'at-most-once' && queueSettled(s) && consumerOf(s).charges.slice(0, issuedBy(s)).some((n) => n === 0),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Change streams: the transactional outbox and CDC

/** How the stream checks read a state: its history, whether it settled, and how many transactions rolled back. */
export interface StreamObserver<S> {
  history(s: S): StreamHistory;
  settled(s: S): boolean;
  rolledBack(s: S): number;
}

/** The change-stream invariants: every committed change downstream exactly once in effect, in commit order per key, and nothing else. */
export function streamInvariants<S>(o: StreamObserver<S>): Invariant<S>[] {
  return [
    {
      name: 'change-at-most-once',
      doc: 'no change is applied downstream twice',
      check(s) {
        const seen = new Set<number>();
        for (const e of o.history(s).effects) {
          if (seen.has(e.id)) return `txn ${e.id}'s change to key ${e.key} applied twice downstream`;
          seen.add(e.id);
        }
        return true;
      },
    },
    {
      name: 'no-phantom-change',
      doc: 'nothing reaches downstream that is not a committed change (nothing of a rolled-back or unfinished transaction)',
      check(s) {
        const g = o.history(s);
        const bad = g.effects.find((e) => !g.committed.some((c) => c.id === e.id && c.key === e.key));
        return bad === undefined || `txn ${bad.id}'s change to key ${bad.key} applied downstream, but txn ${bad.id} has not committed it`;
      },
    },
    {
      name: 'commit-order-per-key',
      doc: 'downstream applies the changes to a key in the order they committed',
      check(s) {
        const last = new Map<number, number>();
        for (const e of o.history(s).effects) {
          const before = last.get(e.key) ?? 0;
          if (e.id < before) return `key ${e.key}: txn ${e.id} applied after txn ${before}, which committed later`;
          last.set(e.key, e.id);
        }
        return true;
      },
    },
    {
      name: 'change-at-least-once',
      doc: 'once the system has settled, every committed change has been applied downstream',
      check(s) {
        if (!o.settled(s)) return true;
        const g = o.history(s);
        const lost = g.committed.find((c) => !g.effects.some((e) => e.id === c.id));
        return lost === undefined || `settled, and txn ${lost.id}'s committed change to key ${lost.key} never reached downstream (lost)`;
      },
    },
  ];
}

/** The change-stream witnesses. */
export function streamWitnesses<S>(o: StreamObserver<S>): Witness<S>[] {
  return [
    { name: 'change-delivered', doc: 'a committed change is applied downstream', needs: { requests: 1 }, check: (s) => o.history(s).effects.length > 0 },
    {
      name: 'settled-after-rollback',
      doc: 'a transaction rolled back, another committed, and the system settled with the committed change downstream',
      needs: { requests: 2 },
      check: (s) => o.rolledBack(s) > 0 && o.history(s).committed.length > 0 && o.settled(s),
    },
    {
      name: 'key-changed-twice',
      doc: 'two committed changes to the same key both reach downstream',
      needs: { requests: 2 },
      check: (s) => {
        const keys = o.history(s).effects.map((e) => e.key);
        return keys.some((k, i) => keys.indexOf(k) !== i);
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Saga

const sagaLog = (s: SagaState) => {
  const d = s.nodes[0]!.durable;
  if (d.role !== 'orchestrator') throw new Error('o1 is not the orchestrator');
  return d;
};
const sagaSteps = (s: SagaState) =>
  s.nodes.slice(1).map((n, i) => {
    if (n.durable.role !== 'service') throw new Error(`node ${i + 2} is not a service`);
    return { step: i + 1, ...n.durable };
  });
/** The saga has settled: nothing in flight, no retry armed, no service deciding. */
export const sagaSettled = (s: SagaState): boolean => settled(s, (x) => x.nodes.some((n) => n.volatile !== null && n.volatile.role === 'service' && n.volatile.asked));

/** The saga's invariants. */
export function sagaInvariants(): Invariant<SagaState>[] {
  return [
    {
      name: 'step-at-most-once',
      doc: "no saga step's local transaction runs twice",
      check(s) {
        const t = sagaSteps(s).find((x) => x.charged > 1);
        return t === undefined || `step ${t.step} ran ${t.charged} times`;
      },
    },
    {
      name: 'compensation-at-most-once',
      doc: 'a step is compensated at most once, and only if it ran: never refunded more than charged',
      check(s) {
        const t = sagaSteps(s).find((x) => x.refunded > x.charged);
        return t === undefined || `step ${t.step} refunded ${t.refunded} times but charged ${t.charged}`;
      },
    },
    {
      name: 'saga-atomic',
      doc: 'a finished saga has every step done once and none compensated, or every completed step compensated (no net effect)',
      check(s) {
        const phase = sagaLog(s).phase;
        const steps = sagaSteps(s);
        if (phase === 'done') {
          const t = steps.find((x) => x.charged !== 1 || x.refunded !== 0);
          return t === undefined || `saga done, but step ${t.step} charged ${t.charged} and refunded ${t.refunded}`;
        }
        if (phase === 'aborted') {
          const t = steps.find((x) => x.charged !== x.refunded);
          return t === undefined || `saga aborted, but step ${t.step} charged ${t.charged} and refunded ${t.refunded}`;
        }
        return true;
      },
    },
    {
      name: 'saga-ends',
      doc: 'once the system has settled, a started saga is done or aborted (it does not hang half-way)',
      check(s) {
        const phase = sagaLog(s).phase;
        return !sagaSettled(s) || phase === 'idle' || phase === 'done' || phase === 'aborted' || `settled with the saga ${phase}`;
      },
    },
  ];
}

/** The saga's witnesses. */
export function sagaWitnesses(steps: number): Witness<SagaState>[] {
  return [
    { name: 'saga-done', doc: 'the saga completes every step', check: (s) => sagaLog(s).phase === 'done' },
    {
      name: 'saga-compensated',
      doc: 'a later step fails and the completed steps are compensated',
      check: (s) => sagaLog(s).phase === 'aborted' && sagaSteps(s).some((x) => x.refunded > 0),
    },
    {
      name: 'compensation-retried',
      doc: 'a compensation arrives again at a step already compensated, and changes nothing',
      needs: { timeouts: 1 },
      check: (s) => s.ghost.undoRepeated,
    },
    ...(steps >= 3
      ? [{ name: 'compensated-after-two-steps', doc: 'the last step fails after two completed, and both are compensated', check: (s: SagaState) => sagaLog(s).phase === 'aborted' && sagaSteps(s).filter((x) => x.refunded > 0).length >= 2 }]
      : []),
  ];
}
