/**
 * Canonical state encoding, 64-bit fingerprints and exact keys.
 *
 * A state is written as a sequence of 32-bit words by an {@link Encoder}: either the machine's
 * own `encode` (fast, fixed layout) or the generic {@link Encoder.value} walk, which is tagged,
 * length-prefixed and independent of insertion order (object keys sorted, Map/Set entries sorted
 * by their own encoding). The fingerprint is a 64-bit hash of those words, returned as two
 * uint32 halves; the exact key is the words themselves as a string. Because the fingerprint is a
 * function of the exact key, exact mode proves that fingerprinting merged no distinct states.
 */
import { isImmutable, isIndexed, isKeyed, isOrdered, isRecord } from 'immutable';

/** Writes the canonical encoding of a state. */
export interface Encoder {
  /** A 32-bit integer (signed or unsigned). Throws on anything else: use `value` for those. */
  int(n: number): void;
  /** A boolean. */
  bool(b: boolean): void;
  /** A string, length-prefixed. */
  str(s: string): void;
  /** Any JSON-like value, immutable collection, Map or Set, canonically and self-delimiting. */
  value(v: unknown): void;
}

const T_UNDEF = 0x7f000001;
const T_NULL = 0x7f000002;
const T_FALSE = 0x7f000003;
const T_TRUE = 0x7f000004;
const T_INT = 0x7f000005;
const T_NUM = 0x7f000006;
const T_STR = 0x7f000007;
const T_BIG = 0x7f000008;
const T_ARR = 0x7f000009;
const T_OBJ = 0x7f00000a;
const T_MAP = 0x7f00000b;
const T_SET = 0x7f00000c;

/** The part of immutable's collection API the encoder reads. */
interface ImmutableLike {
  readonly size: number;
  entries(): IterableIterator<[unknown, unknown]>;
  values(): IterableIterator<unknown>;
  toObject(): Record<string, unknown>;
}

const f64 = new Float64Array(1);
const f64words = new Int32Array(f64.buffer);

/**
 * A reusable word buffer that implements {@link Encoder}, and hashes or keys what was written.
 * One instance per runner; `reset()` before each state.
 */
export class WordBuffer implements Encoder {
  private buf = new Int32Array(256);
  /** Number of words written since the last reset. */
  len = 0;

  /** The buffer itself: its first {@link WordBuffer.len} words are the encoding (valid until the next write). */
  get raw(): Int32Array {
    return this.buf;
  }

  /** Start a new encoding. */
  reset(): void {
    this.len = 0;
  }

  /** Append `len` words of `words` from index `from` (as `int` would, one by one). */
  append(words: Int32Array, len: number, from = 0): void {
    if (this.len + len > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.len + len) size *= 2;
      const next = new Int32Array(size);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    const buf = this.buf;
    const at = this.len;
    if (len <= 64) {
      // A loop: a subarray view per call cost more than the copy, for the short runs written here.
      for (let i = 0; i < len; i++) buf[at + i] = words[from + i]!;
    } else buf.set(words.subarray(from, from + len), at);
    this.len = at + len;
  }

  private push(w: number): void {
    if (this.len === this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = w;
  }

  int(n: number): void {
    if ((n | 0) !== n && n >>> 0 !== n) throw new RangeError(`Encoder.int: ${n} is not a 32-bit integer; use value()`);
    this.push(n | 0);
  }

  bool(b: boolean): void {
    this.push(b ? 1 : 0);
  }

  str(s: string): void {
    const n = s.length;
    this.push(n);
    let i = 0;
    for (; i + 1 < n; i += 2) this.push(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
    if (i < n) this.push(s.charCodeAt(i));
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'undefined':
        this.push(T_UNDEF);
        return;
      case 'boolean':
        this.push(v ? T_TRUE : T_FALSE);
        return;
      case 'number':
        if ((v | 0) === v && !Object.is(v, -0)) {
          this.push(T_INT);
          this.push(v);
        } else {
          f64[0] = v;
          this.push(T_NUM);
          this.push(f64words[0]!);
          this.push(f64words[1]!);
        }
        return;
      case 'string':
        this.push(T_STR);
        this.str(v);
        return;
      case 'bigint':
        this.push(T_BIG);
        this.str(v.toString(16));
        return;
      case 'object':
        if (v === null) {
          this.push(T_NULL);
          return;
        }
        this.object(v);
        return;
      default:
        throw new TypeError(`cannot encode a ${typeof v} in a state`);
    }
  }

  private object(v: object): void {
    if (Array.isArray(v)) {
      this.push(T_ARR);
      this.push(v.length);
      for (const x of v) this.value(x);
      return;
    }
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const arr = v as unknown as ArrayLike<number>;
      this.push(T_ARR);
      this.push(arr.length);
      for (let i = 0; i < arr.length; i++) this.value(arr[i]);
      return;
    }
    if (v instanceof Map) {
      this.sortedEntries(T_MAP, v.size, v.entries(), true);
      return;
    }
    if (v instanceof Set) {
      this.sortedEntries(T_SET, v.size, v.values(), false);
      return;
    }
    if (isImmutable(v)) {
      const c = v as unknown as ImmutableLike;
      if (isRecord(v)) {
        this.plainObject(c.toObject());
      } else if (isKeyed(v)) {
        if (isOrdered(v)) {
          this.push(T_ARR);
          this.push(c.size);
          for (const [k, x] of c.entries()) {
            this.value(k);
            this.value(x);
          }
        } else {
          this.sortedEntries(T_MAP, c.size, c.entries(), true);
        }
      } else if (isIndexed(v) || isOrdered(v)) {
        this.push(T_ARR);
        this.push(c.size);
        for (const x of c.values()) this.value(x);
      } else {
        this.sortedEntries(T_SET, c.size, c.values(), false);
      }
      return;
    }
    this.plainObject(v as Record<string, unknown>);
  }

