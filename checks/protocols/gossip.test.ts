/**
 * The `gossip` model: the correct protocol holds exhaustively at pinned bounds and reaches its
 * witnesses; every known-bug variant is found by BFS with its pinned shortest trace and by
 * random mode; convergence holds as bounded liveness under round-robin peer choice (and the
 * checker shows why it cannot hold for every schedule when the scheduler picks the peers).
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { instantiate, type ParamValue } from '../../impl/core/machine.ts';
import { formatTrace } from '../../impl/core/trace.ts';
import type { EnvMachine } from '../../impl/env/machine.ts';
import type { GossipTypes } from '../../impl/gossip/gossip.ts';
import { GOSSIP_BUGS, gossipModel } from '../../specs/models/gossip.ts';
import { gossipConvergence } from '../../specs/gossip.ts';
import { checkBoundedLiveness } from '../../specs/liveness.ts';
import { loadModel } from '../../specs/models/catalogue.ts';

const build = (p: Record<string, ParamValue> = {}) => instantiate(gossipModel, p).machine as unknown as EnvMachine<GossipTypes>;

describe('gossip: the correct protocol holds exhaustively', () => {
  it.each([
    ['defaults (3 nodes, one joiner, every CRDT op, random peers)', {}, 30_363, ['converged-after-update', 'joiner-known']],
    ['lossy: one drop, counter ops', { ops: 'counter', drops: 1, joiners: 0 }, 9_140, ['converged-after-update']],
    ['membership: a false suspicion, refuted', { nodes: 2, ops: 'none', requests: 0, suspects: 1, beats: 1, joiners: 0 }, 2_537, ['death-refuted']],
  ] as const)('%s %o: %d states', (_label, params, states, reached) => {
    const r = explore(build(params), { exact: true });
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(states);
    for (const w of reached) expect(r.witnesses.find((x) => x.name === w)?.reached, w).toBe(true);
  });

  it('is registered in the catalogue', async () => {
    expect(await loadModel('gossip')).toBe(gossipModel);
  });
});

describe('gossip: every known-bug variant is found by BFS with its own configuration', () => {
  it.each([
    ['double-count', 'no-double-count', 4, 'n1 counts 2 increments of n1, which made 1'],
    ['remove-deletes-concurrent-adds', 'observed-remove', 5, 'an add no remove observed'],
    ['resurrect-dead', 'no-resurrection', 3, 'n2 resurrected n1: dead at heartbeat 0, alive again at 0'],
    ['overwrite-merge', 'merge-keeps-seen', 2, 'lost'],
  ] as const)('%s breaks %s in %i steps', (bug, check, steps, message) => {
    const spec = GOSSIP_BUGS[bug];
    expect(spec.breaks).toContain(check);
    const m = build({ ...spec.config, bug });
    const r = explore(m);
    expect(r.status).toBe('violation');
    expect(r.violation!.name).toBe(check);
    expect(r.violation!.message).toContain(message);
    expect(r.violation!.trace.steps).toHaveLength(steps);
    expect(formatTrace(m, r.violation!.trace, r.violation)).toMatch(/Push|Pull/);
    // The same configuration without the bug has no violation (in its first 30,000 states).
    expect(explore(build({ ...spec.config }), { maxStates: 30_000 }).violation).toBeUndefined();
  });

  it.each(Object.keys(GOSSIP_BUGS) as (keyof typeof GOSSIP_BUGS)[])('random mode finds %s', (bug) => {
    const r = checkRandom(build({ ...GOSSIP_BUGS[bug].config, bug }), { seed: 1, runs: 2_000, maxSteps: 40 });
    expect(r.status).toBe('violation');
    expect(GOSSIP_BUGS[bug].breaks).toContain(r.violation!.name);
  });
});

describe('gossip: convergence as bounded liveness (faults and updates stop, network connected)', () => {
  it('round-robin peers: every fault-free schedule converges within 21 steps, and not within 20', () => {
    const m = build({ ops: 'counter', joiners: 0, peers: 'round-robin' });
    const r = checkBoundedLiveness(m, gossipConvergence(21));
    expect(r.status).toBe('holds');
    expect(r.tightest).toBe(21);
    expect(checkBoundedLiveness(m, gossipConvergence(20)).status).toBe('violation');
  });

  it('round-robin over a lossy network (one drop, an exchange may be lost): still within 21 steps', () => {
    const r = checkBoundedLiveness(build({ ops: 'counter', joiners: 0, peers: 'round-robin', drops: 1 }), gossipConvergence(21));
    expect(r.status).toBe('holds');
    expect(r.tightest).toBe(21);
  });

  it('with a joiner no bound holds either: without fairness, n1 and n2 gossip forever and the joiner n3 never acts', () => {
    const m = build({ ops: 'counter', joiners: 1, peers: 'round-robin' });
    const r = checkBoundedLiveness(m, gossipConvergence(40));
    expect(r.status).toBe('violation');
    const steps = r.violation!.continuation.map((s) => m.formatAction(s.action));
    expect(steps.length).toBe(41);
    expect(steps.some((a) => a.includes('n3'))).toBe(false);
  });

  it('random peers chosen by an adversarial scheduler: no bound holds (two nodes can gossip forever)', () => {
    const r = checkBoundedLiveness(build({ ops: 'counter', joiners: 0, peers: 'random' }), gossipConvergence(40));
    expect(r.status).toBe('violation');
    expect(r.tightest).toBeNull();
  });
});
