/**
 * The visited set shared by the worker threads of a parallel search: 63-bit fingerprints in one
 * `SharedArrayBuffer`, open addressing with linear probing, inserted with `Atomics`
 * compare-and-swap so that exactly one thread wins each new fingerprint.
 *
 * A slot is two uint32 words, `hi` and `lo`, zero meaning empty: 8 bytes per slot. A thread
 * claims a slot by CAS-ing `hi` from 0, then publishes `lo`; a reader that finds a matching `hi`
 * waits until `lo` is published (a few instructions). The top bit of `hi` is not the
 * fingerprint's: it is the *open* flag (below), so fingerprints are 63 bits here (the collision
 * probability the parallel search reports counts 2⁶³). So that neither word is ever 0 once
 * written, a zero half is stored as 1: this merges fingerprints that differ only there, a change
 * to the collision probability far below the 2⁻⁶³ per pair it already has.
 *
 * Reads on the hot path are plain (an `Atomics.load` costs a runtime call, about 30 ns, and most
 * transitions only find an earlier level's state). That is sound because, within a level, each
 * word is written once (from 0) and the flag is cleared only at the level's barrier: a plain read
 * returns 0 (then the CAS, or an atomic re-read, settles it) or the one value written.
 *
 * Claims. For a state first reached in the level being expanded, one of its discoveries is the
 * canonical one (the one a single-threaded search meets first): every discovery offers the rank
 * of its parent plus one, and the least offer stays ({@link SharedFingerprintSet.claim}, an
 * atomic minimum). (Among discoveries from the same parent, the one owner of the parent tries
 * the actions in order, so the first offer from a parent is its least action.) Only the states
 * new in the level take offers, so the offers live in a second, smaller table, the *claim
 * table*: open addressing keyed by slot index (`slot + 1`, then the least offer so far, 0 for
 * none; 8 bytes an entry), sized to the level rather than to the whole visited set. The thread
 * that inserts a fingerprint in a partitioned level sets the open flag in the same CAS that
 * claims `hi`, and adds its claim entry *before* it publishes `lo`. A thread that finds the
 * fingerprint reads the flag with `hi`: clear, the state is an earlier level's ({@link SETTLED},
 * no claim table probe: most transitions end there); set, it re-reads `lo` atomically, which
 * orders the claim entry before it, and offers. At the level's end, once every worker has read
 * its winners, the coordinator clears the flag of every slot in the claim table and empties it
 * ({@link SharedFingerprintSet.clearClaims}): every state of the level is settled at once.
 *
 * Counting is batched: a thread adds its new fingerprints to the shared count every `batch`
 * insertions (and when it reports), not one by one, so that the count's cache line does not
 * bounce between cores on every new state. Near the states bound the batch drops to one, so the
 * bound is still enforced at the insertion that crosses it (see {@link SharedFingerprintSet.add}).
 *
 * Growth is stop-the-world: a thread whose insertion takes the load of either table past
 * {@link MAX_LOAD} (the claim table's load is bounded by the states counted since the level
 * began) raises the `pause` flag; every worker stops at its next state boundary and reports; the
 * coordinator rehashes into a table four times as large (twice, past 2²⁴ slots: the rehash runs
 * in one thread while the workers wait, so it should happen rarely), re-keys the claim table
 * (growing it twice over when it is the one that is full) and hands both to every worker before
 * they resume. Neither table fills while workers run: between the flag and the stop, each worker
 * adds at most one state's successors, and the unflushed counts of all workers are at most a
 * sixteenth of the free slots of either table.
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
  /** Entries of the current claim table (a power of two). */
  claimSlots: 36,
  /** The count when the claim table was last emptied: the count above it bounds its entries. */
  levelBase: 37,
  /** Words in the control buffer. */
  size: 64,
} as const;

/** Why a search stops (the value of the `stop` control word). */
export const STOP = { none: 0, violation: 1, states: 2, time: 3, interrupted: 4 } as const;

/** What {@link SharedFingerprintSet.claimOf} returns for a state settled in an earlier level (or by a single-threaded level). */
export const SETTLED = 0xffffffff;

