/**
 * Parallel breadth-first search on `worker_threads`, level-synchronous.
 *
 * - The visited set is shared: 64-bit fingerprints in a `SharedArrayBuffer`, inserted with
 *   `Atomics` compare-and-swap ({@link SharedFingerprintSet}); it grows stop-the-world.
 * - The workers start replicated: each expands the whole (small) frontier in the same order,
 *   worker 0 alone counting and checking. Once a level's frontier holds at least
 *   `partitionAt` states, it is dealt out (worker w takes positions ≡ w mod n) and from then on
 *   each worker expands the states it discovered: states never cross threads (they hold
 *   functions and immutable collections that cannot be cloned cheaply). Which worker wins a state
 *   depends on timing; nothing reported depends on it. (Without the replicated start, a model
 *   with one initial state would leave every worker but one idle for the whole search.)
 * - The levels are barriers: level d+1 starts when every worker has expanded its part of level
 *   d. So the distinct count of every depth, the diameter, the witnesses' depths and the verdict
 *   of a complete search are the same for any number of workers.
 * - Counterexamples: the first violation stops every worker, and the coordinator re-derives the
 *   trace with a single-threaded breadth-first search of the same model and options (the search
 *   stops at the first violation, so it runs only to the violation's depth). Its trace is the
 *   lexicographically least shortest one in (initial state, action index, …) order, the one
 *   `explore()` reports, whoever owned which state in the parallel run; so workers keep no parent
 *   links at all (a checker cost of 8 bytes per slot of the table, nothing else).
 *   The price is a second, sequential search up to the violation's depth.
 */
import { InputError, type AnyMachine } from '../../impl/core/machine.ts';
import { DEFAULT_BOUNDS, DEFAULT_SPILL, exploreAsync, type ExploreOptions, type ExploreStats } from '../exhaustive.ts';
import { selectChecks, type BoundHit, type CheckResult, type WitnessResult } from '../../impl/core/result.ts';
import { loadMachine, type ModelRef } from './model-ref.ts';
import { checkWorkers, defaultWorkers, startWorkers, type WorkerHandle } from './pool.ts';
import { CTRL, STOP, SharedFingerprintSet } from './shared-set.ts';
import type { LevelReport, WorkerMessage } from './protocol.ts';

/** Options of a parallel search: {@link ExploreOptions} plus the worker count. */
export interface ParallelExploreOptions extends ExploreOptions {
  /** Worker threads. Default: the number of cores. 1 runs {@link exploreAsync} in this thread. */
  readonly workers?: number;
  /**
   * Default true: while the workers start (loading TypeScript and the model takes a second or
   * more), search single-threaded in this thread; if that search ends first, its result is
   * returned (`stats.workers` is then 1) and the workers are stopped, else it is dropped and the
   * parallel search starts. Both give the same result. False: always search on the workers.
   */
  readonly warmStart?: boolean;
  /** Initial slots of the shared table (default 65,536; tests use small tables to exercise growth). */
  readonly initialSlots?: number;
  /** Partition the frontier once a level holds this many states (default 256 per worker). */
  readonly partitionAt?: number;
}

/** Statistics of a parallel search. */
export interface ParallelExploreStats extends ExploreStats {
  /** Threads that explored (1: the single-threaded search). */
  readonly workers: number;
  /** Peak resident set size of the process (all threads), in bytes. */
  readonly peakRssBytes: number;
  /**
   * With a violation: the time of the parallel search that found it, before the sequential
   * search that re-derived the canonical trace (whose counters these stats are).
   */
  readonly parallelMs?: number;
  /** States each worker expanded (the work's split; absent when one thread searched). */
  readonly expandedPerWorker?: readonly number[];
}

/** Peak RSS of this process so far, in bytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function asLevel(m: WorkerMessage): LevelReport {
  if (m.type === 'done' || m.type === 'paused' || m.type === 'stopped') return m;
  throw new Error(`unexpected worker reply ${m.type}`);
}

/**
 * Explore a model on `workers` threads (see the module comment). Same result type as
 * {@link exploreAsync}; the model is given by reference so that every thread can build it.
 * DFS and `exact` are single-threaded: asking for more workers with them is an input error.
 */
