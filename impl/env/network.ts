/**
 * The network: messages in flight as a sorted array of {@link Packet}s.
 *
 * Multiset mode keeps one packet per distinct (from, to, msg) with a copy count, sorted by the
 * packet's canonical key, so two states with the same messages in flight hold equal arrays
 * whatever the order of the sends. FIFO mode keeps every copy as its own packet, grouped by
 * link (from, then to) and in send order within a link; only a link's head can be delivered,
 * dropped or duplicated.
 *
 * Arrays are never mutated once they are in a state: the functions here copy.
 */
import { WordBuffer, type Encoder } from '../core/encode.ts';
import type { NodeId, Packet } from './types.ts';

/** An interned key, and what the environment built once for the packets with that key. */
interface Interned {
  readonly key: string;
  acts: unknown;
  /** A message with this key (the first one met), when the key was made from one. */
  msg: unknown;
}

/**
 * Computes canonical packet keys with a protocol's message encoder. With `makeActs`, a new
 * packet carries what `makeActs` builds for its key (the environment's actions on it), built
 * once per interned key and shared by every packet with that key, so that listing a state's
 * actions needs no lookup.
 */
export class PacketCodec<M> {
  private readonly words = new WordBuffer();
  constructor(
    private readonly encodeMessage: (m: M, out: Encoder) => void,
    private readonly makeActs?: (from: NodeId, to: NodeId, msg: M, key: string) => unknown,
  ) {}

  /**
   * The keys made so far, each kept once (see {@link intern}): an open-addressing table keyed by
   * a hash of the key's words, so that a key already known is found from the words just written,
   * without building its string (a `Map` by string built and hashed a fresh string per packet:
   * the most expensive line of a random run). Forgotten past {@link INTERN_LIMIT} keys.
   */
  private hashes = new Int32Array(FIRST_INTERN_SLOTS);
  private entries = new Array<Interned | undefined>(FIRST_INTERN_SLOTS).fill(undefined);
  private count = 0;
  private mask = FIRST_INTERN_SLOTS - 1;

  /** The interned entry of (from, to, msg)'s key. */
  private entry(from: NodeId, to: NodeId, msg: M): Interned {
    const w = this.words;
    w.reset();
    w.int(from);
    w.int(to);
    this.encodeMessage(msg, w);
    const e = this.entryOfWords();
    if (e.msg === undefined) e.msg = msg;
    return e;
  }

  /** The interned entry of the key whose words are in `this.words`. */
  private entryOfWords(): Interned {
    const w = this.words;
    const buf = w.raw;
    const len = w.len;
    const h = hashOfWords(buf, len);
    const mask = this.mask;
    let i = h & mask;
    for (let e = this.entries[i]; e !== undefined; e = this.entries[i]) {
      if (this.hashes[i] === h && keyHasWords(e.key, buf, len)) return e;
      i = (i + 1) & mask;
    }
    return this.add(i, h, w.key());
  }

  /**
   * Add key `k` (absent) of hash `h` at free slot `i`. The table doubles while it is more than
   * half full, up to {@link INTERN_SLOTS}; there it forgets every key first.
   */
  private add(i: number, h: number, k: string): Interned {
    if (2 * (this.count + 1) > this.entries.length) {
      if (this.entries.length < INTERN_SLOTS) this.rehash(2 * this.entries.length);
      else {
        this.entries.fill(undefined);
        this.count = 0;
      }
      const mask = this.mask;
      i = h & mask;
      while (this.entries[i] !== undefined) i = (i + 1) & mask;
    }
    const e: Interned = { key: k, acts: undefined, msg: undefined };
    this.entries[i] = e;
    this.hashes[i] = h;
    this.count++;
    return e;
  }

  /** The table with `slots` slots, every key kept. */
  private rehash(slots: number): void {
    const oldEntries = this.entries;
    const oldHashes = this.hashes;
    this.entries = new Array<Interned | undefined>(slots).fill(undefined);
    this.hashes = new Int32Array(slots);
    const mask = (this.mask = slots - 1);
    for (let j = 0; j < oldEntries.length; j++) {
      const e = oldEntries[j];
      if (e === undefined) continue;
      let i = oldHashes[j]! & mask;
      while (this.entries[i] !== undefined) i = (i + 1) & mask;
      this.entries[i] = e;
      this.hashes[i] = oldHashes[j]!;
    }
  }

