/**
 * A worker thread of the parallel runners (started through `boot.mjs`). It builds its own copy of
 * the machine from a {@link ModelRef} and then serves one of two jobs:
 *
 * - breadth-first search: every worker starts *replicated*: it expands the whole frontier, in
 *   the same deterministic order as every other worker, worker 0 deduplicating through the
 *   shared fingerprint table and counting, the others through a private set and counting
 *   nothing. When the frontier is large enough the coordinator partitions it (worker w keeps the
 *   states of rank ≡ w mod n); from then on each worker expands the states whose canonical
 *   discovery (least parent rank) it made, deduplicating and claiming through the shared table
 *   (states never cross threads). At a level's end (`settle`) it marks its losers and hands over
 *   its links (varints, in discovery order, which is link order); the next level brings each
 *   entry's rank. Between states it obeys the shared `pause`, `stop` and `bound` words;
 * - random blocks: it runs {@link checkRandom} on a block of runs with the block's own seed and
 *   reports the summary (the coordinator replays a failing block to rebuild its trace).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { frontierCodecOf, type AnyMachine, type FrontierCodec } from '../../impl/core/machine.ts';
import { decodeMismatch } from '../engine/purity.ts';
import { WordBuffer } from '../../impl/core/encode.ts';
import { selectChecks } from '../../impl/core/result.ts';
import { loadMachine, type ModelRef } from './model-ref.ts';
import { CTRL, STOP, SharedFingerprintSet, type SharedTables } from './shared-set.ts';
import { FingerprintSet } from '../visited.ts';
import { EncodedQueue } from '../spill.ts';
import { LINK_BASE, LOST_RANK, RANK_CHUNK, LinkBytes, LinkReader, eventOrder, type BfsEvent, type BfsWorkerOptions, type CoordinatorMessage, type LevelReport, type RandomBlockJob, type RandomBlockReport, type SettledReport, type WorkerMessage } from './protocol.ts';
import { skipsStutters, symmetryKeyOf } from '../engine/checking.ts';

const port = parentPort!;
const { ref } = workerData as { readonly ref: ModelRef };
const post = (m: WorkerMessage): void => port.postMessage(m);

let machine: AnyMachine;
try {
  machine = (await loadMachine(ref)).machine;
} catch (e) {
  post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  throw e;
}

/** States waiting to be expanded, read once, in order. */
interface Frontier {
  readonly length: number;
  /** Queue `s`; `encoded`, when given, already holds `s`'s own encoding (not a representative's). */
  push(s: unknown, encoded?: WordBuffer): void;
  /** The next state, or undefined at the end (the first call ends writing). */
  take(): unknown;
  /** Pass over the next state without building it; false at the end. */
  skip(): boolean;
  /** The next state's encoding (valid until the next call; encoded frontiers only), or undefined at the end. */
  takeWords?(): Int32Array | undefined;
  /** Build a state from words {@link takeWords} gave (encoded frontiers only). */
  decode?(words: Int32Array): unknown;
  /** Bytes written to disk. */
  spilled(): number;
  dispose(): void;
}

class ObjectFrontier implements Frontier {
  private readonly items: unknown[] = [];
  private pos = 0;
  get length(): number {
    return this.items.length;
  }
  push(s: unknown): void {
    this.items.push(s);
  }
  take(): unknown {
    if (this.pos >= this.items.length) return undefined;
    const s = this.items[this.pos];
    this.items[this.pos++] = undefined; // expanded: let it go
    return s;
  }
  skip(): boolean {
    if (this.pos >= this.items.length) return false;
    this.items[this.pos++] = undefined;
    return true;
  }
  spilled(): number {
    return 0;
  }
  dispose(): void {}
}

/** How many decodes each worker checks against the state it encoded. */
const CHECKED_DECODES = 100;

