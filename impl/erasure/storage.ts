/**
 * An erasure-coded object store: n = k + m holders h1..hn each keep one shard of one object
 * (`rs.ts`, systematic Reed-Solomon over GF(2^8)). A crash loses the holder's disk: its shard
 * is volatile. A restarted holder rebuilds its shard: it asks every peer (`Fetch`), collects
 * `Piece`s until it has k of them, decodes the object and re-encodes its own row.
 *
 * The object is fixed (2k bytes; each shard is two bytes, carried as one 16-bit word), so the
 * checks in `specs/erasure.ts` know what every shard must hold. Known-bug variants: the XOR
 * parity matrix (every parity row all ones), and a rebuild that writes the neighbour's row.
 */
import { S } from '../env/schema.ts';
import { defineProtocol, type Protocol, type SchemaTypes } from '../env/types.ts';
import { encode, encodingMatrix, ErasureError, rebuildShard, xorParityMatrix, type CodeShape } from './rs.ts';
import type { GfMatrix } from './gf256.ts';

/** The code's shape. */
export interface StorageShape {
  readonly k: number;
  readonly m: number;
}

/** The stored object for a shape: 2k deterministic bytes. */
export function storedObject(k: number): Uint8Array {
  return Uint8Array.from({ length: 2 * k }, (_, i) => (i * 37 + 11) & 0xff);
}

/** A shard's two bytes as one word. */
export const toWord = (b: Uint8Array): number => b[0]! | (b[1]! << 8);
/** A word as a shard's two bytes. */
export const fromWord = (w: number): Uint8Array => Uint8Array.of(w & 0xff, w >>> 8);

/** The storage model's data. */
export const storageSchema = (sh: StorageShape) => {
  const n = sh.k + sh.m;
  return {
    durable: S.record({}),
    volatile: S.record({
      /** The shard this holder keeps (lost with the disk). */
      shard: S.optional(S.int(0, 0xffff)),
      /** Rebuilding: the pieces collected so far. */
      fetching: S.bool(),
      got: S.set(S.record({ idx: S.int(0, n - 1), word: S.int(0, 0xffff) })),
    }),
    /** `Fetch`, and `Piece(shard 2)` (the shard's index, not its bytes) in traces. */
    msg: S.labelled(S.union('type', { Fetch: {}, Piece: { idx: S.int(0, n - 1), word: S.int(0, 0xffff) } }), (m) => (m.type === 'Piece' ? `Piece(shard ${m.idx})` : undefined)),
    ghost: S.record({ rebuilt: S.int(0, 15) }),
    local: S.enum('rebuild'),
  };
};

/** The storage model's types. */
export interface StorageTypes extends SchemaTypes<ReturnType<typeof storageSchema>> {
  readonly local: 'rebuild';
}
type P = StorageTypes;

/** What the variants change. */
export interface StorageRules {
  readonly matrix: GfMatrix;
  /** The row a rebuilding holder (id `self`, 1-based) writes: correct is its own, self − 1. */
  rowOf(self: number, n: number): number;
}

/** The correct rules. */
export function correctStorageRules(sh: StorageShape): StorageRules {
  return { matrix: encodingMatrix(sh.k, sh.m), rowOf: (self) => self - 1 };
}

/** The shards of the stored object under a matrix, as words. */
export function storedShards(sh: StorageShape, matrix: GfMatrix): number[] {
  return encode(storedObject(sh.k), sh.k, sh.m, { matrix }).shards.map((s) => toWord(s.bytes));
}

/** The storage protocol. */
export function storageProtocol(sh: StorageShape, rules: StorageRules = correctStorageRules(sh)): Protocol<P> {
  const n = sh.k + sh.m;
  const shape: CodeShape = { k: sh.k, m: sh.m, length: 2 * sh.k };
  const initial = storedShards(sh, rules.matrix);
  const idle = { shard: null, fetching: false, got: [] } as const;
  return defineProtocol<P>({
    name: 'erasure-storage',
    schema: storageSchema(sh),
    roles: { holder: { count: n, prefix: 'h', symmetric: false } },
    initGhost: { rebuilt: 0 },
    init: (ctx) => ({ durable: {}, volatile: { shard: initial[ctx.self - 1]!, fetching: false, got: [] } }),
    onRestart: () => ({ durable: {}, volatile: idle }),
    localActions: (_ctx, node) => (node.volatile.shard === null && !node.volatile.fetching ? ['rebuild'] : []),
    onLocal: (ctx, node) => ({ durable: node.durable, volatile: { ...node.volatile, fetching: true }, effects: ctx.peers.map((p) => ctx.send(p, { type: 'Fetch' })) }),
    onMessage(ctx, node, msg, from) {
      const v = node.volatile;
      if (msg.type === 'Fetch') return v.shard === null ? node : { ...node, effects: [ctx.send(from, { type: 'Piece', idx: ctx.self - 1, word: v.shard })] };
      if (v.shard !== null || !v.fetching || v.got.some((g) => g.idx === msg.idx)) return node;
      const got = [...v.got, { idx: msg.idx, word: msg.word }].sort((a, b) => a.idx - b.idx);
      if (got.length < sh.k) return { durable: node.durable, volatile: { ...v, got } };
      const row = rules.rowOf(ctx.self, n);
      let bytes: Uint8Array;
      try {
        bytes = rebuildShard(shape, got.map((g) => ({ index: g.idx, bytes: fromWord(g.word) })), row, { matrix: rules.matrix });
      } catch (e) {
        // These k pieces do not determine the data (only a broken code gets here): keep waiting.
        if (e instanceof ErasureError) return { durable: node.durable, volatile: { ...v, got } };
        throw e;
      }
      return {
        durable: node.durable,
        volatile: { shard: toWord(bytes), fetching: false, got: [] },
        effects: [ctx.ghost((g) => ({ rebuilt: Math.min(15, g.rebuilt + 1) })), ctx.note(`rebuilds shard ${row} from ${got.map((g) => g.idx).join(',')}`)],
      };
    },
  });
}

/** The known-bug variants. */
export const STORAGE_BUG_RULES = {
  'xor-parity': (sh: StorageShape): StorageRules => ({ ...correctStorageRules(sh), matrix: xorParityMatrix(sh.k, sh.m) }),
  'rebuild-wrong-shard': (sh: StorageShape): StorageRules => ({ ...correctStorageRules(sh), rowOf: (self, n) => self % n }),
} as const;
/** A variant name, or none. */
export type StorageBug = keyof typeof STORAGE_BUG_RULES | 'none';

/** The protocol with a known bug. */
export function buggyStorage(sh: StorageShape, bug: StorageBug): Protocol<P> {
  return storageProtocol(sh, bug === 'none' ? correctStorageRules(sh) : STORAGE_BUG_RULES[bug](sh));
}
