/**
 * Storage for big exhaustive runs: the BFS frontier held as state encodings, and the per-state
 * trace links, both spilling to disk past a memory budget (as TLC's queue and trace file do).
 *
 * - {@link EncodedQueue}: one BFS level, written once and then read once, in order. Each state is
 *   its encoding (`[length, ...words]`) in 4 MiB chunks; when the chunks held in memory pass the
 *   budget, the full ones are appended to a temporary file and freed. Reading returns the file's
 *   states first, then the ones still in memory: the order they were written.
 * - {@link LinkStore}: the parent id and action index of every distinct state (8 bytes each), in
 *   id order. Past its budget, the oldest full chunks go to a temporary file; a counterexample
 *   reads the few links of its path back.
 *
 * Temporary files live in `dir` (default: the OS temp folder), are opened exclusively, and are
 * removed by `dispose()` (the runner calls it in a `finally`).
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let fileCounter = 0;

/** A temporary file, created on first use and removed by `dispose`. */
class TempFile {
  private fd = -1;
  private path = '';
  /** Bytes written so far. */
  size = 0;

  constructor(
    private readonly dir: string,
    private readonly kind: string,
  ) {}

  /** Append `bytes` at the end of the file. */
  append(bytes: Uint8Array): void {
    if (this.fd < 0) {
      this.path = join(this.dir, `dscheck-${process.pid}-${Date.now().toString(36)}-${fileCounter++}-${this.kind}`);
      this.fd = openSync(this.path, 'wx+', 0o600);
    }
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off, this.size + off);
    this.size += bytes.length;
  }

  /** Read `into.length` bytes at `position`. */
  read(into: Uint8Array, position: number): void {
    let off = 0;
    while (off < into.length) {
      const n = readSync(this.fd, into, off, into.length - off, position + off);
      if (n === 0) throw new Error(`spill file ${this.path}: unexpected end at ${position + off}`);
      off += n;
    }
  }

  dispose(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
    this.fd = -1;
    this.size = 0;
  }
}

/** Where and when to spill. */
export interface SpillOptions {
  /** Folder for temporary files (default: the OS temp folder). */
  readonly dir?: string;
  /** Bytes a structure may hold in memory before it spills. */
  readonly memoryBytes: number;
  /** Words per frontier chunk (default 1 Mi = 4 MiB); smaller only in tests. */
  readonly chunkWords?: number;
  /** Links per {@link LinkStore} chunk, a power of two (default 65,536 = 512 KiB); smaller only in tests. */
  readonly linkChunk?: number;
}

const QUEUE_CHUNK_WORDS = 1 << 20;
/** The first chunk of a level (see `EncodedQueue.nextChunkWords`). */
const FIRST_QUEUE_CHUNK_WORDS = 1 << 12;

/**
 * Chunks read and done with, kept for the next levels (by size; at most {@link SPARE_BYTES} in
 * all, per thread). A fresh chunk is zero-filled memory the process touches for the first time:
 * page faults that cost a search of a million states a sizeable share of its time, level after
 * level. A reused chunk needs no clearing: a queue reads only the words it wrote.
 */
const spareChunks = new Map<number, Int32Array[]>();
const SPARE_BYTES = 64 << 20;
let spareBytes = 0;
function takeChunk(words: number): Int32Array {
  const pool = spareChunks.get(words);
  const c = pool?.pop();
  if (c === undefined) return new Int32Array(words);
  spareBytes -= c.byteLength;
  return c;
}
function giveChunk(c: Int32Array): void {
  if (spareBytes + c.byteLength > SPARE_BYTES) return;
  let pool = spareChunks.get(c.length);
  if (pool === undefined) spareChunks.set(c.length, (pool = []));
  pool.push(c);
  spareBytes += c.byteLength;
}

/** One chunk of encodings: its words and how many are used. */
interface QueueChunk {
  readonly words: Int32Array;
  used: number;
}

/** One BFS level of states as encodings: write all, then read all, in order. */
export class EncodedQueue {
  /** Chunks in memory, in order; the last one is being filled. */
  private mem: (QueueChunk | undefined)[] = [];
  /** Chunks on disk, in order (always before the ones in memory): their word counts. */
  private readonly spilled: number[] = [];
  private readonly file: TempFile;
  private readonly memoryBytes: number;
  private readonly chunkWords: number;
  /**
   * The next chunk's size: chunks start small and double up to `chunkWords`, so that a short
   * level (most of a search's levels, and every level of a small one) does not allocate and
   * zero-fill megabytes.
   */
  private nextChunkWords: number;
  /** Number of states pushed. */
  length = 0;
  // reading
  private reading = false;
  private cur: Int32Array | undefined;
  private pos = 0;
  private end = 0;
  private nextSpilled = 0;
  private filePos = 0;
  private nextMemory = 0;
  private diskBuf: Int32Array | undefined;

  constructor(opts: SpillOptions) {
    this.file = new TempFile(opts.dir ?? tmpdir(), 'frontier');
    this.memoryBytes = opts.memoryBytes;
    this.chunkWords = opts.chunkWords ?? QUEUE_CHUNK_WORDS;
    this.nextChunkWords = Math.min(this.chunkWords, FIRST_QUEUE_CHUNK_WORDS);
  }

  /** Bytes of encodings held in memory now. */
  memory(): number {
    let n = 0;
    for (const c of this.mem) if (c !== undefined) n += c.words.byteLength;
    return n;
  }

