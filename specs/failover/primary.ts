/**
 * What a guarded primary failover must guarantee (`impl/failover/primary.ts`), read from the
 * ghost record of the writes that took effect:
 *
 * - `fenced-writes` (always; `specs/lease.ts`): once a write under the new primary's token took
 *   effect, no write of the deposed primary (an older token) takes effect after it — no lost
 *   update, no divergent writes across primaries.
 * - `one-holder-per-token` (always; `specs/lease.ts`): no two primaries write under one token.
 * - `failover` (sometimes): the standby serves as primary.
 * - `false-suspicion` (sometimes): the standby suspects the primary while it is powered, running
 *   and still primary.
 * - `stale-write-fenced` (sometimes, fencing): the storage turns a deposed primary's write away.
 */
import type { Invariant, Witness } from '../../impl/core/machine.ts';
import type { EnvState } from '../../impl/env/types.ts';
import { PRIMARY_IDS, type PrimaryTypes } from '../../impl/failover/primary.ts';
import { fencedWrites, oneHolderPerToken } from '../lease.ts';

type St = EnvState<PrimaryTypes>;

const db = (s: St, id: number) => {
  const d = s.nodes[id - 1]!.durable;
  return d.role === 'db' ? d : null;
};

/**
 * The invariants. `one-holder-per-token` catches a takeover that reuses the deposed primary's
 * token (two primaries writing under one token, which `fenced-writes`, comparing tokens only
 * by order, lets through).
 */
export function primaryInvariants(name: (id: number) => string): Invariant<St>[] {
  return [fencedWrites((s: St) => s.ghost.accepted, name), oneHolderPerToken((s: St) => s.ghost.accepted, name)];
}

/** The witnesses; `stale-write-fenced` only where the storage checks tokens. */
export function primaryWitnesses(guard: 'fencing' | 'stonith'): Witness<St>[] {
  const out: Witness<St>[] = [
    { name: 'failover', doc: 'the standby db2 serves as primary', check: (s) => db(s, PRIMARY_IDS.db2)?.primary === true },
    {
      name: 'false-suspicion',
      doc: 'db2 suspects db1 while db1 is powered, running and still primary',
      check: (s) => {
        const v = s.nodes[PRIMARY_IDS.db2 - 1]!.volatile;
        const d1 = db(s, PRIMARY_IDS.db1);
        return v?.role === 'db' && v.suspects && d1 !== null && d1.primary && d1.powered && s.nodes[PRIMARY_IDS.db1 - 1]!.up;
      },
    },
  ];
  if (guard === 'fencing') out.push({ name: 'stale-write-fenced', doc: 'the storage rejects a write of the deposed primary', needs: { requests: 2 }, check: (s) => s.ghost.rejected > 0 });
  else out.push({ name: 'switch-cut-power', doc: 'the switch powered db1 off before db2 served', check: (s) => db(s, PRIMARY_IDS.db1)?.powered === false });
  return out;
}