export async function exploreParallel(
  ref: ModelRef,
  opts: ParallelExploreOptions = {},
  /** The machine `ref` names, already built in this thread (it is then not loaded again here). */
  built?: AnyMachine,
): Promise<CheckResult<unknown, unknown, ParallelExploreStats>> {
  const workers = checkWorkers(opts.workers ?? defaultWorkers());
  const machine = built ?? (await loadMachine(ref)).machine;
  const mode = opts.mode ?? 'bfs';
  if (workers > 1 && mode === 'dfs') throw new InputError('--mode dfs is single-threaded: use --workers 1 (or --mode bfs)');
  if (workers > 1 && opts.exact) throw new InputError('--exact keeps full keys in one thread: use --workers 1 with it');
  if (workers === 1) return sequential(machine, opts, 1);
  validate(machine, opts);
  const start = startWorkers(ref, workers);
  const booting = start.ready;
  if (opts.warmStart === false) return parallelBfs(booting, machine, opts, workers);
  // Warm start: a single-threaded search races the workers' start-up.
  const cut = new AbortController();
  let ready = false;
  booting.then(
    () => {
      ready = true;
      cut.abort();
    },
    () => {},
  );
  const signal = opts.signal ? AbortSignal.any([opts.signal, cut.signal]) : cut.signal;
  const startedAt = performance.now();
  const { workers: _w, warmStart: _ws, initialSlots: _is, partitionAt: _pa, ...seqOpts } = opts;
  const first = await sequential(machine, { ...seqOpts, signal }, 1);
  const userAbort = opts.signal?.aborted ?? false;
  if (!(ready && first.bound?.kind === 'interrupted') || userAbort) {
    await start.cancel();
    return first;
  }
  return parallelBfs(booting, machine, opts, workers, startedAt);
}

/** The input errors a search reports before any work: bounds, check names, no initial state. */
function validate(machine: AnyMachine, opts: ExploreOptions): void {
  const maxDepth = opts.maxDepth ?? DEFAULT_BOUNDS.maxDepth;
  const maxStates = opts.maxStates ?? DEFAULT_BOUNDS.maxStates;
  const timeLimitMs = opts.timeLimitMs ?? DEFAULT_BOUNDS.timeLimitMs;
  for (const [k, v] of [['maxDepth', maxDepth], ['maxStates', maxStates], ['timeLimitMs', timeLimitMs]] as const) {
    if (!Number.isFinite(v) || v < (k === 'maxDepth' ? 0 : 1)) throw new InputError(`bound ${k} must be a positive number, got ${v}`);
  }
  selectChecks(machine, opts.checks ?? []);
  if (opts.frontier === 'encoded' && !(machine.encode && machine.decode)) {
    throw new InputError(`model ${machine.name} cannot hold its frontier encoded: it has no ${machine.encode ? 'decode' : 'encode/decode'} (use frontier objects)`);
  }
  if (machine.init().length === 0) throw new InputError(`model ${machine.name} has no initial state with these parameters`);
}

async function sequential(machine: AnyMachine, opts: ExploreOptions, workers: number, extra: { parallelMs?: number; startedAt?: number } = {}): Promise<CheckResult<unknown, unknown, ParallelExploreStats>> {
  const r = await exploreAsync(machine, opts);
  const elapsedMs = extra.startedAt !== undefined ? performance.now() - extra.startedAt : r.stats.elapsedMs;
  return { ...r, stats: { ...r.stats, elapsedMs, workers, peakRssBytes: peakRssBytes(), ...(extra.parallelMs !== undefined ? { parallelMs: extra.parallelMs } : {}) } };
}

