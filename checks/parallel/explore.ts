/**
 * Parallel breadth-first search on `worker_threads`, level-synchronous.
 *
 * - The visited set is shared: 63-bit fingerprints (the 64th bit flags this level's states) in a
 *   `SharedArrayBuffer`, inserted with
 *   `Atomics` compare-and-swap ({@link SharedFingerprintSet}); it grows stop-the-world.
 * - The workers start replicated: each expands the whole (small) frontier in the same order,
 *   worker 0 alone counting and checking. Once a level's frontier holds at least
 *   `partitionAt` states, it is dealt out (worker w takes ranks ≡ w mod n) and from then on
 *   each worker expands the states whose canonical discovery it made: states never cross
 *   threads (they hold functions and immutable collections that cannot be cloned cheaply). (Without the replicated start, a model
 *   with one initial state would leave every worker but one idle for the whole search.)
 * - The levels are barriers: level d+1 starts when every worker has expanded its part of level
 *   d. So the distinct count of every depth, the diameter, the witnesses' depths and the verdict
 *   of a complete search are the same for any number of workers.
 * - Parent links and the canonical order. A state's *link* is `parentRank × 65,536 +
 *   actionIndex`; a level sorted by links is exactly the order in which the single-threaded
 *   search discovers it, and a state's rank is its link's index. A state first reached in the
 *   level being expanded is offered by every discovery (its parent's rank, an atomic minimum in
 *   the level's claim table, see `shared-set.ts`); the least offer wins, and the winner's copy
 *   is the one expanded next (the copy the single-threaded search keeps, which matters when the
 *   key merges states: symmetry, ignored messages). Each worker discovers its entries in link
 *   order (it expands its parents in rank order), and keeps their links packed as varints
 *   (about 2 bytes an entry). At the level's end each worker marks its losers and hands over its
 *   links; the claim table is emptied (the level's states are settled); the coordinator merges
 *   the links into the level's order, appends them to a {@link LinkStore} (which spills to disk
 *   past a small budget: the trace links of the levels before), and hands back each entry's
 *   rank (4 bytes an entry, let go by the worker as it reads them).
 * - Counterexamples: a violation is recorded where the single-threaded search would meet it,
 *   (parent rank, action index, what is checked first); from then on, parents ranked above it
 *   are passed over, the level is finished, and the least violation of all workers is the one
 *   reported. Its trace follows the links back to an initial state and is replayed: the same
 *   trace as `explore()` for any worker count, with no second search. (A model that throws is
 *   the exception: a single-threaded search to that depth reports the throw, with its phase.)
 *   Checker memory (`stats.checkerBytes`, the most held at once, sampled at every level's end
 *   and while the workers expand): 8 bytes per slot of the table, the claim table (8 bytes per
 *   entry, sized to the largest level), 1 MiB of trace links, and per state of the two levels in
 *   hand, its rank, its packed link and its slot in the table. The trace links of earlier
 *   levels are on disk until a counterexample reads its path back; the file is removed however
 *   the search ends.
 */
import { frontierCodecOf, InputError, type AnyMachine } from '../../impl/core/machine.ts';
import { LinkStore } from '../spill.ts';
import { DEFAULT_BOUNDS, DEFAULT_SPILL, exploreAsync, type ExploreOptions, type ExploreStats } from '../exhaustive.ts';
import { selectChecks, type BoundHit, type CheckResult, type WitnessResult } from '../../impl/core/result.ts';
import { loadMachine, type ModelRef } from './model-ref.ts';
import { checkWorkers, defaultWorkers, startWorkers, type WorkerHandle } from './pool.ts';
import { CTRL, STOP, SharedFingerprintSet } from './shared-set.ts';
import { LINK_BASE, LOST_RANK, RANK_CHUNK, LinkReader, eventOrder, type BfsEvent, type LevelReport, type SettledReport, type WorkerMessage } from './protocol.ts';
import { traceFromIndices, type Violation } from '../../impl/core/trace.ts';
import { explainError } from '../../impl/core/culprit.ts';
import { brokenInitProperty, brokenInvariant, brokenProperty, type Broken } from '../engine/checking.ts';
import { PurityError } from '../engine/purity.ts';

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
  /** Links per chunk of the trace-link store (the unit that spills; default 65,536); smaller only in tests. */
  readonly linkChunk?: number;
  /** With the warm start: start the workers only if the search in this thread runs longer than this (default {@link SPAWN_AFTER_MS}). */
  readonly spawnAfterMs?: number;
  /** Default true: before each level, even out the workers' shares by handing encoded parents over (encoded frontiers only). */
  readonly balance?: boolean;
}

