/**
 * A Dynamo-style replicated register: DeCandia et al., "Dynamo: Amazon's highly available
 * key-value store" (SOSP 2007), section 4.5 (R and W quorums over the key's N-node preference
 * list; read repair) and section 4.6 (sloppy quorum, hinted handoff).
 *
 * - write(v): ask the N replicas for their version, wait for R answers; store
 *   (highest counter + 1, writer id, v) at the N replicas, wait for W acknowledgements.
 * - read(): ask the N replicas, wait for R answers, return the newest value. No write-back.
 *   With `readRepair`, the client then sends that value to the answerers that had an older one
 *   (fire and forget).
 * - `sloppy`: while a replica is down or cut off from the client, the client may send the
 *   phase's request to a spare node instead (`s1`, ...), with a hint naming the replica. The
 *   spare's answer counts towards R or W. The spare later hands the hinted value off to its home
 *   replica and deletes the hint once acknowledged.
 *
 * What the checker shows (README, `checks/protocols/quorum.test.ts`):
 * - R + W > N (strict quorum): every read is **regular**, but the register is **not
 *   linearizable**: a read returns a new value and a later read the old one, while the write
 *   that wrote it is still in progress. Read repair does not help (it is asynchronous);
 * - R + W ≤ N: stale reads, even of a write that completed before the read began (not regular);
 * - a sloppy quorum: after a partition, a write completes on the wrong side (a replica plus a
 *   spare), and a read on the other side returns the old value (not regular).
 *
 * The quorum sizes are parameters, so these are configurations, not bug variants.
 */
import { bool, defineModel, int, oneOf } from '../core/machine.ts';
import type { EnvConfig } from '../env/config.ts';
import { makeQuorumMachine, type QuorumMachine } from './machine.ts';
import { quorumEnvParams } from './abd.ts';
import type { LinearizabilityCheckMode } from '../../specs/quorum.ts';

/** A Dynamo configuration: the environment (`nodes` follows from the roles) and the register's options. */
export type DynamoConfig = Partial<EnvConfig> & {
  /** N (default 3). */
  readonly replicas?: number;
  /** R (default 2). */
  readonly r?: number;
  /** W (default 2). */
  readonly w?: number;
  /** Clients (default 2). */
  readonly clients?: number;
  /** Spare nodes for the sloppy quorum (default 1; ignored unless `sloppy`). */
  readonly spares?: number;
  readonly readRepair?: boolean;
  readonly sloppy?: boolean;
  readonly linCheck?: LinearizabilityCheckMode;
};

/** The Dynamo-style machine (defaults: N = 3, R = W = 2, 2 clients, 3 operations, no faults). */
export function makeDynamo(c: DynamoConfig = {}): QuorumMachine {
  const sloppy = c.sloppy ?? false;
  return makeQuorumMachine({
    name: 'dynamo',
    protocol: {
      replicas: c.replicas ?? 3,
      spares: sloppy ? (c.spares ?? 1) : 0,
      clients: c.clients ?? 2,
      r: c.r ?? 2,
      w: c.w ?? 2,
      writeBack: false,
      queryBeforeWrite: true,
      readRepair: c.readRepair ?? false,
      sloppy,
    },
    env: { ...c, requests: c.requests ?? 3 },
    linCheck: c.linCheck ?? 'every-state',
  });
}

/** The Dynamo registry entry. */
export const dynamoModel = defineModel({
  name: 'dynamo',
  doc: 'a Dynamo-style register (DeCandia et al. 2007): R/W quorums, read repair, sloppy quorum with hinted handoff; regular but not linearizable',
  params: {
    replicas: int(3, 1, 7, 'N: replicas in the preference list'),
    r: int(2, 1, 7, 'R: answers a read (and the version query of a write) waits for; at most N'),
    w: int(2, 1, 7, 'W: acknowledgements a write waits for; at most N'),
    clients: int(2, 1, 4, 'clients issuing reads and writes concurrently'),
    readRepair: bool(false, 'a read sends the newest value to the replicas that answered with an older one'),
    sloppy: bool(false, 'sloppy quorum: a request for a down or cut-off replica may go to a spare node, with a hint'),
    spares: int(1, 1, 4, 'spare nodes a sloppy quorum may use (ignored unless sloppy=true)'),
    ...quorumEnvParams({ requests: 3, crashes: 0 }),
    linCheck: oneOf(['every-state', 'terminal'], 'every-state', 'check linearizability on every state (shortest traces) or only on terminal states'),
  },
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { clients: [1, 3], requests: [2, 4], readRepair: [false, true], delivery: ['multiset', 'fifo'], crashes: [0, 2], maxDown: [1, 2], drops: [0, 2], duplicates: [0, 1], partitions: [0, 1] },
  build: (p) => makeDynamo(p),
});
