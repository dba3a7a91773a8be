/**
 * What the change streams (`outbox.ts`, `cdc.ts`) share: transactions, the change event, the
 * downstream consumer that applies events idempotently, and the ghost history the checks read.
 *
 * A client request is a transaction on one key that commits or rolls back. Transaction ids are
 * the commit sequence (1, 2, …: every transaction takes the next id, rolled back or not); the
 * value a committed transaction writes is its id, so a key's value names the last change to it.
 *
 * The consumer c1 applies `Change(id, key)` in one local transaction: if id is not in its dedup
 * table, it sets `view[key] = id` and records id; then it acks. It never crashes between the two
 * writes (they are one transaction); it may crash between transactions.
 */
import { S, type Infer } from '../env/schema.ts';

/** The bounds of a change stream. */
export interface StreamShape {
  /** Keys 1..keys. */
  readonly keys: number;
  /** Transactions (client requests) in total: ids 1..txns. */
  readonly txns: number;
}

/** A transaction request: write `key`, then commit or roll back. */
export interface TxnRequest {
  readonly key: number;
  readonly commit: boolean;
}

/** The requests a client may make: each key, committed or rolled back. */
export const txnRequests = (shape: StreamShape) => (): readonly TxnRequest[] =>
  Array.from({ length: shape.keys }, (_, i) => [{ key: i + 1, commit: true }, { key: i + 1, commit: false }]).flat();

/** The requests' data, labelled `txn(key 1, commit)` / `txn(key 1, rollback)` in traces. */
export const txnRequestSchema = (shape: StreamShape) =>
  S.labelled(S.record({ key: S.int(1, shape.keys), commit: S.bool() }), (r) => `txn(key ${r.key}, ${r.commit ? 'commit' : 'rollback'})`);

/** The consumer's durable data: the view it maintains and its dedup table. */
export const consumerSchema = (shape: StreamShape) => ({
  /** `view[key - 1]`: the id of the last change applied to key (0: none). */
  view: S.list(S.int(0, shape.txns), shape.keys),
  /** The dedup table: change ids applied. */
  applied: S.set(S.int(1, shape.txns), shape.txns),
});
/** The consumer's durable data. */
export interface ConsumerData {
  readonly view: readonly number[];
  readonly applied: readonly number[];
}

/** A transaction's change (id, key): `txn 1, key 2` in traces, in the history and in the message labels. */
const changeSchema = (shape: StreamShape) => S.labelled(S.record({ id: S.int(1, shape.txns), key: S.int(1, shape.keys) }), (c) => `txn ${c.id}, key ${c.key}`);

/** The history the checks read: commits in order, and every application of a change downstream. */
export const streamHistorySchema = (shape: StreamShape) => {
  const change = changeSchema(shape);
  return S.record({
    /** Committed transactions, in commit order. */
    committed: S.list(change, shape.txns),
    /** Every change the consumer applied, in the order applied (a repeat is a double effect). */
    effects: S.list(change, 4 * shape.txns),
  });
};
/** The change streams' history. */
export type StreamHistory = Infer<ReturnType<typeof streamHistorySchema>>;
/** The empty history. */
export const EMPTY_HISTORY: StreamHistory = { committed: [], effects: [] };

/** The change event and its ack, labelled `Change(txn 1, key 2)` and `ChangeAck(txn 1)` in traces. */
export const changeMessageSchema = (shape: StreamShape) => {
  const change = changeSchema(shape);
  return S.labelled(S.union('type', { Change: { id: S.int(1, shape.txns), key: S.int(1, shape.keys) }, ChangeAck: { id: S.int(1, shape.txns) } }), (m, at) =>
    m.type === 'Change' ? `Change(${at.show(change, { id: m.id, key: m.key })})` : `ChangeAck(txn ${m.id})`,
  );
};

/** The consumer's initial data. */
export const emptyConsumer = (shape: StreamShape): ConsumerData => ({ view: Array.from({ length: shape.keys }, () => 0), applied: [] });

/**
 * The consumer's local transaction for `Change(id, key)`: the view updated and id recorded in
 * the dedup table, together; `null` when the dedup table already has id (apply nothing).
 */
export function applyChange(c: ConsumerData, id: number, key: number): ConsumerData | null {
  if (c.applied.includes(id)) return null;
  const view = c.view.slice();
  view[key - 1] = id;
  return { view, applied: [...c.applied, id] };
}

/** The history after the consumer applied change (id, key). */
export const recordEffect = (g: StreamHistory, id: number, key: number): StreamHistory => ({ ...g, effects: [...g.effects, { id, key }] });
/** The history after transaction (id, key) committed. */
export const recordCommit = (g: StreamHistory, id: number, key: number): StreamHistory => ({ ...g, committed: [...g.committed, { id, key }] });