/**
 * The parallel search's default budget of trace links in memory (the least a link store keeps:
 * two chunks of 65,536). It pushes a whole level at each level's end and reads links back only
 * for the one counterexample, so a larger budget buys nothing.
 */
export const PARALLEL_LINK_MEMORY = 1 << 20;

/** How long a search runs in this thread before the workers are started (a small model is done by then). */
export const SPAWN_AFTER_MS = 200;

/** Statistics of a parallel search. */
export interface ParallelExploreStats extends ExploreStats {
  /** Threads that explored (1: the single-threaded search). */
  readonly workers: number;
  /** Peak resident set size of the process (all threads), in bytes. */
  readonly peakRssBytes: number;
  /**
   * When the model threw in a worker: the time of the parallel search, before the
   * single-threaded search that re-derived the throw (whose counters these stats are).
   */
  readonly parallelMs?: number;
  /** When a worker threw: what it threw (with its stack), before the single-threaded search re-derived the run. */
  readonly workerError?: string;
  /** States each worker expanded (the work's split; absent when one thread searched). */
  readonly expandedPerWorker?: readonly number[];
}

/** Peak RSS of this process so far, in bytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function asSettled(m: WorkerMessage): SettledReport {
  if (m.type === 'settled') return m;
  throw new Error(`unexpected worker reply ${m.type}`);
}

/** One worker's links of a level, as handed over at its end. */
export interface WorkerLinks {
  readonly links: readonly Uint8Array[];
  readonly entries: number;
  /** Bit i set: entry i lost its state (absent: none lost). */
  readonly lost?: Uint8Array;
}

/**
 * Merge the workers' links (each worker's in its entries' order, which is sorted, losers
 * excepted) into the level's order: each winner's link goes to `store` (as parent rank and
 * action index) at its rank; returns, per worker, every entry's rank ({@link LOST_RANK} for a
 * loser), in shared memory (what each worker reads back).
 */
export function mergeLinks(parts: readonly WorkerLinks[], store: LinkStore): Uint32Array[][] {
  const n = parts.length;
  const ranks = parts.map((p) =>
    Array.from({ length: Math.ceil(p.entries / RANK_CHUNK) }, (_, c) => {
      const len = Math.min(RANK_CHUNK, p.entries - c * RANK_CHUNK);
      return new Uint32Array(new SharedArrayBuffer(len * 4)).fill(LOST_RANK);
    }),
  );
  const readers = parts.map((p) => new LinkReader(p.links));
  /** Per worker: the index of the entry at its head, and its link (Infinity past the end). */
  const entry = new Array<number>(n).fill(-1);
  const head = new Array<number>(n).fill(Infinity);
  const seek = (p: number): void => {
    const rd = readers[p]!;
    const lost = parts[p]!.lost;
    for (;;) {
      if (!rd.next()) {
        head[p] = Infinity;
        return;
      }
      const e = ++entry[p]!;
      if (lost !== undefined && (lost[e >>> 3]! & (1 << (e & 7))) !== 0) continue;
      head[p] = rd.rank * LINK_BASE + rd.ai;
      return;
    }
  };
  for (let p = 0; p < n; p++) seek(p);
  for (let k = 0; ; k++) {
    let best = -1;
    for (let p = 0; p < n; p++) if (head[p]! !== Infinity && (best < 0 || head[p]! < head[best]!)) best = p;
    if (best < 0) break;
    const e = entry[best]!;
    ranks[best]![Math.floor(e / RANK_CHUNK)]![e % RANK_CHUNK] = k;
    store.push(readers[best]!.rank, readers[best]!.ai);
    seek(best);
  }
  for (let p = 0; p < n; p++) if (entry[p]! + 1 !== parts[p]!.entries) throw new Error(`parallel search: worker ${p} handed over ${entry[p]! + 1} links for ${parts[p]!.entries} entries`);
  return ranks;
}

