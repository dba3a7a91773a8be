/**
 * The `raft` model: the protocol of `impl/raft/raft.ts`, the checks of `specs/raft.ts`, and the
 * known-bug variants of `impl/raft/bugs.ts` with the checks each breaks and the configuration
 * that shows it.
 */
import { bool, defineModel, int } from '../../impl/core/machine.ts';
import { envMachine, type EnvMachine } from '../../impl/env/machine.ts';
import { type EnvConfig } from '../../impl/env/config.ts';
import { envParams } from '../../impl/env/params.ts';
import type { RaftTypes } from '../../impl/raft/raft.ts';
import { raftVariant, RAFT_VARIANTS, type RaftBug } from '../../impl/raft/bugs.ts';
import { raftChecks } from '../raft.ts';

export type { RaftBug };

/**
 * Random mode's configuration of each bug (`BugSpec.random`; the CLI, the tests and the
 * benchmark): many terms and no timeout budget, so that long runs go through many elections.
 * figure8 has no heartbeats and no crashes: its divergent logs need stale leaders whose appends
 * die on the way, which extra messages make rarer.
 */
export const RAFT_RANDOM_CONFIGS = {
  figure8: { maxTerm: 30, requests: 6, heartbeats: 0, timeouts: -1 },
  'volatile-vote': { maxTerm: 30, requests: 6, heartbeats: 1, crashes: 2, timeouts: -1 },
  'no-up-to-date-check': { maxTerm: 30, requests: 6, heartbeats: 1, crashes: 2, timeouts: -1 },
  'stale-append': { maxTerm: 30, requests: 6, heartbeats: 1, crashes: 2, timeouts: -1 },
  'commit-beyond-append': { maxTerm: 30, requests: 6, heartbeats: 1, crashes: 2, timeouts: -1 },
  'volatile-term': { maxTerm: 30, requests: 6, heartbeats: 1, crashes: 2, timeouts: -1 },
  'commit-regress': { maxTerm: 30, requests: 6, heartbeats: 1, crashes: 2, timeouts: -1 },
} as const satisfies Readonly<Record<Exclude<RaftBug, 'none'>, RaftConfig>>;

/** Steps per random run of a bug (`BugSpec.random.steps`; the CLI, the tests and the benchmark). */
export const RAFT_RANDOM_STEPS = 400;

/** Runs random mode gives a bug by default (`BugSpec.random.runs`): figure8 needs thousands. */
export const RAFT_RANDOM_RUNS = 100_000;

/** A bug's `BugSpec.random`. */
const randomSpec = (bug: keyof typeof RAFT_RANDOM_CONFIGS) => ({ config: RAFT_RANDOM_CONFIGS[bug], steps: RAFT_RANDOM_STEPS, runs: RAFT_RANDOM_RUNS });

/**
 * The known-bug variants: the checks each must break (the tests pin the shortest trace breaking
 * each one), and the smallest configuration under which a breadth-first search with every check
 * (3 nodes, symmetry on, as the model's defaults are) finds one of them broken. figure8 needs
 * four elections (`timeouts: 4`) and two client requests; the crash bugs one crash.
 */
export const RAFT_BUGS = {
  figure8: { doc: RAFT_VARIANTS.figure8, breaks: ['state-machine-safety', 'leader-completeness'], config: { maxTerm: 4, requests: 2, heartbeats: 0, timeouts: 4 }, random: randomSpec('figure8') },
  'volatile-vote': { doc: RAFT_VARIANTS['volatile-vote'], breaks: ['election-safety', 'durable-survives-crash', 'log-matching'], config: { maxTerm: 1, requests: 0, heartbeats: 0, crashes: 1 }, random: randomSpec('volatile-vote') },
  'no-up-to-date-check': { doc: RAFT_VARIANTS['no-up-to-date-check'], breaks: ['leader-completeness', 'state-machine-safety'], config: { maxTerm: 2, requests: 2, heartbeats: 0 }, random: randomSpec('no-up-to-date-check') },
  'stale-append': { doc: RAFT_VARIANTS['stale-append'], breaks: ['leader-append-only', 'state-machine-safety'], config: { maxTerm: 2, requests: 2, heartbeats: 0 }, random: randomSpec('stale-append') },
  'commit-beyond-append': { doc: RAFT_VARIANTS['commit-beyond-append'], breaks: ['state-machine-safety'], config: { maxTerm: 2, requests: 2, heartbeats: 1 }, random: randomSpec('commit-beyond-append') },
  'volatile-term': { doc: RAFT_VARIANTS['volatile-term'], breaks: ['term-monotonic', 'durable-survives-crash', 'election-safety'], config: { maxTerm: 1, requests: 0, heartbeats: 0, crashes: 1 }, random: randomSpec('volatile-term') },
  'commit-regress': { doc: RAFT_VARIANTS['commit-regress'], breaks: ['commit-monotonic'], config: { maxTerm: 1, requests: 1, heartbeats: 1 }, random: randomSpec('commit-regress') },
} as const;

