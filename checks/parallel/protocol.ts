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
  /** The claim table of the level being expanded (see `shared-set.ts`). */
  readonly claims: SharedArrayBuffer;
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

/**
 * Links order a level: `parentRank × LINK_BASE + actionIndex` (initial states: their index).
 * Exact in a float64 for parent ranks below 2³⁷; a state with LINK_BASE or more enabled actions
 * is refused by the parallel search.
 */
export const LINK_BASE = 65_536;

/** Bytes of a full {@link LinkBytes} chunk (the first one is smaller). */
const LINK_BYTES_CHUNK = 1 << 16;

/**
 * One worker's links of a level, in the order it discovered its entries (which is their sorted
 * order: it expands its parents in rank order, their actions in order), packed as two LEB128
 * varints an entry: the parent's rank minus the previous entry's, and the action index. About
 * 2 bytes an entry, against 8 for a float64 link. Appended in chunks; read back in order with
 * {@link LinkReader}.
 */
export class LinkBytes {
  private readonly chunks: Uint8Array[] = [];
  private cur = new Uint8Array(0);
  private at = 0;
  private lastRank = 0;
  private lastAi = -1;
  /** Entries pushed. */
  length = 0;

  /** Append the link (parent rank, action index) of the next entry: it must come after the last. */
  push(rank: number, ai: number): void {
    if (rank < this.lastRank || (rank === this.lastRank && ai <= this.lastAi)) throw new Error(`parallel search: a worker discovered its links out of order ${rank},${ai} after ${this.lastRank},${this.lastAi}`);
    this.varint(rank - this.lastRank);
    this.varint(ai);
    this.lastRank = rank;
    this.lastAi = ai;
    this.length++;
  }

  private varint(x: number): void {
    while (x >= 128) {
      this.byte((x % 128) | 128);
      x = Math.floor(x / 128);
    }
    this.byte(x);
  }

  private byte(b: number): void {
    if (this.at === this.cur.length) {
      this.cur = new Uint8Array(this.chunks.length === 0 ? 4096 : LINK_BYTES_CHUNK);
      this.chunks.push(this.cur);
      this.at = 0;
    }
    this.cur[this.at++] = b;
  }

  /** Bytes held. */
  bytes(): number {
    let n = 0;
    for (const c of this.chunks) n += c.byteLength;
    return n;
  }

  /** The chunks, the last one cut to what it holds (to hand over, or to read with {@link LinkReader}). */
  parts(): Uint8Array[] {
    return this.chunks.map((c) => (c === this.cur ? c.subarray(0, this.at) : c));
  }
}

/** Reads the links a {@link LinkBytes} wrote, in order. */
export class LinkReader {
  private c = 0;
  private off = 0;
  /** The parent rank of the entry read last. */
  rank = 0;
  /** The action index of the entry read last. */
  ai = 0;

  constructor(private readonly chunks: readonly Uint8Array[]) {}

  /** Read the next entry's link into {@link rank} and {@link ai}; false at the end. */
  next(): boolean {
    if (!this.more()) return false;
    this.rank += this.varint();
    this.ai = this.varint();
    return true;
  }

  private more(): boolean {
    while (this.c < this.chunks.length && this.off >= this.chunks[this.c]!.length) {
      this.c++;
      this.off = 0;
    }
    return this.c < this.chunks.length;
  }

  private varint(): number {
    let x = 0;
    let mul = 1;
    for (;;) {
      if (!this.more()) throw new Error('parallel search: links cut short');
      const b = this.chunks[this.c]![this.off++]!;
      x += (b & 127) * mul;
      if (b < 128) return x;
      mul *= 128;
    }
  }
}

/** Entries per chunk of a worker's ranks (the chunks it has read are let go). */
export const RANK_CHUNK = 1 << 16;

/** The rank of a level entry that lost its state to another worker's smaller link (it is passed over). */
export const LOST_RANK = 0xffffffff;