/**
 * The action-index path to the event: from its parent (rank `e.rank` at `depth`) back through
 * every level's links (level d's rank r at `store` id `levelStart[d] + r`) to an initial state,
 * then the event's own action (none for a deadlock).
 */
function pathTo(store: LinkStore, levelStart: readonly number[], depth: number, e: BfsEvent): { readonly initIndex: number; readonly indices: number[] } {
  if (depth < 0) return { initIndex: e.ai, indices: [] };
  const indices: number[] = [];
  let r = e.rank;
  for (let d = depth; d >= 1; d--) {
    const id = levelStart[d]! + r;
    indices.push(store.via(id));
    r = store.parent(id);
  }
  const initIndex = store.via(levelStart[0]! + r);
  indices.reverse();
  if (e.kind !== 'deadlock') indices.push(e.ai);
  return { initIndex, indices };
}

/** The violation at the end of a path, with its trace and message, as the single-threaded search reports it. */
function violationOf(m: AnyMachine, checks: readonly string[], e: BfsEvent, path: { readonly initIndex: number; readonly indices: readonly number[] }): Violation<unknown, unknown> {
  const trace = traceFromIndices(m, path.initIndex, path.indices);
  const { invariants, properties } = selectChecks(m, checks);
  const steps = trace.steps;
  const last = steps.length > 0 ? steps[steps.length - 1]!.state : trace.init;
  let broken: Broken | undefined;
  if (e.kind === 'invariant') broken = brokenInvariant(invariants, last);
  else if (e.kind === 'property' && e.sub === 2) broken = brokenInitProperty(properties, trace.init);
  else if (e.kind === 'property') broken = brokenProperty(properties, steps.length > 1 ? steps[steps.length - 2]!.state : trace.init, steps[steps.length - 1]!.action, last);
  if (e.kind !== 'deadlock' && broken?.name !== e.name) {
    throw new PurityError(
      `model error in ${m.name}: ${e.kind} ${e.name} broke in a worker but not when its path was replayed: the model is not deterministic, or it wrote into a state it was given (rerun with --workers 1 --check-purity to find where)`,
      'replay',
      e.name,
      [],
    );
  }
  return explainError(m, { kind: e.kind, name: e.name, message: broken?.message ?? '', trace }, checks);
}

function asExported(m: WorkerMessage): Int32Array {
  if (m.type === 'exported') return m.words;
  throw new Error(`unexpected worker reply ${m.type}`);
}

/** A handover of parents between workers before a level: `count` of `from`'s lowest ranks go to `to`. */
export interface Transfer {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/**
 * Balancing: the handovers that leave every worker with an equal share (±1) of a level whose
 * workers hold `sizes` parents each, donors matched with receivers in index order; a handover
 * of fewer than `least` parents is not worth its message and is left out.
 */
export function balancePlan(sizes: readonly number[], least = 16): Transfer[] {
  const n = sizes.length;
  const total = sizes.reduce((a, b) => a + b, 0);
  const excess = sizes.map((s, i) => s - (Math.floor(total / n) + (i < total % n ? 1 : 0)));
  const plan: Transfer[] = [];
  let r = 0;
  for (let d = 0; d < n; d++) {
    while (excess[d]! > 0) {
      while (r < n && excess[r]! >= 0) r++;
      if (r >= n) break;
      const count = Math.min(excess[d]!, -excess[r]!);
      if (count >= least) plan.push({ from: d, to: r, count });
      excess[d]! -= count;
      excess[r]! += count;
    }
  }
  return plan;
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
  // One thread, or the purity check on every state (a diagnosis mode of the single-threaded search).
  if (workers === 1 || opts.purity === 'full') return sequential(machine, opts, 1);
  validate(machine, opts);
  if (opts.warmStart === false) return parallelBfs(startWorkers(ref, workers).ready, machine, opts, workers);
  // Warm start: search in this thread; if it is still running after `spawnAfterMs`, start the
  // workers, and hand over to them once they are up (a small model never starts a thread).
  const cut = new AbortController();
  let start: ReturnType<typeof startWorkers> | undefined;
  let ready = false;
  const spawn = setTimeout(() => {
    start = startWorkers(ref, workers);
    start.ready.then(
      () => {
        ready = true;
        cut.abort();
      },
      () => {},
    );
  }, opts.spawnAfterMs ?? SPAWN_AFTER_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, cut.signal]) : cut.signal;
  const startedAt = performance.now();
  const first = await sequential(machine, { ...sequentialOptions(opts), signal }, 1);
  clearTimeout(spawn);
  const userAbort = opts.signal?.aborted ?? false;
  if (start === undefined || !(ready && first.bound?.kind === 'interrupted') || userAbort) {
    await start?.cancel();
    return first;
  }
  return parallelBfs(start.ready, machine, opts, workers, startedAt);
}

