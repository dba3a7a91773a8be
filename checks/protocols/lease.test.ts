/**
 * The lease lock service with fencing tokens, in its two versions: immutable Records/Maps with a
 * ts-pattern reducer (registered as `lease`) and plain objects with `switch` (the benchmark
 * baseline). The two must explore the same state space; the known bugs must be found by BFS with
 * pinned shortest traces; the correct protocol holds and reaches its witnesses.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { instantiate, type AnyMachine, type ParamValue } from '../../impl/core/machine.ts';
import { checkRandom } from '../random.ts';
import { formatTrace } from '../../impl/core/trace.ts';
import { leaseModel, LEASE_BUGS, plainLeaseModel } from '../../specs/models/lease.ts';
import { loadModel } from '../../specs/models/catalogue.ts';

const build = (model: typeof leaseModel | typeof plainLeaseModel, p: Record<string, ParamValue> = {}): AnyMachine => instantiate(model, p).machine;

describe('lease: the correct protocol', () => {
  it('holds on all 850 reachable states of the default configuration and reaches both witnesses', () => {
    const r = explore(build(leaseModel));
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(850);
    expect(r.stats.diameter).toBe(16);
    expect(r.witnesses.map((w) => [w.name, w.reached, w.depth])).toEqual([
      ['write-accepted', true, 5],
      ['stale-write-fenced', true, 11],
    ]);
  });

  it('is registered in the catalogue under its name', async () => {
    expect(await loadModel('lease')).toBe(leaseModel);
  });
});

describe('immutable + ts-pattern and plain + switch explore the same state space', () => {
  it.each([
    [{}, 850, 2_460],
    [{ clients: 1 }, 24, 41],
    [{ writes: 2 }, 5_532, 20_370],
    [{ bug: 'no-fencing' }, 396, 885],
    [{ bug: 'token-reuse' }, 407, 877],
  ] as const)('%o: %i states, %i transitions in both', (params, states, transitions) => {
    const a = explore(build(leaseModel, params));
    const b = explore(build(plainLeaseModel, params));
    expect([a.stats.states, a.stats.transitions]).toEqual([states, transitions]);
    expect([b.stats.states, b.stats.transitions]).toEqual([states, transitions]);
    expect(b.status).toBe(a.status);
    expect(b.violation?.name).toBe(a.violation?.name);
    expect(b.violation?.trace.steps.length).toBe(a.violation?.trace.steps.length);
  });
});

describe('lease: known bugs are found by BFS with the default configuration', () => {
  it.each([
    ['no-fencing', 'fenced-writes', 11, "c1's write with token 1 was accepted after c2's with token 2"],
    ['token-reuse', 'one-holder-per-token', 11, 'c1 and c2 both wrote with token 1'],
  ] as const)('%s breaks %s: shortest trace %i steps', (bug, check, steps, message) => {
    expect(LEASE_BUGS[bug].breaks).toContain(check);
    const m = build(leaseModel, { bug });
    const r = explore(m);
    expect(r.status).toBe('violation');
    expect(r.violation!.name).toBe(check);
    expect(r.violation!.message).toBe(message);
    expect(r.violation!.trace.steps).toHaveLength(steps);
    // The trace reads as the story: a lease expires while its holder still writes.
    const text = formatTrace(m, r.violation!.trace, r.violation);
    expect(text).toContain('LeaseExpires');
    expect(text).toMatch(/Deliver Write\(c1, token 1\)/);
  });

  it.each(['no-fencing', 'token-reuse'] as const)('random mode finds %s too', (bug) => {
    const r = checkRandom(build(leaseModel, { bug }), { seed: 7, runs: 2_000, maxSteps: 40 });
    expect(r.status).toBe('violation');
    expect(LEASE_BUGS[bug].breaks).toContain(r.violation!.name);
  });

  it('the correct protocol with fencing rejects the stale write instead', () => {
    const m = build(leaseModel);
    const r = explore(m, { checks: [] });
    expect(r.witnesses.find((w) => w.name === 'stale-write-fenced')).toMatchObject({ reached: true, depth: 11 });
  });
});

describe('the checks the mutants added', () => {
  it('exclusive-grants: a lease passes from one client to another only through a free lease', async () => {
    const { exclusiveGrants } = await import('../../specs/lease.ts');
    const p = exclusiveGrants<{ holder: number }, unknown>((s) => s.holder);
    const step = (a: number, b: number) => p.check({ holder: a }, null, { holder: b });
    expect(step(0, 1)).toBe(true);
    expect(step(1, 0)).toBe(true);
    expect(step(1, 1)).toBe(true);
    expect(step(1, 2)).toBe('the server granted c2 the lease while c1 held it');
  });

  it('one-holder-per-token names writers with the given names', async () => {
    const { oneHolderPerToken } = await import('../../specs/lease.ts');
    const inv = oneHolderPerToken<{ w: { client: number; token: number }[] }>((s) => s.w, (id) => `db${id}`);
    expect(inv.check({ w: [{ client: 1, token: 1 }, { client: 1, token: 1 }] })).toBe(true);
    expect(inv.check({ w: [{ client: 1, token: 1 }, { client: 2, token: 1 }] })).toBe('db1 and db2 both wrote with token 1');
  });
});