/** The frontier as encodings (spilling to disk past a budget), decoded when taken. */
class EncodedFrontier implements Frontier {
  private readonly q: EncodedQueue;
  private readonly raw = new WordBuffer();
  private static checked = 0;
  private readonly codec: FrontierCodec<unknown>;
  constructor(
    private readonly m: AnyMachine,
    budget: number,
    dir: string | undefined,
    chunkWords: number | undefined,
  ) {
    this.codec = frontierCodecOf(m)!;
    this.q = new EncodedQueue({ memoryBytes: budget, ...(dir !== undefined ? { dir } : {}), ...(chunkWords !== undefined ? { chunkWords } : {}) });
  }
  get length(): number {
    return this.q.length;
  }
  push(s: unknown, encoded?: WordBuffer): void {
    // The state itself (not its symmetric representative), as the single-threaded search keeps it.
    let w = encoded;
    if (w === undefined) {
      w = this.raw;
      w.reset();
      this.codec.encode(s, w);
    }
    this.q.push(w.raw, w.len);
    if (EncodedFrontier.checked < CHECKED_DECODES) {
      EncodedFrontier.checked++;
      const bad = decodeMismatch(this.m.name, s, this.codec.decode(w.raw.slice(0, w.len)), undefined, this.codec.check);
      if (bad) throw bad;
    }
  }
  take(): unknown {
    const w = this.q.next();
    return w === undefined ? undefined : this.codec.decode(w);
  }
  skip(): boolean {
    return this.q.next() !== undefined;
  }
  takeWords(): Int32Array | undefined {
    return this.q.next();
  }
  decode(words: Int32Array): unknown {
    return this.codec.decode(words);
  }
  spilled(): number {
    return this.q.diskBytes();
  }
  dispose(): void {
    this.q.dispose();
  }
}

/** Entries of a full {@link SlotList} chunk. */
const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;

/**
 * Table slots appended in Uint32 chunks: no copy of the whole as it grows, and its bytes are
 * what it holds (the first chunk doubles up to {@link CHUNK} entries, so a small level holds little).
 */
class SlotList {
  private readonly chunks: Uint32Array[] = [];
  length = 0;
  push(x: number): void {
    const n = this.length;
    const k = n & (CHUNK - 1);
    if (n < CHUNK) {
      const first = this.chunks[0];
      if (first === undefined || n === first.length) {
        const grown = new Uint32Array(Math.max(256, n * 2));
        if (first !== undefined) grown.set(first);
        this.chunks[0] = grown;
      }
    } else if (k === 0) {
      this.chunks.push(new Uint32Array(CHUNK));
    }
    this.chunks[n >>> CHUNK_BITS]![k] = x;
    this.length = n + 1;
  }
  at(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)]!;
  }
  set(i: number, x: number): void {
    this.chunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)] = x;
  }
  bytes(): number {
    let b = 0;
    for (const c of this.chunks) b += c.byteLength;
    return b;
  }
}

/**
 * A level's rank of each entry, read once, in order: the chunks already read are let go. A
 * replica's ranks are its entries' indices (no chunks).
 */
class Ranks {
  constructor(
    private readonly chunks: (Uint32Array | undefined)[] | undefined,
    readonly length: number,
  ) {}
  /** The rank of entry `i`; `i` never decreases from one call to the next. */
  at(i: number): number {
    const cs = this.chunks;
    if (cs === undefined) return i;
    const c = Math.floor(i / RANK_CHUNK);
    if (c > 0 && cs[c - 1] !== undefined) cs[c - 1] = undefined;
    return cs[c]![i - c * RANK_CHUNK]!;
  }
  bytes(): number {
    let n = 0;
    for (const c of this.chunks ?? []) n += c?.byteLength ?? 0;
    return n;
  }
}

/**
 * One level of this worker's states: the states (objects or encodings) in the order they were
 * discovered. While the level is being discovered each entry has its *link*: `parentRank ×
 * LINK_BASE + action index` (initial states: their index), which orders a level exactly as a
 * single-threaded search discovers it; a worker discovers its entries in that order (it expands
 * its parents in rank order, their actions in order), so its links come sorted. Once the level
 * is settled and merged, each entry keeps only its *rank* in the level (the index of its link
 * among every worker's), {@link LOST_RANK} for an entry that lost its state to another worker's
 * smaller link.
 */
class Level {
  readonly states: Frontier;
  links = new LinkBytes();
  /** The shared-table slot of each entry (partitioned levels only). */
  slots = new SlotList();
  /** After the merge: each entry's rank in the level ({@link LOST_RANK}: lost). */
  ranks = new Ranks(undefined, 0);
  constructor(states: Frontier) {
    this.states = states;
  }
  /** Bytes of links, slots and ranks held. */
  bytes(): number {
    return this.links.bytes() + this.slots.bytes() + this.ranks.bytes();
  }
}

/** One parent handed over by another worker: its rank, and where its encoding is. */
interface ImportedEntry {
  readonly rank: number;
  readonly part: number;
  readonly at: number;
  readonly len: number;
}

