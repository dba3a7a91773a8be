/**
 * The `github` model: GitHub's 21 October 2018 failover (`impl/failover/github.ts`), checked
 * against `specs/failover/github.ts`. The correct design fences the old primary before
 * promoting; the known-bug variant `cross-region-promotion` promotes the West replica as soon
 * as the East primary seems unreachable.
 */
import { defineModel, int } from '../../impl/core/machine.ts';
import { envParam, envParams } from '../../impl/env/params.ts';
import { envMachine, type EnvMachine } from '../../impl/env/machine.ts';
import { githubProtocol, type GithubShape, type GithubTypes } from '../../impl/failover/github.ts';
import { GITHUB_WITNESSES, noDivergentWrites } from '../failover/github.ts';

/** The known-bug variants. */
export const GITHUB_BUGS = {
  'cross-region-promotion': {
    doc: 'the orchestrator promotes the West replica db3 as soon as the East primary seems unreachable, without fencing db1: two primaries accept writes and the logs fork',
    breaks: ['no-divergent-writes'],
  },
} as const;

/** The machine. */
export function makeGithub(p: GithubShape & { readonly partitions?: number; readonly drops?: number; readonly timeouts?: number }, bug: keyof typeof GITHUB_BUGS | 'none' = 'none'): EnvMachine<GithubTypes> {
  const m: EnvMachine<GithubTypes> = envMachine(githubProtocol(p, bug === 'cross-region-promotion' ? 'cross-region' : 'fence-first'), p, {
    name: 'github',
    invariants: [noDivergentWrites((id) => m.nodes()[id - 1]!)],
    sometimes: GITHUB_WITNESSES,
  });
  return m;
}

/** The registry entry. */
export const githubModel = defineModel({
  name: 'github',
  doc: 'GitHub 21 Oct 2018: orchestrator o1 (East), o2, o3 (West) elect a leader by majority; primary db1 and replica db2 in East, replica db3 in West; async replication; a partition',
  params: {
    k: int(1, 1, 3, 'unanswered probes before the primary seems unreachable'),
    // The parameters the declaration uses: roles fix the nodes and none of them crashes; no clocks or detector.
    ...envParams(githubProtocol({ k: 1, requests: 2 }, 'fence-first'), { requests: 2, partitions: 0, timeouts: 4 }),
    requests: envParam('requests', { requests: 2 }),
  },
  draw: { partitions: [0, 1], drops: [0, 1] },
  bugs: GITHUB_BUGS,
  build: (p) => makeGithub(p, p.bug),
});
