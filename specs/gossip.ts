/**
 * What "correct" means for push-pull gossip (`impl/gossip/`), read from outside the protocol.
 *
 * Safety:
 * - `merge-keeps-seen` (transition): no step makes a node's replicated data smaller in the
 *   lattice: a merge never loses an update the node has seen (Shapiro et al. 2011, the join is
 *   an upper bound of both arguments). Crashes keep the data: it is durable.
 * - `no-double-count`: no replica counts more increments of node i than node i performed (the
 *   ghost counts them): the G-counter's merge is idempotent.
 * - `observed-remove`: every tombstone at every replica is a tag that some remove observed: a
 *   remove never deletes an add it did not see (the OR-set's add-wins semantics).
 * - `no-resurrection` (transition): a node that holds j dead at heartbeat h never turns j alive
 *   again without a heartbeat above h (only j's own refutation revives it).
 *
 * Liveness (bounded, see {@link gossipConvergence}): once faults, updates and failure-detector
 * verdicts stop and the network is connected, the running replicas reach the same data within
 * k steps, for every schedule, when peers are chosen round-robin.
 *
 * Witnesses: the replicas converged after an update; a joiner became known to all; a node was
 * declared dead; a node refuted its death.
 */
import type { Invariant, TransitionProperty, Witness } from '../impl/core/machine.ts';
import type { EnvAction, EnvState } from '../impl/env/types.ts';
import { formatTag, type GossipData, type Member, type Tag } from '../impl/gossip/crdt.ts';
import { dataOf, type GossipTypes } from '../impl/gossip/gossip.ts';
import type { BoundedLivenessSpec } from './liveness.ts';

type St = EnvState<GossipTypes>;

// ---------------------------------------------------------------------------------------------
// The lattice, written here from the papers and not taken from `impl/gossip/crdt.ts`: a check
// that used the implementation's order would agree with a wrong order there (a register compared
// without its logical counter, a status ranked the wrong way) and miss the updates it loses.

/** A tag's identity, for sets of tags (fields far apart: any small model's tags stay distinct). */
const tagId = (t: Tag): string => `${t.elem}/${t.node}/${t.seq}`;
const tagsIn = (ts: readonly Tag[]): Set<string> => new Set(ts.map(tagId));
/** The first tag of `a` not in `b`, if any. */
const tagMissing = (a: readonly Tag[], b: readonly Tag[]): Tag | undefined => {
  if (a.length === 0) return undefined;
  const have = tagsIn(b);
  return a.find((t) => !have.has(tagId(t)));
};
/** Writes are ordered by their HLC timestamp (l, then c), then by writer; the unwritten register is below all. */
const regLeq = (a: GossipData['reg'], b: GossipData['reg']): boolean => {
  if (a.writer === null) return true;
  if (b.writer === null) return false;
  if (a.l !== b.l) return a.l < b.l;
  if (a.c !== b.c) return a.c < b.c;
  return a.writer <= b.writer;
};
/** Membership: a higher heartbeat wins; at equal heartbeats unknown < alive < dead. */
const STATUS_RANK = { unknown: 0, alive: 1, dead: 2 } as const;
const memberLeq = (a: Member, b: Member): boolean => a.hb < b.hb || (a.hb === b.hb && STATUS_RANK[a.status] <= STATUS_RANK[b.status]);

/** What replica data `a` has that `b` lacks (b is not above a in the product lattice), or null. */
export function lostUpdate(a: GossipData, b: GossipData): string | null {
  const i = a.counter.findIndex((x, k) => x > (b.counter[k] ?? 0));
  if (i >= 0) return `n${i + 1}'s counter entry ${a.counter[i]} → ${b.counter[i] ?? 0}`;
  const add = tagMissing(a.set.adds, b.set.adds);
  if (add !== undefined) return `set add ${formatTag(add)}`;
  const rm = tagMissing(a.set.removes, b.set.removes);
  if (rm !== undefined) return `set remove ${formatTag(rm)}`;
  if (!regLeq(a.reg, b.reg)) return `register write ${a.reg.value}@(${a.reg.l},${a.reg.c}) by n${a.reg.writer}`;
  const m = a.members.findIndex((x, k) => !memberLeq(x, b.members[k]!));
  if (m >= 0) return `membership n${m + 1} ${a.members[m]!.status}@${a.members[m]!.hb}`;
  return null;
}

/** Equal replica data: equal as values (tag lists as sets). */
export function sameData(a: GossipData, b: GossipData): boolean {
  const sameTags = (x: readonly Tag[], y: readonly Tag[]) => x.length === y.length && tagMissing(x, y) === undefined;
  return (
    a.counter.length === b.counter.length &&
    a.counter.every((x, k) => x === b.counter[k]) &&
    sameTags(a.set.adds, b.set.adds) &&
    sameTags(a.set.removes, b.set.removes) &&
    a.reg.value === b.reg.value &&
    a.reg.l === b.reg.l &&
    a.reg.c === b.reg.c &&
    a.reg.writer === b.reg.writer &&
    a.members.every((m, k) => m.hb === b.members[k]!.hb && m.status === b.members[k]!.status)
  );
}
type Act = EnvAction<GossipTypes>;