/**
 * Parents other workers handed over for this level (see {@link BfsWorker.exportHead}: each part
 * is `rank, length, words…` per entry, sorted by rank), merged into one list sorted by rank.
 */
class Imported {
  private readonly order: ImportedEntry[] = [];
  pos = 0;
  constructor(private readonly parts: readonly Int32Array[]) {
    parts.forEach((w, part) => {
      for (let at = 0; at < w.length; ) {
        const len = w[at + 1]!;
        this.order.push({ rank: w[at]! >>> 0, part, at: at + 2, len });
        at += 2 + len;
      }
    });
    // Each part is sorted already; parts from several donors interleave.
    if (parts.length > 1) this.order.sort((a, b) => a.rank - b.rank);
  }
  /** The rank of the next entry, or -1 at the end. */
  peek(): number {
    return this.pos < this.order.length ? this.order[this.pos]!.rank : -1;
  }
  /** The next entry's words (and advance past it). */
  take(): Int32Array {
    const e = this.order[this.pos++]!;
    return this.parts[e.part]!.subarray(e.at, e.at + e.len);
  }
  bytes(): number {
    return this.parts.reduce((a, p) => a + p.byteLength, 0) + this.order.length * 40;
  }
}

/** Links hold action indices below LINK_BASE: more enabled actions (or initial states) is an error of this search. */
function checkLinkable(count: number): void {
  if (count > LINK_BASE) throw new Error(`a state with more than ${LINK_BASE} enabled actions: too many for the parallel search (use --workers 1)`);
}


/** The breadth-first part of this worker: created by `bfs-setup`. */
class BfsWorker {
  private readonly set: SharedFingerprintSet;
  private readonly ctrl: Int32Array;
  private readonly words = new WordBuffer();
  private readonly fp = new Uint32Array(2);
  private readonly invariants;
  private readonly properties;
  private readonly witnesses: { readonly check: (s: unknown) => boolean; depth: number }[];
  private pendingWitnesses: number;
  private readonly sym: ((s: unknown) => unknown) | undefined;
  private readonly encodeInto: (s: unknown) => void;
  private current: Level;
  private next: Level;
  /** Position in `current`. */
  private pos = 0;
  /** Parents of this level handed over by other workers (balancing), expanded in rank order with this worker's own. */
  private imp: Imported | undefined;
  /** Keep only ranks ≡ index mod workers of `current` (the level that partitions). */
  private partitioning = false;
  private depth = 0;
  private newStates = 0;
  private transitions = 0;
  private expanded = 0;
  /** Bytes of frontier spilled to disk by levels already expanded. */
  private spilledBytes = 0;
  /**
   * While replicated (before the partition), workers other than 0 deduplicate here and count
   * nothing: worker 0 alone inserts into the shared table, checks and counts.
   */
  private local: FingerprintSet | undefined;
  /** An exception in the model: the search stops and the coordinator re-derives it in one thread. */
  private error = false;
  private errorMessage: string | undefined = undefined;
  /** The least check violation this worker met in this level (see {@link eventOrder}). */
  private event: BfsEvent | undefined;
  /** Entries of `next` (by index) whose state broke an invariant: an event if they win their state. */
  private brokenNext: { readonly entry: number; readonly name: string }[] = [];
  /** Per worker live counters for progress: [transitions, frontier left + next]. */
  private readonly live: Float64Array;
  /**
   * Whether this is worker 0 in a replicated level (the initial states are too): the only
   * inserter, meeting states in the canonical order, so the first discovery of a state is its
   * canonical one and its slot is settled at once.
   */
  private replicatedLevel: boolean;

  constructor(private readonly o: BfsWorkerOptions) {
    this.ctrl = o.ctrl;
    this.set = new SharedFingerprintSet(o.ctrl, { table: o.table, claims: o.claims }, o.workers);
    this.set.countExactlyAbove(o.maxStates);
    this.live = new Float64Array(o.live, o.index * 2 * 8, 2);
    const sel = selectChecks(machine, o.checks);
    this.invariants = sel.invariants;
    this.properties = sel.properties;
    this.witnesses = (machine.sometimes ?? []).map((w) => ({ check: (s: unknown) => w.check(s), depth: -1 }));
    this.pendingWitnesses = this.witnesses.length;
    if (o.index !== 0) this.local = new FingerprintSet();
    this.replicatedLevel = o.index === 0;
    this.current = this.newLevel();
    this.next = this.newLevel();
    this.sym = o.symmetry && machine.symmetry ? machine.symmetry.bind(machine) : undefined;
    this.ownFrontierWords = this.sym === undefined && frontierCodecOf(machine)?.own === true;
    const m = machine;
    const words = this.words;
    const sym = this.sym;
    const key = sym ? symmetryKeyOf(m) : undefined;
    this.encodeInto = key
      ? (s) => {
          words.reset();
          key(s, words);
        }
      : m.encode
      ? (s) => {
          words.reset();
          m.encode!(sym ? sym(s) : s, words);
        }
      : (s) => {
          words.reset();
          words.value(sym ? sym(s) : s);
        };
  }

