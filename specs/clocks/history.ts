/**
 * The ghost record of a clock run, and the true happens-before relation computed from it.
 *
 * Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System" (1978), section 2:
 * `→` is the smallest relation such that (1) a comes before b in the same process, (2) a is the
 * sending of a message and b its receipt, (3) it is transitive. Two distinct events are
 * concurrent (`a ∥ b`) when neither happens before the other.
 *
 * The record keeps, per process, its events in order: what kind (local, send, receive), the
 * physical clock when it happened, and the timestamp the clock under test gave it. A receive
 * names the send it receives (sender and index), so the relation is built from process order and
 * send→receive edges alone, closed transitively here. It never looks at a timestamp: the
 * properties compare the timestamps with this relation, never the other way round.
 */
import type { NodeId } from '../../impl/env/types.ts';
import { eventName, type ClockEvent, type ClockHistory } from '../../impl/clocks/history.ts';

export { appendEvent, emptyHistory, eventName, type ClockEvent, type ClockHistory } from '../../impl/clocks/history.ts';

/**
 * The happens-before relation of a record. Events get ids process by process, in order (process
 * 1's first, then process 2's, ...); per event it keeps the set of events that happen before it,
 * as a bitset.
 *
 * An instance can be recomputed for another record ({@link Causality.compute}), reusing its
 * buffers: the checker evaluates invariants on hundreds of thousands of states, and the shared
 * instance behind {@link causality} saves allocating these per state.
 */
export class Causality<T> {
  /** The record. */
  history: ClockHistory<T> = { procs: [] };
  /** Number of events. */
  size = 0;
  /** `proc[id]`: the event's process (entries past `size` are stale). */
  proc = new Int32Array(64);
  /** `index[id]`: the event's index in its process's history. */
  index = new Int32Array(64);
  /** `first[p - 1]`: the id of process p's first event (a process's events are contiguous). */
  first: number[] = [];
  private events: ClockEvent<T>[] = [];
  private words = 1;
  /** Ancestor bitsets, `words` 32-bit words per event. */
  private past = new Uint32Array(64);
  private done = new Uint8Array(64);
  private next: number[] = [];

  constructor(h?: ClockHistory<T>) {
    if (h !== undefined) this.compute(h);
  }

  /** Recompute for record `h`. */
  compute(h: ClockHistory<T>): this {
    this.history = h;
    const n = h.procs.length;
    const first = this.first;
    first.length = 0;
    let size = 0;
    for (const evs of h.procs) {
      first.push(size);
      size += evs.length;
    }
    this.size = size;
    if (this.proc.length < size) {
      const cap = Math.max(size, this.proc.length * 2);
      this.proc = new Int32Array(cap);
      this.index = new Int32Array(cap);
      this.done = new Uint8Array(cap);
    }
    const { proc, index, events, done } = this;
    events.length = size;
    for (let p = 0; p < n; p++) {
      const evs = h.procs[p]!;
      for (let i = 0; i < evs.length; i++) {
        const id = first[p]! + i;
        proc[id] = p + 1;
        index[id] = i;
        events[id] = evs[i]!;
      }
    }
    const words = Math.max(1, Math.ceil(size / 32));
    this.words = words;
    if (this.past.length < words * size) this.past = new Uint32Array(Math.max(words * size, this.past.length * 2));
    this.past.fill(0, 0, words * size);
    done.fill(0, 0, size);
    // A topological order: advance any process whose next event has all its direct
    // predecessors done (its previous event, done by construction, and, for a receive, its send).
    const next = this.next;
    next.length = n;
    next.fill(0);
    let remaining = size;
    while (remaining > 0) {
      let progressed = false;
      for (let p = 0; p < n; p++) {
        const evs = h.procs[p]!;
        while (next[p]! < evs.length) {
          const i = next[p]!;
          const e = evs[i]!;
          const id = first[p]! + i;
          let sendId = -1;
          if (e.kind === 'recv') {
            const sender = h.procs[e.from - 1];
            if (sender === undefined || e.send >= sender.length || sender[e.send]!.kind !== 'send') {
              throw new Error(`${eventName(p + 1, i)} receives ${eventName(e.from, e.send)}, which is not a send`);
            }
            sendId = first[e.from - 1]! + e.send;
            if (done[sendId] === 0) break;
          }
          if (i > 0) this.inherit(id, id - 1);
          if (sendId >= 0) this.inherit(id, sendId);
          done[id] = 1;
          next[p] = i + 1;
          remaining--;
          progressed = true;
        }
      }
      if (!progressed) throw new Error('the history has a cycle: a receive waits for a send that waits for it');
    }
    return this;
  }

