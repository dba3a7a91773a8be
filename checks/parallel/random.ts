/**
 * Random mode on several cores, and in disjoint shards across machines.
 *
 * The runs are cut into blocks of {@link BLOCK_RUNS} (the last one shorter). Block `b` runs with
 * its own seed, {@link blockSeed}(seed, b) (block 0 uses `seed` itself), so a block's outcome is a
 * function of (seed, b) alone. Workers take blocks in order (with N workers, this thread is one
 * of them and N − 1 threads are started: it runs blocks while they boot); the reported violation is the one of
 * the lowest failing block, and the runs counted are those of every block below it plus the
 * failing block's own, so the result (violation, seed, path, shrunk trace, runs, steps,
 * witnesses) is the same for any worker count, and for any split into shards once merged
 * ({@link mergeShards}). A shard `k/n` runs the blocks `b` with `b mod n = k − 1`.
 *
 * The failing block's trace is rebuilt in this thread by replaying its seed and path (traces
 * hold states, which do not cross threads): the same trace, byte for byte.
 */
import { InputError, type AnyMachine } from '../../impl/core/machine.ts';
import { fmix } from '../../impl/core/encode.ts';
import { PURITY_FIRST_STEPS, RANDOM_DEFAULTS, checkRandom, discoverKinds, freshSeed, type RandomOptions, type RandomResult, type RandomStats } from '../random.ts';
import { selectChecks, type BoundHit, type WitnessResult } from '../../impl/core/result.ts';
import { loadMachine, type ModelRef } from './model-ref.ts';
import { checkWorkers, startWorkers, type WorkerHandle } from './pool.ts';
import type { RandomBlockJob, RandomBlockReport } from './protocol.ts';
import { runRandomBlock } from './random-block.ts';

/** Runs per block. Fixed: results must not depend on the worker count. */
export const BLOCK_RUNS = 100;

/** The seed of block `b` of a run seeded with `seed` (a 31-bit non-negative integer; block 0: `seed`). */
export function blockSeed(seed: number, b: number): number {
  if (b === 0) return seed;
  return (fmix(fmix(seed ^ 0x5bd1e995) ^ Math.imul(b, 0x9e3779b1)) >>> 1) & 0x7fffffff;
}

/** A shard: the `index`-th (1-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Parse `k/n` (1 ≤ k ≤ n); an {@link InputError} otherwise. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(k) || !Number.isSafeInteger(n) || n < 1 || k < 1 || k > n) {
    throw new InputError(`--shard takes k/n with 1 ≤ k ≤ n (shard k of n), got '${text}'`);
  }
  return { index: k, count: n };
}

/** Options of a parallel (or sharded) random check. */
export interface ParallelRandomOptions extends Omit<RandomOptions, 'path' | 'onProgress' | 'kinds'> {
  /** Worker threads. Default 1 (blocks run in this thread). */
  readonly workers?: number;
  /** Run the blocks on worker threads even with one worker (so this thread stays free). */
  readonly threads?: boolean;
  /** Run only this shard's blocks. */
  readonly shard?: Shard;
  /** The swarm kinds; default: discovered once here and sent to every worker. */
  readonly kinds?: readonly string[];
  /** Progress: blocks and runs done. */
  readonly onProgress?: (p: { readonly runs: number; readonly blocksDone: number; readonly blocks: number; readonly steps: number; readonly elapsedMs: number }) => void;
}

/** One block's outcome (what a shard file records). */
export type BlockOutcome = Omit<RandomBlockReport, 'type'>;

/** What identifies a blocked random run: shards merge only when all of this is equal. */
export interface RandomRunKey {
  readonly model: string;
  readonly module?: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly checks: readonly string[];
  readonly seed: number;
  readonly runs: number;
  readonly maxSteps: number;
  readonly blockRuns: number;
  readonly kinds: readonly string[];
  readonly swarm: boolean;
  readonly deadlock: boolean;
  readonly shrink: boolean | 'fast-check';
}