async function parallelBfs(
  booting: Promise<WorkerHandle[]>,
  machine: AnyMachine,
  opts: ParallelExploreOptions,
  n: number,
  startedAt?: number,
): Promise<CheckResult<unknown, unknown, ParallelExploreStats>> {
  const maxDepth = opts.maxDepth ?? DEFAULT_BOUNDS.maxDepth;
  const maxStates = opts.maxStates ?? DEFAULT_BOUNDS.maxStates;
  const timeLimitMs = opts.timeLimitMs ?? DEFAULT_BOUNDS.timeLimitMs;
  const checks = opts.checks ?? [];
  const useSymmetry = (opts.symmetry ?? true) && machine.symmetry !== undefined;
  const frontierKind = opts.frontier ?? 'auto';
  const encodedFrontier = frontierKind !== 'objects' && machine.encode !== undefined && machine.decode !== undefined;
  const frontierMemoryBytes = Math.max(1, Math.floor((opts.frontierMemoryBytes ?? DEFAULT_SPILL.frontierMemoryBytes) / n));

  const start = startedAt ?? performance.now();
  const { ctrl, table } = SharedFingerprintSet.create(opts.initialSlots);
  const set = new SharedFingerprintSet(ctrl, table);
  const live = new SharedArrayBuffer(n * 2 * 8);
  const liveView = new Float64Array(live);
  let pool: WorkerHandle[] = [];
  const stopWith = (why: number): void => void Atomics.compareExchange(ctrl, CTRL.stop, STOP.none, why);
  const onAbort = (): void => stopWith(STOP.interrupted);
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort);
  const timer = setTimeout(() => stopWith(STOP.time), Math.max(0, timeLimitMs - (performance.now() - start)));
  let depth = 0;
  let progress: ReturnType<typeof setInterval> | undefined;
  if (opts.onProgress) {
    const cb = opts.onProgress;
    progress = setInterval(() => {
      const elapsedMs = performance.now() - start;
      const states = Math.min(set.size, maxStates);
      let transitions = 0;
      let queue = 0;
      for (let w = 0; w < n; w++) {
        transitions += liveView[2 * w]!;
        queue += liveView[2 * w + 1]!;
      }
      cb({ states, transitions, depth, queue, elapsedMs, statesPerSecond: (states / elapsedMs) * 1000 });
    }, opts.progressEveryMs ?? 1000);
  }

  const statesPerDepth: number[] = [];
  const witnessNames = (machine.sometimes ?? []).map((w) => w.name);
  const witnessDepth = witnessNames.map(() => -1);
  const transitionsOf = new Array<number>(n).fill(0);
  const expandedOf = new Array<number>(n).fill(0);
  const spilledOf = new Array<number>(n).fill(0);
  const partitionAt = opts.partitionAt ?? 256 * n;
  let replicated = true;
  let violation = false;
  let bound: BoundHit | undefined;
  let peakFrontier = 0;
  const absorb = (rs: readonly LevelReport[], at: number): number => {
    let added = 0;
    let frontier = 0;
    rs.forEach((r, w) => {
      added += r.newStates;
      frontier += r.nextSize;
      if (process.env['DSCHECK_PAR_DEBUG']) process.stderr.write(`level ${at} worker ${w}: +${r.newStates} next ${r.nextSize} expanded ${r.expanded}\n`);
      transitionsOf[w] = r.transitions;
      expandedOf[w] = r.expanded;
      spilledOf[w] = r.spilledBytes;
      if (r.violation) violation = true;
      r.witnessDepths.forEach((d, i) => {
        if (d >= 0 && (witnessDepth[i]! < 0 || d < witnessDepth[i]!)) witnessDepth[i] = d;
      });
    });
    if (added > 0) statesPerDepth[at] = added;
    if (frontier > peakFrontier) peakFrontier = frontier;
    return frontier;
  };

  try {
    pool = await booting;
    await Promise.all(
      pool.map((w, index) =>
        w.request({ type: 'bfs-setup', options: {
            index,
            workers: n,
            ctrl,
            table,
            live,
            checks,
            symmetry: useSymmetry,
            deadlock: opts.deadlock ?? false,
            maxStates,
            encodedFrontier,
            frontierMemoryBytes,
            ...(opts.spillDir !== undefined ? { spillDir: opts.spillDir } : {}),
            ...(opts.frontierChunkWords !== undefined ? { frontierChunkWords: opts.frontierChunkWords } : {}),
          },
        }),
      ),
    );
    const inits = await Promise.all(
      pool.map(async (w) => asLevel(await w.request({ type: 'init' }))),
    );
    let frontier = absorb(inits, 0);
    while (!violation && Atomics.load(ctrl, CTRL.stop) === STOP.none && frontier > 0) {
      if (depth >= maxDepth) {
        const probes = await Promise.all(pool.map(async (w) => asLevel(await w.request({ type: 'level', depth, expand: false }))));
        if (probes.some((p) => p.violation)) violation = true;
        else if (probes.some((p) => p.canExpand)) bound = { kind: 'depth', limit: maxDepth };
        break;
      }
      const partition = replicated && frontier >= partitionAt;
      if (partition) replicated = false;
      let reports = await Promise.all(pool.map(async (w) => asLevel(await w.request({ type: 'level', depth, expand: true, partition }))));
      // Stop-the-world growth: every worker has stopped; rehash, hand out the new table, resume.
      while (reports.some((r) => r.type === 'paused') && Atomics.load(ctrl, CTRL.stop) === STOP.none) {
        const grown = set.grown();
        const prev = reports;
        reports = await Promise.all(
          pool.map(async (w, i) => {
            const cont = prev[i]!.type === 'paused';
            const r = await w.request({ type: 'resume', table: grown, continueLevel: cont });
            return cont ? asLevel(r) : prev[i]!;
          }),
        );
      }
      frontier = absorb(reports, depth + 1);
      if (reports.some((r) => r.type !== 'done')) break;
      depth++;
    }
  } finally {
    clearTimeout(timer);
    if (progress) clearInterval(progress);
    opts.signal?.removeEventListener('abort', onAbort);
    await Promise.all(pool.map((w) => w.stop()));
  }
  const parallelMs = performance.now() - start;
  if (violation) {
    // The canonical counterexample: a single-threaded search to the violation's depth.
    const { workers: _w, warmStart: _ws, initialSlots: _is, partitionAt: _pa, ...seq } = opts;
    return sequential(machine, seq, n, { parallelMs, startedAt: start });
  }
  const why = Atomics.load(ctrl, CTRL.stop);
  // (The workers stop at the insertion that crosses the bound; the count check is a second guard.)
  if (why === STOP.states || set.size > maxStates) bound = { kind: 'states', limit: maxStates };
  else if (why === STOP.time) bound = { kind: 'time', limit: timeLimitMs };
  else if (why === STOP.interrupted) bound = { kind: 'interrupted', limit: parallelMs };
  const states = Math.min(set.size, maxStates);
  const transitions = transitionsOf.reduce((a, b) => a + b, 0);
  const checkerBytes = set.bytes();
  const stats: ParallelExploreStats = {
    mode: 'bfs',
    dedup: 'fingerprint64',
    symmetry: useSymmetry,
    states,
    transitions,
    diameter: statesPerDepth.length - 1,
    statesPerDepth: Array.from(statesPerDepth, (x) => x ?? 0),
    elapsedMs: parallelMs,
    statesPerSecond: parallelMs > 0 ? (states / parallelMs) * 1000 : 0,
    checkerBytes,
    bytesPerState: states > 0 ? checkerBytes / states : 0,
    peakFrontier,
    frontier: encodedFrontier ? 'encoded' : 'objects',
    spilledBytes: spilledOf.reduce((a, b) => a + b, 0),
    collisionProbability: (states * Math.max(0, transitions - states)) / 2 ** 64,
    workers: n,
    peakRssBytes: peakRssBytes(),
    expandedPerWorker: expandedOf,
  };
  const witnesses: WitnessResult[] = witnessNames.map((name, i) => ({ name, reached: witnessDepth[i]! >= 0, ...(witnessDepth[i]! >= 0 ? { depth: witnessDepth[i]! } : {}) }));
  if (bound) return { status: 'bounded', bound, stats, witnesses };
  return { status: 'exhausted', stats, witnesses };
}
