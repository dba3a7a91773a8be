/**
 * The Dynamo-style register model: the protocol of `impl/quorum/dynamo.ts` bound to the
 * register checks. Quorum sizes, read repair and the sloppy quorum are parameters, so the stale
 * and non-linearizable reads it shows are configurations, not bug variants.
 */
import { bool, defineModel, int, oneOf } from '../../impl/core/machine.ts';
import type { EnvConfig } from '../../impl/env/config.ts';
import { dynamoOptions, type DynamoShape } from '../../impl/quorum/dynamo.ts';
import type { QuorumMachine } from '../../impl/quorum/machine.ts';
import { quorumProtocol } from '../../impl/quorum/quorum.ts';
import type { LinearizabilityCheckMode } from '../quorum.ts';
import { makeQuorumMachine, quorumEnvParams } from './quorum.ts';

/** A Dynamo configuration: the environment (`nodes` follows from the roles) and the register's shape. */
export type DynamoConfig = Partial<EnvConfig> & DynamoShape & { readonly linCheck?: LinearizabilityCheckMode };

/** The Dynamo-style machine (defaults: N = 3, R = W = 2, 2 clients, 3 operations, no faults). */
export function makeDynamo(c: DynamoConfig = {}): QuorumMachine {
  const options = dynamoOptions(c);
  return makeQuorumMachine({ name: 'dynamo', options, protocol: quorumProtocol(options), env: { ...c, requests: c.requests ?? 3 }, linCheck: c.linCheck ?? 'every-state' });
}

/** The Dynamo catalogue entry. */
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
    ...quorumEnvParams(quorumProtocol(dynamoOptions({})), { requests: 3, crashes: 0 }),
    linCheck: oneOf(['every-state', 'terminal'], 'every-state', 'check linearizability on every state (shortest traces) or only on terminal states'),
  },
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { clients: [1, 3], requests: [2, 4], readRepair: [false, true], delivery: ['multiset', 'fifo'], crashes: [0, 2], maxDown: [1, 2], drops: [0, 2], duplicates: [0, 1], partitions: [0, 1] },
  build: (p) => makeDynamo(p),
});
