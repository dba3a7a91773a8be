/**
 * Systematic Reed-Solomon erasure coding over GF(2^8): k data shards, m parity shards, any k of
 * the n = k + m shards rebuild the data (I. S. Reed, G. Solomon, "Polynomial Codes over Certain
 * Finite Fields", 1960; the construction of Backblaze's and klauspost's Vandermonde coders).
 *
 * The encoding matrix E (n × k) is a Vandermonde matrix V (row i: 1, i, i², …, over distinct
 * points 0..n−1) times the inverse of its top k × k block, so the top k rows of E are the
 * identity (the data shards are the data itself: systematic) and every k rows of E stay
 * invertible (a k × k Vandermonde block over distinct points is invertible, and right-multiplying
 * by an invertible matrix keeps it so). Decoding takes any k surviving shards, inverts their rows
 * of E, and multiplies.
 *
 * With checksums on, each shard carries the CRC-32 of its bytes; decoding verifies them, treats
 * a shard whose checksum fails as lost, and reports it.
 */
import { gfInvert, gfMatMul, gfMulTable, gfPow, type GfMatrix } from './gf256.ts';

/** Bad parameters, too few shards, or corruption beyond what the code can take. */
export class ErasureError extends Error {
  override readonly name = 'ErasureError';
}

/** One shard: its index in 0..n−1 (data shards first) and its bytes. */
export interface Shard {
  readonly index: number;
  readonly bytes: Uint8Array;
  /** CRC-32 of `bytes`, when encoded with checksums. */
  readonly crc?: number;
}

/** What decoding needs besides the shards. */
export interface CodeShape {
  readonly k: number;
  readonly m: number;
  /** The original length in bytes (the last data shard is zero-padded). */
  readonly length: number;
}

/** An encoded object. */
export interface Encoded extends CodeShape {
  readonly shards: readonly Shard[];
}

/** Check k and m. */
export function checkShape(k: number, m: number): void {
  if (!Number.isInteger(k) || k < 1) throw new ErasureError(`k must be an integer ≥ 1, got ${k}`);
  if (!Number.isInteger(m) || m < 0) throw new ErasureError(`m must be an integer ≥ 0, got ${m}`);
  if (k + m > 256) throw new ErasureError(`k + m must be at most 256 over GF(2^8), got ${k + m}`);
}

const matrices = new Map<string, Uint8Array[]>();

/** The n × k systematic encoding matrix. */
export function encodingMatrix(k: number, m: number): GfMatrix {
  checkShape(k, m);
  const key = `${k},${m}`;
  const hit = matrices.get(key);
  if (hit) return hit;
  const n = k + m;
  const v = Array.from({ length: n }, (_, i) => Uint8Array.from({ length: k }, (_, j) => gfPow(i, j)));
  const topInv = gfInvert(v.slice(0, k));
  if (topInv === null) throw new Error('unreachable: a Vandermonde block over distinct points is invertible');
  const e = gfMatMul(v, topInv);
  matrices.set(key, e);
  return e;
}

/** dst ^= c · src, byte by byte. */
function mulAdd(dst: Uint8Array, src: Uint8Array, table: Uint8Array): void {
  for (let i = 0; i < dst.length; i++) dst[i]! ^= table[src[i]!]!;
}

/** Multiply `rows` (r × k) by the k input shards: r output shards. */
function apply(rows: GfMatrix, inputs: readonly Uint8Array[], size: number): Uint8Array[] {
  return rows.map((row) => {
    const out = new Uint8Array(size);
    for (let j = 0; j < row.length; j++) if (row[j] !== 0) mulAdd(out, inputs[j]!, gfMulTable(row[j]!));
    return out;
  });
}

/** The shard size for `length` bytes split k ways. */
export function shardSize(length: number, k: number): number {
  return Math.max(1, Math.ceil(length / k));
}

/** Encode `data` into k data shards and m parity shards. */
export function encode(data: Uint8Array, k: number, m: number, opts: { readonly checksums?: boolean; readonly matrix?: GfMatrix } = {}): Encoded {
  const e = opts.matrix ?? encodingMatrix(k, m);
  const size = shardSize(data.length, k);
  const dataShards = Array.from({ length: k }, (_, i) => {
    const s = new Uint8Array(size);
    s.set(data.subarray(i * size, Math.min(data.length, (i + 1) * size)));
    return s;
  });
  const parity = apply(e.slice(k), dataShards, size);
  const shards = [...dataShards, ...parity].map((bytes, index) => (opts.checksums ? { index, bytes, crc: crc32(bytes) } : { index, bytes }));
  return { k, m, length: data.length, shards };
}