  private newLevel(): Level {
    const o = this.o;
    return new Level(o.encodedFrontier ? new EncodedFrontier(machine, o.frontierMemoryBytes, o.spillDir, o.frontierChunkWords) : new ObjectFrontier());
  }

  /** The level just settled becomes the one to expand. */
  private advance(): void {
    this.spilledBytes += this.current.states.spilled();
    this.current.states.dispose();
    this.current = this.next;
    this.next = this.newLevel();
    this.pos = 0;
    this.partitioning = false;
  }

  /** Whether the visited set's words are the frontier's too (`frontierCodecOf`'s `own`), without symmetry. */
  private readonly ownFrontierWords: boolean;

  /** `words` after {@link discover}, when they are the state's own whole encoding (see {@link ownFrontierWords}). */
  private ownWords(): WordBuffer | undefined {
    return this.ownFrontierWords ? this.words : undefined;
  }

  useTables(tables: SharedTables): void {
    const old = this.set.words();
    this.set.use(tables);
    if (this.set.words().buffer === old.buffer) return;
    // The slots of the entries waiting to be settled moved with the growth.
    const slots = this.next.slots;
    for (let i = 0; i < slots.length; i++) slots.set(i, this.set.relocate(old, slots.at(i)));
  }

  private flagError(e: unknown): void {
    this.error = true;
    this.errorMessage ??= e instanceof Error ? (e.stack ?? e.message) : String(e);
    Atomics.compareExchange(this.ctrl, CTRL.stop, STOP.none, STOP.violation);
  }

  /** Record a check violation met at (parent rank, action index, sub-order); keep the least. */
  /** Record every pending witness that holds in `t`, reached at `depth`. */
  private observe(t: unknown, depth: number): void {
    if (this.pendingWitnesses === 0) return;
    for (const w of this.witnesses) {
      if (w.depth < 0 && w.check(t)) {
        w.depth = depth;
        this.pendingWitnesses--;
      }
    }
  }

  private noteEvent(e: BfsEvent): void {
    if (this.event === undefined || eventOrder(e) < eventOrder(this.event)) this.event = e;
    // Parents ranked above it cannot produce an earlier event: every worker passes over them.
    for (let cur = Atomics.load(this.ctrl, CTRL.bound); e.rank < cur; cur = Atomics.load(this.ctrl, CTRL.bound)) {
      if (Atomics.compareExchange(this.ctrl, CTRL.bound, cur, e.rank) === cur) break;
    }
  }

  /**
   * A state reached from the parent of rank `rank` by action `ai` (initial states: rank 0, `ai`
   * = their index). Inserts it, checks the states bound, and queues it in `next` when this
   * discovery is (for now) its canonical one; checks invariants and witnesses on what it queues.
   */
  private discover(t: unknown, depth: number, rank: number, ai: number): void {
    this.encodeInto(t);
    if (this.local) {
      // A replica keeps no links: its ranks are its entries' indices (worker 0's links, as it
      // meets the same states in the same order).
      if (!this.local.add(this.words)) return;
      this.next.states.push(t, this.ownWords());
      return;
    }
    this.words.fingerprint(this.fp);
    const n = this.set.add(this.fp[0]!, this.fp[1]!, !this.replicatedLevel);
    if (n > this.o.maxStates) {
      Atomics.compareExchange(this.ctrl, CTRL.stop, STOP.none, STOP.states);
      return;
    }
    if (n > 0) this.newStates++;
    if (this.replicatedLevel) {
      // Worker 0 while replicated: it meets states in the canonical order, first is canonical.
      if (n === 0) return;
    } else if (!this.set.claim(this.set.slot, rank + 1)) {
      return;
    }
    const entry = this.next.links.length;
    this.next.links.push(rank, ai);
    if (!this.replicatedLevel) this.next.slots.push(this.set.slot);
    this.next.states.push(t, this.ownWords());
    // Witnesses first: a state that breaks an invariant was reached all the same.
    this.observe(t, depth);
    for (const inv of this.invariants) {
      if (inv.check(t) !== true) {
        if (this.replicatedLevel) this.noteEvent({ rank, ai, sub: 1, kind: 'invariant', name: inv.name });
        else this.brokenNext.push({ entry, name: inv.name });
        return;
      }
    }
    if (depth === 0) {
      for (const p of this.properties) {
        if (p.checkInit && p.checkInit(t) !== true) {
          this.noteEvent({ rank, ai, sub: 2, kind: 'property', name: p.name });
          return;
        }
      }
    }
  }

