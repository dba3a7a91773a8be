/**
 * The `store` model: the replicated key-value store of `impl/store/` in one of its three modes
 * (`-p mode=cp|ap-lww|ap-siblings`), with the checks of `specs/store.ts`:
 *
 * - the client history at a consistency level, while the model runs: the mode's own level by
 *   default (cp: linearizable, ap-siblings: causal, ap-lww: eventual), or any level with
 *   `-p level=…` (`store -p mode=ap-lww -p level=linearizable` finds LWW's stale read);
 * - eventual convergence at rest, in every mode;
 * - cp refuses on a timeout (`unavailable`): a refused write is indeterminate in the history,
 *   a refused read failed; `-p detector=unreliable -p falseSuspicions=N` adds timeouts that
 *   fire with nothing wrong;
 * - ap-lww stamps with its HLC, or (`-p stamps=physical -p maxClock=1`) with the replica's
 *   skewed physical clock, which loses causally later writes (not causal: store-levels.test.ts);
 * - `no-lost-update` in the AP modes. Last writer wins breaks it by design: `dscheck check store
 *   -p mode=ap-lww` finds the lost update (two concurrent writes across a partition, both
 *   acknowledged, one silently gone after the heal); `--invariant eventual` shows that the mode
 *   keeps its own promise.
 */
import { defineModel, InputError, int, oneOf } from '../../impl/core/machine.ts';
import { envParam } from '../../impl/env/params.ts';
import { makeStoreMachine, STORE_MODES, type StoreBug, type StoreMode, type StoreShape } from '../../impl/store/store.ts';
import { levelInvariant, MODE_LEVEL, noLostUpdate, STORE_LEVELS, storeWitnesses, type StoreLevel } from '../store.ts';

/** The known-bug variants, with the mode and configuration that show each. */
export const STORE_BUGS = {
  'stale-read': {
    doc: 'cp: a follower answers its clients’ reads from its own copy instead of forwarding them to the leader, so a read misses a write a majority already acknowledged',
    breaks: ['linearizable'],
    config: { mode: 'cp', partitions: 0, ops: 3 },
  },
  'drop-sibling': {
    doc: 'ap-siblings: a replica receiving a concurrent version keeps only the larger value instead of both siblings',
    breaks: ['no-lost-update'],
    config: { mode: 'ap-siblings', partitions: 0, ops: 2 },
  },
} as const;

const BUG_MODE: Readonly<Record<keyof typeof STORE_BUGS, StoreMode>> = { 'stale-read': 'cp', 'drop-sibling': 'ap-siblings' };

/** The checks of a mode at a level. */
export function storeChecks(mode: StoreMode, replicas: number, level: StoreLevel) {
  const o = { mode, replicas };
  return {
    invariants: [levelInvariant(o, level), ...(level !== 'eventual' ? [levelInvariant(o, 'eventual')] : []), ...(mode !== 'cp' ? [noLostUpdate(o)] : [])],
    sometimes: storeWitnesses(o),
  };
}

/** The store registry entry. */
export const storeModel = defineModel({
  name: 'store',
  doc: 'a replicated key-value register under partition: cp (leader + majority quorums, a minority side answers unavailable; linearizable), ap-lww (last writer wins by HLC, or by skewed physical clocks with -p stamps=physical; eventual, loses updates), ap-siblings (version-vector siblings, causal)',
  params: {
    mode: oneOf(STORE_MODES, 'cp', 'cp: leader with majority quorums; ap-lww: last writer wins by HLC; ap-siblings: version-vector siblings'),
    level: oneOf(['own', ...STORE_LEVELS], 'own', "the level the client history is checked at while the model runs (own: the mode's promise)"),
    replicas: int(3, 1, 5, 'replicas (r1..rR; r1 leads in cp)'),
    clients: int(2, 1, 4, 'client sessions (c1..cC), client i at replica ((i-1) mod R)+1'),
    ops: int(3, 1, 8, 'client operations in total; operation k reads, or writes the value k'),
    stamps: oneOf(['hlc', 'physical'], 'hlc', "ap-lww: hlc stamps writes with the replica's hybrid logical clock; physical with its skewed physical clock (Cassandra's default; needs maxClock ≥ 1)"),
    sessions: oneOf(['sticky', 'roaming'], 'sticky', 'sticky: a client always uses its home replica; roaming (AP modes): any replica'),
    partitions: envParam('partitions', { partitions: 1 }),
    delivery: envParam('delivery'),
    timeouts: int(-1, -1, 100, "cp: replica timeouts that may fire in total (a timeout refuses its replica's waiting operations as unavailable; -1: unbounded)"),
    detector: envParam('detector'),
    falseSuspicions: envParam('falseSuspicions'),
    maxClock: int(0, 0, 8, 'largest physical clock value (ap-lww stamps; 0: no clocks, the HLC is a logical counter)'),
    maxSkew: envParam('maxSkew'),
  },
  bugs: STORE_BUGS,
  draw: { replicas: [2, 3], clients: [2, 3], ops: [2, 4], partitions: [0, 1], delivery: ['multiset', 'fifo'] },
  build: (p) => {
    const bug = p.bug as StoreBug;
    if (bug !== 'none' && BUG_MODE[bug] !== p.mode) throw new InputError(`variant ${bug} is a ${BUG_MODE[bug]} variant; it does not apply to mode=${p.mode}`);
    const shape: StoreShape = { replicas: p.replicas, clients: p.clients, ops: p.ops, roaming: p.sessions === 'roaming', ...(p.stamps === 'physical' ? { stamps: 'physical' as const } : {}) };
    const level = p.level === 'own' ? MODE_LEVEL[p.mode] : p.level;
    return makeStoreMachine(p.mode, shape, { partitions: p.partitions, delivery: p.delivery, timeouts: p.timeouts, detector: p.detector, falseSuspicions: p.falseSuspicions, maxClock: p.maxClock, maxSkew: p.maxSkew }, storeChecks(p.mode, p.replicas, level), bug);
  },
});