/** The result of a blocked run, independent of worker count and sharding. */
export interface RandomSummary {
  readonly status: 'violation' | 'bounded';
  /** The bound that ended it (`runs` when every block ran clean). */
  readonly bound: BoundHit | null;
  /** Runs up to the first failure (every run when none failed). */
  readonly runs: number;
  readonly steps: number;
  readonly states: number;
  readonly witnesses: readonly WitnessResult[];
  /** The lowest failing block. */
  readonly first: { readonly block: number; readonly seed: number; readonly path: string; readonly kind: string; readonly name: string; readonly steps: number; readonly excluded: readonly string[] } | null;
  /** Every distinct violated check among the blocks that ran, with the lowest block, seed and path showing it. */
  readonly distinct: readonly { readonly name: string; readonly block: number; readonly seed: number; readonly path: string; readonly steps: number }[];
}

/** Number of blocks of a run. */
export function blockCount(runs: number, blockRuns = BLOCK_RUNS): number {
  return Math.ceil(runs / blockRuns);
}

/** The blocks a shard runs (all blocks without a shard), in order. */
export function shardBlocks(runs: number, shard?: Shard, blockRuns = BLOCK_RUNS): number[] {
  const all = Array.from({ length: blockCount(runs, blockRuns) }, (_, b) => b);
  return shard ? all.filter((b) => b % shard.count === shard.index - 1) : all;
}

/**
 * Combine block outcomes into the run's result. Needs every block below the lowest failing one
 * (or every block, when none failed); `complete` says whether they are all there.
 */
export function summarize(key: Pick<RandomRunKey, 'runs' | 'blockRuns'>, outcomes: readonly BlockOutcome[], witnessNames: readonly string[]): RandomSummary & { readonly complete: boolean } {
  const byBlock = new Map(outcomes.map((o) => [o.block, o]));
  const total = blockCount(key.runs, key.blockRuns);
  const failing = outcomes.filter((o) => o.status === 'violation').sort((a, b) => a.block - b.block);
  const firstFail = failing[0];
  const upTo = firstFail ? firstFail.block : total - 1;
  let runs = 0;
  let steps = 0;
  let states = 0;
  let complete = true;
  let bound: BoundHit | null = firstFail ? null : { kind: 'runs', limit: key.runs };
  const wDepth = witnessNames.map(() => -1);
  for (let b = 0; b <= upTo; b++) {
    const o = byBlock.get(b);
    if (!o) {
      complete = false;
      continue;
    }
    runs += o.runs;
    steps += o.transitions;
    states += o.states;
    if (!firstFail && o.bound && o.bound.kind !== 'runs') bound = o.bound;
    o.witnesses.forEach((w, i) => {
      if (w.reached && w.depth !== undefined && (wDepth[i]! < 0 || w.depth < wDepth[i]!)) wDepth[i] = w.depth;
      else if (w.reached && wDepth[i]! < 0) wDepth[i] = 0;
    });
  }
  const distinct = new Map<string, RandomSummary['distinct'][number]>();
  for (const f of failing) {
    if (f.violation && !distinct.has(f.violation.name)) distinct.set(f.violation.name, { name: f.violation.name, block: f.block, seed: f.seed, path: f.path ?? '', steps: f.violation.steps });
  }
  return {
    status: firstFail ? 'violation' : 'bounded',
    bound,
    runs,
    steps,
    states,
    witnesses: witnessNames.map((name, i) => ({ name, reached: wDepth[i]! >= 0, ...(wDepth[i]! >= 0 ? { depth: wDepth[i]! } : {}) })),
    first:
      firstFail && firstFail.violation
        ? { block: firstFail.block, seed: firstFail.seed, path: firstFail.path ?? '', kind: firstFail.violation.kind, name: firstFail.violation.name, steps: firstFail.violation.steps, excluded: firstFail.excluded }
        : null,
    distinct: [...distinct.values()].sort((a, b) => a.name.localeCompare(b.name)),
    complete,
  };
}