/** What {@link decodeReport} found. */
export interface DecodeReport {
  readonly data: Uint8Array;
  /** Indices of shards whose checksum failed (treated as lost). */
  readonly corrupted: readonly number[];
  /** The shards used, in order. */
  readonly used: readonly number[];
}

/**
 * Rebuild the data from the shards present (null or absent entries are lost). Throws
 * {@link ErasureError} when fewer than k intact shards remain, naming how many there are.
 */
export function decodeReport(shape: CodeShape, shards: readonly (Shard | null | undefined)[], opts: { readonly matrix?: GfMatrix } = {}): DecodeReport {
  const { k, m, length } = shape;
  checkShape(k, m);
  const n = k + m;
  const size = shardSize(length, k);
  const corrupted: number[] = [];
  const byIndex = new Map<number, Uint8Array>();
  for (const s of shards) {
    if (s === null || s === undefined) continue;
    if (!Number.isInteger(s.index) || s.index < 0 || s.index >= n) throw new ErasureError(`shard index ${s.index} is outside 0..${n - 1}`);
    if (s.bytes.length !== size) throw new ErasureError(`shard ${s.index} has ${s.bytes.length} bytes, expected ${size}`);
    if (s.crc !== undefined && crc32(s.bytes) !== s.crc) {
      corrupted.push(s.index);
      continue;
    }
    if (!byIndex.has(s.index)) byIndex.set(s.index, s.bytes);
  }
  if (byIndex.size < k) {
    const why = corrupted.length > 0 ? ` (${corrupted.length} failed their checksum: ${corrupted.join(', ')})` : '';
    throw new ErasureError(`cannot decode: ${byIndex.size} intact shard(s) of ${n}, need at least k = ${k}${why}`);
  }
  const used = [...byIndex.keys()].sort((a, b) => a - b).slice(0, k);
  const e = opts.matrix ?? encodingMatrix(k, m);
  const out = new Uint8Array(k * size);
  if (used.every((idx, i) => idx === i)) {
    used.forEach((idx, i) => out.set(byIndex.get(idx)!, i * size));
  } else {
    const inv = gfInvert(used.map((idx) => e[idx]!));
    if (inv === null) throw new ErasureError(`cannot decode: the rows of shards ${used.join(', ')} are linearly dependent`);
    apply(inv, used.map((idx) => byIndex.get(idx)!), size).forEach((d, i) => out.set(d, i * size));
  }
  return { data: out.slice(0, length), corrupted, used };
}

/** Rebuild the data (see {@link decodeReport}). */
export function decode(shape: CodeShape, shards: readonly (Shard | null | undefined)[], opts: { readonly matrix?: GfMatrix } = {}): Uint8Array {
  return decodeReport(shape, shards, opts).data;
}

/** Rebuild shard `index` from any k others (decode, then re-encode that one row). */
export function rebuildShard(shape: CodeShape, shards: readonly (Shard | null | undefined)[], index: number, opts: { readonly matrix?: GfMatrix } = {}): Uint8Array {
  const data = decode(shape, shards, opts);
  const e = opts.matrix ?? encodingMatrix(shape.k, shape.m);
  const size = shardSize(shape.length, shape.k);
  const dataShards = Array.from({ length: shape.k }, (_, i) => {
    const s = new Uint8Array(size);
    s.set(data.subarray(i * size, Math.min(data.length, (i + 1) * size)));
    return s;
  });
  return apply([e[index]!], dataShards, size)[0]!;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let j = 0; j < 8; j++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zlib computes it). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A known-bug encoding matrix: every parity row is all ones (XOR parity repeated), so two parity shards say the same thing and some k-subsets cannot decode. */
export function xorParityMatrix(k: number, m: number): GfMatrix {
  checkShape(k, m);
  return Array.from({ length: k + m }, (_, i) => Uint8Array.from({ length: k }, (_, j) => (i < k ? (i === j ? 1 : 0) : 1)));
}
