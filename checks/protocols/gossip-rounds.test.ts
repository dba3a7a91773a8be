/**
 * The gossip rounds benchmark's measurement (checks/bench/gossip.ts), not timed: the gossip model
 * run in random mode converges on every run of a fixed seed set, in a finite number of rounds
 * counted by the definition the bench writes; the model scales to 64 nodes; and the node-set
 * limit of the schema compiler is a clear error, not a wrong encoding.
 */
import { describe, expect, it } from 'vitest';
import { instantiate, InputError } from '../../impl/core/machine.ts';
import { compile, S } from '../../impl/env/schema.ts';
import { envConfig } from '../../impl/env/config.ts';
import { WordBuffer } from '../../impl/core/encode.ts';
import { randomGossipRounds, ROUND_DEFINITION, stats } from '../bench/gossip.ts';
import { gossipModel } from '../../specs/models/gossip.ts';

describe('gossip rounds in random mode', () => {
  it('at N = 8, every run of a fixed seed set converges in a finite number of rounds', () => {
    const r = randomGossipRounds(8, 12, 4242);
    expect(r.rounds).toHaveLength(12);
    for (const [i, x] of r.rounds.entries()) {
      expect(Number.isFinite(x), `run ${i}`).toBe(true);
      // at least one exchange per node on average cannot be skipped: 7 nodes lack the update
      // and each exchange informs at most 2 of them, so at least 4 exchanges = 0.5 rounds
      expect(x).toBeGreaterThanOrEqual(0.5);
      expect(r.slowestRounds[i]).toBeGreaterThanOrEqual(1);
      expect(r.steps[i]).toBeLessThan(400 * 8);
    }
    const s = stats(r.rounds);
    expect(s.converged).toBe(12);
    expect(s.mean).toBeLessThan(20);
    // the same seed gives the same rounds
    expect(randomGossipRounds(8, 12, 4242).rounds).toEqual(r.rounds);
  });

  it('with drops and retries, runs still converge (N = 8)', () => {
    const r = randomGossipRounds(8, 8, 77, 8);
    expect(r.rounds.every(Number.isFinite)).toBe(true);
  });

  it('the model builds and runs at 64 nodes (a run converges)', () => {
    const r = randomGossipRounds(64, 1, 9);
    expect(Number.isFinite(r.rounds[0]!)).toBe(true);
    expect(instantiate(gossipModel, { nodes: 64 }).params['nodes']).toBe(64);
  });

  it('writes its round definition', () => {
    expect(ROUND_DEFINITION).toMatch(/N initiations/);
  });

  it('stats: a run that did not converge makes the mean Infinity and is counted', () => {
    expect(stats([1, 2, Infinity])).toMatchObject({ runs: 3, converged: 2, mean: Infinity, max: Infinity });
    expect(stats([1, 2, 3, 4])).toMatchObject({ mean: 2.5, p99: 4, max: 4 });
  });
});

describe('node sets above 31 nodes', () => {
  it('a schema with S.nodeSet() refuses more than 31 nodes with an InputError; without one, 64 compile', () => {
    expect(() => compile(S.record({ votes: S.nodeSet() }), { n: 32 })).toThrow(InputError);
    expect(() => compile(S.record({ votes: S.nodeSet() }), { n: 31 })).not.toThrow();
    const c = compile(S.record({ leader: S.optional(S.node()), acks: S.perNode(S.int(0, 3)), tags: S.set(S.record({ node: S.node(), seq: S.int(1, 3) })) }), { n: 64 });
    const v = { leader: 64, acks: Array.from({ length: 64 }, (_, i) => i % 4), tags: [{ node: 33, seq: 1 }, { node: 64, seq: 3 }] };
    const w = new WordBuffer();
    c.encode(v, w);
    expect(c.decode(w.raw.slice(0, w.len), { pos: 0 })).toEqual(v);
    // node 64 and node 32 encode differently (no wrap-around of ids above 31)
    const w2 = new WordBuffer();
    c.encode({ ...v, leader: 32 }, w2);
    expect(Array.from(w2.raw.slice(0, w2.len))).not.toEqual(Array.from(w.raw.slice(0, w.len)));
  });

  it('partitions need at most 31 nodes', () => {
    expect(() => envConfig({ nodes: 40, partitions: 1 })).toThrow(/partitions needs nodes <= 31/);
    expect(envConfig({ nodes: 64 }).nodes).toBe(64);
  });
});