  private report(kind: 'done' | 'paused' | 'stopped'): LevelReport {
    // A replica's frontier and counts are worker 0's: it reports none of its own.
    const replica = this.local !== undefined;
    this.set.flush();
    return {
      type: kind,
      newStates: this.newStates,
      transitions: replica ? 0 : this.transitions,
      expanded: replica ? 0 : this.expanded,
      spilledBytes: this.spilledBytes + this.current.states.spilled() + this.next.states.spilled(),
      nextSize: replica ? 0 : this.next.states.length,
      witnessDepths: this.witnesses.map((w) => w.depth),
      error: this.error,
      ...(this.errorMessage !== undefined ? { errorMessage: this.errorMessage } : {}),
      ...(this.event ? { event: this.event } : {}),
      canExpand: false,
      linkBytes: this.peakLinkBytes(),
    };
  }

  /** The most bytes of links, slots and ranks seen held in this level (sampled as states are expanded, and at every report). */
  private peakBytes = 0;

  /** Bytes of this worker's links, slots and ranks (both levels). */
  private linkBytes(): number {
    return this.current.bytes() + this.next.bytes() + (this.imp?.bytes() ?? 0);
  }

  /** The most bytes of links, slots and ranks held in this level so far (pauses included). */
  private peakLinkBytes(): number {
    this.peakBytes = Math.max(this.peakBytes, this.linkBytes());
    return this.peakBytes;
  }

  init(): LevelReport {
    this.newStates = 0;
    try {
      const inits = machine.init();
      checkLinkable(inits.length);
      for (let i = 0; i < inits.length; i++) this.discover(inits[i], 0, 0, i);
    } catch (e) {
      this.flagError(e);
    }
    return this.report('done');
  }

  /**
   * End a level: mark the entries of `next` that lost their state to another worker's smaller
   * link (in a partitioned level: the coordinator empties the claim table once every worker has
   * read its claims, which settles the winners), turn winners' invariant breaks into events, and
   * hand over the links and the losers (moved, not copied; a replica hands over none: worker
   * 0's are the level's). The entries' ranks come with the next `level` message.
   */
  settle(): SettledReport {
    const next = this.next;
    const replica = this.local !== undefined;
    const links = next.links;
    const entries = links.length;
    let winners = entries;
    let lost: Uint8Array | undefined;
    if (!this.replicatedLevel && !replica) {
      const broken = new Map(this.brokenNext.map((b) => [b.entry, b.name]));
      lost = new Uint8Array((entries + 7) >>> 3);
      const rd = new LinkReader(links.parts());
      for (let i = 0; rd.next(); i++) {
        if (this.set.claimOf(next.slots.at(i)) !== rd.rank + 1) {
          lost[i >>> 3]! |= 1 << (i & 7);
          winners--;
          continue;
        }
        const bad = broken.get(i);
        if (bad !== undefined) this.noteEvent({ rank: rd.rank, ai: rd.ai, sub: 1, kind: 'invariant', name: bad });
      }
    }
    this.brokenNext = [];
    const handedBytes = links.bytes() + (lost?.byteLength ?? 0);
    const linkBytes = this.peakLinkBytes() + (lost?.byteLength ?? 0);
    const parts = replica ? [] : links.parts();
    const event = this.event;
    this.event = undefined;
    this.advance();
    // The links and slots are done with here: the ranks replace them.
    this.current.links = new LinkBytes();
    this.current.slots = new SlotList();
    this.peakBytes = 0;
    return {
      type: 'settled',
      links: parts,
      entries: replica ? 0 : entries,
      ...(lost ? { lost } : {}),
      nextSize: replica ? 0 : winners,
      ...(event ? { event } : {}),
      witnessDepths: this.witnesses.map((w) => w.depth),
      linkBytes,
      handedBytes,
    };
  }

