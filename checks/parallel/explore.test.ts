/**
 * Parallel breadth-first search: the same distinct counts (per depth), verdict, witnesses and
 * trace as the single-threaded search, for 1, 2 and 3 workers, on correct models and known-bug
 * variants; bounds; input errors. The shared table starts tiny so that every run also goes
 * through stop-the-world growth several times.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { explore } from '../exhaustive.ts';
import { InputError, type ParamValue } from '../../impl/core/machine.ts';
import { loadMachine } from './model-ref.ts';
import { balancePlan, exploreParallel } from './explore.ts';
import { CTRL, SETTLED, SharedFingerprintSet } from './shared-set.ts';
import { LinkBytes, LinkReader } from './protocol.ts';
import type { CheckResult } from '../../impl/core/result.ts';

type Case = readonly [model: string, params: Record<string, ParamValue>, opts?: { deadlock?: boolean; checks?: string[] }];

const CASES: readonly Case[] = [
  ['twophase', { rms: 4 }],
  ['twophase', { rms: 3, bug: 'commit-unprepared' }],
  ['twophase', { rms: 3, bug: 'abort-after-prepare' }, { checks: ['tc-consistent'] }],
  ['paxos', { acceptors: 2, proposers: 2, ballots: 2, crashes: 0 }],
  ['paxos', { acceptors: 3, proposers: 2, ballots: 2, crashes: 0, bug: 'minority-quorum' }],
  // Raft declares messages its handlers ignore, which its key leaves out: states with one key
  // differ in ignored messages in flight, and so in their number of (no-op) deliveries. The
  // transitions agree only if every worker count expands the same member of each key: the one
  // the single-threaded search meets first.
  ['raft', { nodes: 3, requests: 1 }],
  ['raft', { nodes: 3, crashes: 1, requests: 0, bug: 'volatile-vote' }],
  ['paxoscommit-tla', { rms: 1, acceptors: 1 }, { deadlock: true }],
  // A deadlock (the termination protocol runs, then nothing is enabled).
  ['twopc', { participants: 2, crashes: 1, restarts: false }, { deadlock: true }],
];

/**
 * What must not depend on the worker count. A search that stops at a violation has counted
 * what it met until it stopped: the single-threaded one stops at the violating state, the
 * parallel one at the end of that level (its workers finish the parents ranked before the
 * violation's). So for a violation the levels before the last, the verdict and the trace are
 * compared, not the counters.
 */
function essence(r: CheckResult): unknown {
  const v = r.violation;
  const perDepth = r.stats['statesPerDepth'] as number[];
  if (v) {
    return {
      status: r.status,
      fullLevels: perDepth.slice(0, -1),
      violation: { kind: v.kind, name: v.name, message: v.message, init: v.trace.initIndex, actions: v.trace.steps.map((s) => s.actionIndex), failed: v.failedAction?.actionIndex ?? null, culprit: v.culprit ?? null },
    };
  }
  return {
    status: r.status,
    bound: r.bound?.kind ?? null,
    states: r.stats.states,
    statesPerDepth: perDepth,
    diameter: r.stats['diameter'],
    transitions: r.stats.transitions,
    witnesses: r.witnesses,
  };
}