/** The options of the single-threaded search among a parallel search's. */
function sequentialOptions(opts: ParallelExploreOptions): ExploreOptions {
  const { workers: _w, warmStart: _ws, initialSlots: _is, partitionAt: _pa, spawnAfterMs: _sa, linkChunk: _lc, balance: _b, ...seq } = opts;
  return seq;
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
  if (opts.frontier === 'encoded' && frontierCodecOf(machine) === undefined) {
    throw new InputError(`model ${machine.name} cannot hold its frontier encoded: it has no ${machine.encode ? 'decode' : 'encode/decode'} (use frontier objects)`);
  }
  if (machine.init().length === 0) throw new InputError(`model ${machine.name} has no initial state with these parameters`);
}

async function sequential(machine: AnyMachine, opts: ExploreOptions, workers: number, extra: { parallelMs?: number; startedAt?: number; workerError?: string } = {}): Promise<CheckResult<unknown, unknown, ParallelExploreStats>> {
  const r = await exploreAsync(machine, opts);
  const elapsedMs = extra.startedAt !== undefined ? performance.now() - extra.startedAt : r.stats.elapsedMs;
  return {
    ...r,
    stats: {
      ...r.stats,
      elapsedMs,
      workers,
      peakRssBytes: peakRssBytes(),
      ...(extra.parallelMs !== undefined ? { parallelMs: extra.parallelMs } : {}),
      ...(extra.workerError !== undefined ? { workerError: extra.workerError } : {}),
    },
  };
}

async function parallelBfs(
  booting: Promise<WorkerHandle[]>,
  machine: AnyMachine,
  opts: ParallelExploreOptions,
  n: number,
  startedAt?: number,
): Promise<CheckResult<unknown, unknown, ParallelExploreStats>> {
  // Every level's links in rank order (parent rank, action index), spilling the oldest to disk
  // past its budget; its file is removed however the search ends (violation, bound, error, Ctrl-C).
  const store = new LinkStore({
    ...(opts.spillDir !== undefined ? { dir: opts.spillDir } : {}),
    ...(opts.linkChunk !== undefined ? { linkChunk: opts.linkChunk } : {}),
    memoryBytes: opts.linkMemoryBytes ?? PARALLEL_LINK_MEMORY,
  });
  try {
    return await searchLevels(store, booting, machine, opts, n, startedAt);
  } finally {
    store.dispose();
  }
}

