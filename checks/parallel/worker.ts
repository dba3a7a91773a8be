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
 *   (states never cross threads). At a level's end (`settle`) it keeps its winners and sends
 *   their links, sorted. Between states it obeys the shared `pause`, `stop` and `bound` words;
 * - random blocks: it runs {@link checkRandom} on a block of runs with the block's own seed and
 *   reports the summary (the coordinator replays a failing block to rebuild its trace).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AnyMachine } from '../../impl/core/machine.ts';
import { WordBuffer } from '../../impl/core/encode.ts';
import { selectChecks } from '../../impl/core/result.ts';
import { loadMachine, type ModelRef } from './model-ref.ts';
import { CTRL, SETTLED, STOP, SharedFingerprintSet } from './shared-set.ts';
import { FingerprintSet } from '../visited.ts';
import { EncodedQueue } from '../spill.ts';
import { canonicalKey } from '../../impl/core/encode.ts';
import { LINK_BASE, eventOrder, type BfsEvent, type BfsWorkerOptions, type CoordinatorMessage, type LevelReport, type RandomBlockJob, type RandomBlockReport, type SettledReport, type WorkerMessage } from './protocol.ts';
import { symmetryKeyOf } from '../engine/checking.ts';

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
  constructor(
    private readonly m: AnyMachine,
    budget: number,
    dir: string | undefined,
    chunkWords: number | undefined,
  ) {
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
      this.m.encode!(s, w);
    }
    this.q.push(w.raw, w.len);
    if (EncodedFrontier.checked < CHECKED_DECODES) {
      EncodedFrontier.checked++;
      if (canonicalKey(this.m.decode!(w.raw.slice(0, w.len))) !== canonicalKey(s)) {
        throw new Error(`model ${this.m.name}: decode is not the inverse of encode on a reachable state; run with --frontier objects and fix decode`);
      }
    }
  }
  take(): unknown {
    const w = this.q.next();
    return w === undefined ? undefined : this.m.decode!(w);
  }
  skip(): boolean {
    return this.q.next() !== undefined;
  }
  spilled(): number {
    return this.q.diskBytes();
  }
  dispose(): void {
    this.q.dispose();
  }
}

/**
 * One level of this worker's states: the states (objects or encodings) in the order they were
 * discovered, each with its *link*: `parentRank × LINK_BASE + action index` (initial states:
 * their index), which orders a level exactly as a single-threaded search discovers it. In a
 * partitioned level some entries lose their state to another worker's smaller link: their link
 * becomes -1 and they are passed over.
 */
class Level {
  readonly states: Frontier;
  links: number[] = [];
  /** The shared-table slot of each entry (partitioned levels only). */
  slots: number[] = [];
  constructor(states: Frontier) {
    this.states = states;
  }
}

/** Links hold action indices below LINK_BASE: more enabled actions (or initial states) is an error of this search. */
function checkLinkable(count: number): void {
  if (count > LINK_BASE) throw new Error(`a state with more than ${LINK_BASE} enabled actions: too many for the parallel search (use --workers 1)`);
}

