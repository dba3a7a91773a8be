/**
 * The one rule of the quorum registers that the environment does not express yet; everything
 * else the old wrappers did is now the environment's: role names (`r1`, `s1`, `c1`), crash
 * targets (clients are declared `crashes: false`), and stale messages (`protocol.ignores`: stale
 * answers at the client, and stale queries at the replica, read from the sending client's state;
 * left out of a state's identity, kept in traces, and checked on every explored step).
 *
 * - **A perfect failure detector** for the sloppy quorum: a client may suspect a replica (and
 *   turn to a spare) only while that replica is down or cut off from it by a partition. The
 *   protocol never reads the network or the partition; the environment decides when the
 *   suspicion is offered, as it decides when a timer fires. (The environment's detectors fire
 *   on timers; the sloppy quorum's suspicion names the replica in a local action, which its
 *   traces and pinned counts keep.)
 */
import type { EnvMachine } from '../env/machine.ts';
import { blocks } from '../env/partition.ts';
import type { EnvAction, EnvState, NodeId, Packet } from '../env/types.ts';
import { staleQuery, type QuorumMsg, type QuorumTypes } from './quorum.ts';

/** A quorum machine's state. */
export type QuorumState = EnvState<QuorumTypes>;
/** A quorum machine's action. */
export type QuorumAction = EnvAction<QuorumTypes>;
/** A quorum machine. */
export type QuorumMachine = EnvMachine<QuorumTypes>;

/** Is `b` up and reachable from `a`, both ways? */
const reachable = (s: QuorumState, a: NodeId, b: NodeId): boolean => s.nodes[b - 1]!.up && !blocks(s.partition, a, b) && !blocks(s.partition, b, a);

/** A Query whose sender's query phase for that operation is over (operations and phases only move forward). */
export function isStaleQuery(s: QuorumState, p: Packet<QuorumMsg>): boolean {
  return p.msg.type === 'Query' && staleQuery(s.nodes[p.from - 1]!.volatile, p.msg.op);
}

/** `m` with the perfect failure detector of the sloppy quorum (a suspicion is offered only for a replica down or cut off). */
export function quorumScheduling(m: QuorumMachine, sloppy: boolean): QuorumMachine {
  if (!sloppy) return m;
  const offered = (s: QuorumState, a: QuorumAction): boolean => a.type !== 'local' || a.action.type !== 'suspect' || !reachable(s, a.node, a.action.replica);
  return { ...m, actions: (s) => m.actions(s).filter((a) => offered(s, a)) };
}
