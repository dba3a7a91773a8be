// Bench-only baseline: the code before issue 13 (commit 3429dc0), kept to measure the port side by side (`npm run bench -- port`). Not used by any model.
/**
 * ABD: Attiya, Bar-Noy & Dolev, "Sharing memory robustly in message-passing systems" (JACM 1995,
 * section 3), in its multi-writer form (Lynch & Shvartsman, FTCS 1997): an atomic (linearizable)
 * read/write register emulated by N replicas, any minority of which may crash.
 *
 * - write(v): query a majority for the highest version (counter, writer); store
 *   (counter + 1, self, v) at a majority; return.
 * - read(): query a majority for the newest (version, value); write it back to a majority; return
 *   the value. The write-back is what makes reads atomic: once a read returns v, every later read
 *   finds a version at least as new.
 *
 * The protocol is the quorum core of `quorum.ts` with R = W = ⌊N/2⌋ + 1, write-back on, read
 * repair and sloppy quorum off. Replicas keep their (version, value) in durable state and may
 * crash and restart (`crashes`); clients do not crash.
 *
 * Known-bug variants, each one flag or one handler:
 * - `no-write-back`: reads return after the query phase (this is the Dynamo read with
 *   R + W > N): still regular, not linearizable: a read returns a new value, a later read the
 *   old one, while the write is still in progress;
 * - `minority-quorum`: quorums of ⌊N/2⌋ (R + W ≤ N): a read can miss a completed write;
 * - `local-timestamp`: a write takes its version from the client's own counter instead of
 *   querying (single-writer ABD used with several writers): a later write can lose to an
 *   earlier one;
 * - `volatile-store`: a replica keeps the register in volatile memory, so a restart forgets it.
 */
import { bool, defineModel, InputError, int, oneOf } from '../../../impl/core/machine.ts';
import { type EnvConfig } from '../../../impl/env/config.ts';
import { allEnvParams as envParams } from '../../../impl/env/params.ts';
import type { Protocol } from '../../../impl/env/types.ts';
import { makeQuorumMachine, type QuorumMachine } from './quorum-machine.ts';
import type { QuorumOptions, QuorumTypes } from './quorum-quorum.ts';
import type { LinearizabilityCheckMode } from '../../../specs/quorum.ts';

/** ABD's known-bug variants and the checks each breaks. */
export const ABD_BUGS = {
  'no-write-back': {
    doc: 'a read returns after its query phase, without writing the value back (a Dynamo read with R + W > N)',
    breaks: ['linearizable'],
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
  },
} as const;
/** An ABD known-bug variant, or none. */
export type AbdBug = keyof typeof ABD_BUGS | 'none';

/** ABD's protocol options for `replicas` and `clients`, with a known bug's flag flipped. */
export function abdOptions(replicas: number, clients: number, bug: AbdBug = 'none'): QuorumOptions {
  const majority = Math.floor(replicas / 2) + 1;
  const q = bug === 'minority-quorum' ? Math.floor(replicas / 2) : majority;
  if (q < 1) throw new InputError('minority-quorum needs at least 2 replicas (a quorum of ⌊N/2⌋ must not be empty)');
  return {
    replicas,
    spares: 0,
    clients,
    r: q,
    w: q,
    writeBack: bug !== 'no-write-back',
    queryBeforeWrite: bug !== 'local-timestamp',
    readRepair: false,
    sloppy: false,
  };
}

/** The `volatile-store` variant: a restart wipes the replica's register (one handler overridden). */
function volatileStore(p: Protocol<QuorumTypes>): Protocol<QuorumTypes> {
  return {
    ...p,
    onRestart: (ctx, durable) => {
      const r = p.onRestart(ctx, durable);
      return durable.role === 'store' ? { ...r, durable: { role: 'store', ver: 0, value: 0, hints: [] } } : r;
    },
  };
}

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
  return makeQuorumMachine({
    name: 'abd',
    protocol: abdOptions(c.replicas ?? 3, c.clients ?? 2, bug),
    env: { ...c, requests: c.requests ?? 3 },
    linCheck: c.linCheck ?? 'every-state',
    ...(bug === 'volatile-store' ? { variant: volatileStore } : {}),
  });
}

/**
 * The environment parameters the quorum models expose: no `nodes` (it follows from the roles),
 * no timers or clocks (the protocol has neither).
 */
export function quorumEnvParams(defaults: { readonly requests: number; readonly crashes: number }) {
  const { nodes: _nodes, timeouts: _timeouts, maxClock: _maxClock, maxSkew: _maxSkew, ...env } = envParams(defaults);
  return {
    ...env,
    requests: int(defaults.requests, 0, 12, 'client operations in total (each a read or a write, at an idle client)'),
    symmetry: bool(false, 'reduce by permutations of the replicas (spares and clients stay fixed)'),
  };
}

/** The ABD registry entry. */
export const abdModel = defineModel({
  name: 'abd',
  doc: 'ABD (Attiya, Bar-Noy, Dolev 1995): an atomic register on majority quorums; reads write back before returning',
  params: {
    replicas: int(3, 1, 7, 'N: replicas (quorums are majorities)'),
    clients: int(2, 1, 4, 'clients issuing reads and writes concurrently'),
    ...quorumEnvParams({ requests: 3, crashes: 0 }),
    linCheck: oneOf(['every-state', 'terminal'], 'every-state', 'check linearizability on every state (shortest traces) or only on terminal states'),
  },
  bugs: ABD_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { replicas: [3, 4], clients: [2, 3], requests: [3, 4], delivery: ['multiset', 'fifo'], crashes: [0, 2], maxDown: [1, 2], drops: [0, 2], duplicates: [0, 1], partitions: [0, 1] },
  build: (p) => makeAbd(p),
});
