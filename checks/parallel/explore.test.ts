/**
 * Parallel breadth-first search: the same distinct counts (per depth), verdict, witnesses and
 * trace as the single-threaded search, for 1, 2 and 3 workers, on correct models and known-bug
 * variants; bounds; input errors. The shared table starts tiny so that every run also goes
 * through stop-the-world growth several times.
 */
import { describe, expect, test } from 'vitest';
import { explore } from '../exhaustive.ts';
import { InputError, type ParamValue } from '../../impl/core/machine.ts';
import { loadMachine } from './model-ref.ts';
import { exploreParallel } from './explore.ts';
import { CTRL, SharedFingerprintSet } from './shared-set.ts';
import type { CheckResult } from '../../impl/core/result.ts';

type Case = readonly [model: string, params: Record<string, ParamValue>, opts?: { deadlock?: boolean; checks?: string[] }];

const CASES: readonly Case[] = [
  ['twophase', { rms: 4 }],
  ['twophase', { rms: 3, bug: 'commit-unprepared' }],
  ['twophase', { rms: 3, bug: 'abort-after-prepare' }, { checks: ['tc-consistent'] }],
  ['paxos', { acceptors: 2, proposers: 2, ballots: 2, crashes: 0 }],
  ['paxos', { acceptors: 3, proposers: 2, ballots: 2, crashes: 0, bug: 'minority-quorum' }],
  ['raft', { nodes: 3, requests: 1 }],
  ['raft', { nodes: 3, crashes: 1, requests: 0, bug: 'volatile-vote' }],
  ['paxoscommit-tla', { rms: 1, acceptors: 1 }, { deadlock: true }],
];

/** What must not depend on the worker count. */
function essence(r: CheckResult): unknown {
  const v = r.violation;
  return {
    status: r.status,
    bound: r.bound?.kind ?? null,
    states: r.stats.states,
    statesPerDepth: r.stats['statesPerDepth'],
    diameter: r.stats['diameter'],
    // Transitions are a property of a complete search; a violation's come from the canonical re-run.
    transitions: r.stats.transitions,
    witnesses: r.witnesses,
    violation: v
      ? { kind: v.kind, name: v.name, message: v.message, init: v.trace.initIndex, actions: v.trace.steps.map((s) => s.actionIndex), failed: v.failedAction?.actionIndex ?? null }
      : null,
  };
}

describe('parallel BFS gives the single-threaded result', () => {
  for (const [model, params, o] of CASES) {
    test(`${model} ${JSON.stringify(params)}${o ? ` ${JSON.stringify(o)}` : ''}: 1, 2 and 3 workers`, async () => {
      const opts = { ...(o?.checks ? { checks: o.checks } : {}), ...(o?.deadlock ? { deadlock: true } : {}) };
      const seq = explore((await loadMachine({ model, params })).machine, opts);
      const want = essence(seq);
      if (params['bug'] !== undefined) expect(seq.status).toBe('violation');
      else expect(seq.status).toBe('exhausted');
      for (const workers of [1, 2, 3]) {
        const par = await exploreParallel({ model, params }, { ...opts, workers, warmStart: false, initialSlots: 1024 });
        expect(essence(par), `${workers} workers`).toEqual(want);
        expect(par.stats.workers).toBe(workers);
      }
    }, 240_000);
  }
});