/** The least index `i` with `keys[i] >= key` (the rank of `key` when it is present). */
function rankIn(keys: Float64Array, key: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
  /** The sorted links of the level being expanded (all workers'): an entry's rank is its link's index. */
  private ranks: Float64Array = new Float64Array(0);
  /** Position in `current`. */
  private pos = 0;
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
    this.set = new SharedFingerprintSet(o.ctrl, o.table, o.workers);
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

  /** `words` after {@link discover}, when it holds the state's own encoding (no symmetry, `encode`). */
  private ownWords(): WordBuffer | undefined {
    return this.sym === undefined && machine.encode !== undefined ? this.words : undefined;
  }

  useTable(table: SharedArrayBuffer): void {
    const old = this.set.words();
    this.set.use(table);
    // The slots of the entries waiting to be settled moved with the growth.
    const slots = this.next.slots;
    for (let i = 0; i < slots.length; i++) slots[i] = this.set.relocate(old, slots[i]!);
  }

  private flagError(): void {
    this.error = true;
    Atomics.compareExchange(this.ctrl, CTRL.stop, STOP.none, STOP.violation);
  }

  /** Record a check violation met at (parent rank, action index, sub-order); keep the least. */
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
      if (!this.local.add(this.words)) return;
      this.next.links.push(rank * LINK_BASE + ai);
      this.next.states.push(t, this.ownWords());
      return;
    }
    this.words.fingerprint(this.fp);
    const n = this.set.add(this.fp[0]!, this.fp[1]!, this.replicatedLevel ? SETTLED : 0);
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
    this.next.links.push(rank * LINK_BASE + ai);
    if (!this.replicatedLevel) this.next.slots.push(this.set.slot);
    this.next.states.push(t, this.ownWords());
    for (const inv of this.invariants) {
      if (inv.check(t) !== true) {
        if (this.replicatedLevel) this.noteEvent({ rank, ai, sub: 1, kind: 'invariant', name: inv.name });
        else this.brokenNext.push({ entry, name: inv.name });
        return;
      }
    }
    if (this.pendingWitnesses > 0) {
      for (const w of this.witnesses) {
        if (w.depth < 0 && w.check(t)) {
          w.depth = depth;
          this.pendingWitnesses--;
        }
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
      ...(this.event ? { event: this.event } : {}),
      canExpand: false,
    };
  }

  init(): LevelReport {
    this.newStates = 0;
    try {
      const inits = machine.init();
      checkLinkable(inits.length);
      for (let i = 0; i < inits.length; i++) this.discover(inits[i], 0, 0, i);
    } catch {
      this.flagError();
    }
    return this.report('done');
  }

  /**
   * End a level: keep the entries of `next` that won their state (in a partitioned level), mark
   * their slots settled, turn winners' invariant breaks into events, and hand back the winners'
   * links, sorted (a replica hands back none: worker 0's are the level's).
   */
  settle(): SettledReport {
    const next = this.next;
    const replica = this.local !== undefined;
    // A replicated level's entries are canonical as they stand (worker 0 met them in order).
    if (!this.replicatedLevel && !replica) {
      const broken = new Map(this.brokenNext.map((b) => [b.entry, b.name]));
      for (let i = 0; i < next.links.length; i++) {
        const link = next.links[i]!;
        const offer = Math.floor(link / LINK_BASE) + 1;
        const slot = next.slots[i]!;
        if (this.set.claimOf(slot) !== offer) {
          next.links[i] = -1;
          continue;
        }
        this.set.settle(slot);
        const bad = broken.get(i);
        if (bad !== undefined) this.noteEvent({ rank: offer - 1, ai: link % LINK_BASE, sub: 1, kind: 'invariant', name: bad });
      }
      next.slots = [];
    }
    this.brokenNext = [];
    const links = replica ? new Float64Array(0) : Float64Array.from(next.links.filter((l) => l >= 0)).sort();
    const event = this.event;
    this.event = undefined;
    this.advance();
    return { type: 'settled', links, nextSize: links.length, ...(event ? { event } : {}), witnessDepths: this.witnesses.map((w) => w.depth) };
  }

  /** Whether any frontier state has an enabled action (for the depth bound). */
  probe(): LevelReport {
    let canExpand = false;
    try {
      const links = this.current.links;
      for (let i = 0; i < links.length; i++) {
        if (links[i]! < 0) {
          this.current.states.skip();
          continue;
        }
        const s = this.current.states.take();
        if (s !== undefined && machine.actions(s).length > 0) {
          canExpand = true;
          break;
        }
      }
    } catch {
      this.flagError();
    }
    return { ...this.report('done'), canExpand };
  }

  /**
   * Expand the frontier of `depth` from where it stopped; returns when done, paused or stopped.
   * `ranks`: every worker's links of this level, sorted (an entry's rank is its link's index).
   */
  level(depth: number, fresh: boolean, partition = false, ranks?: SharedArrayBuffer, replicated = false): LevelReport {
    if (fresh) {
      this.depth = depth;
      this.pos = 0;
      this.newStates = 0;
      this.ranks = new Float64Array(ranks!);
      this.replicatedLevel = replicated && this.o.index === 0;
    }
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
    const deadlock = this.o.deadlock;
    const live = this.live;
    const links = this.current.links;
    const states = this.current.states;
    try {
      const { index, workers } = this.o;
      for (;;) {
        if (Atomics.load(ctrl, CTRL.stop) !== STOP.none) return this.report('stopped');
        if (Atomics.load(ctrl, CTRL.pause) !== 0) return this.report('paused');
        if (this.pos >= links.length) break;
        const link = links[this.pos++]!;
        if (link < 0) {
          states.skip();
          continue;
        }
        const rank = rankIn(this.ranks, link);
        if ((this.partitioning && rank % workers !== index) || rank > Atomics.load(ctrl, CTRL.bound)) {
          states.skip();
          continue;
        }
        const s = states.take();
        this.expanded++;
        const acts = machine.actions(s);
        checkLinkable(acts.length);
        if (acts.length === 0 && deadlock && !(machine.isTerminal?.(s) ?? false)) {
          if (this.local === undefined) this.noteEvent({ rank, ai: -1, sub: 0, kind: 'deadlock', name: 'deadlock' });
          continue;
        }
        for (let ai = 0; ai < acts.length; ai++) {
          const a = acts[ai];
          const t = machine.step(s, a);
          this.transitions++;
          let broke = false;
          if (this.local === undefined) {
            for (const p of props) {
              if (p.check(s, a, t) !== true) {
                this.noteEvent({ rank, ai, sub: 0, kind: 'property', name: p.name });
                broke = true;
                break;
              }
            }
          }
          if (broke) break;
          this.discover(t, this.depth + 1, rank, ai);
        }
        if ((this.expanded & 63) === 0) {
          live[0] = this.transitions;
          live[1] = this.local ? 0 : this.next.states.length;
        }
      }
    } catch {
      this.flagError();
      return this.report('stopped');
    }
    const r = this.report('done');
    live[1] = this.local ? 0 : this.next.states.length;
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
      post(m.expand ? bfs!.level(m.depth, true, m.partition ?? false, m.ranks, m.replicated) : bfs!.probe());
      return;
    case 'settle': {
      const r = bfs!.settle();
      port.postMessage(r, [r.links.buffer as ArrayBuffer]);
      return;
    }
    case 'resume':
      bfs!.useTable(m.table);
      post(m.continueLevel ? bfs!.level(0, false) : { type: 'ready' });
      return;
    case 'random':
      randomBlock(m.job).then(post, (e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
      return;
  }
});
post({ type: 'loaded' });