  /** Bytes written to disk. */
  diskBytes(): number {
    return this.file.size;
  }

  /** Append one state's encoding (the first `len` words of `words`). */
  push(words: Int32Array, len: number): void {
    if (this.reading) throw new Error('EncodedQueue: push after reading started');
    let last = this.mem[this.mem.length - 1];
    if (last === undefined || last.used + len + 1 > last.words.length) {
      // Every chunk held is now full; past the budget, all of them go to disk, in order.
      if (this.mem.length > 0 && this.memory() + this.chunkWords * 4 > this.memoryBytes) {
        for (const c of this.mem) {
          this.file.append(new Uint8Array(c!.words.buffer, c!.words.byteOffset, c!.used * 4));
          this.spilled.push(c!.used);
          giveChunk(c!.words);
        }
        this.mem = [];
      }
      last = { words: takeChunk(Math.max(this.nextChunkWords, len + 1)), used: 0 };
      this.nextChunkWords = Math.min(this.chunkWords, 2 * this.nextChunkWords);
      this.mem.push(last);
    }
    last.words[last.used] = len;
    last.words.set(words.subarray(0, len), last.used + 1);
    last.used += len + 1;
    this.length++;
  }

  /**
   * The next state's encoding, as a view valid until the next call; undefined at the end. The
   * first call ends writing.
   */
  next(): Int32Array | undefined {
    this.reading = true;
    while (this.cur === undefined || this.pos >= this.end) {
      // The chunk read to its end is done with (its last view is no longer valid).
      if (this.cur !== undefined && this.cur !== this.diskBuf) giveChunk(this.cur);
      this.cur = undefined;
      if (this.nextSpilled < this.spilled.length) {
        const words = this.spilled[this.nextSpilled++]!;
        if (this.diskBuf === undefined || this.diskBuf.length < words) this.diskBuf = new Int32Array(Math.max(words, this.chunkWords));
        this.file.read(new Uint8Array(this.diskBuf.buffer, 0, words * 4), this.filePos);
        this.filePos += words * 4;
        this.cur = this.diskBuf;
        this.end = words;
      } else if (this.nextMemory < this.mem.length) {
        const c = this.mem[this.nextMemory]!;
        this.mem[this.nextMemory++] = undefined; // read once: free it as soon as the next is read
        this.cur = c.words;
        this.end = c.used;
      } else {
        return undefined;
      }
      this.pos = 0;
    }
    const len = this.cur[this.pos]!;
    const view = this.cur.subarray(this.pos + 1, this.pos + 1 + len);
    this.pos += len + 1;
    return view;
  }

  /** Remove the temporary file, if any, and drop what is held. */
  dispose(): void {
    this.file.dispose();
    this.mem = [];
    this.cur = undefined;
    this.diskBuf = undefined;
  }
}

const LINK_CHUNK_BITS = 16; // 65,536 links per chunk (512 KiB)

/** Parent id and action index per state id, spilling the oldest chunks to disk past a budget. */
export class LinkStore {
  private readonly chunks: (Uint32Array | undefined)[] = [];
  private firstInMemory = 0; // chunks before this index are on disk
  private readonly file: TempFile;
  private readonly maxChunksInMemory: number;
  private readonly one = new Uint32Array(2);
  private readonly bits: number;
  private readonly chunk: number;
  /** Number of links pushed. */
  length = 0;

  constructor(opts: SpillOptions) {
    this.file = new TempFile(opts.dir ?? tmpdir(), 'links');
    this.bits = opts.linkChunk !== undefined ? Math.max(1, Math.ceil(Math.log2(opts.linkChunk))) : LINK_CHUNK_BITS;
    this.chunk = 1 << this.bits;
    this.maxChunksInMemory = Math.max(2, Math.floor(opts.memoryBytes / (this.chunk * 8)));
  }

  /** Append the link of the next state id; returns that id. */
  push(parent: number, via: number): number {
    const i = this.length;
    const c = i >>> this.bits;
    if (c === this.chunks.length) {
      this.chunks.push(new Uint32Array(this.chunk * 2));
      if (this.chunks.length - this.firstInMemory > this.maxChunksInMemory) {
        const old = this.chunks[this.firstInMemory]!;
        this.file.append(new Uint8Array(old.buffer));
        this.chunks[this.firstInMemory++] = undefined;
      }
    }
    const chunk = this.chunks[c]!;
    const k = (i & (this.chunk - 1)) * 2;
    chunk[k] = parent;
    chunk[k + 1] = via;
    this.length++;
    return i;
  }

  private at(i: number): Uint32Array {
    const c = i >>> this.bits;
    const k = (i & (this.chunk - 1)) * 2;
    const chunk = this.chunks[c];
    if (chunk !== undefined) return chunk.subarray(k, k + 2);
    this.file.read(new Uint8Array(this.one.buffer), (c * this.chunk * 2 + k) * 4);
    return this.one;
  }

  /** The parent id of state `i`. */
  parent(i: number): number {
    return this.at(i)[0]!;
  }

  /** The action index (or initial-state index) that reached state `i`. */
  via(i: number): number {
    return this.at(i)[1]!;
  }

  /** Bytes held in memory. */
  bytes(): number {
    return (this.chunks.length - this.firstInMemory) * this.chunk * 8;
  }

  /** Bytes written to disk. */
  diskBytes(): number {
    return this.file.size;
  }

  /** Remove the temporary file, if any. */
  dispose(): void {
    this.file.dispose();
  }
}
