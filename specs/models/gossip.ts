/**
 * The `gossip` model: push-pull gossip of CRDTs and membership (`impl/gossip/gossip.ts`), its
 * checks (`specs/gossip.ts`) and its known-bug variants (merges in `impl/gossip/crdt.ts`).
 */
import { defineModel, int, oneOf } from '../../impl/core/machine.ts';
import { envMachine, type EnvMachine } from '../../impl/env/machine.ts';
import { envParam, envParams } from '../../impl/env/params.ts';
import { InputError } from '../../impl/core/machine.ts';
import { buggyGossip, type GossipBug, type GossipShape, type GossipTypes } from '../../impl/gossip/gossip.ts';
import { gossipInvariants, gossipProperties, gossipWitnesses } from '../gossip.ts';
import type { EnvConfig } from '../../impl/env/config.ts';

/** The known-bug variants, what each breaks and the configuration that shows it. */
export const GOSSIP_BUGS = {
  'double-count': {
    doc: 'non-idempotent counter merge: entries are added, not maxed, so a state merged twice counts twice',
    breaks: ['no-double-count'],
    config: { ops: 'counter', requests: 1 },
  },
  'remove-deletes-concurrent-adds': {
    doc: 'OR-set: a tombstone for an element deletes every add of it on merge, also adds the remover never observed',
    breaks: ['observed-remove'],
    config: { ops: 'orset', requests: 3 },
  },
  'resurrect-dead': {
    doc: 'membership merge: at equal heartbeats alive beats dead, so stale alive entries gossiped back resurrect a dead node forever',
    breaks: ['no-resurrection', 'merge-keeps-seen'],
    config: { ops: 'none', requests: 0, suspects: 1, crashes: 1, restarts: false },
  },
  'overwrite-merge': {
    doc: 'the receiver replaces its data by the remote data instead of joining, losing updates it had seen',
    breaks: ['merge-keeps-seen'],
    config: { ops: 'counter', requests: 1 },
  },
} as const;

/** Parameters of {@link makeGossip}. */
export type GossipParams = GossipShape & Partial<EnvConfig>;

/** The gossip machine with every check. */
export function makeGossip(p: GossipParams, bug: GossipBug = 'none'): EnvMachine<GossipTypes> {
  if (p.joiners >= p.nodes) throw new InputError(`gossip: joiners must be fewer than nodes (the seed n1 is not a joiner), got joiners=${p.joiners}, nodes=${p.nodes}`);
  return envMachine(buggyGossip(p, bug), p, {
    name: 'gossip',
    invariants: gossipInvariants(),
    properties: gossipProperties(),
    sometimes: gossipWitnesses(p.joiners, p.beats),
  });
}

/** The registry entry. */
export const gossipModel = defineModel({
  name: 'gossip',
  doc: 'push-pull gossip (Demers et al. 1987) of a G-counter, OR-set and HLC-keyed LWW register, with a SWIM/Cassandra-style heartbeat membership list; joins, crashes, lossy network',
  params: {
    // The parameters gossip's declaration uses: no clocks, no detector (suspicion is the protocol's own), no symmetry.
    ...envParams(buggyGossip({ nodes: 3, requests: 1, ops: 'all', beats: 0, suspects: 0, joiners: 1, peers: 'random', maxClock: 0 }, 'none'), { nodes: 3, requests: 1, timeouts: 0 }),
    // Up to 64 nodes (no node sets in gossip's schema), for random mode at scale (the rounds bench).
    nodes: int(3, 1, 64, 'number of nodes (n1..nN); above 31, no partitions'),
    requests: envParam('requests', { requests: 1 }),
    maxClock: envParam('maxClock'),
    ops: oneOf(['all', 'counter', 'orset', 'lww', 'none'], 'all', 'which CRDT operations clients issue'),
    beats: int(0, 0, 4, 'heartbeats each node may bump'),
    suspects: int(0, 0, 3, 'failure-detector verdicts (declare a peer dead) each node may give'),
    joiners: int(1, 0, 8, 'the last nodes start outside the cluster, knowing only the seed n1'),
    peers: oneOf(['random', 'round-robin'], 'random', 'gossip peer choice: any believed-alive peer (scheduler), or the next one in turn'),
  },
  bugs: GOSSIP_BUGS,
  draw: { nodes: [3, 5], requests: [1, 4], drops: [0, 2], crashes: [0, 1], suspects: [0, 1], joiners: [0, 1], beats: [0, 1] },
  build: (p) => makeGossip(p, p.bug),
});
