/**
 * A worker thread of the parallel runners (started through `boot.mjs`). It builds its own copy of
 * the machine from a {@link ModelRef} and then serves one of two jobs:
 *
 * - breadth-first search: every worker starts *replicated*: it expands the whole frontier, in
 *   the same deterministic order as every other worker, worker 0 deduplicating through the
 *   shared fingerprint table and counting, the others through a private set and counting
 *   nothing. When the frontier is large enough the coordinator partitions it (worker w keeps the
 *   states at positions ≡ w mod n); from then on each worker expands the states *it* discovered
 *   (states never cross threads), deduplicating through the shared table. Between states it
 *   obeys the shared `pause` and `stop` words;
 * - random blocks: it runs {@link checkRandom} on a block of runs with the block's own seed and
 *   reports the summary (the coordinator replays a failing block to rebuild its trace).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AnyMachine } from '../../impl/core/machine.ts';
import { WordBuffer } from '../../impl/core/encode.ts';
import { selectChecks } from '../../impl/core/result.ts';
import { loadMachine, type ModelRef } from './model-ref.ts';
import { CTRL, STOP, SharedFingerprintSet } from './shared-set.ts';
import { FingerprintSet } from '../visited.ts';
import { EncodedQueue } from '../spill.ts';
import { canonicalKey } from '../../impl/core/encode.ts';
import type { BfsWorkerOptions, CoordinatorMessage, LevelReport, RandomBlockJob, RandomBlockReport, WorkerMessage } from './protocol.ts';
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
  spilled(): number {
    return this.q.diskBytes();
  }
  dispose(): void {
    this.q.dispose();
  }
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
  private current: Frontier;
  private next: Frontier;
  /** Position in `current` (states taken, including those another worker owns at a partition). */
  private pos = 0;
  /** Keep only positions ≡ index mod workers of `current` (the level that partitions). */
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
  private violation = false;
  /** Per worker live counters for progress: [transitions, frontier left + next]. */
  private readonly live: Float64Array;

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
    this.current = this.newFrontier();
    this.next = this.newFrontier();
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

  private newFrontier(): Frontier {
    const o = this.o;
    return o.encodedFrontier ? new EncodedFrontier(machine, o.frontierMemoryBytes, o.spillDir, o.frontierChunkWords) : new ObjectFrontier();
  }

  /** The level just expanded becomes the one to expand. */
  private advance(): void {
    this.spilledBytes += this.current.spilled();
    this.current.dispose();
    this.current = this.next;
    this.next = this.newFrontier();
    this.pos = 0;
    this.partitioning = false;
  }

  /** `words` after {@link discover}, when it holds the state's own encoding (no symmetry, `encode`). */
  private ownWords(): WordBuffer | undefined {
    return this.sym === undefined && machine.encode !== undefined ? this.words : undefined;
  }

  useTable(table: SharedArrayBuffer): void {
    this.set.use(table);
  }

  private flagViolation(): void {
    this.violation = true;
    Atomics.compareExchange(this.ctrl, CTRL.stop, STOP.none, STOP.violation);
  }

  /** Insert, bound-check and check a reached state; true when it is new and must be expanded. */
  private discover(t: unknown, depth: number): boolean {
    this.encodeInto(t);
    if (this.local) return this.local.add(this.words);
    this.words.fingerprint(this.fp);
    const n = this.set.add(this.fp[0]!, this.fp[1]!);
    if (n === 0) return false;
    if (n > this.o.maxStates) {
      Atomics.compareExchange(this.ctrl, CTRL.stop, STOP.none, STOP.states);
      return false;
    }
    this.newStates++;
    for (const inv of this.invariants) {
      if (inv.check(t) !== true) {
        this.flagViolation();
        return false;
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
          this.flagViolation();
          return false;
        }
      }
    }
    return true;
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
      spilledBytes: this.spilledBytes + this.current.spilled() + this.next.spilled(),
      nextSize: replica ? 0 : this.next.length,
      witnessDepths: this.witnesses.map((w) => w.depth),
      violation: this.violation,
      canExpand: false,
    };
  }

  init(): LevelReport {
    this.newStates = 0;
    try {
      for (const s of machine.init()) {
        if (this.discover(s, 0)) this.next.push(s, this.ownWords());
        if (this.violation) break;
      }
    } catch {
      this.flagViolation();
    }
    const r = this.report('done');
    this.advance();
    return r;
  }

  /** Whether any frontier state has an enabled action (for the depth bound). */
  probe(): LevelReport {
    let canExpand = false;
    try {
      for (let s = this.current.take(); s !== undefined; s = this.current.take()) {
        if (machine.actions(s).length > 0) {
          canExpand = true;
          break;
        }
      }
    } catch {
      this.flagViolation();
    }
    return { ...this.report('done'), canExpand };
  }

  /** Expand the frontier of `depth` from where it stopped; returns when done, paused or stopped. */
  level(depth: number, fresh: boolean, partition = false): LevelReport {
    if (fresh) {
      this.depth = depth;
      this.pos = 0;
      this.newStates = 0;
    }
    if (partition) {
      this.partitioning = true;
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
    try {
      const { index, workers } = this.o;
      for (;;) {
        if (Atomics.load(ctrl, CTRL.stop) !== STOP.none) return this.report('stopped');
        if (Atomics.load(ctrl, CTRL.pause) !== 0) return this.report('paused');
        const s = this.current.take();
        if (s === undefined) break;
        if (this.partitioning && this.pos++ % workers !== index) continue;
        this.expanded++;
        const acts = machine.actions(s);
        if (acts.length === 0 && deadlock && !(machine.isTerminal?.(s) ?? false)) {
          this.flagViolation();
          return this.report('stopped');
        }
        for (let ai = 0; ai < acts.length; ai++) {
          const a = acts[ai];
          const t = machine.step(s, a);
          this.transitions++;
          for (const p of props) {
            if (p.check(s, a, t) !== true) {
              this.flagViolation();
              return this.report('stopped');
            }
          }
          if (this.discover(t, this.depth + 1)) this.next.push(t, this.ownWords());
          else if (this.violation) return this.report('stopped');
        }
        if ((this.expanded & 63) === 0) {
          live[0] = this.transitions;
          live[1] = this.local ? 0 : this.next.length;
        }
      }
    } catch {
      this.flagViolation();
      return this.report('stopped');
    }
    const r = this.report('done');
    this.advance();
    live[1] = this.local ? 0 : this.current.length;
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
      post(m.expand ? bfs!.level(m.depth, true, m.partition ?? false) : bfs!.probe());
      return;
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