describe('parallel BFS gives the single-threaded result', () => {
  for (const check of ['invariant', 'property'] as const) {
    test(`a witness that holds only in the state that breaks ${check === 'invariant' ? 'an invariant' : 'a property'} is reported reached, as by one thread`, async () => {
      const ref = { model: 'witnessModel', module: 'checks/core/toys.ts', params: { check } };
      const seq = explore((await loadMachine(ref)).machine);
      expect(seq.witnesses).toEqual([{ name: 'at-3', reached: true, depth: 3 }]);
      for (const workers of [1, 2]) {
        const par = await exploreParallel(ref, { workers, warmStart: false, partitionAt: 1 });
        expect(par.status, `${workers} workers`).toBe('violation');
        expect(par.violation?.kind).toBe(check);
        expect(par.witnesses, `${workers} workers`).toEqual(seq.witnesses);
      }
    }, 60_000);
  }

  for (const [model, params, o] of CASES) {
    test(`${model} ${JSON.stringify(params)}${o ? ` ${JSON.stringify(o)}` : ''}: 1, 2 and 3 workers`, async () => {
      const opts = { ...(o?.checks ? { checks: o.checks } : {}), ...(o?.deadlock ? { deadlock: true } : {}) };
      const seq = explore((await loadMachine({ model, params })).machine, opts);
      const want = essence(seq);
      if (params['bug'] !== undefined || params['restarts'] === false) expect(seq.status).toBe('violation');
      else expect(seq.status).toBe('exhausted');
      for (const workers of [1, 2, 3]) {
        // partitionAt 4: the frontier is dealt out early, so every worker takes part.
        const par = await exploreParallel({ model, params }, { ...opts, workers, warmStart: false, initialSlots: 1024, partitionAt: 4 });
        expect(essence(par), `${workers} workers`).toEqual(want);
        expect(par.stats.workers).toBe(workers);
        // No worker threw (a throw falls back to one thread, with the same result).
        expect(par.stats.workerError, `${workers} workers`).toBeUndefined();
        if (workers > 1 && par.status === 'exhausted') {
          // Every state is expanded exactly once, and by more than one worker.
          const split = par.stats.expandedPerWorker!;
          expect(split.reduce((x, y) => x + y, 0)).toBe(par.stats.states);
          expect(split.every((x) => x > 0), `split ${split.join('/')}`).toBe(true);
        }
      }
    }, 240_000);
  }
});

describe('the work is shared', () => {
  test('one initial state, default partition: both workers expand part of TwoPhase-5', async () => {
    const r = await exploreParallel({ model: 'twophase', params: { rms: 5 } }, { workers: 2, warmStart: false });
    expect(r.status).toBe('exhausted');
    const split = r.stats.expandedPerWorker!;
    expect(split.reduce((x, y) => x + y, 0)).toBe(r.stats.states);
    // Before the replicated start, worker 1 expanded nothing here (worker 0 owned the only
    // initial state and everything it discovered). Now each takes half of the first frontier of
    // 512 states or more; how the rest splits depends on the threads' timing (the benchmark
    // reports it), so only this much is certain.
    expect(Math.min(...split)).toBeGreaterThanOrEqual(256);
  }, 120_000);

  test('balancing: each level is split evenly (up to the smallest handover), with the same result as without it', async () => {
    const ref = { model: 'twophase', params: { rms: 6 } };
    const seq = explore((await loadMachine(ref)).machine);
    const base = { workers: 2, warmStart: false, partitionAt: 8, initialSlots: 1024 } as const;
    const on = await exploreParallel(ref, base);
    const off = await exploreParallel(ref, { ...base, balance: false });
    for (const r of [on, off]) {
      expect(essence(r)).toEqual(essence(seq));
      expect(r.stats.workerError).toBeUndefined();
    }
    const gap = (r: typeof on): number => Math.abs(r.stats.expandedPerWorker![0]! - r.stats.expandedPerWorker![1]!);
    // Unbalanced, the winners of a level pile up on one worker by thousands; balanced, a level's
    // shares differ by less than the smallest handover (16 states) plus one.
    expect(gap(off), `unbalanced split ${off.stats.expandedPerWorker!.join('/')}`).toBeGreaterThan(1000);
    expect(gap(on), `balanced split ${on.stats.expandedPerWorker!.join('/')}`).toBeLessThanOrEqual(32 * (on.stats.diameter + 1));
    expect(gap(on) * 20).toBeLessThan(gap(off));
  }, 120_000);

  test('balancePlan: donors to receivers, equal shares ±1, small handovers left out', () => {
    expect(balancePlan([100, 40])).toEqual([{ from: 0, to: 1, count: 30 }]);
    expect(balancePlan([40, 101])).toEqual([{ from: 1, to: 0, count: 31 }]); // 71 / 70
    expect(balancePlan([90, 30, 30])).toEqual([{ from: 0, to: 1, count: 20 }, { from: 0, to: 2, count: 20 }]);
    expect(balancePlan([10, 90, 50, 50])).toEqual([{ from: 1, to: 0, count: 40 }]);
    expect(balancePlan([50, 40])).toEqual([]); // 5 is not worth a message
    expect(balancePlan([0, 0])).toEqual([]);
  });
});