const name = (i: number) => `n${i}`;

/** The invariants. */
export function gossipInvariants(): Invariant<St>[] {
  return [
    {
      name: 'no-double-count',
      doc: 'no replica counts more increments of a node than that node performed',
      check: (s) => {
        for (const [k, slot] of s.nodes.entries()) {
          const c = slot.durable.counter;
          for (const [i, x] of c.entries()) if (x > s.ghost.incs[i]!) return `${name(k + 1)} counts ${x} increments of ${name(i + 1)}, which made ${s.ghost.incs[i]!}`;
        }
        return true;
      },
    },
    {
      name: 'observed-remove',
      doc: 'every tombstone is a tag some remove observed: a remove never deletes a concurrent add',
      check: (s) => {
        const seen = tagsIn(s.ghost.observed);
        for (const [k, slot] of s.nodes.entries()) {
          const t = slot.durable.set.removes.find((x) => !seen.has(tagId(x)));
          if (t !== undefined) return `${name(k + 1)} tombstoned ${formatTag(t)}, an add no remove observed`;
        }
        return true;
      },
    },
  ];
}

/** The transition properties. */
export function gossipProperties(): TransitionProperty<St, Act>[] {
  return [
    {
      name: 'no-resurrection',
      doc: 'a node held dead at heartbeat h is never held alive again at a heartbeat ≤ h',
      check: (prev, _a, next) => {
        for (const [k, slot] of prev.nodes.entries()) {
          for (const [j, m] of slot.durable.members.entries()) {
            const after = next.nodes[k]!.durable.members[j]!;
            if (m.status === 'dead' && after.status === 'alive' && after.hb <= m.hb) return `${name(k + 1)} resurrected ${name(j + 1)}: dead at heartbeat ${m.hb}, alive again at ${after.hb}`;
          }
        }
        return true;
      },
    },
    {
      name: 'merge-keeps-seen',
      doc: "no step loses an update a replica has seen (each node's data only grows in the lattice)",
      check: (prev, _a, next) => {
        for (const [k, slot] of prev.nodes.entries()) {
          const lost = lostUpdate(dataOf(slot.durable), dataOf(next.nodes[k]!.durable));
          if (lost !== null) return `${name(k + 1)} lost ${lost}`;
        }
        return true;
      },
    },
  ];
}

/** The running replicas hold equal data. */
export function converged(s: St): boolean {
  const up = s.nodes.filter((x) => x.up);
  return up.every((x) => sameData(dataOf(x.durable), dataOf(up[0]!.durable)));
}

/** The witnesses. */
export function gossipWitnesses(joiners: number, beats: number): Witness<St>[] {
  return [
    {
      name: 'converged-after-update',
      doc: 'every node is up and holds the same data, after at least one update',
      needs: { requests: 1 },
      check: (s) => s.used.requests > 0 && s.nodes.every((x) => x.up) && converged(s) && s.net.length === 0,
    },
    ...(joiners > 0
      ? [
          {
            name: 'joiner-known',
            doc: 'every node knows the last joiner as alive',
            needs: { joiners: 1 },
            check: (s: St) => s.nodes.every((x) => x.durable.members[s.nodes.length - 1]!.status === 'alive'),
          },
        ]
      : []),
    {
      name: 'death-refuted',
      doc: 'a node declared dead heard of it and refuted it with a heartbeat above those it bumps itself',
      needs: { suspects: 1 },
      check: (s) => s.nodes.some((x, k) => x.durable.members[k]!.hb > beats),
    },
  ];
}

/** Fault actions for convergence: crashes and restarts (crashed nodes stay down), drops, duplicates, partitions, updates and verdicts. */
export function isGossipFault(a: Act): boolean {
  switch (a.type) {
    case 'crash':
    case 'restart':
    case 'drop':
    case 'duplicate':
    case 'partition':
    case 'request':
      return true;
    case 'local':
      return a.action.type !== 'gossip';
    default:
      return false;
  }
}

/**
 * Convergence as bounded liveness: from every reachable state, once faults stop (and a partition
 * in force may still heal), every fault-free schedule brings the running replicas to equal data
 * within `within` steps. Run it with `checkBoundedLiveness` (specs/liveness.ts).
 */
export function gossipConvergence(within: number): BoundedLivenessSpec<St, Act> {
  return { name: 'the running replicas converge', isFault: isGossipFault, goal: converged, within, schedules: 'every' };
}
