/**
 * The visited set shared by the worker threads of a parallel search: 64-bit fingerprints in one
 * `SharedArrayBuffer`, open addressing with linear probing, inserted with `Atomics`
 * compare-and-swap so that exactly one thread wins each new fingerprint.
 *
 * A slot is three uint32 words, `hi`, `lo` and `claim`, zero meaning empty. The claim word
 * decides, for a state first reached in the level being expanded, which of its discoveries is
 * the canonical one (the one a single-threaded search meets first): every discovery offers the
 * rank of its parent plus one, the least offer stays ({@link SharedFingerprintSet.claim}, an
 * atomic minimum), and once the level is over the winner marks the slot {@link SETTLED}, so
 * later levels leave it alone. (Among discoveries from the same parent, the one owner of the
 * parent tries the actions in order, so the first offer from a parent is its least action.)
 * The fingerprint: a thread claims a slot by CAS-ing `hi` from 0, then publishes `lo`; A thread claims a slot by
 * CAS-ing `hi` from 0, then publishes `lo`; a reader that finds a matching `hi` waits until
 * `lo` is published (a few instructions). So that neither word is ever 0 once written, a zero half is
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
 * rehashes into a table four times as large (twice, past 2²⁴ slots: the rehash runs in one thread
 * while the workers wait, so it should happen rarely) and hands it to every worker before they resume. The
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
  /**
   * The least parent rank at which a violation was met in the level being expanded (2³¹ − 1:
   * none): parents of a higher rank need not be expanded, their events all come later.
   */
  bound: 35,
  /** Words in the control buffer. */
  size: 64,
} as const;

/** Why a search stops (the value of the `stop` control word). */
export const STOP = { none: 0, violation: 1, states: 2, time: 3, interrupted: 4 } as const;

/** The claim word of a slot settled in an earlier level (or by a single-threaded level). */
export const SETTLED = 0xffffffff;

/** Words per slot: `hi`, `lo`, `claim`. */
const W = 3;

/** Tables smaller than this grow four times over, larger ones twice. */
export const QUADRUPLE_BELOW = 1 << 24;

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
  /** The slot of the last {@link add} (found or inserted): what {@link claim} and {@link settle} take. */
  slot = 0;

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
  static create(slots = 1 << 18): { ctrl: Int32Array; table: SharedArrayBuffer } {
    let n = 1 << 10;
    while (n < slots) n *= 2;
    const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.size * 4));
    ctrl[CTRL.slots] = n;
    return { ctrl, table: new SharedArrayBuffer(n * W * 4) };
  }

  /** Switch to a new (grown) table. */
  use(tableBuffer: SharedArrayBuffer): void {
    this.table = new Uint32Array(tableBuffer);
    this.mask = this.table.length / W - 1;
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
   * insertion that crosses it). A new slot's claim word starts at `claim` (0: open to offers;
   * {@link SETTLED}: a state a single thread discovered in order). Either way {@link slot} is
   * the fingerprint's slot afterwards.
   */
  add(hi: number, lo: number, claim = 0): number {
    const h = hi === 0 ? 1 : hi >>> 0;
    const l = lo === 0 ? 1 : lo >>> 0;
    const t = this.table;
    const mask = this.mask;
    let i = (l ^ Math.imul(h, 0x9e3779b1)) & mask;
    for (let probes = 0; ; probes++) {
      // A plain read may be stale only towards 0 (a slot once claimed never changes): the CAS
      // below settles it.
      const at = W * i;
      let a = t[at]!;
      if (a === 0) {
        a = Atomics.compareExchange(t, at, 0, h);
        if (a === 0) {
          if (claim !== 0) Atomics.store(t, at + 2, claim);
          Atomics.store(t, at + 1, l);
          this.slot = i;
          const p = ++this.pending;
          const g = Atomics.load(this.ctrl, CTRL.count);
          if (p >= this.batch || g + this.workers * this.batch >= this.exactAbove) return this.flush();
          return g + p;
        }
      }
      if (a === h) {
        let b = t[at + 1]!;
        while (b === 0) b = Atomics.load(t, at + 1);
        if (b === l) {
          this.slot = i;
          return 0;
        }
      }
      if (probes > mask) throw new Error('shared visited table is full (growth did not keep up)');
      i = (i + 1) & mask;
    }
  }

  /**
   * Offer `offer` (a parent's rank + 1, at least 1) as the canonical discovery of the state in
   * {@link slot}: true when it is now the least offer (this discovery wins, for now), false when
   * an equal or smaller offer was there, or the slot is {@link SETTLED} (an earlier level's).
   */
  claim(slot: number, offer: number): boolean {
    const t = this.table;
    const at = W * slot + 2;
    let cur = Atomics.load(t, at);
    for (;;) {
      // 0: nobody offered yet; SETTLED (the largest uint32) never loses to an offer by this test,
      // so it is excluded first.
      if (cur === SETTLED || (cur !== 0 && cur <= offer)) return false;
      const prev = Atomics.compareExchange(t, at, cur, offer);
      if (prev === cur) return true;
      cur = prev;
    }
  }

  /** The least offer for `slot` so far ({@link SETTLED} for an earlier level's state). */
  claimOf(slot: number): number {
    return Atomics.load(this.table, W * slot + 2);
  }

  /**
   * After growth ({@link use} of a larger table): the slot, in the current table, of the
   * fingerprint that was at `slot` of `old` (the table this view used before).
   */
  relocate(old: Uint32Array, slot: number): number {
    const h = old[W * slot]!;
    const l = old[W * slot + 1]!;
    const t = this.table;
    const mask = this.mask;
    let i = (l ^ Math.imul(h, 0x9e3779b1)) & mask;
    while (t[W * i] !== h || t[W * i + 1] !== l) {
      if (t[W * i] === 0) throw new Error('shared visited table: a fingerprint was lost in growth');
      i = (i + 1) & mask;
    }
    return i;
  }

  /** The current table's words (to {@link relocate} slots after growth). */
  words(): Uint32Array {
    return this.table;
  }

  /** Mark `slot` as an earlier level's state: no later offer wins it. */
  settle(slot: number): void {
    Atomics.store(this.table, W * slot + 2, SETTLED);
  }

  /**
   * A table four times as large (twice past {@link QUADRUPLE_BELOW} slots) holding the same fingerprints. Only the coordinator calls this, while
   * every worker is stopped.
   */
  grown(): SharedArrayBuffer {
    const old = this.table;
    const slots = (this.mask + 1) * (this.mask + 1 < QUADRUPLE_BELOW ? 4 : 2);
    const buf = new SharedArrayBuffer(slots * W * 4);
    const t = new Uint32Array(buf);
    const mask = slots - 1;
    for (let j = 0; j < old.length; j += W) {
      const h = old[j]!;
      if (h === 0) continue;
      const l = old[j + 1]!;
      let i = (l ^ Math.imul(h, 0x9e3779b1)) & mask;
      while (t[W * i] !== 0) i = (i + 1) & mask;
      t[W * i] = h;
      t[W * i + 1] = l;
      t[W * i + 2] = old[j + 2]!;
    }
    this.ctrl[CTRL.slots] = slots;
    Atomics.store(this.ctrl, CTRL.pause, 0);
    this.use(buf);
    return buf;
  }
}