describe('encoded frontier on the workers', () => {
  test('TwoPhase-5 (it decodes): the same result with objects, encodings, and encodings spilled to disk', async () => {
    const ref = { model: 'twophase', params: { rms: 5 } };
    const seq = explore((await loadMachine(ref)).machine, { frontier: 'objects' });
    const base = { workers: 2, warmStart: false, partitionAt: 8, initialSlots: 1024 } as const;
    const objects = await exploreParallel(ref, { ...base, frontier: 'objects' });
    const encoded = await exploreParallel(ref, { ...base, frontier: 'encoded' });
    // 64-word chunks and a 2 KiB budget: every level of any size goes to disk.
    const spilled = await exploreParallel(ref, { ...base, frontier: 'encoded', frontierChunkWords: 64, frontierMemoryBytes: 2048 });
    expect(objects.stats.frontier).toBe('objects');
    expect(encoded.stats.frontier).toBe('encoded');
    expect(encoded.stats.spilledBytes).toBe(0);
    expect(spilled.stats.spilledBytes).toBeGreaterThan(0);
    for (const r of [objects, encoded, spilled]) expect(essence(r)).toEqual(essence(seq));
    const bug = { model: 'twophase', params: { rms: 3, bug: 'commit-unprepared' } };
    const seqBug = explore((await loadMachine(bug)).machine);
    expect(essence(await exploreParallel(bug, { ...base, frontier: 'encoded' }))).toEqual(essence(seqBug));
  }, 120_000);

  test('an environment model: its whole-state encoding, on the workers and spilled to disk', async () => {
    // Raft's key leaves out the messages declared ignored; the frontier keeps them.
    const ref = { model: 'raft', params: { nodes: 3, requests: 1 } };
    const seq = explore((await loadMachine(ref)).machine, { frontier: 'objects' });
    const base = { workers: 2, warmStart: false, partitionAt: 8, initialSlots: 1024 } as const;
    const encoded = await exploreParallel(ref, { ...base });
    const spilled = await exploreParallel(ref, { ...base, frontier: 'encoded', frontierChunkWords: 64, frontierMemoryBytes: 2048 });
    expect(encoded.stats.frontier).toBe('encoded');
    expect(spilled.stats.spilledBytes).toBeGreaterThan(0);
    for (const r of [encoded, spilled]) expect(essence(r)).toEqual(essence(seq));
  }, 120_000);

  test('a model without decode: frontier encoded is an input error; auto holds objects', async () => {
    // TCommit has neither `decode` nor a whole-state codec (every environment model has one).
    const ref = { model: 'tcommit', params: { rms: 4 } };
    await expect(exploreParallel(ref, { workers: 2, frontier: 'encoded' })).rejects.toThrow(/cannot hold its frontier encoded/);
    const r = await exploreParallel(ref, { workers: 2, warmStart: false, partitionAt: 8 });
    expect(r.stats.frontier).toBe('objects');
  }, 120_000);
});

