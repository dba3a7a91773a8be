/**
 * A lock service with leases and fencing tokens, written the way a TypeScript team that uses
 * immutable and ts-pattern writes reducers: the state is immutable `Record`s and `Map`s, and the
 * reducer is one `match(...).with(...).exhaustive()` over actions, then one over messages.
 *
 * The protocol (Kleppmann, "How to do distributed locking", 2016; Chubby's sequencers): clients
 * ask a lock server for a lease; the server grants it with a fencing token that grows with every
 * grant; the holder writes to a storage service, sending its token; the storage rejects a write
 * whose token is older than the newest it has accepted. A lease can expire at any moment while
 * its holder is paused (a GC pause, a slow network): the holder does not know, and may write
 * late. Fencing is what keeps that late write from overwriting the next holder's.
 *
 * Nodes: the lock server, the storage, clients c1…cN. Messages (seven types) travel on a
 * network that may reorder them (a multiset: an immutable `Map` from message record to count).
 *
 * The same protocol with plain objects and `switch` is `lease-plain.ts`; the benchmark
 * (`checks/bench/lease.ts`) compares the two, and a test checks that their state spaces match.
 */
import { List, Map as IMap, Record, type RecordOf } from 'immutable';
import { match } from 'ts-pattern';
import type { Machine } from '../core/machine.ts';

// ---------------------------------------------------------------------------------------------
// Messages: one record type per message, a union of them.

type AcquireProps = { readonly type: 'Acquire'; readonly client: number };
type GrantProps = { readonly type: 'Grant'; readonly client: number; readonly token: number };
type BusyProps = { readonly type: 'Busy'; readonly client: number };
type ReleaseProps = { readonly type: 'Release'; readonly client: number; readonly token: number };
type WriteProps = { readonly type: 'Write'; readonly client: number; readonly token: number };
type WriteOkProps = { readonly type: 'WriteOk'; readonly client: number; readonly token: number };
type WriteRejectedProps = { readonly type: 'WriteRejected'; readonly client: number; readonly token: number };

const Acquire = Record<AcquireProps>({ type: 'Acquire', client: 0 }, 'Acquire');
const Grant = Record<GrantProps>({ type: 'Grant', client: 0, token: 0 }, 'Grant');
const Busy = Record<BusyProps>({ type: 'Busy', client: 0 }, 'Busy');
const Release = Record<ReleaseProps>({ type: 'Release', client: 0, token: 0 }, 'Release');
const Write = Record<WriteProps>({ type: 'Write', client: 0, token: 0 }, 'Write');
const WriteOk = Record<WriteOkProps>({ type: 'WriteOk', client: 0, token: 0 }, 'WriteOk');
const WriteRejected = Record<WriteRejectedProps>({ type: 'WriteRejected', client: 0, token: 0 }, 'WriteRejected');

/** A message in flight. Client → server: Acquire, Release; server → client: Grant, Busy; client → storage: Write; storage → client: WriteOk, WriteRejected. */
export type LeaseMsg =
  | RecordOf<AcquireProps>
  | RecordOf<GrantProps>
  | RecordOf<BusyProps>
  | RecordOf<ReleaseProps>
  | RecordOf<WriteProps>
  | RecordOf<WriteOkProps>
  | RecordOf<WriteRejectedProps>;

// ---------------------------------------------------------------------------------------------
// State

/** What a client believes: idle, waiting for an answer, or holding a lease with `token`. */
export type ClientPhase = 'idle' | 'waiting' | 'holding';

type ClientProps = {
  readonly phase: ClientPhase;
  /** The token of the lease it believes it holds (0: none). */
  readonly token: number;
  /** How many more times it may ask for the lease (the bound of the model). */
  readonly acquiresLeft: number;
  /** How many more writes it may send under the lease it holds. */
  readonly writesLeft: number;
};
type ServerProps = {
  /** The client holding the lease, 0 when it is free. */
  readonly holder: number;
  /** The last token handed out. */
  readonly token: number;
};
type StorageProps = {
  /** The newest token it has accepted a write under. */
  readonly maxToken: number;
  /** Ghost: the writes it accepted, in order (what the specs read). */
  readonly accepted: List<RecordOf<AcceptedWrite>>;
  /** Ghost: how many writes fencing turned away. */
  readonly rejected: number;
};
type LeaseStateProps = {
  readonly server: RecordOf<ServerProps>;
  readonly storage: RecordOf<StorageProps>;
  readonly clients: IMap<number, RecordOf<ClientProps>>;
  readonly net: IMap<LeaseMsg, number>;
};

