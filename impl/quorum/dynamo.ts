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
 * What the checker shows (README, `checks/protocols/quorum.test.ts`): R + W > N is regular but
 * not linearizable (read repair does not help); R + W ≤ N and a sloppy quorum after a partition
 * give stale reads. The quorum sizes are parameters, so these are configurations, not bug
 * variants. The model is `specs/models/dynamo.ts`.
 */
import type { QuorumOptions } from './quorum.ts';

/** A Dynamo register's shape. */
export interface DynamoShape {
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
}

/** The quorum options of a Dynamo register: no write-back, a version query before each write. */
export function dynamoOptions(c: DynamoShape): QuorumOptions {
  const sloppy = c.sloppy ?? false;
  return {
    replicas: c.replicas ?? 3,
    spares: sloppy ? (c.spares ?? 1) : 0,
    clients: c.clients ?? 2,
    r: c.r ?? 2,
    w: c.w ?? 2,
    writeBack: false,
    queryBeforeWrite: true,
    readRepair: c.readRepair ?? false,
    sloppy,
  };
}