  private entryOf(k: string): Interned {
    const h = hashOfKey(k);
    const mask = this.mask;
    let i = h & mask;
    for (let e = this.entries[i]; e !== undefined; e = this.entries[i]) {
      if (this.hashes[i] === h && e.key === k) return e;
      i = (i + 1) & mask;
    }
    return this.add(i, h, k);
  }

  /** The canonical key of (from, to, msg): its encoding words as a string. */
  key(from: NodeId, to: NodeId, msg: M): string {
    return this.entry(from, to, msg).key;
  }

  /**
   * The one copy kept of a key equal to `k`. Packets with equal keys then share one string, so
   * the maps and comparisons keyed by packet keys (in every state's network) find it by identity
   * instead of comparing the characters. Forgotten past 2¹⁶ keys (equal keys are still equal).
   */
  intern(k: string): string {
    return this.entryOf(k).key;
  }

  /**
   * A new packet with one copy, from its key's words: `w[start .. start + len)` (from, to, then the
   * message's encoding, as {@link keyWords} writes them). A key known already gives its message
   * object back without decoding; else `decodeMsg` reads the message from `w` at `at.pos` (just
   * past from and to) and must stop at the key's end.
   */
  packetFromWords(w: Int32Array, start: number, len: number, decodeMsg: (w: Int32Array, at: { pos: number }) => M): Packet<M> {
    const buf = this.words;
    buf.reset();
    buf.append(w, len, start);
    const e = this.entryOfWords();
    const from = w[start]!;
    const to = w[start + 1]!;
    if (e.msg === undefined) {
      const at = { pos: start + 2 };
      const msg = decodeMsg(w, at);
      if (at.pos !== start + len) throw new Error(`packet ${from}→${to}: its message decodes from ${at.pos - start - 2} words of ${len - 2}`);
      e.msg = msg;
    }
    const msg = e.msg as M;
    if (e.acts === undefined && this.makeActs !== undefined) e.acts = this.makeActs(from, to, msg, e.key);
    return { from, to, msg, count: 1, key: e.key, acts: e.acts };
  }

  /** A new packet with one copy. */
  packet(from: NodeId, to: NodeId, msg: M): Packet<M> {
    const e = this.entry(from, to, msg);
    if (e.acts === undefined && this.makeActs !== undefined) e.acts = this.makeActs(from, to, msg, e.key);
    return { from, to, msg, count: 1, key: e.key, acts: e.acts };
  }
}

/** Write the words a packet key was made from (see {@link WordBuffer.key}): from, to, the message's encoding. */
export function keyWords(key: string, out: Encoder): void {
  const len = key.length >>> 1;
  for (let j = 0; j < len; j++) out.int((key.charCodeAt(2 * j) | (key.charCodeAt(2 * j + 1) << 16)) | 0);
}

/** Keys a codec keeps at most (then it forgets them all: equal keys are still equal, only no longer identical). */
const INTERN_LIMIT = 1 << 16;
/** Slots of a codec's key table at most (a power of two, at most half full), and at first. */
const INTERN_SLOTS = 2 * INTERN_LIMIT;
const FIRST_INTERN_SLOTS = 1 << 8;

/** One step of the key hash (FNV-style multiply, per word). */
const mixWord = (h: number, w: number): number => Math.imul(h ^ w, 0x01000193) ^ (w >>> 15);

/** The hash of a key from its words (as {@link WordBuffer.key} turns them into the key). */
function hashOfWords(buf: Int32Array, len: number, start = 0): number {
  let h = 0x811c9dc5 ^ len;
  for (let j = start; j < start + len; j++) h = mixWord(h, buf[j]!);
  return finishHash(h);
}