const Client = Record<ClientProps>({ phase: 'idle', token: 0, acquiresLeft: 0, writesLeft: 0 }, 'Client');
const Server = Record<ServerProps>({ holder: 0, token: 0 }, 'Server');
const Accepted = Record<AcceptedWrite>({ client: 0, token: 0 }, 'AcceptedWrite');
const Storage = Record<StorageProps>({ maxToken: 0, accepted: List(), rejected: 0 }, 'Storage');
const LeaseState = Record<LeaseStateProps>({ server: Server(), storage: Storage(), clients: IMap(), net: IMap() }, 'LeaseState');

/** The whole system: server, storage, clients and the network, as immutable records and maps. */
export type LeaseState = RecordOf<LeaseStateProps>;

/** An action: a client starts something, a lease expires, or a message is delivered. */
export type LeaseAction =
  | { readonly type: 'ClientAcquire'; readonly client: number }
  | { readonly type: 'ClientWrite'; readonly client: number }
  | { readonly type: 'ClientRelease'; readonly client: number }
  | { readonly type: 'LeaseExpires' }
  | { readonly type: 'Deliver'; readonly msg: LeaseMsg };

/** One write the storage accepted: who wrote, under which fencing token (ghost data the specs read). */
export interface AcceptedWrite {
  readonly client: number;
  readonly token: number;
}

/**
 * A known-bug variant's name, or none (their docs and the checks they break are in the model,
 * `specs/models/lease.ts`): `no-fencing`, the storage ignores fencing tokens and accepts every
 * write; `token-reuse`, the server bumps the token on release instead of on grant.
 */
export type LeaseBug = 'no-fencing' | 'token-reuse' | 'none';

/** The model's bounds. */
export interface LeaseConfig {
  readonly clients: number;
  /** How many times each client may ask for the lease. */
  readonly acquires: number;
  /** How many writes a client may send under one lease. */
  readonly writes: number;
  readonly bug: LeaseBug;
}

// ---------------------------------------------------------------------------------------------
// The reducer

const send = (s: LeaseState, m: LeaseMsg): LeaseState => s.update('net', (net) => net.update(m, 0, (n) => n + 1));
const consume = (s: LeaseState, m: LeaseMsg): LeaseState =>
  s.update('net', (net) => {
    const n = net.get(m, 0);
    return n <= 1 ? net.delete(m) : net.set(m, n - 1);
  });
const client = (s: LeaseState, c: number): RecordOf<ClientProps> => s.clients.get(c)!;
const setClient = (s: LeaseState, c: number, f: (x: RecordOf<ClientProps>) => RecordOf<ClientProps>): LeaseState =>
  s.update('clients', (cs) => cs.update(c, (x) => f(x!)));