  /**
   * Give the settled level's entries their ranks: `ranks` holds every entry's rank in the level
   * ({@link LOST_RANK} for a loser), from the coordinator's merge; a replica, whose entries are
   * worker 0's in the same order, ranks them 0, 1, ….
   */
  private adoptRanks(ranks: readonly Uint32Array[] | undefined): void {
    const n = this.current.states.length;
    if (this.local !== undefined || ranks === undefined) {
      this.current.ranks = new Ranks(undefined, n);
      return;
    }
    const got = ranks.reduce((a, c) => a + c.length, 0);
    if (got !== n) throw new Error(`parallel search: ${got} ranks for ${n} entries`);
    this.current.ranks = new Ranks([...ranks], n);
  }

  /** Whether any frontier state has an enabled action (for the depth bound). */
  probe(ranks: readonly Uint32Array[] | undefined): LevelReport {
    let canExpand = false;
    this.adoptRanks(ranks);
    try {
      const rs = this.current.ranks;
      for (let i = 0; i < rs.length; i++) {
        if (rs.at(i) === LOST_RANK) {
          this.current.states.skip();
          continue;
        }
        const s = this.current.states.take();
        if (s !== undefined && machine.actions(s).length > 0) {
          canExpand = true;
          break;
        }
      }
    } catch (e) {
      this.flagError(e);
    }
    return { ...this.report('done'), canExpand };
  }

  /** Start expanding the level of `depth`: its ranks, no position yet. */
  private begin(depth: number, ranks: readonly Uint32Array[] | undefined, replicated: boolean): void {
    this.depth = depth;
    this.pos = 0;
    this.newStates = 0;
    this.adoptRanks(ranks);
    this.replicatedLevel = replicated && this.o.index === 0;
    this.imp = undefined;
  }

  /**
   * Balancing: start the level of `depth` and hand over its first `count` parents (this worker's
   * lowest ranks) to another worker, as `rank, length, words…` each. Which worker expands a
   * parent changes nothing in the result: offers and links go by rank, and every worker still
   * expands its parents in rank order. Encoded frontiers only.
   */
  exportHead(depth: number, ranks: readonly Uint32Array[] | undefined, count: number, fresh: boolean): Int32Array {
    if (fresh) this.begin(depth, ranks, false);
    const rs = this.current.ranks;
    const states = this.current.states;
    if (states.takeWords === undefined) throw new Error('parallel search: only an encoded frontier can hand states over');
    const out = new WordBuffer();
    for (let given = 0; given < count && this.pos < rs.length; ) {
      const rank = rs.at(this.pos++);
      if (rank === LOST_RANK) {
        states.skip();
        continue;
      }
      const w = states.takeWords()!;
      out.int(rank | 0);
      out.int(w.length);
      out.append(w, w.length);
      given++;
    }
    return out.raw.slice(0, out.len);
  }

