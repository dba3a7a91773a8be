/**
 * The messages between the coordinator (main thread) and the worker threads of the parallel
 * runners. Discriminated unions, one `type` tag each.
 */
import type { BoundHit, WitnessResult } from '../../impl/core/result.ts';
import type { ViolationKind } from '../../impl/core/trace.ts';

/** What a breadth-first worker needs besides its machine. */
export interface BfsWorkerOptions {
  /** This worker's index (0-based): which slot of `live` it writes. */
  readonly index: number;
  /** How many workers search. */
  readonly workers: number;
  readonly ctrl: Int32Array;
  readonly table: SharedArrayBuffer;
  /** Per worker live counters (Float64: transitions, frontier) for progress lines. */
  readonly live: SharedArrayBuffer;
  readonly checks: readonly string[];
  readonly symmetry: boolean;
  readonly deadlock: boolean;
  readonly maxStates: number;
  /** Hold the frontier as encodings (the machine has `encode` and `decode`), else as objects. */
  readonly encodedFrontier: boolean;
  /** This worker's memory budget for its encoded frontier before it spills to disk. */
  readonly frontierMemoryBytes: number;
  /** Folder for spill files (default: the OS temp folder). */
  readonly spillDir?: string;
  /** Words per frontier chunk (the unit that spills); smaller only in tests. */
  readonly frontierChunkWords?: number;
}

/** One block of random runs: `runs` runs from `seed`. */
export interface RandomBlockJob {
  readonly block: number;
  readonly seed: number;
  readonly runs: number;
  readonly maxSteps: number;
  readonly timeLimitMs: number;
  readonly checks: readonly string[];
  readonly kinds: readonly string[];
  readonly swarm: boolean;
  readonly deadlock: boolean;
  readonly shrink: boolean | 'fast-check';
}

/** Coordinator → worker. */
export type CoordinatorMessage =
  | { readonly type: 'bfs-setup'; readonly options: BfsWorkerOptions }
  | { readonly type: 'init' }
  | {
      readonly type: 'level';
      readonly depth: number;
      readonly expand: boolean;
      /**
       * End the replicated start: before expanding, each worker keeps the frontier states at
       * positions `i` with `i % workers === index` (every worker holds the same frontier, in the
       * same order, until then).
       */
      readonly partition?: boolean;
    }
  | { readonly type: 'resume'; readonly table: SharedArrayBuffer; readonly continueLevel: boolean }
  | { readonly type: 'random'; readonly job: RandomBlockJob };

/** A worker's account of one level step (or the part of it before a pause or stop). */
export interface LevelReport {
  readonly type: 'done' | 'paused' | 'stopped';
  /** States this worker discovered in this level step so far. */
  readonly newStates: number;
  /** Transitions this worker generated since it started (cumulative). */
  readonly transitions: number;
  /** States this worker expanded since it started (cumulative; its share of the work). */
  readonly expanded: number;
  /** Bytes of frontier this worker has spilled to disk so far. */
  readonly spilledBytes: number;
  /** States this worker will expand at the next level. */
  readonly nextSize: number;
  /** Per witness: the smallest depth at which this worker saw it, or -1. */
  readonly witnessDepths: readonly number[];
  /** Whether this worker met a violation (any kind, exceptions included). */
  readonly violation: boolean;
  /** For a depth-bound probe: whether some frontier state has an enabled action. */
  readonly canExpand: boolean;
}

/** What a worker reports for one random block. */
export interface RandomBlockReport {
  readonly type: 'random-done';
  readonly block: number;
  readonly seed: number;
  readonly status: 'violation' | 'bounded';
  readonly path: string | null;
  readonly bound: BoundHit | null;
  readonly runs: number;
  readonly states: number;
  readonly transitions: number;
  readonly searchMs: number;
  readonly witnesses: readonly WitnessResult[];
  readonly violation: { readonly kind: ViolationKind; readonly name: string; readonly steps: number } | null;
  readonly excluded: readonly string[];
}

/** Worker → coordinator. */
export type WorkerMessage =
  | { readonly type: 'loaded' }
  | { readonly type: 'ready' }
  | { readonly type: 'error'; readonly message: string }
  | LevelReport
  | RandomBlockReport;