/** The lock service over `cfg.clients` clients, as a machine without checks (the model, `specs/models/lease.ts`, adds them). */
export function leaseMachine(cfg: LeaseConfig): Machine<LeaseState, LeaseAction> {
  const { bug } = cfg;
  const ids = Array.from({ length: cfg.clients }, (_, i) => i + 1);
  const init = LeaseState({ clients: IMap(ids.map((c) => [c, Client({ acquiresLeft: cfg.acquires })])) });

  // The lock server: grant a free lease with a new token; release only the current lease.
  const onAcquire = (s: LeaseState, m: RecordOf<AcquireProps>): LeaseState => {
    if (s.server.holder !== 0) return send(s, Busy({ client: m.client }));
    const token = bug === 'token-reuse' ? Math.max(s.server.token, 1) : s.server.token + 1;
    return send(s.set('server', Server({ holder: m.client, token })), Grant({ client: m.client, token }));
  };
  const onRelease = (s: LeaseState, m: RecordOf<ReleaseProps>): LeaseState => {
    if (s.server.holder !== m.client || s.server.token !== m.token) return s;
    return s.set('server', Server({ holder: 0, token: bug === 'token-reuse' ? s.server.token + 1 : s.server.token }));
  };

  // The storage: accept a write under the newest token it has seen, or a newer one.
  const onWrite = (s: LeaseState, m: RecordOf<WriteProps>): LeaseState => {
    const st = s.storage;
    if (bug !== 'no-fencing' && m.token < st.maxToken) {
      return send(s.set('storage', st.set('rejected', st.rejected + 1)), WriteRejected({ client: m.client, token: m.token }));
    }
    const storage = st.merge({ maxToken: Math.max(st.maxToken, m.token), accepted: st.accepted.push(Accepted({ client: m.client, token: m.token })) });
    return send(s.set('storage', storage), WriteOk({ client: m.client, token: m.token }));
  };

  // A client: hold the granted lease; give up on Busy, or when fencing tells it its lease is gone.
  const onGrant = (s: LeaseState, m: RecordOf<GrantProps>): LeaseState =>
    setClient(s, m.client, (x) => x.merge({ phase: 'holding', token: m.token, writesLeft: cfg.writes }));
  const onBusy = (s: LeaseState, m: RecordOf<BusyProps>): LeaseState => setClient(s, m.client, (x) => x.set('phase', 'idle'));
  const onWriteRejected = (s: LeaseState, m: RecordOf<WriteRejectedProps>): LeaseState =>
    client(s, m.client).token === m.token ? setClient(s, m.client, (x) => x.merge({ phase: 'idle', token: 0, writesLeft: 0 })) : s;

  const deliver = (s: LeaseState, m: LeaseMsg): LeaseState =>
    match(m)
      .with({ type: 'Acquire' }, (x) => onAcquire(s, x))
      .with({ type: 'Release' }, (x) => onRelease(s, x))
      .with({ type: 'Write' }, (x) => onWrite(s, x))
      .with({ type: 'Grant' }, (x) => onGrant(s, x))
      .with({ type: 'Busy' }, (x) => onBusy(s, x))
      .with({ type: 'WriteOk' }, () => s)
      .with({ type: 'WriteRejected' }, (x) => onWriteRejected(s, x))
      .exhaustive();

  const step = (s: LeaseState, a: LeaseAction): LeaseState =>
    match(a)
      .with({ type: 'ClientAcquire' }, ({ client: c }) =>
        send(setClient(s, c, (x) => x.merge({ phase: 'waiting', acquiresLeft: x.acquiresLeft - 1 })), Acquire({ client: c })))
      .with({ type: 'ClientWrite' }, ({ client: c }) => {
        const x = client(s, c);
        return send(setClient(s, c, (y) => y.set('writesLeft', y.writesLeft - 1)), Write({ client: c, token: x.token }));
      })
      .with({ type: 'ClientRelease' }, ({ client: c }) => {
        const x = client(s, c);
        return send(setClient(s, c, (y) => y.merge({ phase: 'idle', token: 0, writesLeft: 0 })), Release({ client: c, token: x.token }));
      })
      .with({ type: 'LeaseExpires' }, () => s.setIn(['server', 'holder'], 0))
      .with({ type: 'Deliver' }, ({ msg }) => deliver(consume(s, msg), msg))
      .exhaustive();

  const EXPIRE: LeaseAction = { type: 'LeaseExpires' };
  const perClient = (type: 'ClientAcquire' | 'ClientWrite' | 'ClientRelease') => ids.map((c): LeaseAction => ({ type, client: c }));
  const acquire = perClient('ClientAcquire');
  const write = perClient('ClientWrite');
  const release = perClient('ClientRelease');
  const deliveries = new WeakMap<LeaseMsg, LeaseAction>();
  const deliverAction = (msg: LeaseMsg): LeaseAction => {
    let a = deliveries.get(msg);
    if (a === undefined) deliveries.set(msg, (a = { type: 'Deliver', msg }));
    return a;
  };

  const who = (c: number) => `c${c}`;
  const label = (m: LeaseMsg): string =>
    match(m)
      .with({ type: 'Acquire' }, { type: 'Busy' }, (x) => `${x.type}(${who(x.client)})`)
      .with({ type: 'Grant' }, { type: 'Release' }, { type: 'Write' }, { type: 'WriteOk' }, { type: 'WriteRejected' }, (x) => `${x.type}(${who(x.client)}, token ${x.token})`)
      .exhaustive();

  return {
    name: 'lease',
    init: () => [init],
    actions(s) {
      const out: LeaseAction[] = [];
      for (const c of ids) {
        const x = client(s, c);
        if (x.phase === 'idle' && x.acquiresLeft > 0) out.push(acquire[c - 1]!);
        if (x.phase === 'holding' && x.writesLeft > 0) out.push(write[c - 1]!);
        if (x.phase === 'holding') out.push(release[c - 1]!);
      }
      if (s.server.holder !== 0) out.push(EXPIRE);
      for (const m of s.net.keys()) out.push(deliverAction(m));
      return out;
    },
    step,
    formatAction: (a) =>
      match(a)
        .with({ type: 'Deliver' }, ({ msg }) => `Deliver ${label(msg)}`)
        .with({ type: 'LeaseExpires' }, () => 'LeaseExpires')
        .with({ type: 'ClientAcquire' }, { type: 'ClientWrite' }, { type: 'ClientRelease' }, (x) => `${x.type}(${who(x.client)})`)
        .exhaustive(),
    actionKinds: () => ['ClientAcquire', 'ClientWrite', 'ClientRelease', 'LeaseExpires', 'Deliver'],
    isTerminal: (s) => s.net.isEmpty() && s.server.holder === 0,
  };
}