/**
 * A check violation met by a worker: where a single-threaded search would meet it, as (rank of
 * the parent being expanded, action index, sub-order), `sub` ordering what happens at one
 * action: 0 the transition property (or, with `ai` = -1, the deadlock), 1 an invariant of the
 * state reached, 2 an initial-state property. (Initial states: rank 0, `ai` their index.)
 */
export interface BfsEvent {
  readonly rank: number;
  readonly ai: number;
  readonly sub: 0 | 1 | 2;
  readonly kind: 'invariant' | 'property' | 'deadlock';
  readonly name: string;
}

/** A number ordering events as a single-threaded search meets them. */
export function eventOrder(e: BfsEvent): number {
  return (e.rank * (LINK_BASE + 1) + (e.ai + 1)) * 4 + e.sub;
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
  /** Steps the purity guard covers from the block's start (the run's first block only: the guard's walks cost several times a step). */
  readonly purityFirstSteps: number;
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
      /**
       * The rank in the level (the index of its link among every worker's, sorted) of each of
       * this worker's entries, in the order it discovered them, {@link LOST_RANK} for a loser
       * (a replica: none), in chunks of {@link RANK_CHUNK}.
       */
      readonly ranks?: readonly Uint32Array[];
      /** The level is expanded replicated: worker 0 alone inserts, in the canonical order. */
      readonly replicated?: boolean;
      /** The level was begun by an `export` (its ranks adopted, some parents handed over): go on from there. */
      readonly begun?: boolean;
      /** Parents handed over to this worker by others (each `rank, length, words…` per entry, sorted by rank). */
      readonly imports?: readonly Int32Array[];
    }
  | {
      /**
       * Balancing: begin the level (adopting `ranks`) and hand over its first `count` parents,
       * which another worker expands (encoded frontiers only).
       */
      readonly type: 'export';
      readonly depth: number;
      readonly ranks?: readonly Uint32Array[];
      readonly count: number;
      /** The first export of this level (false: the worker began it with an earlier one). */
      readonly fresh: boolean;
    }
  | { readonly type: 'settle' }
  | { readonly type: 'resume'; readonly tables: { readonly table: SharedArrayBuffer; readonly claims: SharedArrayBuffer }; readonly continueLevel: boolean }
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
  /** Whether the model threw in this worker (the coordinator then re-derives the run in one thread). */
  readonly error: boolean;
  /** What the worker threw, when `error`. */
  readonly errorMessage?: string;
  /** The least check violation this worker met in this level so far. */
  readonly event?: BfsEvent;
  /** For a depth-bound probe: whether some frontier state has an enabled action. */
  readonly canExpand: boolean;
  /** Bytes this worker holds for links, claim slots and ranks (the level being expanded and the next). */
  readonly linkBytes: number;
}

/** A worker's account of a level's end ({@link CoordinatorMessage} `settle`). */
export interface SettledReport {
  readonly type: 'settled';
  /** The links of this worker's entries in the new level, in order, as {@link LinkBytes} chunks (a replica: none). */
  readonly links: readonly Uint8Array[];
  /** Entries (winners and losers) of this worker in the new level (a replica: 0). */
  readonly entries: number;
  /** Bit i set: entry i lost its state to another worker's smaller link (absent: none lost). */
  readonly lost?: Uint8Array;
  readonly nextSize: number;
  /** The least check violation this worker met in the level (invariants of states it won included). */
  readonly event?: BfsEvent;
  readonly witnessDepths: readonly number[];
  /** Bytes this worker held for links, claim slots and ranks while it settled (its peak). */
  readonly linkBytes: number;
  /** Of those, the bytes handed over (links and `lost`): the rest is dropped. */
  readonly handedBytes: number;
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
  | { readonly type: 'exported'; readonly words: Int32Array }
  | LevelReport
  | SettledReport
  | RandomBlockReport;