  private plainObject(o: Record<string, unknown>): void {
    const keys = Object.keys(o).sort();
    this.push(T_OBJ);
    this.push(keys.length);
    for (const k of keys) {
      this.str(k);
      this.value(o[k]);
    }
  }

  /** Encode each entry, then reorder the entries' word runs lexicographically. */
  private sortedEntries(tag: number, size: number, it: Iterator<unknown>, pairs: boolean): void {
    this.push(tag);
    this.push(size);
    const start = this.len;
    const bounds: number[] = [];
    for (let r = it.next(); !r.done; r = it.next()) {
      const b = this.len;
      if (pairs) {
        const [k, x] = r.value as [unknown, unknown];
        this.value(k);
        this.value(x);
      } else {
        this.value(r.value);
      }
      bounds.push(b, this.len);
    }
    if (bounds.length <= 2) return;
    const buf = this.buf;
    const runs: Int32Array[] = [];
    for (let i = 0; i < bounds.length; i += 2) runs.push(buf.slice(bounds[i]!, bounds[i + 1]!));
    runs.sort(compareWords);
    let at = start;
    for (const r of runs) {
      buf.set(r, at);
      at += r.length;
    }
  }

  /**
   * The 64-bit fingerprint of the words written, as two uint32 halves in `out[0]` (high) and
   * `out[1]` (low). Never both zero (zero marks an empty slot in the visited set).
   */
  fingerprint(out: Uint32Array): void {
    hashWords(this.buf, this.len, out);
  }

  /** Whether two buffers hold the same words (exact equality of encodings). */
  equals(other: WordBuffer): boolean {
    if (this.len !== other.len) return false;
    const a = this.buf;
    const b = other.buf;
    for (let i = 0; i < this.len; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** The words written, as a string: an exact, canonical key. */
  key(): string {
    const buf = this.buf;
    if (LITTLE_ENDIAN && this.len > 6 && this.len <= 8192) {
      // One flat string (each word's low half first, as below): concatenation would build a
      // rope that every hash and comparison must flatten first.
      return String.fromCharCode.apply(null, new Uint16Array(buf.buffer, buf.byteOffset, 2 * this.len) as unknown as number[]);
    }
    let s = '';
    for (let i = 0; i < this.len; i++) {
      const w = buf[i]!;
      s += String.fromCharCode(w & 0xffff, (w >>> 16) & 0xffff);
    }
    return s;
  }
}

/** Whether 16-bit views read a word's low half first (every platform Node runs on but s390x). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function compareWords(a: Int32Array, b: Int32Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length - b.length;
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** MurmurHash3's 32-bit finalizer: a fast, well-mixing bijection on 32-bit words. */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/**
 * Hash `len` words into 64 bits: two MurmurHash3-style lanes with different constants and
 * rotations, cross-mixed at the end as in MurmurHash3 x86_128.
 */
export function hashWords(words: Int32Array, len: number, out: Uint32Array): void {
  let h1 = 0x9747b28c;
  let h2 = 0x5bd1e995;
  for (let i = 0; i < len; i++) {
    const w = words[i]!;
    let k1 = Math.imul(w, 0xcc9e2d51);
    k1 = rotl(k1, 15);
    k1 = Math.imul(k1, 0x1b873593);
    h1 ^= k1;
    h1 = rotl(h1, 13);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    let k2 = Math.imul(w, 0x38b34ae5);
    k2 = rotl(k2, 17);
    k2 = Math.imul(k2, 0xa1e38b93);
    h2 ^= k2;
    h2 = rotl(h2, 11);
    h2 = (Math.imul(h2, 9) + 0x32ac3b17) | 0;
  }
  h1 ^= len;
  h2 ^= len;
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  if (h1 === 0 && h2 === 0) h2 = 1;
  out[0] = h1 >>> 0;
  out[1] = h2 >>> 0;
}

/** Canonical JSON-like text of any value (sorted keys, sorted Map/Set), for equality of actions. */
export function canonicalKey(v: unknown): string {
  const w = new WordBuffer();
  w.value(v);
  return w.key();
}

/** Structural equality under the canonical encoding. */
export function canonicalEqual(a: unknown, b: unknown): boolean {
  return canonicalKey(a) === canonicalKey(b);
}
