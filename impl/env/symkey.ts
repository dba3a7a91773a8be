/**
 * The environment machine's permuted encoder: the words `encode(rename(s, perm))` writes, for
 * an environment state `s`, without building the renamed state (no new node slots, packets,
 * keys or partition). {@link symmetryKeyWriter} runs it once per candidate permutation and keeps
 * the least, so that a state's symmetry key costs word writes, not object graphs.
 *
 * It mirrors, part for part, the environment's `encode` and `rename` (impl/env/machine.ts):
 *
 * - node slots in new-id order: slot `j` of the renamed state is the old slot `inv[j]`; its
 *   up flag, timers and clock unchanged; durable and volatile data through the schema's
 *   permuted encoders ({@link Codec.encodeRenamed});
 * - the network: each packet's renamed words (`perm[from]`, `perm[to]`, the message's permuted
 *   encoding), sorted as the renamed state's packet keys sort (string order of the words, or by
 *   renamed link, stably, in FIFO mode); messages the protocol declares ignored are left out as
 *   `encode` leaves them out (the ignored flags are computed once per state, on `s` itself:
 *   `ignores` must treat nodes alike, which symmetry asks of every handler anyway);
 * - the partition's cut matrix with rows moved and bits permuted; budgets unchanged; the ghost
 *   record through its permuted encoder (or as it is, when it holds no schema).
 *
 * Only for protocols whose data is all declared by schema, with no hand-written encoders or
 * renamers and no `renameTimer` (the machine keeps the old path for the others). That this
 * writes exactly what `encode(rename(s, perm))` writes is tested on states from real searches
 * (checks/env/symkey.test.ts).
 */
import type { WordBuffer } from '../core/encode.ts';
import type { Codec } from './schema.ts';
import { permuteBits } from './schema.ts';
import type { EnvState, ProtocolTypes, Usage } from './types.ts';

/** The budgets used so far, as the environment's encoding writes them (renaming leaves them as they are). */
export function encodeUsage(u: Usage, hasDetector: boolean, out: { int(x: number): void }): void {
  out.int(u.crashes);
  out.int(u.drops);
  out.int(u.duplicates);
  out.int(u.partitions);
  out.int(u.requests);
  out.int(u.timeouts);
  if (hasDetector) out.int(u.falseSuspicions);
}

/** What {@link envRenamedEncoder} needs: the machine's configuration and derived codecs. */
export interface EnvKeyParts<P extends ProtocolTypes> {
  readonly n: number;
  readonly clocks: boolean;
  readonly fifo: boolean;
  readonly hasDetector: boolean;
  readonly durable: Codec<P['durable']>;
  readonly volatile: Codec<P['volatile']>;
  readonly msg: Codec<P['msg']>;
  /** The ghost record's codec, when the schema declares one. */
  readonly ghost: Codec<P['ghost']> | undefined;
  /** How the machine encodes a ghost record without a schema (it holds no node ids). */
  encodeGhost(g: P['ghost'], out: WordBuffer): void;
  /**
   * Messages left out of the encoding (1 = ignored), one flag per packet of `s.net`, into
   * `flags`; absent when the machine leaves nothing out.
   */
  readonly ignoredFlags?: (s: EnvState<P>, flags: Uint8Array) => void;
}

/** The permuted encoder of an environment state, with its once-per-state `prepare`. */
export interface EnvRenamedEncoder<P extends ProtocolTypes> {
  /** Call once per state before its candidates: computes what renaming does not change. */
  prepare(s: EnvState<P>): void;
  /** Write `encode(rename(s, perm))` (after `prepare(s)`). */
  encodeRenamed(s: EnvState<P>, perm: Int32Array, inv: Int32Array, out: WordBuffer): void;
}