/** The parameter defaults of the `raft` model. */
export const RAFT_DEFAULTS = { nodes: 3, maxTerm: 2, heartbeats: 1, requests: 1 } as const;

/** The environment and protocol parameters of a Raft machine. */
export type RaftConfig = Partial<EnvConfig> & {
  readonly maxTerm?: number;
  readonly heartbeats?: number;
  /** Leave the messages the protocol declares ignored out of a state's identity (default true; the environment's `reduceIgnored`). */
  readonly pruneIgnored?: boolean;
};

/** A Raft cluster in the environment, with the checks of `specs/raft.ts`. Defaults: {@link RAFT_DEFAULTS}, no faults. */
export function makeRaft(config: RaftConfig = {}, bug: RaftBug = 'none'): EnvMachine<RaftTypes> {
  const nodes = config.nodes ?? RAFT_DEFAULTS.nodes;
  const restarts = (config.crashes ?? 0) > 0 && config.restarts !== false;
  const protocol = raftVariant({ nodes, maxTerm: config.maxTerm ?? RAFT_DEFAULTS.maxTerm, heartbeats: config.heartbeats ?? RAFT_DEFAULTS.heartbeats, restarts }, bug);
  const env = { requests: RAFT_DEFAULTS.requests, ...config, nodes, reduceIgnored: config.reduceIgnored ?? config.pruneIgnored ?? true };
  return envMachine(protocol, env, { name: 'raft', ...raftChecks(nodes) });
}

/** The `raft` catalogue entry. */
export const raftModel = defineModel({
  name: 'raft',
  doc: 'Raft election and log replication (Ongaro & Ousterhout 2014, Figure 2) on the shared environment',
  params: {
    // The parameters Raft's declaration uses (timers, client requests; no clocks, no failure
    // detector). Every Raft check is symmetric in the node ids, so symmetry reduction is on by default.
    ...envParams(raftVariant({ nodes: RAFT_DEFAULTS.nodes, maxTerm: RAFT_DEFAULTS.maxTerm, heartbeats: RAFT_DEFAULTS.heartbeats, restarts: true }, 'none'), { requests: RAFT_DEFAULTS.requests, symmetry: true }),
    nodes: int(RAFT_DEFAULTS.nodes, 1, 5, 'number of servers (n1..nN)'),
    maxTerm: int(RAFT_DEFAULTS.maxTerm, 1, 64, 'largest term a server may reach (bounds elections)'),
    heartbeats: int(RAFT_DEFAULTS.heartbeats, 0, 4, 'heartbeat rounds a leader may send per term'),
    pruneIgnored: bool(true, 'explore once the states that differ only in messages their receivers ignore (multiset network)'),
    checkIgnored: bool(true, 'deliver every message declared ignored on each explored step, and fail if that changes anything (false: trust the declaration)'),
  },
  bugs: RAFT_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { nodes: [2, 5], delivery: ['multiset', 'fifo'], crashes: [0, 2], maxDown: [1, 2], restarts: [true, false], drops: [0, 2], duplicates: [0, 2], partitions: [0, 1], requests: [1, 6], maxTerm: [2, 30], heartbeats: [0, 2] },
  build: (p) => makeRaft(p, p.bug),
});