/**
 * Values interned by their encoding: the one value kept for each word sequence, so that decoding
 * what was met before gives back the same object (and every memo keyed by identity finds it).
 * An open-addressing table keyed by a hash of the words; forgotten past {@link INTERN_LIMIT}
 * entries.
 */
export class WordsInterner<T> {
  private hashes = new Int32Array(FIRST_INTERN_SLOTS);
  private words: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(FIRST_INTERN_SLOTS).fill(undefined);
  private values: (T | undefined)[] = new Array<T | undefined>(FIRST_INTERN_SLOTS).fill(undefined);
  private count = 0;
  private mask = FIRST_INTERN_SLOTS - 1;
  private lastHash = 0;

  /** The value kept for `w[start .. start + len)`, or undefined (then {@link add} may follow at once). */
  find(w: Int32Array, start: number, len: number): T | undefined {
    const h = (this.lastHash = hashOfWords(w, len, start));
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const k = this.words[i];
      if (k === undefined) return undefined;
      if (this.hashes[i] === h && k.length === len) {
        let j = 0;
        while (j < len && k[j] === w[start + j]) j++;
        if (j === len) return this.values[i];
      }
    }
  }

  /** Keep `v` for `w[start .. start + len)`, which {@link find} has just not found. */
  add(w: Int32Array, start: number, len: number, v: T): void {
    if (2 * (this.count + 1) > this.words.length) {
      if (this.words.length < INTERN_SLOTS) this.grow();
      else {
        this.words.fill(undefined);
        this.values.fill(undefined);
        this.count = 0;
      }
    }
    const h = this.lastHash;
    const mask = this.mask;
    let i = h & mask;
    while (this.words[i] !== undefined) i = (i + 1) & mask;
    this.words[i] = w.slice(start, start + len);
    this.values[i] = v;
    this.hashes[i] = h;
    this.count++;
  }

  private grow(): void {
    const { hashes, words, values } = this;
    const slots = 2 * words.length;
    this.hashes = new Int32Array(slots);
    this.words = new Array<Int32Array | undefined>(slots).fill(undefined);
    this.values = new Array<T | undefined>(slots).fill(undefined);
    const mask = (this.mask = slots - 1);
    for (let j = 0; j < words.length; j++) {
      if (words[j] === undefined) continue;
      let i = hashes[j]! & mask;
      while (this.words[i] !== undefined) i = (i + 1) & mask;
      this.words[i] = words[j];
      this.values[i] = values[j];
      this.hashes[i] = hashes[j]!;
    }
  }
}

/** The hash of a key given as its string: the same as {@link hashOfWords} of the words it was made from. */
function hashOfKey(k: string): number {
  const len = (k.length + 1) >>> 1;
  let h = 0x811c9dc5 ^ len;
  for (let j = 0; j < len; j++) h = mixWord(h, (k.charCodeAt(2 * j) | (k.charCodeAt(2 * j + 1) << 16)) | 0);
  return finishHash(h);
}

function finishHash(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return h ^ (h >>> 16);
}

/** Whether key `k` is the string {@link WordBuffer.key} makes of `buf[0 .. len)` (each word's low half first). */
function keyHasWords(k: string, buf: Int32Array, len: number): boolean {
  if (k.length !== 2 * len) return false;
  for (let j = 0; j < len; j++) {
    const w = buf[j]!;
    if (k.charCodeAt(2 * j) !== (w & 0xffff) || k.charCodeAt(2 * j + 1) !== w >>> 16) return false;
  }
  return true;
}

const link = (from: NodeId, to: NodeId): number => from * 32 + to;

/** `p` with `count` copies (everything else, its key and carried actions included, kept). */
const withCount = <M>(p: Packet<M>, count: number): Packet<M> => ({ from: p.from, to: p.to, msg: p.msg, count, key: p.key, acts: p.acts });