describe('trace links spilled to disk', () => {
  const tmp = (): string => mkdtempSync(join(tmpdir(), 'dscheck-par-links-'));
  // Chunks of 16 links, two kept in memory: every level past the first few goes to disk.
  const spill = { workers: 2, warmStart: false, partitionAt: 4, initialSlots: 1024, linkChunk: 16, linkMemoryBytes: 1 } as const;

  test('the same verdict and trace, read back from disk; no file left behind (violation, exhausted, interrupted)', async () => {
    const bug = { model: 'twophase', params: { rms: 3, bug: 'commit-unprepared' } };
    const seqBug = explore((await loadMachine(bug)).machine);
    expect(seqBug.status).toBe('violation');
    const dir = tmp();
    const found = await exploreParallel(bug, { ...spill, spillDir: dir });
    expect(essence(found)).toEqual(essence(seqBug));
    expect(found.stats.spilledBytes).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual([]);

    const ok = { model: 'twophase', params: { rms: 4 } };
    const seqOk = explore((await loadMachine(ok)).machine);
    const done = await exploreParallel(ok, { ...spill, workers: 3, spillDir: dir });
    expect(essence(done)).toEqual(essence(seqOk));
    expect(done.stats.spilledBytes).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual([]);

    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const cut = await exploreParallel({ model: 'twophase', params: { rms: 9 } }, { ...spill, signal: ac.signal, spillDir: dir });
    expect(cut.bound?.kind).toBe('interrupted');
    expect(readdirSync(dir)).toEqual([]);
    rmSync(dir, { recursive: true });
  }, 120_000);
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

describe('links as varints', () => {
  test('read back in order, across chunks, with large ranks and action indices; out of order is refused', () => {
    const w = new LinkBytes();
    const want: [number, number][] = [];
    let rank = 0;
    for (let i = 0; i < 50_000; i++) {
      rank += i % 5 === 0 ? 0 : i % 997 === 0 ? 2 ** 33 : (i * 7) % 300;
      const ai = i % 5 === 0 ? 65_535 - (i % 3) * 100 : i % 130;
      if (want.length > 0 && want[want.length - 1]![0] === rank && want[want.length - 1]![1] >= ai) continue;
      w.push(rank, ai);
      want.push([rank, ai]);
    }
    expect(w.length).toBe(want.length);
    expect(w.parts().length).toBeGreaterThan(1);
    const r = new LinkReader(w.parts());
    const got: [number, number][] = [];
    while (r.next()) got.push([r.rank, r.ai]);
    expect(got).toEqual(want);
    const x = new LinkBytes();
    x.push(5, 3);
    expect(() => x.push(5, 3)).toThrow(/out of order/);
    expect(() => x.push(4, 9)).toThrow(/out of order/);
  });
});

describe('the shared fingerprint table', () => {
  test('each fingerprint is new exactly once; growth keeps every one; zero halves are allowed', () => {
    const { ctrl, table, claims } = SharedFingerprintSet.create(1024);
    const a = new SharedFingerprintSet(ctrl, { table, claims });
    const b = new SharedFingerprintSet(ctrl, { table, claims });
    const fps: [number, number][] = [];
    for (let i = 0; i < 700; i++) fps.push([Math.imul(i + 1, 0x9e3779b1) >>> 0, i === 5 ? 0 : (i * 7919) >>> 0]);
    fps.push([0, 12345]);
    let added = 0;
    for (const [hi, lo] of fps) if (a.add(hi, lo) > 0) added++;
    expect(added).toBe(fps.length);
    for (const [hi, lo] of fps) expect(b.add(hi, lo)).toBe(0);
    a.clearClaims(); // the level ends: the claim table's load counts from here
    expect(Atomics.load(ctrl, CTRL.pause)).toBe(0); // 701 < 768: no growth asked yet
    for (let i = 0; i < 100; i++) a.add(i + 1, 0xdead0000 + i);
    a.flush(); // a worker flushes its batched count whenever it reports
    expect(Atomics.load(ctrl, CTRL.pause)).toBe(1); // past 3/4: growth asked
    const grown = a.grown();
    b.use(grown);
    expect(Atomics.load(ctrl, CTRL.pause)).toBe(0);
    expect(a.tableBytes()).toBe(4096 * 8); // four times the slots; two words a slot: hi, lo
    expect(a.bytes()).toBe(4096 * 8 + 1024 * 8); // plus the claim table (not full: not grown)
    for (const [hi, lo] of fps) expect(b.add(hi, lo)).toBe(0);
    expect(a.size).toBe(801);
  });

  test('claims: the least offer wins, an equal offer does not, a settled state takes none; claims survive growth of both tables', () => {
    const { ctrl, table, claims } = SharedFingerprintSet.create(1024, 16);
    const a = new SharedFingerprintSet(ctrl, { table, claims });
    const b = new SharedFingerprintSet(ctrl, { table, claims });
    // A state settled on insertion (a single thread's level) takes no offer, however small.
    expect(a.add(1, 2)).toBeGreaterThan(0);
    const old = a.slot;
    expect(a.claimOf(old)).toBe(SETTLED);
    expect(a.claim(old, 1)).toBe(false);
    // A state new in a partitioned level is open to offers.
    expect(a.add(7, 9, true)).toBeGreaterThan(0);
    const slot = a.slot;
    expect(a.claimOf(slot)).toBe(0); // no offer yet
    expect(b.add(7, 9, true)).toBe(0); // found: b offers on the same slot
    expect(b.slot).toBe(slot);
    expect(a.claim(slot, 10)).toBe(true); // first offer
    expect(b.claim(slot, 10)).toBe(false); // equal: the same parent's later action, or a tie
    expect(b.claim(slot, 12)).toBe(false);
    expect(b.claim(slot, 4)).toBe(true);
    expect(a.claimOf(slot)).toBe(4);
    expect(a.claim(old, 1)).toBe(false); // still settled
    // The top bit of `hi` is the open flag, not the fingerprint's: (2³¹ + 7, 9) is (7, 9).
    expect(b.add(0x80000007, 9, true)).toBe(0);
    expect(b.slot).toBe(slot);
    // Enough open states to grow the claim table (16 entries) several times and the fingerprint
    // table once; every claim survives, by the fingerprint's new slot.
    const open: [number, number, number][] = [];
    let before = a.words();
    let at = slot;
    for (let i = 0; i < 900; i++) {
      const hi = i + 100;
      const lo = 0xbeef0000 + i;
      a.add(hi, lo, true);
      expect(a.claim(a.slot, 1000 + i)).toBe(true);
      open.push([hi, lo, 1000 + i]);
      a.flush();
      if (Atomics.load(ctrl, CTRL.pause) === 1) {
        const grown = a.grown();
        if (a.words() !== before) {
          at = a.relocate(before, at);
          before = a.words();
        }
        b.use(grown);
      }
    }
    expect(a.tableBytes()).toBe(4096 * 8); // the fingerprint table grew
    expect(a.bytes() - a.tableBytes()).toBeGreaterThanOrEqual(2048 * 8); // and the claim table: 903 states, load ≤ 3/4
    expect(a.claimOf(at)).toBe(4);
    expect(b.add(7, 9)).toBe(0);
    expect(b.slot).toBe(at);
    expect(b.claimOf(b.slot)).toBe(4);
    expect(b.claim(b.slot, 4)).toBe(false);
    for (const [hi, lo, offer] of open) {
      expect(b.add(hi, lo)).toBe(0);
      expect(b.claimOf(b.slot)).toBe(offer);
    }
    expect(b.add(1, 2)).toBe(0);
    expect(b.claimOf(b.slot)).toBe(SETTLED);
    // The level ends: every state of it is settled, and takes no offer at the next level.
    expect(a.words()[2 * at]! >>> 31).toBe(1); // open: the flag in `hi`
    a.clearClaims();
    // Every flag is cleared with the claim table: a later find stops at the slot, no probe.
    expect(a.words().every((w, i) => i % 2 === 1 || w < 0x80000000)).toBe(true);
    expect(b.add(7, 9, true)).toBe(0);
    expect(b.claimOf(b.slot)).toBe(SETTLED);
    expect(b.claim(b.slot, 1)).toBe(false);
    for (const [hi, lo] of open.slice(0, 50)) {
      b.add(hi, lo, true);
      expect(b.claim(b.slot, 1)).toBe(false);
    }
    // A state new in the next level is open again.
    expect(b.add(5, 5, true)).toBeGreaterThan(0);
    expect(b.claim(b.slot, 3)).toBe(true);
  });

  test('batched counting: exact at the states bound, whichever thread crosses it', () => {
    const { ctrl, table, claims } = SharedFingerprintSet.create(1 << 16);
    const bound = 5000;
    const ts = [0, 1, 2].map(() => new SharedFingerprintSet(ctrl, { table, claims }, 3));
    for (const t of ts) t.countExactlyAbove(bound);
    const counts: number[] = [];
    for (let i = 0; i < 6000; i++) counts.push(ts[i % 3]!.add(Math.imul(i + 1, 0x9e3779b1) >>> 0, (i * 2654435761) >>> 0));
    expect(counts.every((c) => c > 0)).toBe(true);
    // Far from the bound the returned counts lag (batched); near it they are exact: the insertion
    // that makes the count bound + 1 returns exactly bound + 1.
    expect(counts.filter((c) => c === bound + 1)).toHaveLength(1);
    expect(counts[bound]).toBe(bound + 1);
    expect(counts.slice(0, 100).some((c, i) => c < i + 1)).toBe(true);
    for (const t of ts) t.flush();
    expect(ts[0]!.size).toBe(6000);
  });
});