  /** past(id) |= past(of) ∪ {of}. */
  private inherit(id: number, of: number): void {
    const w = this.words;
    const past = this.past;
    const row = id * w;
    const src = of * w;
    for (let k = 0; k < w; k++) past[row + k]! |= past[src + k]!;
    past[row + (of >>> 5)]! |= 1 << (of & 31);
  }

  /** The event with id `id`. */
  event(id: number): ClockEvent<T> {
    return this.events[id]!;
  }

  /** `n2.3`. */
  name(id: number): string {
    return eventName(this.proc[id]!, this.index[id]!);
  }

  /** True when event `a` happens before event `b` (ids). */
  before(a: number, b: number): boolean {
    return ((this.past[b * this.words + (a >>> 5)]! >>> (a & 31)) & 1) === 1;
  }

  /** True when `a` and `b` are distinct and neither happens before the other. */
  concurrent(a: number, b: number): boolean {
    return a !== b && !this.before(a, b) && !this.before(b, a);
  }

  /** The id of event `index` of process `p`. */
  id(p: NodeId, index: number): number {
    return this.first[p - 1]! + index;
  }

  /**
   * Why `a → b`, for messages: empty when it is a direct edge (process order, or `b` receives
   * `a`), else " (through a chain of messages)".
   */
  explain(a: number, b: number): string {
    if (this.proc[a] === this.proc[b]) return '';
    const e = this.event(b);
    if (e.kind === 'recv' && this.id(e.from, e.send) === a) return '';
    return ' (through a chain of messages)';
  }
}

const shared = new Causality<unknown>();
let sharedFor: ClockHistory<unknown> | undefined;

/**
 * The happens-before relation of a record, in a shared instance: valid until the next call for
 * another record (several invariants checking the same state share one computation). Use
 * `new Causality(h)` for one to keep.
 */
export function causality<T>(h: ClockHistory<T>): Causality<T> {
  if (sharedFor !== h) {
    sharedFor = undefined;
    shared.compute(h);
    sharedFor = h;
  }
  return shared as Causality<T>;
}

/**
 * The naive reference: happens-before by the definition (process order, send→receive, then
 * transitive closure by Floyd–Warshall), as a boolean matrix over the ids of {@link Causality}.
 * Slow; for tests.
 */
export function naiveHappensBefore<T>(h: ClockHistory<T>): boolean[][] {
  const ids: number[][] = [];
  let count = 0;
  for (const evs of h.procs) ids.push(evs.map(() => count++));
  const hb = Array.from({ length: count }, () => new Array<boolean>(count).fill(false));
  h.procs.forEach((evs, p) => {
    evs.forEach((e, i) => {
      const me = ids[p]![i]!;
      if (i > 0) hb[ids[p]![i - 1]!]![me] = true;
      if (e.kind === 'recv') hb[ids[e.from - 1]![e.send]!]![me] = true;
    });
  });
  for (let k = 0; k < count; k++) for (let i = 0; i < count; i++) if (hb[i]![k]) for (let j = 0; j < count; j++) if (hb[k]![j]) hb[i]![j] = true;
  return hb;
}