/** Build the permuted encoder of environment states (see the file comment). */
export function envRenamedEncoder<P extends ProtocolTypes>(parts: EnvKeyParts<P>, scratch: () => WordBuffer): EnvRenamedEncoder<P> {
  const { n, clocks, fifo, hasDetector, durable, volatile, msg, ghost } = parts;
  const ignoredFlags = parts.ignoredFlags;
  const msgIds = msg.hasNodeIds;
  // Per state: the kept packets' indices (into s.net).
  let kept = new Int32Array(16);
  let keptCount = 0;
  let flags = new Uint8Array(16);
  // Per candidate: the renamed packets' words in `arena`, packet k at start[k] .. start[k] + len[k].
  const arena = scratch();
  let start = new Int32Array(16);
  let len = new Int32Array(16);
  let order = new Int32Array(16);
  let linkOf = new Int32Array(16);

  const prepare = (s: EnvState<P>): void => {
    const net = s.net;
    if (kept.length < net.length) {
      kept = new Int32Array(2 * net.length);
      start = new Int32Array(2 * net.length);
      len = new Int32Array(2 * net.length);
      order = new Int32Array(2 * net.length);
      linkOf = new Int32Array(2 * net.length);
    }
    keptCount = 0;
    if (ignoredFlags) {
      if (flags.length < net.length) flags = new Uint8Array(2 * net.length);
      ignoredFlags(s, flags);
      for (let i = 0; i < net.length; i++) if (flags[i] !== 1) kept[keptCount++] = i;
    } else {
      for (let i = 0; i < net.length; i++) kept[keptCount++] = i;
    }
  };

  /** Whether renamed packet a sorts before renamed packet b (the renamed state's network order). */
  const before = (a: number, b: number): boolean => {
    if (fifo) return linkOf[a]! < linkOf[b]!;
    const w = arena.raw;
    // As keyLess (symmetry.ts), in place: string order of the words, a proper prefix first.
    const sa = start[a]!;
    const sb = start[b]!;
    const la = len[a]!;
    const lb = len[b]!;
    const m = la < lb ? la : lb;
    for (let i = 0; i < m; i++) {
      const x = w[sa + i]!;
      const y = w[sb + i]!;
      if (x !== y) return ((x << 16) | (x >>> 16)) >>> 0 < ((y << 16) | (y >>> 16)) >>> 0;
    }
    return la < lb;
  };

  // The renamed words of the last two slots met at each node, with the permutation they were
  // renamed by (a state's successors share most of its slots, and most keys are written under
  // one permutation: the parent's slots are written again and again). Exact: the words are a
  // function of the slot and the permutation. Up to 13 nodes (a permutation's code, base 16,
  // stays an exact integer).
  const cacheSlots = n <= 13;
  const slotOf: (object | null)[] = new Array<object | null>(2 * n).fill(null);
  const codeOf = new Float64Array(2 * n);
  const wordsOf: (Int32Array | null)[] = new Array<Int32Array | null>(2 * n).fill(null);
  const writeSlot = (slot: EnvState<P>['nodes'][number], perm: Int32Array, inv: Int32Array, out: WordBuffer): void => {
    out.int(slot.up ? 1 : 0);
    out.int(slot.timers);
    if (clocks) out.int(slot.clock);
    durable.encodeRenamed(slot.durable, perm, inv, out);
    if (slot.up) volatile.encodeRenamed(slot.volatile as P['volatile'], perm, inv, out);
  };

  const encodeRenamed = (s: EnvState<P>, perm: Int32Array, inv: Int32Array, out: WordBuffer): void => {
    if (!cacheSlots) {
      for (let j = 0; j < n; j++) writeSlot(s.nodes[inv[j + 1]! - 1]!, perm, inv, out);
    } else {
      let code = 0;
      for (let i = 1; i <= n; i++) code = code * 16 + perm[i]!;
      for (let j = 0; j < n; j++) {
        const old = inv[j + 1]! - 1;
        const slot = s.nodes[old]!;
        const k = 2 * old;
        if (slotOf[k] === slot && codeOf[k] === code) {
          const w = wordsOf[k]!;
          out.append(w, w.length);
          continue;
        }
        let w: Int32Array;
        if (slotOf[k + 1] === slot && codeOf[k + 1] === code) {
          w = wordsOf[k + 1]!;
          out.append(w, w.length);
        } else {
          const at = out.len;
          writeSlot(slot, perm, inv, out);
          w = out.raw.slice(at, out.len);
        }
        slotOf[k + 1] = slotOf[k]!;
        codeOf[k + 1] = codeOf[k]!;
        wordsOf[k + 1] = wordsOf[k]!;
        slotOf[k] = slot;
        codeOf[k] = code;
        wordsOf[k] = w;
      }
    }
    const net = s.net;
    arena.reset();
    for (let k = 0; k < keptCount; k++) {
      const p = net[kept[k]!]!;
      const from = perm[p.from]!;
      const to = perm[p.to]!;
      start[k] = arena.len;
      arena.int(from);
      arena.int(to);
      if (msgIds) msg.encodeRenamed(p.msg, perm, inv, arena);
      else {
        // No node ids in the message: its words are the packet key's, after (from, to).
        const key = p.key;
        for (let i = 4; i < key.length; i += 2) arena.int(key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16));
      }
      len[k] = arena.len - start[k]!;
      linkOf[k] = from * 32 + to;
      // Insertion sort (stable; networks are small): the renamed packets in renamed-key order.
      let j = k;
      while (j > 0 && before(k, order[j - 1]!)) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = k;
    }
    out.int(keptCount);
    const w = arena.raw;
    for (let r = 0; r < keptCount; r++) {
      const k = order[r]!;
      const st = start[k]!;
      const l = len[k]!;
      out.int(2 * l); // `str(key)`: the key's length in UTF-16 units, then its words
      out.append(w, l, st);
      if (!fifo) out.int(net[kept[k]!]!.count);
    }
    const part = s.partition;
    if (part === null) out.int(0);
    else {
      out.int(1);
      for (let j = 0; j < n; j++) {
        const c = part.cut[inv[j + 1]! - 1]!;
        out.int(c === 0 ? 0 : permuteBits(c, perm));
      }
    }
    encodeUsage(s.used, hasDetector, out);
    if (ghost) ghost.encodeRenamed(s.ghost, perm, inv, out);
    else parts.encodeGhost(s.ghost, out);
  };
  return { prepare, encodeRenamed };
}