/** The outcome of a blocked random run: the summary, the outcomes, and the replayed failing run. */
export interface ParallelRandomResult {
  readonly key: RandomRunKey;
  readonly summary: RandomSummary;
  readonly outcomes: readonly BlockOutcome[];
  /** The lowest failing block replayed here (its trace), or undefined. */
  readonly replay?: RandomResult;
  readonly workers: number;
  readonly elapsedMs: number;
  /** Whether a time limit or an interrupt cut the blocks short. */
  readonly cut: BoundHit | null;
}


/**
 * Run a random check in blocks over `workers` threads (or one shard of it). See the module
 * comment for why the result does not depend on the worker count.
 */
export async function checkRandomParallel(ref: ModelRef, opts: ParallelRandomOptions = {}): Promise<ParallelRandomResult> {
  const workers = checkWorkers(opts.workers ?? 1);
  const { machine, params } = await loadMachine(ref);
  const runs = opts.runs ?? RANDOM_DEFAULTS.runs;
  const maxSteps = opts.maxSteps ?? RANDOM_DEFAULTS.maxSteps;
  const timeLimitMs = opts.timeLimitMs ?? RANDOM_DEFAULTS.timeLimitMs;
  if (!Number.isSafeInteger(runs) || runs < 1) throw new InputError(`runs must be an integer ≥ 1, got ${runs}`);
  const checks = opts.checks ?? [];
  selectChecks(machine, checks);
  const seed = opts.seed ?? freshSeed();
  const swarm = opts.swarm ?? true;
  const kinds = opts.kinds ?? (swarm ? discoverKinds(machine) : []);
  const key: RandomRunKey = {
    model: ref.model,
    ...(ref.module !== undefined ? { module: ref.module } : {}),
    params,
    checks: [...checks],
    seed,
    runs,
    maxSteps,
    blockRuns: BLOCK_RUNS,
    kinds: [...kinds],
    swarm,
    deadlock: opts.deadlock ?? false,
    shrink: opts.shrink ?? true,
  };
  const start = performance.now();
  const deadline = start + timeLimitMs;
  const blocks = shardBlocks(runs, opts.shard);
  const job = (b: number): RandomBlockJob => ({
    block: b,
    seed: blockSeed(seed, b),
    runs: Math.min(BLOCK_RUNS, runs - b * BLOCK_RUNS),
    maxSteps,
    timeLimitMs: Math.max(1, deadline - performance.now()),
    checks: key.checks,
    kinds: key.kinds,
    swarm,
    deadlock: key.deadlock,
    shrink: key.shrink,
    // The purity guard covers the first block's first steps, as it covers a one-thread search's.
    purityFirstSteps: b === blocks[0] ? PURITY_FIRST_STEPS : 0,
  });
  const outcomes: BlockOutcome[] = [];
  let lowestFail = Infinity;
  let cut: BoundHit | null = null;
  let next = 0;
  const progress = (): void => {
    opts.onProgress?.({ runs: outcomes.reduce((a, o) => a + o.runs, 0), blocksDone: outcomes.length, blocks: blocks.length, steps: outcomes.reduce((a, o) => a + o.transitions, 0), elapsedMs: performance.now() - start });
  };
  const record = (o: BlockOutcome): void => {
    outcomes.push(o);
    if (o.status === 'violation' && o.block < lowestFail) lowestFail = o.block;
    if (o.bound && (o.bound.kind === 'time' || o.bound.kind === 'interrupted')) cut = o.bound;
    progress();
  };
  /** The next block to run, or undefined when nothing more is needed. */
  const take = (): number | undefined => {
    if (cut || opts.signal?.aborted) return undefined;
    if (performance.now() >= deadline) {
      cut = { kind: 'time', limit: timeLimitMs };
      return undefined;
    }
    const b = blocks[next];
    if (b === undefined || b > lowestFail) return undefined;
    next++;
    return b;
  };
  /** Run blocks in this thread until none is left, yielding between blocks. */
  const runHere = async (): Promise<void> => {
    for (let b = take(); b !== undefined; b = take()) {
      record(runRandomBlock(machine, job(b)));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  if (workers === 1 && !opts.threads) {
    await runHere();
  } else {
    // With N ≥ 2 workers this thread is one of them (unless `threads`): it runs blocks from the
    // start, while the N − 1 threads boot, and a short run may end before they are up.
    const threads = opts.threads ? workers : workers - 1;
    let pool: WorkerHandle[] = [];
    let done = false;
    const onAbort = (): void => {
      cut = { kind: 'interrupted', limit: performance.now() - start };
      void Promise.all(pool.map((w) => w.stop()));
    };
    opts.signal?.addEventListener('abort', onAbort);
    const boot = startWorkers(ref, threads);
    const cancelBoot = (): void => void boot.cancel();
    opts.signal?.addEventListener('abort', cancelBoot);
    if (opts.signal?.aborted) cancelBoot();
    const onThreads = (async () => {
      try {
        pool = await boot.ready;
      } catch (e) {
        if (done || opts.signal?.aborted) return;
        throw e;
      } finally {
        opts.signal?.removeEventListener('abort', cancelBoot);
      }
      // Four requests in flight per thread: a thread finds its next blocks queued when it finishes
      // one, instead of idling until this thread, busy with a block of its own (as long as a
      // thread's), hands it one. (Against two: about 2% less wall time on TwoPhase-5, within noise.)
      const feed = async (w: WorkerHandle): Promise<void> => {
        for (let b = take(); b !== undefined; b = take()) {
          const r = await w.request({ type: 'random', job: job(b) });
          if (r.type !== 'random-done') throw new Error(`unexpected worker reply ${r.type}`);
          const { type: _t, ...o } = r;
          record(o);
        }
      };
      await Promise.all(pool.flatMap((w) => [feed(w), feed(w), feed(w), feed(w)]));
    })();
    onThreads.catch(() => {}); // handled below, after this thread's own blocks
    try {
      if (!opts.threads) {
        await runHere();
        // Every block is taken: threads still booting are not needed.
        if (pool.length === 0) {
          done = true;
          await boot.cancel();
        }
      }
      await onThreads;
    } catch (e) {
      if (!opts.signal?.aborted) throw e;
    } finally {
      done = true;
      opts.signal?.removeEventListener('abort', onAbort);
      await Promise.all(pool.map((w) => w.stop()));
      await onThreads.catch(() => {});
    }
  }
  if (opts.signal?.aborted && !cut) cut = { kind: 'interrupted', limit: performance.now() - start };
  const witnessNames = (machine.sometimes ?? []).map((w) => w.name);
  const { complete: _c, ...summary } = summarize(key, outcomes, witnessNames);
  let replay: RandomResult | undefined;
  if (summary.first && !opts.shard) {
    replay = checkRandom(machine, { seed: summary.first.seed, path: summary.first.path, maxSteps, kinds: key.kinds, swarm, checks: key.checks, deadlock: key.deadlock, shrink: key.shrink });
  }
  outcomes.sort((a, b) => a.block - b.block);
  return { key, summary: cut && !summary.first ? { ...summary, bound: cut } : summary, outcomes, ...(replay ? { replay } : {}), workers, elapsedMs: performance.now() - start, cut };
}

/** A random result for printing: the replayed failing run with the blocked run's counters. */
export function asRandomResult(r: ParallelRandomResult): RandomResult {
  const s = r.summary;
  const base: RandomStats = {
    runs: s.runs,
    maxSteps: r.key.maxSteps,
    states: s.states,
    transitions: s.steps,
    searchMs: r.elapsedMs,
    stepsPerSecond: r.elapsedMs > 0 ? (s.steps / r.elapsedMs) * 1000 : 0,
    elapsedMs: r.elapsedMs,
  };
  if (r.replay) {
    return { ...r.replay, stats: { ...base, ...(r.replay.stats.shrink ? { shrink: r.replay.stats.shrink } : {}) }, witnesses: s.witnesses };
  }
  return {
    status: 'bounded',
    bound: s.bound ?? { kind: 'runs', limit: r.key.runs },
    stats: base,
    witnesses: s.witnesses,
    seed: r.key.seed,
    path: null,
    maxSteps: r.key.maxSteps,
    kinds: r.key.kinds,
    swarm: null,
    ...(r.key.checks.length > 0 ? { checks: r.key.checks } : {}),
    shrink: r.key.shrink,
  };
}
