/**
 * The visited set and the per-state trace links, in typed arrays.
 *
 * - {@link FingerprintSet}: 64-bit fingerprints, open addressing with linear probing, in one
 *   `Uint32Array` (two words a slot, zero = empty). Grows by 1.5× at 0.8 load, so once grown it
 *   costs between 10 and 15 bytes per state.
 * - {@link ExactSet}: full canonical keys in a `Map`, for small models and for proving that
 *   fingerprinting loses no states.
 * - {@link ChunkedU32}: a growable array of uint32 in 64 Ki chunks (no doubling waste), used for
 *   each state's parent id and action index: 8 bytes per state.
 */
import type { WordBuffer } from '../impl/core/encode.ts';

/** A set of states, keyed by their canonical encoding. */
export interface VisitedSet {
  /** Add the state whose encoding is in `words`; true if it was not there yet. */
  add(words: WordBuffer): boolean;
  /** Number of distinct states held. */
  readonly size: number;
  /** Bytes held by the set's own storage. */
  bytes(): number;
}

/** Grow at this load. Linear probing stays short below it (about 3 probes per hit at 0.8). */
const MAX_LOAD = 0.8;
/** Grow by this factor, so the load after growing is MAX_LOAD / GROWTH ≈ 0.53. */
const GROWTH = 1.5;
const TWO_32 = 4294967296;

/**
 * Open-addressing set of 64-bit fingerprints.
 *
 * The table has any number of slots (not a power of two): a slot is chosen by scaling a mixed
 * 32-bit hash into `[0, slots)`, so the table can grow by 1.5× instead of doubling. Its load stays
 * between 0.53 and 0.8 once it has grown, that is 10–15 bytes per state.
 */
export class FingerprintSet implements VisitedSet {
  private table: Uint32Array;
  private slots: number;
  private count = 0;
  private limit: number;
  private readonly fp = new Uint32Array(2);

  constructor(initialSlots = 1 << 16) {
    this.slots = Math.max(16, Math.ceil(initialSlots));
    this.table = new Uint32Array(this.slots * 2);
    this.limit = Math.floor(this.slots * MAX_LOAD);
  }

  get size(): number {
    return this.count;
  }

  bytes(): number {
    return this.table.byteLength;
  }

  add(words: WordBuffer): boolean {
    words.fingerprint(this.fp);
    return this.addFingerprint(this.fp[0]!, this.fp[1]!);
  }

  /** The home slot of a fingerprint in a table of `slots` slots. */
  private static home(hi: number, lo: number, slots: number): number {
    const h = (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
    return Math.min(slots - 1, Math.floor((h * slots) / TWO_32));
  }

  /** Add one fingerprint (hi, lo), not both zero; true if new. */
  addFingerprint(hi: number, lo: number): boolean {
    const t = this.table;
    const slots = this.slots;
    let i = FingerprintSet.home(hi, lo, slots);
    for (;;) {
      const a = t[2 * i]!;
      const b = t[2 * i + 1]!;
      if (a === 0 && b === 0) break;
      if (a === hi && b === lo) return false;
      if (++i === slots) i = 0;
    }
    t[2 * i] = hi;
    t[2 * i + 1] = lo;
    this.count++;
    if (this.count > this.limit) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.table;
    const slots = Math.ceil(this.slots * GROWTH);
    this.table = new Uint32Array(slots * 2);
    this.slots = slots;
    this.limit = Math.floor(slots * MAX_LOAD);
    const t = this.table;
    for (let j = 0; j < old.length; j += 2) {
      const hi = old[j]!;
      const lo = old[j + 1]!;
      if (hi === 0 && lo === 0) continue;
      let i = FingerprintSet.home(hi, lo, slots);
      while (t[2 * i] !== 0 || t[2 * i + 1] !== 0) if (++i === slots) i = 0;
      t[2 * i] = hi;
      t[2 * i + 1] = lo;
    }
  }
}

/** A set of full canonical keys: exact, and only for models small enough to hold as strings. */
export class ExactSet implements VisitedSet {
  private readonly keys = new Set<string>();
  private keyChars = 0;

  get size(): number {
    return this.keys.size;
  }

  bytes(): number {
    return this.keyChars * 2 + this.keys.size * 48;
  }

  add(words: WordBuffer): boolean {
    const k = words.key();
    if (this.keys.has(k)) return false;
    this.keys.add(k);
    this.keyChars += k.length;
    return true;
  }
}

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;

/** A growable uint32 array in fixed chunks. */
export class ChunkedU32 {
  private readonly chunks: Uint32Array[] = [];
  /** Number of elements pushed. */
  length = 0;

  /** Append a value; returns its index. */
  push(v: number): number {
    const i = this.length;
    const c = i >>> CHUNK_BITS;
    if (c === this.chunks.length) this.chunks.push(new Uint32Array(CHUNK));
    this.chunks[c]![i & (CHUNK - 1)] = v;
    this.length++;
    return i;
  }

  /** The value at index i. */
  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)]!;
  }

  /** Bytes held. */
  bytes(): number {
    return this.chunks.length * CHUNK * 4;
  }
}