/** Index of the first packet whose key is not less than `key` (multiset order). */
function lowerBound<M>(net: readonly Packet<M>[], key: string): number {
  let lo = 0;
  let hi = net.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (net[mid]!.key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first packet whose link is greater than (from, to) (FIFO order). */
function linkEnd<M>(net: readonly Packet<M>[], from: NodeId, to: NodeId): number {
  const l = link(from, to);
  let lo = 0;
  let hi = net.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = net[mid]!;
    if (link(p.from, p.to) <= l) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first packet of link (from, to), or -1 (FIFO order). */
function linkStart<M>(net: readonly Packet<M>[], from: NodeId, to: NodeId): number {
  const l = link(from, to);
  let lo = 0;
  let hi = net.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = net[mid]!;
    if (link(p.from, p.to) < l) lo = mid + 1;
    else hi = mid;
  }
  return lo < net.length && link(net[lo]!.from, net[lo]!.to) === l ? lo : -1;
}

/** Add one copy of `p` (count 1) to a mutable network array, in place. */
export function insertPacket<M>(net: Packet<M>[], p: Packet<M>, fifo: boolean): void {
  if (fifo) {
    net.splice(linkEnd(net, p.from, p.to), 0, p);
    return;
  }
  const i = lowerBound(net, p.key);
  const q = net[i];
  if (q !== undefined && q.key === p.key) net[i] = withCount(q, q.count + 1);
  else net.splice(i, 0, p);
}

/**
 * The index of the packet an action names by key: in multiset mode the packet with that key;
 * in FIFO mode the head of the link, if it has that key. -1 when there is none.
 */
export function findPacket<M>(net: readonly Packet<M>[], from: NodeId, to: NodeId, key: string, fifo: boolean): number {
  if (fifo) {
    const i = linkStart(net, from, to);
    return i >= 0 && net[i]!.key === key ? i : -1;
  }
  const i = lowerBound(net, key);
  return i < net.length && net[i]!.key === key ? i : -1;
}

/** True when `net[i]` is the oldest packet of its link (always true in multiset mode). */
export function isHead<M>(net: readonly Packet<M>[], i: number, fifo: boolean): boolean {
  if (!fifo || i === 0) return true;
  const p = net[i]!;
  const q = net[i - 1]!;
  return p.from !== q.from || p.to !== q.to;
}

/** The network without one copy of `net[i]`. */
export function removeOne<M>(net: readonly Packet<M>[], i: number): Packet<M>[] {
  const p = net[i]!;
  if (p.count > 1) {
    const out = net.slice();
    out[i] = withCount(p, p.count - 1);
    return out;
  }
  // One pass, no splice (this runs on every delivery).
  const out: Packet<M>[] = [];
  for (let k = 0; k < net.length; k++) if (k !== i) out.push(net[k]!);
  return out;
}

/** The network with one more copy of `net[i]` (FIFO: the copy right behind it). */
export function duplicateOne<M>(net: readonly Packet<M>[], i: number, fifo: boolean): Packet<M>[] {
  const p = net[i]!;
  const out = net.slice();
  if (fifo) out.splice(i + 1, 0, p);
  else out[i] = withCount(p, p.count + 1);
  return out;
}

/** Sort a network array into canonical order (after renaming node ids), in place. */
export function sortNetwork<M>(net: Packet<M>[], fifo: boolean): void {
  if (fifo) {
    // Stable: keeps the send order within each link.
    net.sort((a, b) => link(a.from, a.to) - link(b.from, b.to));
    return;
  }
  // Often a renaming keeps the order: then there is nothing to sort or merge.
  let i = 1;
  while (i < net.length && net[i - 1]!.key < net[i]!.key) i++;
  if (i >= net.length) return;
  net.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // Renaming can make two packets equal only if it is not a permutation; merge just in case.
  for (let i = net.length - 1; i > 0; i--) {
    const a = net[i - 1]!;
    const b = net[i]!;
    if (a.key === b.key) {
      net[i - 1] = withCount(a, a.count + b.count);
      net.splice(i, 1);
    }
  }
}

/** Total number of messages in flight (copies counted). */
export function inFlight<M>(net: readonly Packet<M>[]): number {
  let c = 0;
  for (const p of net) c += p.count;
  return c;
}

/** A 32-bit id of a packet's content (FNV-1a of its key), for pairing diagram events. */
export function packetId(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
