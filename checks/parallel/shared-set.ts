/**
 * The visited set shared by the worker threads of a parallel search: 64-bit fingerprints in one
 * `SharedArrayBuffer`, open addressing with linear probing, inserted with `Atomics`
 * compare-and-swap so that exactly one thread wins each new fingerprint.
 *
 * A slot is two uint32 words, `hi` then `lo`, zero meaning empty. A thread claims a slot by
 * CAS-ing `hi` from 0, then publishes `lo`; a reader that finds a matching `hi` waits until `lo`
 * is published (a few instructions). So that neither word is ever 0 once written, a zero half is
 * stored as 1: this merges fingerprints that differ only there, a change to the collision
 * probability far below the 2⁻⁶⁴ per pair it already has.
 *
 * Counting is batched: a thread adds its new fingerprints to the shared count every `batch`
 * insertions (and when it reports), not one by one, so that the count's cache line does not
 * bounce between cores on every new state. Near the states bound the batch drops to one, so the
 * bound is still enforced at the insertion that crosses it (see {@link SharedFingerprintSet.add}).
 *
 * Growth is stop-the-world: a thread whose insertion takes the load past {@link MAX_LOAD} raises
 * the `pause` flag; every worker stops at its next state boundary and reports; the coordinator
 * rehashes into a table twice as large and hands it to every worker before they resume. The
 * table never fills while workers run: between the flag and the stop, each worker adds at most
 * one state's successors, and the unflushed counts of all workers are at most a sixteenth of the
 * free slots.
 */

/**
 * Indices into the control words (an `Int32Array` over its own `SharedArrayBuffer`). The count,
 * written on every new state, has a cache line of its own: the flags every worker reads before
 * each state then stay in every core's cache.
 */
export const CTRL = {
  /** Distinct fingerprints in the table. */
  count: 0,
  /** 1 when a worker asks for the table to grow. */
  pause: 32,
  /** Non-zero when the search must stop: see {@link STOP}. */
  stop: 33,
  /** Slots in the current table (a power of two). */
  slots: 34,
  /** Words in the control buffer. */
  size: 64,
} as const;

/** Why a search stops (the value of the `stop` control word). */
export const STOP = { none: 0, violation: 1, states: 2, time: 3, interrupted: 4 } as const;

/** Largest load before growing. */
export const MAX_LOAD = 0.75;

/** A view of the shared table, held by each worker and by the coordinator. */
export class SharedFingerprintSet {
  private table!: Uint32Array;
  private mask = 0;
  private limit = 0;
  /** New fingerprints this thread has not yet added to the shared count. */
  private pending = 0;
  /** Flush the count after this many insertions. */
  private batch = 1;
  /** Count every insertion at once when the shared count is within reach of this (the states bound). */
  private exactAbove = Infinity;

  /** `workers`: how many threads insert (sizes the batch so the table cannot overfill). */
  constructor(
    readonly ctrl: Int32Array,
    tableBuffer: SharedArrayBuffer,
    private readonly workers = 1,
  ) {
    this.use(tableBuffer);
  }

  /**
   * Enforce a states bound: once the shared count may be within `workers × batch` of `bound`,
   * every insertion is counted at once, so {@link add} returns the exact count from there on.
   */
  countExactlyAbove(bound: number): void {
    this.exactAbove = bound;
  }

  /** A fresh control buffer and table of at least `slots` slots. */
  static create(slots = 1 << 16): { ctrl: Int32Array; table: SharedArrayBuffer } {
    let n = 1 << 10;
    while (n < slots) n *= 2;
    const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.size * 4));
    ctrl[CTRL.slots] = n;
    return { ctrl, table: new SharedArrayBuffer(n * 8) };
  }

  /** Switch to a new (grown) table. */
  use(tableBuffer: SharedArrayBuffer): void {
    this.table = new Uint32Array(tableBuffer);
    this.mask = this.table.length / 2 - 1;
    this.limit = Math.floor((this.mask + 1) * MAX_LOAD);
    this.batch = Math.max(1, Math.min(256, Math.floor((this.mask + 1 - this.limit) / (16 * this.workers))));
  }

  /** Add this thread's uncounted insertions to the shared count; returns the count after it. */
  flush(): number {
    const p = this.pending;
    if (p === 0) return Atomics.load(this.ctrl, CTRL.count);
    this.pending = 0;
    const n = Atomics.add(this.ctrl, CTRL.count, p) + p;
    if (n > this.limit) Atomics.store(this.ctrl, CTRL.pause, 1);
    return n;
  }

  /** Distinct fingerprints counted so far (all threads; exact once every thread has flushed). */
  get size(): number {
    return Atomics.load(this.ctrl, CTRL.count);
  }

  /** Bytes of the table. */
  bytes(): number {
    return this.table.byteLength;
  }

  /**
   * Add fingerprint (hi, lo). Returns 0 if it was there; else a lower bound of the number of
   * distinct fingerprints after this insertion, which is exact whenever the count may be near the
   * bound given to {@link countExactlyAbove} (so a caller enforces a states bound at the
   * insertion that crosses it).
   */
  add(hi: number, lo: number): number {
    const h = hi === 0 ? 1 : hi >>> 0;
    const l = lo === 0 ? 1 : lo >>> 0;
    const t = this.table;
    const mask = this.mask;
    let i = (l ^ Math.imul(h, 0x9e3779b1)) & mask;
    for (let probes = 0; ; probes++) {
      // A plain read may be stale only towards 0 (a slot once claimed never changes): the CAS
      // below settles it.
      let a = t[2 * i]!;
      if (a === 0) {
        a = Atomics.compareExchange(t, 2 * i, 0, h);
        if (a === 0) {
          Atomics.store(t, 2 * i + 1, l);
          const p = ++this.pending;
          const g = Atomics.load(this.ctrl, CTRL.count);
          if (p >= this.batch || g + this.workers * this.batch >= this.exactAbove) return this.flush();
          return g + p;
        }
      }
      if (a === h) {
        let b = t[2 * i + 1]!;
        while (b === 0) b = Atomics.load(t, 2 * i + 1);
        if (b === l) return 0;
      }
      if (probes > mask) throw new Error('shared visited table is full (growth did not keep up)');
      i = (i + 1) & mask;
    }
  }

  /**
   * A table twice as large holding the same fingerprints. Only the coordinator calls this, while
   * every worker is stopped.
   */
  grown(): SharedArrayBuffer {
    const old = this.table;
    const slots = (this.mask + 1) * 2;
    const buf = new SharedArrayBuffer(slots * 8);
    const t = new Uint32Array(buf);
    const mask = slots - 1;
    for (let j = 0; j < old.length; j += 2) {
      const h = old[j]!;
      if (h === 0) continue;
      const l = old[j + 1]!;
      let i = (l ^ Math.imul(h, 0x9e3779b1)) & mask;
      while (t[2 * i] !== 0) i = (i + 1) & mask;
      t[2 * i] = h;
      t[2 * i + 1] = l;
    }
    this.ctrl[CTRL.slots] = slots;
    Atomics.store(this.ctrl, CTRL.pause, 0);
    this.use(buf);
    return buf;
  }
}
