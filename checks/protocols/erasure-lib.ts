/**
 * The npm Reed-Solomon library our coder is compared with:
 * `@digitaldefiance/reed-solomon-erasure.wasm` 1.0.2 (MIT), the Rust crate
 * `reed-solomon-erasure` (Backblaze-style systematic matrix: a Vandermonde matrix times the
 * inverse of its top k × k block, GF(2^8) modulo 0x11d) compiled to WebAssembly. No native build.
 *
 * Used by `erasure-compare.test.ts` and the `erasure` bench section. Three defects found here
 * (under Node 20), and how we work around them:
 * - its ESM entry's `fromCurrentDirectorySync()` reads `__dirname`, which ES modules do not
 *   have: we load the `.wasm` file ourselves with `fromBytes`;
 * - with m = 0 parity shards its `encode` panics inside the WebAssembly module (the Rust crate
 *   rejects m = 0 and the binding unwraps the error): we never call it with m = 0;
 * - one instance used for several calls corrupts its own heap: after a successful
 *   `reconstruct`, later ones report "Too few shards present" for loss patterns that leave k
 *   shards, or trap with "memory access out of bounds" inside its allocator (wee_alloc); the
 *   comparison test pins this. A fresh instance per call (the module compiled once) decodes
 *   every pattern correctly, so every call here gets one.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ReedSolomonErasure } from '@digitaldefiance/reed-solomon-erasure.wasm';

/** The library's name and version, for reports. */
export const RS_LIBRARY = '@digitaldefiance/reed-solomon-erasure.wasm 1.0.2';

let wasm: Uint8Array | undefined;

/** A fresh instance of the library's coder (see the module comment for why one per call). */
export function rsLibrary(): ReedSolomonErasure {
  if (wasm === undefined) {
    const req = createRequire(import.meta.url);
    wasm = readFileSync(req.resolve('@digitaldefiance/reed-solomon-erasure.wasm/wasm'));
  }
  return ReedSolomonErasure.fromBytes(wasm);
}

function check(code: number, what: string): void {
  if (code !== ReedSolomonErasure.RESULT_OK) throw new Error(`${RS_LIBRARY}: ${what}: ${ReedSolomonErasure.getResultMessage(code)}`);
}

/** The library's parity shards for `data` shards (all of the same size), m ≥ 1; `rs`: the instance (default: a fresh one). */
export function libEncode(data: readonly Uint8Array[], m: number, rs: ReedSolomonErasure = rsLibrary()): Uint8Array[] {
  if (m < 1) throw new RangeError('libEncode: the library needs m >= 1 (m = 0 panics inside it)');
  const k = data.length;
  const size = data[0]!.length;
  const buf = new Uint8Array(size * (k + m));
  data.forEach((d, i) => buf.set(d, i * size));
  check(rs.encode(buf, k, m), 'encode');
  return Array.from({ length: m }, (_, i) => buf.slice((k + i) * size, (k + i + 1) * size));
}

/**
 * The library's reconstruction of the k data shards from the n = k + m shards given (null:
 * lost), all of size `size`; `rs`: the instance (default: a fresh one).
 */
export function libReconstruct(shards: readonly (Uint8Array | null)[], k: number, m: number, size: number, rs: ReedSolomonErasure = rsLibrary()): Uint8Array[] {
  const buf = new Uint8Array(size * (k + m));
  const present = shards.map((s, i) => {
    if (s !== null) buf.set(s, i * size);
    return s !== null;
  });
  check(rs.reconstruct(buf, k, m, present), 'reconstruct');
  return Array.from({ length: k }, (_, i) => buf.slice(i * size, (i + 1) * size));
}