/** Words per slot: `hi`, `lo`. */
const W = 2;

/** Tables smaller than this grow four times over, larger ones twice. */
export const QUADRUPLE_BELOW = 1 << 24;

/** Largest load before growing (either table). */
export const MAX_LOAD = 0.75;

/** Entries of a fresh claim table. */
export const INITIAL_CLAIM_SLOTS = 1 << 10;

/** The open flag in a slot's `hi` word: the state is this level's, open to offers. */
const OPEN = 0x80000000;

/** The fingerprint's bits of a slot's `hi` word (all but {@link OPEN}). */
const HI_BITS = 0x7fffffff;

/** A fingerprint's home slot (`h`: its `hi` without the open flag). */
function home(h: number, l: number, mask: number): number {
  return (l ^ Math.imul(h, 0x9e3779b1)) & mask;
}

/** The claim table's position for the key `k` (a slot index plus one). */
function claimHash(k: number): number {
  let h = Math.imul(k ^ (k >>> 16), 0x45d9f3b);
  h ^= h >>> 16;
  return h;
}

/** Insert `key` (known absent, written by one thread only) into claim table `c`; returns its entry index. */
function putClaimKey(c: Uint32Array, key: number, value: number): number {
  const mask = c.length / 2 - 1;
  let i = claimHash(key) & mask;
  for (let probes = 0; ; probes++) {
    if (c[2 * i] === 0 && Atomics.compareExchange(c, 2 * i, 0, key) === 0) {
      if (value !== 0) Atomics.store(c, 2 * i + 1, value);
      return i;
    }
    if (probes > mask) throw new Error('shared claim table is full (growth did not keep up)');
    i = (i + 1) & mask;
  }
}

/** The tables a search shares: the fingerprints and the claims of the level being expanded. */
export interface SharedTables {
  readonly table: SharedArrayBuffer;
  readonly claims: SharedArrayBuffer;
}

/** A view of the shared tables, held by each worker and by the coordinator. */
export class SharedFingerprintSet {
  private table!: Uint32Array;
  private claims!: Uint32Array;
  private mask = 0;
  private limit = 0;
  private claimMask = 0;
  private claimLimit = 0;
  /** New fingerprints this thread has not yet added to the shared count. */
  private pending = 0;
  /** Flush the count after this many insertions. */
  private batch = 1;
  /** Count every insertion at once when the shared count is within reach of this (the states bound). */
  private exactAbove = Infinity;
  /** The slot of the last {@link add} (found or inserted): what {@link claim} takes. */
  slot = 0;

  /** `workers`: how many threads insert (sizes the batch so that neither table can overfill). */
  constructor(
    readonly ctrl: Int32Array,
    tables: SharedTables,
    private readonly workers = 1,
  ) {
    this.use(tables);
  }

  /**
   * Enforce a states bound: once the shared count may be within `workers × batch` of `bound`,
   * every insertion is counted at once, so {@link add} returns the exact count from there on.
   */
  countExactlyAbove(bound: number): void {
    this.exactAbove = bound;
  }

