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
import { dataEqual, dataLost, formatTag, tagKey } from '../impl/gossip/crdt.ts';
import { dataOf, type GossipTypes } from '../impl/gossip/gossip.ts';
import type { BoundedLivenessSpec } from './liveness.ts';

type St = EnvState<GossipTypes>;
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
        const seen = new Set(s.ghost.observed.map(tagKey));
        for (const [k, slot] of s.nodes.entries()) {
          const t = slot.durable.set.removes.find((x) => !seen.has(tagKey(x)));
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
          const lost = dataLost(dataOf(slot.durable), dataOf(next.nodes[k]!.durable));
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
  return up.every((x) => dataEqual(dataOf(x.durable), dataOf(up[0]!.durable)));
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