  /**
   * Expand the frontier of `depth` from where it stopped; returns when done, paused or stopped.
   * `ranks` (a fresh level): the ranks of this worker's winners of the level, in order. `begun`:
   * an {@link exportHead} began the level already. `imports`: parents handed over to this worker.
   */
  level(depth: number, fresh: boolean, partition = false, ranks?: readonly Uint32Array[], replicated = false, begun = false, imports?: readonly Int32Array[]): LevelReport {
    if (fresh && !begun) this.begin(depth, ranks, replicated);
    if (imports !== undefined && imports.length > 0) this.imp = new Imported(imports);
    if (partition) {
      this.partitioning = true;
      this.replicatedLevel = false;
      if (this.local) {
        // A replica's work so far repeated worker 0's (which counted it).
        this.expanded = 0;
        this.transitions = 0;
      }
      this.local = undefined;
    }
    const ctrl = this.ctrl;
    const props = this.properties;
    const skipStutters = skipsStutters(machine, props);
    const deadlock = this.o.deadlock;
    const live = this.live;
    const rs = this.current.ranks;
    const states = this.current.states;
    const imp = this.imp;
    try {
      const { index, workers } = this.o;
      for (;;) {
        // `stop` and `bound` are read plainly (a runtime call saved per state: seeing either a few
        // states late costs only work); `pause` atomically, which bounds the tables' overfill.
        if (ctrl[CTRL.stop] !== STOP.none) return this.report('stopped');
        if (Atomics.load(ctrl, CTRL.pause) !== 0) return this.report('paused');
        // The next parent in rank order: this worker's own, or one handed over to it.
        const own = this.pos < rs.length ? rs.at(this.pos) : -1;
        if (own === LOST_RANK || (own >= 0 && this.partitioning && own % workers !== index)) {
          // Not this worker's to expand (lost to another's smaller link, or another's part).
          this.pos++;
          states.skip();
          continue;
        }
        const other = imp === undefined ? -1 : imp.peek();
        if (own < 0 && other < 0) break;
        let rank: number;
        let s: unknown;
        if (other >= 0 && (own < 0 || other < own)) {
          rank = other;
          if (rank > ctrl[CTRL.bound]!) {
            imp!.pos++;
            continue;
          }
          s = states.decode!(imp!.take());
        } else {
          rank = own;
          this.pos++;
          if (rank > ctrl[CTRL.bound]!) {
            states.skip();
            continue;
          }
          s = states.take();
        }
        this.expanded++;
        const acts = machine.actions(s);
        checkLinkable(acts.length);
        if (acts.length === 0 && deadlock && !(machine.isTerminal?.(s) ?? false)) {
          if (this.local === undefined) this.noteEvent({ rank, ai: -1, sub: 0, kind: 'deadlock', name: 'deadlock' });
          continue;
        }
        for (let ai = 0; ai < acts.length; ai++) {
          const a = acts[ai];
          // A stutter leads back to a visited state (see Machine.stutters): counted, not taken.
          if (skipStutters && machine.stutters!(s, a)) {
            this.transitions++;
            continue;
          }
          const t = machine.step(s, a);
          this.transitions++;
          let broke = false;
          if (this.local === undefined) {
            for (const p of props) {
              if (p.check(s, a, t) !== true) {
                // The step that breaks a property reached t all the same.
                this.observe(t, this.depth + 1);
                this.noteEvent({ rank, ai, sub: 0, kind: 'property', name: p.name });
                broke = true;
                break;
              }
            }
          }
          if (broke) break;
          this.discover(t, this.depth + 1, rank, ai);
        }
        if ((this.expanded & 1023) === 0) this.peakBytes = Math.max(this.peakBytes, this.linkBytes());
        if ((this.expanded & 63) === 0) {
          live[0] = this.transitions;
          live[1] = this.local ? 0 : this.next.states.length;
        }
      }
    } catch (e) {
      this.flagError(e);
      return this.report('stopped');
    }
    const r = this.report('done');
    live[1] = this.local ? 0 : this.next.states.length;
    // Every parent handed over is expanded: its words are not needed any more.
    this.imp = undefined;
    return r;
  }
}

/** Run one block of random runs (fast-check is loaded on the first block: BFS workers start faster). */
async function randomBlock(job: RandomBlockJob): Promise<RandomBlockReport> {
  const { runRandomBlock } = await import('./random-block.ts');
  return { type: 'random-done', ...runRandomBlock(machine, job) };
}

let bfs: BfsWorker | undefined;
port.on('message', (m: CoordinatorMessage) => {
  switch (m.type) {
    case 'bfs-setup':
      try {
        bfs = new BfsWorker(m.options);
        post({ type: 'ready' });
      } catch (e) {
        post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      }
      return;
    case 'init':
      post(bfs!.init());
      return;
    case 'level':
      post(m.expand ? bfs!.level(m.depth, true, m.partition ?? false, m.ranks, m.replicated, m.begun, m.imports) : bfs!.probe(m.ranks));
      return;
    case 'export': {
      const words = bfs!.exportHead(m.depth, m.ranks, m.count, m.fresh);
      port.postMessage({ type: 'exported', words } satisfies WorkerMessage, [words.buffer as ArrayBuffer]);
      return;
    }
    case 'settle': {
      const r = bfs!.settle();
      port.postMessage(r, [...r.links.map((l) => l.buffer as ArrayBuffer), ...(r.lost ? [r.lost.buffer as ArrayBuffer] : [])]);
      return;
    }
    case 'resume':
      bfs!.useTables(m.tables);
      post(m.continueLevel ? bfs!.level(0, false) : { type: 'ready' });
      return;
    case 'random':
      randomBlock(m.job).then(post, (e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
      return;
  }
});
post({ type: 'loaded' });