  /** A fresh control buffer, table of at least `slots` slots, and claim table. */
  static create(slots = 1 << 18, claimSlots = INITIAL_CLAIM_SLOTS): { ctrl: Int32Array } & SharedTables {
    let n = 1 << 10;
    while (n < slots) n *= 2;
    let c = 1 << 4;
    while (c < claimSlots) c *= 2;
    const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.size * 4));
    ctrl[CTRL.slots] = n;
    ctrl[CTRL.claimSlots] = c;
    return { ctrl, table: new SharedArrayBuffer(n * W * 4), claims: new SharedArrayBuffer(c * 2 * 4) };
  }

  /** Switch to new (grown) tables. */
  use(tables: SharedTables): void {
    this.table = new Uint32Array(tables.table);
    this.claims = new Uint32Array(tables.claims);
    this.mask = this.table.length / W - 1;
    this.limit = Math.floor((this.mask + 1) * MAX_LOAD);
    this.claimMask = this.claims.length / 2 - 1;
    this.claimLimit = Math.floor((this.claimMask + 1) * MAX_LOAD);
    const free = Math.min(this.mask + 1 - this.limit, this.claimMask + 1 - this.claimLimit);
    this.batch = Math.max(1, Math.min(256, Math.floor(free / (16 * this.workers))));
  }

  /** The buffers of the current tables (to hand to the workers). */
  tables(): SharedTables {
    return { table: this.table.buffer as SharedArrayBuffer, claims: this.claims.buffer as SharedArrayBuffer };
  }

  /** Add this thread's uncounted insertions to the shared count; returns the count after it. */
  flush(): number {
    const p = this.pending;
    if (p === 0) return Atomics.load(this.ctrl, CTRL.count);
    this.pending = 0;
    const n = Atomics.add(this.ctrl, CTRL.count, p) + p;
    if (n > this.limit || n - Atomics.load(this.ctrl, CTRL.levelBase) > this.claimLimit) Atomics.store(this.ctrl, CTRL.pause, 1);
    return n;
  }

  /** Distinct fingerprints counted so far (all threads; exact once every thread has flushed). */
  get size(): number {
    return Atomics.load(this.ctrl, CTRL.count);
  }

  /** Bytes of both tables. */
  bytes(): number {
    return this.table.byteLength + this.claims.byteLength;
  }

  /** Bytes of the fingerprint table alone. */
  tableBytes(): number {
    return this.table.byteLength;
  }

  /**
   * Add fingerprint (hi, lo). Returns 0 if it was there; else a lower bound of the number of
   * distinct fingerprints after this insertion, which is exact whenever the count may be near the
   * bound given to {@link countExactlyAbove} (so a caller enforces a states bound at the
   * insertion that crosses it). `open`: a new fingerprint is this level's, open to offers (it
   * gets a claim entry, with no offer yet); false: it is settled at once (a state a single
   * thread discovered in order). Either way {@link slot} is the fingerprint's slot afterwards.
   */
  add(hi: number, lo: number, open = false): number {
    const h = (hi & HI_BITS) === 0 ? 1 : hi & HI_BITS;
    const l = lo === 0 ? 1 : lo >>> 0;
    const word = open ? (h | OPEN) >>> 0 : h;
    const t = this.table;
    const mask = this.mask;
    let i = home(h, l, mask);
    for (let probes = 0; ; probes++) {
      // A plain read may be stale only towards 0 (a slot once claimed never changes within a
      // level): the CAS below settles it.
      const at = W * i;
      let a = t[at]!;
      if (a === 0) {
        a = Atomics.compareExchange(t, at, 0, word);
        if (a === 0) {
          // The claim entry first: whoever sees `lo` atomically sees it too.
          if (open) putClaimKey(this.claims, i + 1, 0);
          Atomics.store(t, at + 1, l);
          this.slot = i;
          const p = ++this.pending;
          const g = Atomics.load(this.ctrl, CTRL.count);
          if (p >= this.batch || g + this.workers * this.batch >= this.exactAbove) return this.flush();
          return g + p;
        }
      }
      if ((a & HI_BITS) === h) {
        // Plain: `lo` is 0 (not yet published: wait for it) or the one value written. An open
        // state's is re-read atomically, which orders the claim entry written before it.
        let b = t[at + 1]!;
        if (b === 0 || a >= OPEN) {
          b = Atomics.load(t, at + 1);
          while (b === 0) b = Atomics.load(t, at + 1);
        }
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
   * The claim entry of `slot`, or -1 when it has none (an earlier level's state). Plain reads:
   * an entry's key is written before its fingerprint's `lo` is published, and every caller has
   * read that `lo` atomically (or inserted it, or waited at the level's barrier).
   */
  private claimEntry(slot: number): number {
    const c = this.claims;
    const mask = this.claimMask;
    const key = slot + 1;
    let i = claimHash(key) & mask;
    for (;;) {
      const k = c[2 * i]!;
      if (k === key) return i;
      if (k === 0) return -1;
      i = (i + 1) & mask;
    }
  }

  /**
   * Offer `offer` (a parent's rank + 1, at least 1) as the canonical discovery of the state in
   * `slot`: true when it is now the least offer (this discovery wins, for now), false when an
   * equal or smaller offer was there, or the state is an earlier level's ({@link SETTLED}).
   */
  claim(slot: number, offer: number): boolean {
    if (this.table[W * slot]! < OPEN) return false;
    const e = this.claimEntry(slot);
    if (e < 0) return false;
    const c = this.claims;
    const at = 2 * e + 1;
    // A plain read: the CAS below settles a stale one.
    let cur = c[at]!;
    for (;;) {
      // 0: nobody offered yet.
      if (cur !== 0 && cur <= offer) return false;
      const prev = Atomics.compareExchange(c, at, cur, offer);
      if (prev === cur) return true;
      cur = prev;
    }
  }

  /** The least offer for `slot` so far (0: none yet; {@link SETTLED} for an earlier level's state). */
  claimOf(slot: number): number {
    if (this.table[W * slot]! < OPEN) return SETTLED;
    const e = this.claimEntry(slot);
    return e < 0 ? SETTLED : this.claims[2 * e + 1]!;
  }

  /**
   * Settle every state of the level: empty the claim table and count its load from here. Only
   * the coordinator calls this, while every worker waits at the level's barrier (after they have
   * read their claims).
   */
  clearClaims(): void {
    const c = this.claims;
    const t = this.table;
    for (let j = 0; j < c.length; j += 2) {
      const key = c[j]!;
      if (key !== 0) t[W * (key - 1)] = t[W * (key - 1)]! & HI_BITS;
    }
    c.fill(0);
    Atomics.store(this.ctrl, CTRL.levelBase, Atomics.load(this.ctrl, CTRL.count));
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
    let i = home(h & HI_BITS, l, mask);
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

  /**
   * Grow whichever table is past its load: the fingerprint table four times as large (twice past
   * {@link QUADRUPLE_BELOW} slots), the claim table twice; the claim table is re-keyed by the
   * new slots whenever the fingerprint table grows. Returns the tables to use from now on. Only
   * the coordinator calls this, while every worker is stopped (and has flushed its count).
   */
  grown(): SharedTables {
    const n = Atomics.load(this.ctrl, CTRL.count);
    const growTable = n > this.limit;
    const growClaims = n - Atomics.load(this.ctrl, CTRL.levelBase) > this.claimLimit;
    const old = this.table;
    let t = old;
    if (growTable) {
      const slots = (this.mask + 1) * (this.mask + 1 < QUADRUPLE_BELOW ? 4 : 2);
      t = new Uint32Array(new SharedArrayBuffer(slots * W * 4));
      const mask = slots - 1;
      for (let j = 0; j < old.length; j += W) {
        const h = old[j]!;
        if (h === 0) continue;
        const l = old[j + 1]!;
        let i = home(h & HI_BITS, l, mask);
        while (t[W * i] !== 0) i = (i + 1) & mask;
        t[W * i] = h;
        t[W * i + 1] = l;
      }
      this.ctrl[CTRL.slots] = slots;
    }
    const oldClaims = this.claims;
    let c = oldClaims;
    if (growTable || growClaims) {
      c = new Uint32Array(new SharedArrayBuffer(oldClaims.byteLength * (growClaims ? 2 : 1)));
      this.ctrl[CTRL.claimSlots] = c.length / 2;
    }
    const oldView = { table: old };
    this.use({ table: t.buffer as SharedArrayBuffer, claims: c.buffer as SharedArrayBuffer });
    if (c !== oldClaims) {
      for (let j = 0; j < oldClaims.length; j += 2) {
        const key = oldClaims[j]!;
        if (key === 0) continue;
        const slot = growTable ? this.relocate(oldView.table, key - 1) : key - 1;
        putClaimKey(c, slot + 1, oldClaims[j + 1]!);
      }
    }
    Atomics.store(this.ctrl, CTRL.pause, 0);
    return this.tables();
  }
}
