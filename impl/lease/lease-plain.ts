/**
 * The lease lock service of `lease.ts`, the same protocol step for step, written with plain
 * readonly objects and arrays and a `switch` reducer: the baseline the benchmark compares the
 * immutable/ts-pattern version against. Its reachable state space is the same, state for
 * state (a test checks the counts).
 *
 * The network is a sorted array of `[message, count]` pairs, so equal multisets are equal arrays
 * and the default encoding is canonical.
 */
import { assertNever, type Machine } from '../core/machine.ts';
import type { AcceptedWrite, ClientPhase, LeaseConfig } from './lease.ts';

/** A message in flight (the same seven types as `lease.ts`). */
export type PlainMsg =
  | { readonly type: 'Acquire'; readonly client: number }
  | { readonly type: 'Grant'; readonly client: number; readonly token: number }
  | { readonly type: 'Busy'; readonly client: number }
  | { readonly type: 'Release'; readonly client: number; readonly token: number }
  | { readonly type: 'Write'; readonly client: number; readonly token: number }
  | { readonly type: 'WriteOk'; readonly client: number; readonly token: number }
  | { readonly type: 'WriteRejected'; readonly client: number; readonly token: number };

interface PlainClient {
  readonly phase: ClientPhase;
  readonly token: number;
  readonly acquiresLeft: number;
  readonly writesLeft: number;
}

/** The whole system, as plain objects. */
export interface PlainLeaseState {
  readonly server: { readonly holder: number; readonly token: number };
  readonly storage: { readonly maxToken: number; readonly accepted: readonly AcceptedWrite[]; readonly rejected: number };
  /** Client `c` at index `c - 1`. */
  readonly clients: readonly PlainClient[];
  /** The multiset of messages in flight, sorted by {@link msgKey}. */
  readonly net: readonly (readonly [PlainMsg, number])[];
}

/** An action (the same as `lease.ts`'s, with a plain message). */
export type PlainLeaseAction =
  | { readonly type: 'ClientAcquire'; readonly client: number }
  | { readonly type: 'ClientWrite'; readonly client: number }
  | { readonly type: 'ClientRelease'; readonly client: number }
  | { readonly type: 'LeaseExpires' }
  | { readonly type: 'Deliver'; readonly msg: PlainMsg };

const TYPE_ORDER: Readonly<Record<PlainMsg['type'], number>> = { Acquire: 0, Grant: 1, Busy: 2, Release: 3, Write: 4, WriteOk: 5, WriteRejected: 6 };
const tokenOf = (m: PlainMsg): number => ('token' in m ? m.token : 0);

/** The sort order of messages in the network. */
export function compareMsg(a: PlainMsg, b: PlainMsg): number {
  return TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || a.client - b.client || tokenOf(a) - tokenOf(b);
}

function send(s: PlainLeaseState, m: PlainMsg): PlainLeaseState {
  const net = s.net.slice();
  let i = 0;
  while (i < net.length && compareMsg(net[i]![0], m) < 0) i++;
  if (i < net.length && compareMsg(net[i]![0], m) === 0) net[i] = [net[i]![0], net[i]![1] + 1];
  else net.splice(i, 0, [m, 1]);
  return { ...s, net };
}

function consume(s: PlainLeaseState, m: PlainMsg): PlainLeaseState {
  const i = s.net.findIndex(([x]) => compareMsg(x, m) === 0);
  if (i < 0) throw new Error(`message ${JSON.stringify(m)} is not in flight`);
  const net = s.net.slice();
  const [x, n] = net[i]!;
  if (n <= 1) net.splice(i, 1);
  else net[i] = [x, n - 1];
  return { ...s, net };
}

function setClient(s: PlainLeaseState, c: number, patch: Partial<PlainClient>): PlainLeaseState {
  const clients = s.clients.slice();
  clients[c - 1] = { ...clients[c - 1]!, ...patch };
  return { ...s, clients };
}

