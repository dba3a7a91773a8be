/**
 * A worker thread of the parallel runners (started through `boot.mjs`). It builds its own copy of
 * the machine from a {@link ModelRef} and then serves one of two jobs:
 *
 * - breadth-first search: it discovers some initial states, then level by level expands the
 *   states *it* discovered (states never cross threads), deduplicating through the shared
 *   fingerprint table; between states it obeys the shared `pause` and `stop` words;
 * - random blocks: it runs {@link checkRandom} on a block of runs with the block's own seed and
 *   reports the summary (the coordinator replays a failing block to rebuild its trace).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AnyMachine } from '../../impl/core/machine.ts';
import { WordBuffer } from '../../impl/core/encode.ts';
import { selectChecks } from '../../impl/core/result.ts';
import { loadMachine, type ModelRef } from './model-ref.ts';
import { CTRL, STOP, SharedFingerprintSet } from './shared-set.ts';
import type { BfsWorkerOptions, CoordinatorMessage, LevelReport, RandomBlockJob, RandomBlockReport, WorkerMessage } from './protocol.ts';

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
  private current: unknown[] = [];
  private next: unknown[] = [];
  private pos = 0;
  private depth = 0;
  private newStates = 0;
  private transitions = 0;
  private violation = false;
  /** Per worker live counters for progress: [transitions, frontier left + next]. */
  private readonly live: Float64Array;

  constructor(private readonly o: BfsWorkerOptions) {
    this.ctrl = o.ctrl;
    this.set = new SharedFingerprintSet(o.ctrl, o.table);
    this.live = new Float64Array(o.live, o.index * 2 * 8, 2);
    const sel = selectChecks(machine, o.checks);
    this.invariants = sel.invariants;
    this.properties = sel.properties;
    this.witnesses = (machine.sometimes ?? []).map((w) => ({ check: (s: unknown) => w.check(s), depth: -1 }));
    this.pendingWitnesses = this.witnesses.length;
    this.sym = o.symmetry && machine.symmetry ? machine.symmetry.bind(machine) : undefined;
    const m = machine;
    const words = this.words;
    const sym = this.sym;
    this.encodeInto = m.encode
      ? (s) => {
          words.reset();
          m.encode!(sym ? sym(s) : s, words);
        }
      : (s) => {
          words.reset();
          words.value(sym ? sym(s) : s);
        };
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
    return {
      type: kind,
      newStates: this.newStates,
      transitions: this.transitions,
      nextSize: this.next.length,
      witnessDepths: this.witnesses.map((w) => w.depth),
      violation: this.violation,
      canExpand: false,
    };
  }

  init(indices: readonly number[]): LevelReport {
    this.newStates = 0;
    try {
      const inits = machine.init();
      for (const i of indices) {
        const s = inits[i]!;
        if (this.discover(s, 0)) this.next.push(s);
        if (this.violation) break;
      }
    } catch {
      this.flagViolation();
    }
    const r = this.report('done');
    this.current = this.next;
    this.next = [];
    this.pos = 0;
    return r;
  }

  /** Whether any frontier state has an enabled action (for the depth bound). */
  probe(): LevelReport {
    let canExpand = false;
    try {
      canExpand = this.current.some((s) => machine.actions(s).length > 0);
    } catch {
      this.flagViolation();
    }
    return { ...this.report('done'), canExpand };
  }

  /** Expand the frontier of `depth` from where it stopped; returns when done, paused or stopped. */
  level(depth: number, fresh: boolean): LevelReport {
    if (fresh) {
      this.depth = depth;
      this.pos = 0;
      this.newStates = 0;
    }
    const ctrl = this.ctrl;
    const current = this.current;
    const props = this.properties;
    const deadlock = this.o.deadlock;
    const live = this.live;
    try {
      while (this.pos < current.length) {
        if (Atomics.load(ctrl, CTRL.stop) !== STOP.none) return this.report('stopped');
        if (Atomics.load(ctrl, CTRL.pause) !== 0) return this.report('paused');
        const s = current[this.pos++];
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
          if (this.discover(t, this.depth + 1)) this.next.push(t);
          else if (this.violation) return this.report('stopped');
        }
        if ((this.pos & 63) === 0) {
          live[0] = this.transitions;
          live[1] = current.length - this.pos + this.next.length;
        }
      }
    } catch {
      this.flagViolation();
      return this.report('stopped');
    }
    const r = this.report('done');
    this.current = this.next;
    this.next = [];
    this.pos = 0;
    live[1] = this.current.length;
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
      post(bfs!.init(m.indices));
      return;
    case 'level':
      post(m.expand ? bfs!.level(m.depth, true) : bfs!.probe());
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
