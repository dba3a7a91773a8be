/**
 * The ABD model: the protocol of `impl/quorum/abd.ts` bound to the register checks, with its
 * known-bug variants (each a changed option or one overridden handler, next to the protocol).
 */
import { defineModel, int, oneOf } from '../../impl/core/machine.ts';
import type { EnvConfig } from '../../impl/env/config.ts';
import { abdOptions, abdProtocol, type AbdBug } from '../../impl/quorum/abd.ts';
import type { QuorumMachine } from '../../impl/quorum/machine.ts';
import type { LinearizabilityCheckMode } from '../quorum.ts';
import { makeQuorumMachine, quorumEnvParams } from './quorum.ts';

export type { AbdBug };

/** ABD's known-bug variants and the checks each breaks. */
export const ABD_BUGS = {
  'no-write-back': {
    doc: 'a read returns after its query phase, without writing the value back (a Dynamo read with R + W > N)',
    breaks: ['linearizable'],
    // Random mode: about 5,600 runs with seed 1 (random mode's default is 1,000).
    random: { runs: 100_000 },
  },
  'minority-quorum': {
    doc: 'quorums of ⌊N/2⌋ replicas instead of a majority, so R + W ≤ N: a read can miss a completed write',
    breaks: ['regular', 'linearizable'],
  },
  'local-timestamp': {
    doc: "a write versions its value with the client's own counter instead of querying for the highest version",
    breaks: ['regular', 'linearizable'],
  },
  'volatile-store': {
    doc: 'replicas keep the register in volatile memory: a restarted replica has forgotten it (needs crashes ≥ 1)',
    breaks: ['regular', 'linearizable'],
    // One client suffices: the write completes on {r1, r2}, r1 restarts empty, a read meets {r1, r3}.
    config: { requests: 2, crashes: 1, clients: 1 },
    // Random mode: about 56,000 runs with seed 1 (random mode's default is 1,000).
    random: { runs: 100_000 },
  },
} as const;

/** An ABD configuration: the environment (`nodes` comes from replicas + clients) and the model's own options. */
export type AbdConfig = Partial<EnvConfig> & {
  readonly replicas?: number;
  readonly clients?: number;
  readonly linCheck?: LinearizabilityCheckMode;
  readonly bug?: AbdBug;
};

/** The ABD machine (defaults: 3 replicas, 2 clients, 3 operations, no faults). */
export function makeAbd(c: AbdConfig = {}): QuorumMachine {
  const bug = c.bug ?? 'none';
  const replicas = c.replicas ?? 3;
  const clients = c.clients ?? 2;
  return makeQuorumMachine({
    name: 'abd',
    options: abdOptions(replicas, clients, bug),
    protocol: abdProtocol(replicas, clients, bug),
    env: { ...c, requests: c.requests ?? 3 },
    linCheck: c.linCheck ?? 'every-state',
  });
}

/** The ABD catalogue entry. */
export const abdModel = defineModel({
  name: 'abd',
  doc: 'ABD (Attiya, Bar-Noy, Dolev 1995): an atomic register on majority quorums; reads write back before returning',
  params: {
    replicas: int(3, 1, 7, 'N: replicas (quorums are majorities)'),
    clients: int(2, 1, 4, 'clients issuing reads and writes concurrently'),
    ...quorumEnvParams(abdProtocol(3, 2), { requests: 3, crashes: 0 }),
    linCheck: oneOf(['every-state', 'terminal'], 'every-state', 'check linearizability on every state (shortest traces) or only on terminal states'),
  },
  bugs: ABD_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { replicas: [3, 4], clients: [2, 3], requests: [3, 4], delivery: ['multiset', 'fifo'], crashes: [0, 2], maxDown: [1, 2], drops: [0, 2], duplicates: [0, 1], partitions: [0, 1] },
  build: (p) => makeAbd(p),
});