/** The plain-objects, `switch` version of the lease lock service. */
export function plainLeaseMachine(cfg: LeaseConfig): Machine<PlainLeaseState, PlainLeaseAction> {
  const { bug } = cfg;
  const ids = Array.from({ length: cfg.clients }, (_, i) => i + 1);

  function deliver(s: PlainLeaseState, m: PlainMsg): PlainLeaseState {
    switch (m.type) {
      case 'Acquire': {
        if (s.server.holder !== 0) return send(s, { type: 'Busy', client: m.client });
        const token = bug === 'token-reuse' ? Math.max(s.server.token, 1) : s.server.token + 1;
        return send({ ...s, server: { holder: m.client, token } }, { type: 'Grant', client: m.client, token });
      }
      case 'Release':
        if (s.server.holder !== m.client || s.server.token !== m.token) return s;
        return { ...s, server: { holder: 0, token: bug === 'token-reuse' ? s.server.token + 1 : s.server.token } };
      case 'Write': {
        const st = s.storage;
        if (bug !== 'no-fencing' && m.token < st.maxToken) {
          return send({ ...s, storage: { ...st, rejected: st.rejected + 1 } }, { type: 'WriteRejected', client: m.client, token: m.token });
        }
        const storage = { ...st, maxToken: Math.max(st.maxToken, m.token), accepted: [...st.accepted, { client: m.client, token: m.token }] };
        return send({ ...s, storage }, { type: 'WriteOk', client: m.client, token: m.token });
      }
      case 'Grant':
        return setClient(s, m.client, { phase: 'holding', token: m.token, writesLeft: cfg.writes });
      case 'Busy':
        return setClient(s, m.client, { phase: 'idle' });
      case 'WriteOk':
        return s;
      case 'WriteRejected':
        return s.clients[m.client - 1]!.token === m.token ? setClient(s, m.client, { phase: 'idle', token: 0, writesLeft: 0 }) : s;
      default:
        return assertNever(m);
    }
  }

  function step(s: PlainLeaseState, a: PlainLeaseAction): PlainLeaseState {
    switch (a.type) {
      case 'ClientAcquire': {
        const x = s.clients[a.client - 1]!;
        return send(setClient(s, a.client, { phase: 'waiting', acquiresLeft: x.acquiresLeft - 1 }), { type: 'Acquire', client: a.client });
      }
      case 'ClientWrite': {
        const x = s.clients[a.client - 1]!;
        return send(setClient(s, a.client, { writesLeft: x.writesLeft - 1 }), { type: 'Write', client: a.client, token: x.token });
      }
      case 'ClientRelease': {
        const x = s.clients[a.client - 1]!;
        return send(setClient(s, a.client, { phase: 'idle', token: 0, writesLeft: 0 }), { type: 'Release', client: a.client, token: x.token });
      }
      case 'LeaseExpires':
        return { ...s, server: { ...s.server, holder: 0 } };
      case 'Deliver':
        return deliver(consume(s, a.msg), a.msg);
      default:
        return assertNever(a);
    }
  }

  const init: PlainLeaseState = {
    server: { holder: 0, token: 0 },
    storage: { maxToken: 0, accepted: [], rejected: 0 },
    clients: ids.map(() => ({ phase: 'idle', token: 0, acquiresLeft: cfg.acquires, writesLeft: 0 })),
    net: [],
  };
  const EXPIRE: PlainLeaseAction = { type: 'LeaseExpires' };
  const perClient = (type: 'ClientAcquire' | 'ClientWrite' | 'ClientRelease') => ids.map((c): PlainLeaseAction => ({ type, client: c }));
  const acquire = perClient('ClientAcquire');
  const write = perClient('ClientWrite');
  const release = perClient('ClientRelease');

  return {
    name: 'lease-plain',
    init: () => [init],
    actions(s) {
      const out: PlainLeaseAction[] = [];
      for (const c of ids) {
        const x = s.clients[c - 1]!;
        if (x.phase === 'idle' && x.acquiresLeft > 0) out.push(acquire[c - 1]!);
        if (x.phase === 'holding' && x.writesLeft > 0) out.push(write[c - 1]!);
        if (x.phase === 'holding') out.push(release[c - 1]!);
      }
      if (s.server.holder !== 0) out.push(EXPIRE);
      for (const [m] of s.net) out.push({ type: 'Deliver', msg: m });
      return out;
    },
    step,
    actionKinds: () => ['ClientAcquire', 'ClientWrite', 'ClientRelease', 'LeaseExpires', 'Deliver'],
    isTerminal: (s) => s.net.length === 0 && s.server.holder === 0,
  };
}