describe('bounds', () => {
  const ref = { model: 'twophase', params: { rms: 4 } };
  const machineOf = async () => (await loadMachine(ref)).machine;

  test('depth bound: the same levels, bounded by depth', async () => {
    const seq = explore(await machineOf(), { maxDepth: 5 });
    const par = await exploreParallel(ref, { maxDepth: 5, workers: 2, warmStart: false });
    expect(seq.bound?.kind).toBe('depth');
    expect(essence(par)).toEqual(essence(seq));
  }, 120_000);

  test('states bound: exactly maxStates states, the same full levels', async () => {
    const seq = explore(await machineOf(), { maxStates: 500 });
    const par = await exploreParallel(ref, { maxStates: 500, workers: 3, warmStart: false, initialSlots: 1024 });
    expect(par.status).toBe('bounded');
    expect(par.bound).toEqual({ kind: 'states', limit: 500 });
    expect(par.stats.states).toBe(500);
    const perDepth = par.stats.statesPerDepth;
    expect(perDepth.reduce((a, b) => a + b, 0)).toBe(500);
    // Every level before the one the bound cut is complete, as in the single-threaded search.
    expect(perDepth.slice(0, -1)).toEqual(seq.stats.statesPerDepth.slice(0, perDepth.length - 1));
  }, 120_000);

  test('time bound and interrupt: bounded, never "exhausted"', async () => {
    const big = { model: 'twophase', params: { rms: 9 } };
    const timed = await exploreParallel(big, { timeLimitMs: 1, workers: 2, warmStart: false });
    expect(timed.status).toBe('bounded');
    expect(timed.bound?.kind).toBe('time');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const cut = await exploreParallel(big, { signal: ac.signal, workers: 2 });
    expect(cut.status).toBe('bounded');
    expect(cut.bound?.kind).toBe('interrupted');
  }, 120_000);

  test('warm start: a small model ends single-threaded before the workers are up, same result', async () => {
    const r = await exploreParallel(ref, { workers: 2 });
    expect(essence(r)).toEqual(essence(explore(await machineOf())));
  }, 120_000);
});

describe('input errors, before any work', () => {
  const ref = { model: 'twophase', params: { rms: 3 } };
  test.each([
    ['workers 0', { workers: 0 }, /workers must be an integer ≥ 1/],
    ['workers 1.5', { workers: 1.5 }, /workers must be an integer ≥ 1/],
    ['dfs on 2 workers', { workers: 2, mode: 'dfs' as const }, /dfs is single-threaded/],
    ['exact on 2 workers', { workers: 2, exact: true }, /--exact keeps full keys/],
    ['unknown check', { workers: 2, checks: ['nope'] }, /unknown invariant 'nope'/],
    ['bad bound', { workers: 2, maxStates: 0 }, /maxStates must be a positive number/],
  ])('%s', async (_name, opts, message) => {
    const e = await exploreParallel(ref, opts).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(message);
  });
  test('unknown model and module', async () => {
    await expect(exploreParallel({ model: 'nosuch' })).rejects.toThrow(/unknown model 'nosuch'/);
    await expect(exploreParallel({ model: 'x', module: 'no/such/file.ts' })).rejects.toThrow(InputError);
  });
});

describe('the shared fingerprint table', () => {
  test('each fingerprint is new exactly once; growth keeps every one; zero halves are allowed', () => {
    const { ctrl, table } = SharedFingerprintSet.create(1024);
    const a = new SharedFingerprintSet(ctrl, table);
    const b = new SharedFingerprintSet(ctrl, table);
    const fps: [number, number][] = [];
    for (let i = 0; i < 700; i++) fps.push([Math.imul(i + 1, 0x9e3779b1) >>> 0, i === 5 ? 0 : (i * 7919) >>> 0]);
    fps.push([0, 12345]);
    let added = 0;
    for (const [hi, lo] of fps) if (a.add(hi, lo) > 0) added++;
    expect(added).toBe(fps.length);
    for (const [hi, lo] of fps) expect(b.add(hi, lo)).toBe(0);
    expect(Atomics.load(ctrl, CTRL.pause)).toBe(0); // 701 < 768: no growth asked yet
    for (let i = 0; i < 100; i++) a.add(i + 1, 0xdead0000 + i);
    expect(Atomics.load(ctrl, CTRL.pause)).toBe(1); // past 3/4: growth asked
    const grown = a.grown();
    b.use(grown);
    expect(a.bytes()).toBe(2048 * 8);
    for (const [hi, lo] of fps) expect(b.add(hi, lo)).toBe(0);
    expect(a.size).toBe(801);
  });
});