async function searchLevels(
  store: LinkStore,
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
  const encodedFrontier = frontierKind !== 'objects' && frontierCodecOf(machine) !== undefined;
  const frontierMemoryBytes = Math.max(1, Math.floor((opts.frontierMemoryBytes ?? DEFAULT_SPILL.frontierMemoryBytes) / n));

  const start = startedAt ?? performance.now();
  const { ctrl, table, claims } = SharedFingerprintSet.create(opts.initialSlots);
  Atomics.store(ctrl, CTRL.bound, 0x7fffffff);
  const set = new SharedFingerprintSet(ctrl, { table, claims });
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
  let error = false;
  let errorMessage: string | undefined;
  let bound: BoundHit | undefined;
  let peakFrontier = 0;
  /** Depth d's rank r is the link of id `levelStart[d] + r` in `store`. */
  const levelStart: number[] = [];
  /** Per worker, the ranks of its winners in the level to expand next (from the last merge). */
  let rankParts: Uint32Array[][] = [];
  /** Per worker, how many parents it holds for the level to expand next (its winners). */
  let sizes: number[] = [];
  /**
   * The most bytes held at once (at a level's end or settle) by what grows with the states: both
   * shared tables, the links in memory here, and every worker's links, claim slots and ranks.
   */
  let peakCheckerBytes = 0;
  const notePeak = (workerBytes: number): void => {
    const total = set.bytes() + store.bytes() + workerBytes;
    if (total > peakCheckerBytes && process.env['DSCHECK_PAR_DEBUG']) process.stderr.write(`checker bytes ${total}: table ${set.tableBytes()} claims ${set.bytes() - set.tableBytes()} links here ${store.bytes()} in workers ${workerBytes}\n`);
    peakCheckerBytes = Math.max(peakCheckerBytes, total);
  };
  /** The least check violation, and the depth whose expansion met it (-1: the initial states). */
  let found: { readonly event: BfsEvent; readonly depth: number } | undefined;
  const witnessAt = (ds: readonly number[]): void =>
    ds.forEach((d, i) => {
      if (d >= 0 && (witnessDepth[i]! < 0 || d < witnessDepth[i]!)) witnessDepth[i] = d;
    });
  const absorb = (rs: readonly LevelReport[], at: number): void => {
    let added = 0;
    rs.forEach((r, w) => {
      added += r.newStates;
      if (process.env['DSCHECK_PAR_DEBUG']) process.stderr.write(`level ${at} worker ${w}: +${r.newStates} next ${r.nextSize} expanded ${r.expanded}\n`);
      transitionsOf[w] = r.transitions;
      expandedOf[w] = r.expanded;
      spilledOf[w] = r.spilledBytes;
      if (r.error) {
        error = true;
        errorMessage ??= r.errorMessage;
      }
      witnessAt(r.witnessDepths);
    });
    notePeak(rs.reduce((a, r) => a + r.linkBytes, 0));
    if (added > 0) statesPerDepth[at] = added;
  };
  /** End a level: the winners' links become the next level's ranks; returns its size. */
  const settle = async (from: number): Promise<number> => {
    const rs = await Promise.all(pool.map(async (w) => asSettled(await w.request({ type: 'settle' }))));
    // Every worker has read its claims: the level's states are settled.
    set.clearClaims();
    sizes = rs.map((r) => r.nextSize);
    const size = sizes.reduce((a, b) => a + b, 0);
    for (const r of rs) {
      witnessAt(r.witnessDepths);
      if (r.event && (!found || eventOrder(r.event) < eventOrder(found.event))) found = { event: r.event, depth: from };
    }
    levelStart.push(store.length);
    // What the workers held as they settled; then what they handed over, with the ranks handed back.
    notePeak(rs.reduce((a, r) => a + r.linkBytes, 0));
    rankParts = mergeLinks(rs, store);
    notePeak(rs.reduce((a, r) => a + r.handedBytes, 0) + rankParts.flat().reduce((a, r) => a + r.byteLength, 0));
    if (size > peakFrontier) peakFrontier = size;
    return size;
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
            claims,
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
    const inits = await Promise.all(pool.map(async (w) => asLevel(await w.request({ type: 'init' }))));
    absorb(inits, 0);
    let frontier = error || inits.some((r) => r.type !== 'done') ? 0 : await settle(-1);
    while (!error && !found && Atomics.load(ctrl, CTRL.stop) === STOP.none && frontier > 0) {
      const ranks = rankParts;
      rankParts = [];
      if (depth >= maxDepth) {
        const probes = await Promise.all(pool.map(async (w, i) => asLevel(await w.request({ type: 'level', depth, expand: false, ranks: ranks[i]! }))));
        if (probes.some((p) => p.error)) error = true;
        else if (probes.some((p) => p.canExpand)) bound = { kind: 'depth', limit: maxDepth };
        break;
      }
      const partition = replicated && frontier >= partitionAt;
      if (partition) replicated = false;
      // Balancing (encoded frontiers: a state crosses threads as its encoding): each worker holds
      // the states it won, often 20–30% more on one than another; donors hand their lowest-ranked
      // parents to receivers before the level starts.
      const begun = new Array<boolean>(n).fill(false);
      const imports: Int32Array[][] = pool.map(() => []);
      if (!replicated && !partition && encodedFrontier && opts.balance !== false) {
        for (const t of balancePlan(sizes)) {
          imports[t.to]!.push(asExported(await pool[t.from]!.request({ type: 'export', depth, ranks: ranks[t.from]!, count: t.count, fresh: !begun[t.from] })));
          begun[t.from] = true;
        }
      }
      let reports = await Promise.all(pool.map(async (w, i) => asLevel(await w.request({ type: 'level', depth, expand: true, partition, ranks: ranks[i]!, replicated, begun: begun[i]!, imports: imports[i]! }))));
      // Stop-the-world growth: every worker has stopped; rehash, hand out the new table, resume.
      while (reports.some((r) => r.type === 'paused') && Atomics.load(ctrl, CTRL.stop) === STOP.none) {
        const grown = set.grown();
        const prev = reports;
        reports = await Promise.all(
          pool.map(async (w, i) => {
            const cont = prev[i]!.type === 'paused';
            const r = await w.request({ type: 'resume', tables: grown, continueLevel: cont });
            return cont ? asLevel(r) : prev[i]!;
          }),
        );
      }
      absorb(reports, depth + 1);
      if (reports.some((r) => r.type !== 'done')) break;
      frontier = await settle(depth);
      depth++;
    }
  } finally {
    clearTimeout(timer);
    if (progress) clearInterval(progress);
    opts.signal?.removeEventListener('abort', onAbort);
    await Promise.all(pool.map((w) => w.stop()));
  }
  const parallelMs = performance.now() - start;
  if (error) {
    // The model threw: a single-threaded search to that depth reports it, with its phase and trace.
    store.dispose();
    return sequential(machine, sequentialOptions(opts), n, { parallelMs, startedAt: start, ...(errorMessage !== undefined ? { workerError: errorMessage } : {}) });
  }
  const why = Atomics.load(ctrl, CTRL.stop);
  // (The workers stop at the insertion that crosses the bound; the count check is a second guard.)
  if (why === STOP.states || set.size > maxStates) bound = { kind: 'states', limit: maxStates };
  else if (why === STOP.time) bound = { kind: 'time', limit: timeLimitMs };
  else if (why === STOP.interrupted) bound = { kind: 'interrupted', limit: parallelMs };
  const states = Math.min(set.size, maxStates);
  const transitions = transitionsOf.reduce((a, b) => a + b, 0);
  notePeak(0);
  const checkerBytes = peakCheckerBytes;
  const stats: ParallelExploreStats = {
    mode: 'bfs',
    dedup: 'fingerprint63',
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
    spilledBytes: spilledOf.reduce((a, b) => a + b, 0) + store.diskBytes(),
    // 63-bit fingerprints: the top bit of the shared table's `hi` word is its open flag.
    collisionProbability: (states * Math.max(0, transitions - states)) / 2 ** 63,
    workers: n,
    peakRssBytes: peakRssBytes(),
    expandedPerWorker: expandedOf,
  };
  const witnesses: WitnessResult[] = witnessNames.map((name, i) => ({ name, reached: witnessDepth[i]! >= 0, ...(witnessDepth[i]! >= 0 ? { depth: witnessDepth[i]! } : {}) }));
  if (found) return { status: 'violation', violation: violationOf(machine, checks, found.event, pathTo(store, levelStart, found.depth, found.event)), stats, witnesses };
  if (bound) return { status: 'bounded', bound, stats, witnesses };
  return { status: 'exhausted', stats, witnesses };
}
