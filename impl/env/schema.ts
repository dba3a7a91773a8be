/**
 * Declare a protocol's data once; derive the rest.
 *
 * A schema describes a value: bounded integers, booleans, enums, node ids, sets of nodes,
 * per-node arrays, lists, records, tagged unions and optional values. The TypeScript type comes
 * from the schema (`Infer<typeof s>`), and {@link compile} derives, for a cluster of `n` nodes:
 *
 * - `encode`: a canonical encoding into 32-bit words, compiled to straight-line code, with small
 *   scalar fields packed into shared words. It is injective on valid values, and checks ranges
 *   as it goes: a value outside its declaration (a term above its bound, a node that does not
 *   exist, a missing field) throws a {@link SchemaError} naming the field instead of being
 *   packed into a word where it would alias another value;
 * - `decode`: the inverse of `encode`;
 * - `rename`: the value with every node id renamed and every per-node array permuted, compiled
 *   like the encoder, so that symmetry reduction is sound by construction (nothing to forget);
 * - `signature`: a number that renaming does not change, for the symmetry pre-sort;
 * - `view`: plain JSON for traces, with node ids as names (`n2`), node sets as lists of names and
 *   per-node arrays as objects keyed by name;
 * - `validate`: a full check (ranges, types, missing and undeclared fields), returning the first
 *   problem with its path.
 *
 * ```ts
 * const Entry = S.record({ term: S.int(0, 7), value: S.int(0, 15) });
 * const Durable = S.record({ term: S.int(0, 7), votedFor: S.optional(S.node()), log: S.list(Entry, 4) });
 * type Durable = Infer<typeof Durable>;   // { readonly term: number; readonly votedFor: number | null; readonly log: readonly {…}[] }
 * ```
 */
import type { Encoder } from '../core/encode.ts';
import { InputError } from '../core/machine.ts';
import { popcount } from './nodeset.ts';
import { formatValue } from './format.ts';

// ---------------------------------------------------------------------------------------------
// Schemas

/** Every schema carries the type of its values (never read at run time). */
interface Typed<T> {
  /** Phantom: the type of the values this schema describes. */
  readonly __type?: T;
  /**
   * The value's short label in views and message labels (set by {@link S.labelled}); `undefined`
   * from it means "no label for this value: show the plain view".
   */
  label?(v: T, at: LabelContext): string | undefined;
  /** Spread this field's view into the enclosing record's view (set by {@link S.inline}). */
  readonly inline?: boolean;
  /** View the value as another schema's value (set by {@link S.viewAs}). */
  readonly viewAs?: { readonly schema: AnySchema; map(v: T): unknown };
}

/**
 * What a label function ({@link S.labelled}) is told besides the value: how nodes are named, how
 * to show a part of the value, and where the value sits.
 */
export interface LabelContext {
  /** A node id's name in this cluster (`n2`, or its role's name `r1`): labels show node ids through it, so a renamed value shows the renamed name. */
  name(id: number): string;
  /** A part of the value, shown as its own schema says: its label if it has one, else compact JSON of its view (numbers, strings bare). */
  show<T>(schema: Schema<T>, v: T): string;
  /** The node whose per-node entry holds the value (innermost), if any. */
  readonly node: number | undefined;
  /** The value's position (from 0) in the list or set that holds it (innermost), if any. */
  readonly index: number | undefined;
}

/** An integer in `min..max` (both inclusive, within 32-bit signed integers). */
export interface IntSchema extends Typed<number> {
  readonly kind: 'int';
  readonly min: number;
  readonly max: number;
}
/** `true` or `false`. */
export interface BoolSchema extends Typed<boolean> {
  readonly kind: 'bool';
}
/** One of a fixed list of strings. */
export interface EnumSchema<T extends string> extends Typed<T> {
  readonly kind: 'enum';
  readonly values: readonly T[];
}
/** A node id, 1..n (or a member of one role). */
export interface NodeSchema extends Typed<number> {
  readonly kind: 'node';
  /** Only nodes of this role (default: any node). */
  readonly role?: string;
}
/** A set of node ids as a bitmask (see `nodeset.ts`). */
export interface NodeSetSchema extends Typed<number> {
  readonly kind: 'nodeSet';
}
/**
 * One value per node: `a[id - 1]`, exactly n entries; or, with `role`, one per node of that
 * role: `a[k]` for its k-th member (k from 0).
 */
export interface PerNodeSchema<T> extends Typed<readonly T[]> {
  readonly kind: 'perNode';
  readonly of: AnySchema;
  readonly role?: string;
}
/** A set of small values (each packs into one word), kept as a list whose order does not count. */
export interface SetSchema<T> extends Typed<readonly T[]> {
  readonly kind: 'set';
  readonly of: AnySchema;
  readonly max: number;
}
/** A list of at most `max` values. */
export interface ListSchema<T> extends Typed<readonly T[]> {
  readonly kind: 'list';
  readonly of: AnySchema;
  readonly max: number;
}
/** A value or `null`. */
export interface OptionalSchema<T> extends Typed<T | null> {
  readonly kind: 'optional';
  readonly of: AnySchema;
}
/** A record with these fields, in this order. */
export interface RecordSchema<T> extends Typed<T> {
  readonly kind: 'record';
  readonly fields: Readonly<Record<string, AnySchema>>;
}
/** A tagged union: the field `tag` names the variant, the other fields are the variant's. */
export interface UnionSchema<T> extends Typed<T> {
  readonly kind: 'union';
  readonly tag: string;
  readonly variants: Readonly<Record<string, Readonly<Record<string, AnySchema>>>>;
}

/** Any schema. */
export type AnySchema =
  | IntSchema
  | BoolSchema
  | EnumSchema<string>
  | NodeSchema
  | NodeSetSchema
  | PerNodeSchema<unknown>
  | SetSchema<unknown>
  | ListSchema<unknown>
  | OptionalSchema<unknown>
  | RecordSchema<unknown>
  | UnionSchema<unknown>;

/** A schema for values of type `T`. */
export type Schema<T> = AnySchema & Typed<T>;

/** The type of the values a schema describes. */
export type Infer<S> = S extends Typed<infer T> ? T : never;

type Fields = Readonly<Record<string, AnySchema>>;
type Flat<T> = { readonly [K in keyof T]: T[K] } & {};
type RecordOf<F extends Fields> = Flat<{ readonly [K in keyof F]: Infer<F[K]> }>;
type VariantsOf<Tag extends string, V extends Readonly<Record<string, Fields>>> = {
  [K in keyof V & string]: Flat<{ readonly [T in Tag]: K } & { readonly [F in keyof V[K]]: Infer<V[K][F]> }>;
}[keyof V & string];

/** Thrown by `encode` (and reported by `validate`) for a value outside its declaration. */
export class SchemaError extends Error {
  constructor(
    /** Where in the value, e.g. `log[2].term`. */
    readonly path: string,
    /** What is wrong. */
    readonly problem: string,
  ) {
    super(`${path === '' ? 'value' : path}: ${problem}`);
    this.name = 'SchemaError';
  }
}

/** Schema constructors. */
export const S = {
  /** An integer in `min..max`, both inclusive. */
  int(min: number, max: number): IntSchema {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min || max - min > 0xffffffff || min < -0x80000000 || max > 0x7fffffff) {
      throw new RangeError(`S.int(${min}, ${max}): need integers min ≤ max within 32 bits`);
    }
    return { kind: 'int', min, max };
  },
  /** A boolean. */
  bool(): BoolSchema {
    return { kind: 'bool' };
  },
  /** One of these strings. */
  enum<const T extends string>(...values: readonly T[]): EnumSchema<T> {
    if (values.length === 0 || new Set(values).size !== values.length) throw new RangeError('S.enum: need distinct values');
    return { kind: 'enum', values };
  },
  /** A node id; with `role`, the id of a node of that role. */
  node(role?: string): NodeSchema {
    return role === undefined ? { kind: 'node' } : { kind: 'node', role };
  },
  /** A set of node ids (bitmask). */
  nodeSet(): NodeSetSchema {
    return { kind: 'nodeSet' };
  },
  /** One value per node, indexed by id − 1. */
  perNode<T extends AnySchema>(of: T): PerNodeSchema<Infer<T>> {
    return { kind: 'perNode', of };
  },
  /** One value per node of `role`, indexed by the node's rank in its role (0 for the first). */
  perRole<T extends AnySchema>(role: string, of: T): PerNodeSchema<Infer<T>> {
    return { kind: 'perNode', of, role };
  },
  /**
   * A set of at most `max` distinct small values (each must pack into one 32-bit word: a scalar,
   * or a record of scalars), held as a list in any order: states that differ only in the order
   * encode alike.
   */
  set<T extends AnySchema>(of: T, max = 0x7fffffff): SetSchema<Infer<T>> {
    return { kind: 'set', of, max };
  },
  /** A list of at most `max` values (default: no bound). */
  list<T extends AnySchema>(of: T, max = 0x7fffffff): ListSchema<Infer<T>> {
    if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`S.list: bad max ${max}`);
    return { kind: 'list', of, max };
  },
  /** A value or `null`. */
  optional<T extends AnySchema>(of: T): OptionalSchema<Infer<T>> {
    return { kind: 'optional', of };
  },
  /** A record with these fields. */
  record<const F extends Fields>(fields: F): RecordSchema<RecordOf<F>> {
    return { kind: 'record', fields };
  },
  /**
   * `schema` with a short label for traces: its derived view (and so the default message label
   * `Type(field=value, …)`, the node views, the ghost view and the diagram) shows
   * `label(v, at)` instead of the value's plain JSON. Nothing else changes: the encoding,
   * renaming, signature and validation are the schema's. The label shows node ids through
   * `at.name` (never a fixed `n${id}`), so it follows role names and renamings; `at.show(part, x)`
   * shows a part by its own schema (and label), `at.node` / `at.index` say where the value sits
   * (the node of the enclosing per-node entry, the position in the enclosing list). Return
   * `undefined` to fall back to the plain view for some values (e.g. one variant of a union).
   *
   * ```ts
   * const Ballot = S.labelled(S.record({ round: S.int(0, 3), node: S.node() }), (b, at) => `${b.round}.${at.name(b.node)}`);
   * const Lamport = S.labelled(S.int(0, 9), (l) => `L=${l}`);     // Stamp(stamp=L=3), durable "L=3"
   * ```
   */
  labelled<T extends AnySchema>(schema: T, label: (v: Infer<T>, at: LabelContext) => string | undefined): T {
    return { ...schema, label } as T;
  },
  /**
   * `schema`, viewed as a value of the schema `as`: its derived view (and label) is the view of
   * `map(v)` by `as`, with `as`'s labels and node names. For data packed for speed whose natural
   * reading has another shape, e.g. TwoPhase.tla's set of message records held as a node set and
   * two flags. Nothing else changes: encoding, renaming, signature and validation are
   * `schema`'s. `map` must be pure and only carry node ids over (never compute them), so a renamed
   * value views with the renamed names.
   *
   * ```ts
   * const Msgs = S.viewAs(S.record({ prepared: S.nodeSet(), commit: S.bool() }), S.list(S.union('type', { Prepared: { rm: S.node() }, Commit: {} })), (m) => [
   *   ...nodesIn(m.prepared).map((rm) => ({ type: 'Prepared' as const, rm })),
   *   ...(m.commit ? [{ type: 'Commit' as const }] : []),
   * ]);   // views as [{ type: 'Prepared', rm: 'n1' }, { type: 'Commit' }]
   * ```
   */
  viewAs<T extends AnySchema, U extends AnySchema>(schema: T, as: U, map: (v: Infer<T>) => Infer<U>): T {
    return { ...schema, viewAs: { schema: as, map } } as T;
  },
  /**
   * A record field whose view is spread into the record's view instead of nested under its name:
   * `S.record({ procs: S.inline(S.perNode(…)) })` views as `{ n1: …, n2: … }`, not
   * `{ procs: { n1: …, n2: … } }`. Only the view changes; a field whose view is not a plain
   * object (a list, a label) stays under its name.
   */
  inline<T extends AnySchema>(schema: T): T {
    return { ...schema, inline: true } as T;
  },
  /** A tagged union on field `tag`: `S.union('type', { Ping: { seq: S.int(0, 3) }, Pong: {} })`. */
  union<const Tag extends string, const V extends Readonly<Record<string, Fields>>>(tag: Tag, variants: V): UnionSchema<VariantsOf<Tag, V>> {
    if (Object.keys(variants).length === 0) throw new RangeError('S.union: need at least one variant');
    for (const [name, f] of Object.entries(variants)) if (tag in f) throw new RangeError(`S.union: variant ${name} redeclares the tag field ${tag}`);
    return { kind: 'union', tag, variants };
  },
};

// ---------------------------------------------------------------------------------------------
// Compiled codecs

/** What {@link compile} derives from a schema. */
export interface Codec<T> {
  /** The schema. */
  readonly schema: Schema<T>;
  /** Whether values contain node ids (if not, `rename` is the identity). */
  readonly hasNodeIds: boolean;
  /** Write the canonical encoding; throws {@link SchemaError} on a value outside the schema. */
  encode(v: T, out: Encoder): void;
  /**
   * Write exactly the words `encode(rename(v, id => perm[id]), out)` writes, without building
   * the renamed value: `perm[old] = new` and `inv[new] = old` (index 0 unused), a permutation of
   * 1..n that maps each role onto itself. Node ids are mapped through `perm`, node sets' bits
   * permuted, per-node maps read in `inv` order, sets re-sorted.
   */
  encodeRenamed(v: T, perm: ArrayLike<number>, inv: ArrayLike<number>, out: Encoder): void;
  /** Read a value back from `words`, starting at `at.pos` (advanced past it). */
  decode(words: ArrayLike<number>, at: { pos: number }): T;
  /** The value with node ids renamed by `f` and per-node arrays permuted (`f(old) = new`). */
  rename(v: T, f: (id: number) => number): T;
  /** A 32-bit digest that renaming does not change. */
  signature(v: T): number;
  /**
   * Per node (index id − 1), a digest that renaming moves with the node (see
   * `nodeSignatureOf`): a symmetry pre-sort signature. All zeros when the schema has none.
   */
  nodeSignatures(v: T): number[];
  /** Plain JSON for traces. */
  view(v: T): unknown;
  /** The first problem with `v` (wrong type, out of range, missing or undeclared field), or null. */
  validate(v: unknown): SchemaError | null;
}

/** How to compile: the node count, and how a node id is shown. */
export interface CompileOptions {
  /** Number of nodes: node ids are 1..n (at most 64; at most 31 with a node set). */
  readonly n: number;
  /** A node's name in views (default `n1`, `n2`, …). */
  readonly name?: (id: number) => string;
  /** The ids of a role's nodes, ascending (needed for `S.perRole` and `S.node(role)`). */
  readonly members?: (role: string) => readonly number[];
}

function bitsFor(k: number): number {
  return k <= 0 ? 0 : 32 - Math.clz32(k);
}

/** Width in bits of a scalar's packed code, or -1 for a non-scalar. */
function scalarWidth(s: AnySchema, n: number): number {
  switch (s.kind) {
    case 'int':
      return bitsFor(s.max - s.min);
    case 'bool':
      return 1;
    case 'enum':
      return bitsFor(s.values.length - 1);
    case 'node':
      return bitsFor(n);
    case 'nodeSet':
      return n;
    case 'optional': {
      const w = scalarWidth(s.of, n);
      return w < 0 || w >= 31 ? -1 : w + 1;
    }
    default:
      return -1;
  }
}

/** The schemas directly inside `s` (element, field and variant-field schemas). */
function subSchemas(s: AnySchema): readonly AnySchema[] {
  switch (s.kind) {
    case 'perNode':
    case 'list':
    case 'set':
    case 'optional':
      return [s.of];
    case 'record':
      return Object.values(s.fields);
    case 'union':
      return Object.values(s.variants).flatMap((f) => Object.values(f));
    default:
      return [];
  }
}

function containsIds(s: AnySchema): boolean {
  return s.kind === 'node' || s.kind === 'nodeSet' || s.kind === 'perNode' || subSchemas(s).some(containsIds);
}

function containsNodeSet(s: AnySchema): boolean {
  return s.kind === 'nodeSet' || subSchemas(s).some(containsNodeSet);
}

const prop = (expr: string, key: string): string => `${expr}[${JSON.stringify(key)}]`;

/** Generates the straight-line encoder and decoder of a schema. */
class Generator {
  private vars = 0;
  /** Constants the generated code reads (enum tables), passed in as `K`. */
  readonly consts: unknown[] = [];
  /**
   * Generate the permuted encoder (see {@link Codec.encodeRenamed}): node ids read through `P`
   * (old → new), node sets through `B(mask, P)`, per-node entries through `Q` (new → old).
   */
  renaming = false;

  constructor(
    private readonly n: number,
    private readonly ids: (role: string | undefined) => readonly number[],
  ) {}

  v(prefix = 'x'): string {
    return `${prefix}${this.vars++}`;
  }

  konst(c: unknown): string {
    this.consts.push(c);
    return `K[${this.consts.length - 1}]`;
  }

  /** The bits a scalar, or a record of scalars, packs into; -1 if more than one word or not packable. */
  packedWidth(s: AnySchema): number {
    const w = scalarWidth(s, this.n);
    if (w >= 0) return w;
    if (s.kind !== 'record') return -1;
    let total = 0;
    for (const f of Object.values(s.fields)) {
      const fw = scalarWidth(f, this.n);
      if (fw < 0) return -1;
      total += fw;
    }
    return total <= 32 && total > 0 ? total : -1;
  }

  /** Whether `s` is a per-node map of scalars: its entries pack into shared words, like a record's scalar fields. */
  packsPerNode(s: AnySchema): boolean {
    return s.kind === 'perNode' && scalarWidth(s.of, this.n) >= 0;
  }

  /** Code that checks the scalar in `x` and evaluates to its code (0..2^width − 1). */
  scalarCode(s: AnySchema, x: string, path: string, out: string[]): string {
    const p = JSON.stringify(path);
    switch (s.kind) {
      case 'int':
        out.push(`if (typeof ${x} !== 'number' || (${x} | 0) !== ${x} || ${x} < ${s.min} || ${x} > ${s.max}) F(${p}, ${x}, 'an integer in ${s.min}..${s.max}');`);
        return s.min === 0 ? x : `(${x} - ${s.min})`;
      case 'bool':
        out.push(`if (typeof ${x} !== 'boolean') F(${p}, ${x}, 'a boolean');`);
        return `(${x} ? 1 : 0)`;
      case 'enum': {
        const c = this.v('e');
        // A few values: compare with the literals (interned strings: pointer compares), which
        // is several times faster than a Map lookup; many values: a Map.
        const lookup =
          s.values.length <= 12
            ? `${s.values.map((v, i) => `${x} === ${JSON.stringify(v)} ? ${i} : `).join('')}-1`
            : `${this.konst(new Map(s.values.map((v, i) => [v, i])))}.get(${x}) ?? -1`;
        out.push(`const ${c} = ${lookup};`);
        out.push(`if (${c} < 0) F(${p}, ${x}, ${JSON.stringify(`one of ${s.values.join(', ')}`)});`);
        return c;
      }
      case 'node': {
        if (s.role === undefined) {
          out.push(`if (typeof ${x} !== 'number' || (${x} | 0) !== ${x} || ${x} < 1 || ${x} > ${this.n}) F(${p}, ${x}, 'a node id in 1..${this.n}');`);
        } else {
          const members = this.konst(new Set(this.ids(s.role)));
          out.push(`if (!${members}.has(${x})) F(${p}, ${x}, ${JSON.stringify(`a ${s.role} node`)});`);
        }
        return this.renaming ? `P[${x}]` : x;
      }
      case 'nodeSet':
        out.push(`if (typeof ${x} !== 'number' || (${x} >>> 0) !== ${x} || ${x} >= ${2 ** this.n}) F(${p}, ${x}, 'a set of nodes 1..${this.n}');`);
        return this.renaming ? `B(${x}, P)` : `(${x} | 0)`;
      case 'optional': {
        const inner: string[] = [];
        const code = this.scalarCode(s.of, x, path, inner);
        const c = this.v('o');
        out.push(`let ${c} = 0;`);
        out.push(`if (${x} !== null) { ${inner.join(' ')} ${c} = ${code} * 2 + 1; }`);
        return c;
      }
      default:
        throw new Error(`not a scalar: ${s.kind}`);
    }
  }

  /** Code that reads a scalar from its code in `c`. */
  scalarFromCode(s: AnySchema, c: string): string {
    switch (s.kind) {
      case 'int':
        return s.min === 0 ? c : `(${c} + ${s.min})`;
      case 'bool':
        return `(${c} === 1)`;
      case 'enum':
        return `${this.konst(s.values)}[${c}]`;
      case 'node':
        return c;
      case 'nodeSet':
        return `(${c} >>> 0)`;
      case 'optional':
        return `((${c}) === 0 ? null : ${this.scalarFromCode(s.of, `((${c}) >>> 1)`)})`;
      default:
        throw new Error(`not a scalar: ${s.kind}`);
    }
  }

  /**
   * Encode a sequence of (schema, expression, path) items: consecutive scalars are packed into
   * shared words (at most 32 bits each), anything else is written on its own.
   */
  encodeSeq(items: readonly (readonly [AnySchema, string, string])[], out: string[]): void {
    let group: string[] = [];
    let used = 0;
    const flush = (): void => {
      if (group.length > 0) out.push(`o.int(${group.join(' | ')});`);
      group = [];
      used = 0;
    };
    const expanded: (readonly [AnySchema, string, string])[] = [];
    for (const [s, x, path] of items) {
      // A per-node map of scalars packs its entries into the shared words, like fields.
      if (!this.packsPerNode(s)) {
        expanded.push([s, x, path]);
        continue;
      }
      const pn = s as PerNodeSchema<unknown>;
      const k = this.ids(pn.role).length;
      out.push(`if (!Array.isArray(${x}) || ${x}.length !== ${k}) F(${JSON.stringify(path)}, ${x}, 'one entry per ${pn.role ?? 'node'} (${k})');`);
      for (let i = 0; i < k; i++) {
        const e = this.v('x');
        out.push(`const ${e} = ${x}[${this.entryIndex(pn, String(i))}];`);
        expanded.push([pn.of as AnySchema, e, `${path}[]`]);
      }
    }
    for (const [s, x, path] of expanded) {
      const w = scalarWidth(s, this.n);
      if (w < 0) {
        flush();
        this.encode(s, x, path, out);
        continue;
      }
      if (w === 0) {
        this.scalarCode(s, x, path, out); // checked, nothing to write
        continue;
      }
      if (used + w > 32) flush();
      const code = this.scalarCode(s, x, path, out);
      group.push(used === 0 ? code : `(${code} << ${used})`);
      used += w;
    }
    flush();
  }

  /** Decode the same sequence: returns the expressions (one per item), pushing reads to `out`. */
  decodeSeq(items: readonly AnySchema[], out: string[]): string[] {
    const exprs: string[] = [];
    let word = '';
    let used = 0;
    const scalar = (s: AnySchema, w: number): string => {
      if (w === 0) return this.scalarFromCode(s, '0');
      if (word === '' || used + w > 32) {
        word = this.v('w');
        out.push(`const ${word} = W[A.pos++] | 0;`);
        used = 0;
      }
      const c = this.v('c');
      const mask = w >= 32 ? '' : ` & ${2 ** w - 1}`;
      out.push(`const ${c} = (${word} >>> ${used})${mask};`);
      used += w;
      return this.scalarFromCode(s, c);
    };
    for (const s of items) {
      if (this.packsPerNode(s)) {
        const pn = s as PerNodeSchema<unknown>;
        const of = pn.of as AnySchema;
        const w = scalarWidth(of, this.n);
        const parts: string[] = [];
        for (let i = 0; i < this.ids(pn.role).length; i++) parts.push(scalar(of, w));
        const a = this.v('a');
        out.push(`const ${a} = [${parts.join(', ')}];`);
        exprs.push(a);
        continue;
      }
      const w = scalarWidth(s, this.n);
      if (w < 0) {
        used = 0;
        word = '';
        exprs.push(this.decode(s, out));
        continue;
      }
      exprs.push(scalar(s, w));
    }
    return exprs;
  }

  /**
   * The index of the per-node entry written at position `i` (an expression): `i` itself, or,
   * in the permuted encoder, the rank of the node that the permutation maps onto the i-th id.
   */
  entryIndex(s: PerNodeSchema<unknown>, i: string): string {
    if (!this.renaming) return i;
    const ids = this.ids(s.role);
    const rank = new Int32Array(this.n + 1).fill(-1);
    ids.forEach((id, k) => (rank[id] = k));
    // The identity role (all nodes) needs no tables: rank(id) = id - 1.
    if (s.role === undefined) return `(Q[${/^\d+$/.test(i) ? Number(i) + 1 : `${i} + 1`}] - 1)`;
    return `${this.konst(rank)}[Q[${this.konst(Int32Array.from(ids))}[${i}]]]`;
  }

  encode(s: AnySchema, x: string, path: string, out: string[]): void {
    const p = JSON.stringify(path);
    switch (s.kind) {
      case 'int':
      case 'bool':
      case 'enum':
      case 'node':
      case 'nodeSet':
        this.encodeSeq([[s, x, path]], out);
        return;
      case 'optional':
        if (scalarWidth(s, this.n) >= 0) {
          this.encodeSeq([[s, x, path]], out);
          return;
        }
        out.push(`if (${x} === null) o.int(0); else {`, `o.int(1);`);
        this.encode(s.of, x, path, out);
        out.push('}');
        return;
      case 'list': {
        const i = this.v('i');
        const e = this.v('x');
        out.push(`if (!Array.isArray(${x}) || ${x}.length > ${s.max}) F(${p}, ${x}, 'a list of at most ${s.max}');`);
        out.push(`o.int(${x}.length);`);
        out.push(`for (let ${i} = 0; ${i} < ${x}.length; ${i}++) {`, `const ${e} = ${x}[${i}];`);
        this.encode(s.of, e, `${path}[]`, out);
        out.push('}');
        return;
      }
      case 'perNode': {
        if (this.packsPerNode(s)) {
          this.encodeSeq([[s, x, path]], out);
          return;
        }
        const i = this.v('i');
        const e = this.v('x');
        const k = this.ids(s.role).length;
        out.push(`if (!Array.isArray(${x}) || ${x}.length !== ${k}) F(${p}, ${x}, 'one entry per ${s.role ?? 'node'} (${k})');`);
        out.push(`for (let ${i} = 0; ${i} < ${k}; ${i}++) {`, `const ${e} = ${x}[${this.entryIndex(s, i)}];`);
        this.encode(s.of, e, `${path}[]`, out);
        out.push('}');
        return;
      }
      case 'set': {
        // Each element packs into one word; the words are written sorted, so order does not count.
        if (this.packedWidth(s.of) < 0) throw new RangeError(`S.set at ${path || 'the top'}: elements must pack into one 32-bit word`);
        const i = this.v('i');
        const e = this.v('x');
        const ws = this.v('ws');
        const len = this.v('n');
        const sorted = this.v('s');
        // A scratch buffer per set in the schema, reused from call to call (an encoder never
        // re-enters itself), sorted natively only when the elements are not in order already.
        const scratch = this.konst({ a: new Uint32Array(8) });
        out.push(`if (!Array.isArray(${x}) || ${x}.length > ${s.max}) F(${p}, ${x}, 'a set of at most ${s.max}');`);
        out.push(`const ${len} = ${x}.length;`, `if (${scratch}.a.length < ${len}) ${scratch}.a = new Uint32Array(2 * ${len});`);
        out.push(`const ${ws} = ${scratch}.a;`, `let ${sorted} = true;`);
        out.push(`for (let ${i} = 0; ${i} < ${len}; ${i}++) {`, `const ${e} = ${x}[${i}];`);
        const inner: string[] = [];
        this.encode(s.of, e, `${path}[]`, inner);
        // The element's encoder writes one o.int(...): capture it instead.
        out.push(...inner.map((line) => line.replace(/^o\.int\((.*)\);$/, `${ws}[${i}] = ($1) >>> 0; if (${i} > 0 && ${ws}[${i}] <= ${ws}[${i} - 1]) ${sorted} = false;`)));
        out.push('}');
        out.push(`if (!${sorted}) {`, `${ws}.subarray(0, ${len}).sort();`);
        out.push(`for (let ${i} = 1; ${i} < ${len}; ${i}++) if (${ws}[${i}] === ${ws}[${i} - 1]) F(${p}, ${x}, 'distinct elements');`, '}');
        // Elements of one possible value (0 bits) write no word, as everywhere else: the length
        // says it all, and the decoder reads no word for them.
        out.push(`o.int(${len});`);
        if (this.packedWidth(s.of) > 0) out.push(`for (let ${i} = 0; ${i} < ${len}; ${i}++) o.int(${ws}[${i}] | 0);`);
        return;
      }
      case 'record': {
        out.push(`if (typeof ${x} !== 'object' || ${x} === null) F(${p}, ${x}, 'a record');`);
        const items = Object.entries(s.fields).map(([k, f]) => {
          const y = this.v();
          out.push(`const ${y} = ${prop(x, k)};`);
          return [f, y, path === '' ? k : `${path}.${k}`] as const;
        });
        this.encodeSeq(items, out);
        return;
      }
      case 'union': {
        out.push(`if (typeof ${x} !== 'object' || ${x} === null) F(${p}, ${x}, 'a record');`);
        const names = Object.keys(s.variants);
        const tagSchema = S.enum(...names);
        out.push(`switch (${prop(x, s.tag)}) {`);
        for (const name of names) {
          out.push(`case ${JSON.stringify(name)}: {`);
          const tagVar = this.v('t');
          out.push(`const ${tagVar} = ${JSON.stringify(name)};`);
          const items: (readonly [AnySchema, string, string])[] = [[tagSchema, tagVar, path === '' ? s.tag : `${path}.${s.tag}`]];
          for (const [k, f] of Object.entries(s.variants[name]!)) {
            const y = this.v();
            out.push(`const ${y} = ${prop(x, k)};`);
            items.push([f, y, `${path === '' ? '' : `${path}.`}${name}.${k}`]);
          }
          this.encodeSeq(items, out);
          out.push('break; }');
        }
        out.push(`default: F(${JSON.stringify(path === '' ? s.tag : `${path}.${s.tag}`)}, ${prop(x, s.tag)}, ${JSON.stringify(`one of ${names.join(', ')}`)});`);
        out.push('}');
        return;
      }
    }
  }

  /**
   * Code that renames node ids in the value `x` (`F` maps an id to its new id); returns the
   * expression of the renamed value. Parts without node ids are shared, not copied.
   */
  rename(s: AnySchema, x: string, out: string[]): string {
    if (!containsIds(s)) return x;
    switch (s.kind) {
      case 'node':
        return `F(${x})`;
      case 'nodeSet': {
        const r = this.v('r');
        const i = this.v('i');
        out.push(`let ${r} = 0;`, `for (let ${i} = 0; ${i} < ${this.n}; ${i}++) if ((${x} >>> ${i}) & 1) ${r} |= 1 << (F(${i} + 1) - 1);`);
        return `(${r} >>> 0)`;
      }
      case 'optional': {
        const r = this.v('r');
        out.push(`let ${r} = null;`, `if (${x} !== null) {`);
        const inner = this.rename(s.of, x, out);
        out.push(`${r} = ${inner};`, '}');
        return r;
      }
      case 'list':
      case 'set': {
        const a = this.v('a');
        const i = this.v('i');
        const e = this.v('x');
        out.push(`const ${a} = new Array(${x}.length);`, `for (let ${i} = 0; ${i} < ${x}.length; ${i}++) {`, `const ${e} = ${x}[${i}];`);
        const inner = this.rename(s.of, e, out);
        out.push(`${a}[${i}] = ${inner};`, '}');
        return a;
      }
      case 'perNode': {
        const ids = this.ids(s.role);
        const IDS = this.konst(ids);
        const RANK = this.konst(Object.fromEntries(ids.map((id, k) => [id, k])));
        const a = this.v('a');
        const i = this.v('i');
        const e = this.v('x');
        out.push(`const ${a} = new Array(${ids.length});`, `for (let ${i} = 0; ${i} < ${ids.length}; ${i}++) {`, `const ${e} = ${x}[${i}];`);
        const inner = this.rename(s.of, e, out);
        out.push(`${a}[${RANK}[F(${IDS}[${i}])]] = ${inner};`, '}');
        return a;
      }
      case 'record': {
        const parts = Object.entries(s.fields).map(([k, f]) => {
          const y = this.v();
          out.push(`const ${y} = ${prop(x, k)};`);
          return `${JSON.stringify(k)}: ${this.rename(f, y, out)}`;
        });
        const r = this.v('r');
        out.push(`const ${r} = { ${parts.join(', ')} };`);
        return r;
      }
      case 'union': {
        const r = this.v('r');
        out.push(`let ${r} = ${x};`, `switch (${prop(x, s.tag)}) {`);
        for (const [name, fields] of Object.entries(s.variants)) {
          if (!Object.values(fields).some(containsIds)) continue;
          out.push(`case ${JSON.stringify(name)}: {`);
          const parts = Object.entries(fields).map(([k, f]) => {
            const y = this.v();
            out.push(`const ${y} = ${prop(x, k)};`);
            return `${JSON.stringify(k)}: ${this.rename(f, y, out)}`;
          });
          out.push(`${r} = { ${[`${JSON.stringify(s.tag)}: ${JSON.stringify(name)}`, ...parts].join(', ')} };`, 'break; }');
        }
        out.push('}');
        return r;
      }
      default:
        return x;
    }
  }

  /** Code that decodes a value; returns its expression. */
  decode(s: AnySchema, out: string[]): string {
    switch (s.kind) {
      case 'int':
      case 'bool':
      case 'enum':
      case 'node':
      case 'nodeSet':
        return this.decodeSeq([s], out)[0]!;
      case 'optional': {
        if (scalarWidth(s, this.n) >= 0) return this.decodeSeq([s], out)[0]!;
        const r = this.v('r');
        out.push(`let ${r} = null;`, `if (W[A.pos++] !== 0) {`);
        const inner = this.decode(s.of, out);
        out.push(`${r} = ${inner};`, '}');
        return r;
      }
      case 'list':
      case 'set':
      case 'perNode': {
        if (this.packsPerNode(s)) return this.decodeSeq([s], out)[0]!;
        const len = this.v('n');
        const arr = this.v('a');
        const i = this.v('i');
        out.push(s.kind !== 'perNode' ? `const ${len} = W[A.pos++];` : `const ${len} = ${this.ids(s.role).length};`);
        out.push(`const ${arr} = new Array(${len});`, `for (let ${i} = 0; ${i} < ${len}; ${i}++) {`);
        const e = this.decode(s.of, out);
        out.push(`${arr}[${i}] = ${e};`, '}');
        return arr;
      }
      case 'record': {
        const keys = Object.keys(s.fields);
        const exprs = this.decodeSeq(Object.values(s.fields), out);
        const r = this.v('r');
        out.push(`const ${r} = { ${keys.map((k, i) => `${JSON.stringify(k)}: ${exprs[i]}`).join(', ')} };`);
        return r;
      }
      case 'union': {
        const names = Object.keys(s.variants);
        const r = this.v('r');
        const tagWidth = bitsFor(names.length - 1);
        // The tag is packed with the variant's first scalars: peek at the word without consuming it.
        const peek = this.v('p');
        out.push(`let ${r};`, `const ${peek} = ${tagWidth === 0 ? '0' : `W[A.pos] & ${2 ** tagWidth - 1}`};`);
        out.push(`switch (${peek}) {`);
        names.forEach((name, idx) => {
          out.push(`case ${idx}: {`);
          const fields = s.variants[name]!;
          const tagSchema = S.enum(...names);
          const exprs = this.decodeSeq([tagSchema, ...Object.values(fields)], out);
          out.push(
            `${r} = { ${[`${JSON.stringify(s.tag)}: ${exprs[0]}`, ...Object.keys(fields).map((k, i) => `${JSON.stringify(k)}: ${exprs[i + 1]}`)].join(', ')} };`,
          );
          out.push('break; }');
        });
        out.push(`default: throw new Error('decode: bad union tag ' + ${peek});`, '}');
        return r;
      }
    }
  }
}

function fail(path: string, value: unknown, expected: string): never {
  let shown: string;
  try {
    shown = value === undefined ? 'missing' : JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  throw new SchemaError(path, `${shown}, expected ${expected}`);
}

/** The members of a role (every node for `undefined`), ascending. */
type Ids = (role: string | undefined) => readonly number[];

/** Mix `x` into the 32-bit hash `h` (signatures; renaming-invariant digests). */
export function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x9e3779b1);
  return (h ^ (h >>> 15)) | 0;
}

/**
 * Per-node digests of a value that renaming carries along with the nodes: for a renamed value,
 * node `perm[id]` gets the digest node `id` had. Read through records only (from the top):
 * per-node and per-role maps give each node its entry's digest, node sets each node its
 * membership, node fields each node whether it is the one named. Every other field adds
 * nothing. Mixed into `out[id - 1]`; undefined when the schema gives no node anything.
 */
function nodeSignatureOf(s: AnySchema, n: number, ids: Ids): ((v: unknown, out: number[]) => void) | undefined {
  switch (s.kind) {
    case 'perNode': {
      const inner = signatureOf(s.of);
      const members = ids(s.role);
      return (v, out) => {
        const a = v as readonly unknown[];
        for (let k = 0; k < members.length; k++) out[members[k]! - 1] = mix(out[members[k]! - 1]!, inner(a[k]));
      };
    }
    case 'nodeSet':
      return (v, out) => {
        for (let i = 0; i < n; i++) out[i] = mix(out[i]!, (((v as number) >>> i) & 1) + 1);
      };
    case 'node':
      return (v, out) => {
        for (let i = 0; i < n; i++) out[i] = mix(out[i]!, v === i + 1 ? 2 : 1);
      };
    case 'record': {
      const parts = Object.entries(s.fields).flatMap(([k, f]) => {
        const g = nodeSignatureOf(f, n, ids);
        return g ? [[k, g] as const] : [];
      });
      if (parts.length === 0) return undefined;
      const keys = parts.map(([k]) => k);
      const fns = parts.map(([, g]) => g);
      return (v, out) => {
        const o = v as Record<string, unknown>;
        for (let i = 0; i < keys.length; i++) fns[i]!(o[keys[i]!], out);
      };
    }
    default:
      return undefined;
  }
}

/** A digest that renaming does not change: node ids count as "some node", node sets by size, per-node arrays as multisets. */
function signatureOf(s: AnySchema): (v: unknown) => number {
  switch (s.kind) {
    case 'int':
      return (v) => (v as number) | 0;
    case 'bool':
      return (v) => (v ? 1 : 2);
    case 'enum': {
      const idx = new Map(s.values.map((x, i) => [x, i + 1]));
      return (v) => idx.get(v as string) ?? 0;
    }
    case 'node':
      return () => 7;
    case 'nodeSet':
      return (v) => popcount(v as number);
    case 'optional': {
      const inner = signatureOf(s.of);
      return (v) => (v === null ? 0 : mix(1, inner(v)));
    }
    case 'list': {
      const inner = signatureOf(s.of);
      return (v) => {
        const a = v as readonly unknown[];
        let h = a.length;
        for (let i = 0; i < a.length; i++) h = mix(h, inner(a[i]));
        return h;
      };
    }
    case 'set':
    case 'perNode': {
      const inner = signatureOf(s.of);
      return (v) => {
        // Order-independent: renaming permutes the entries.
        let sum = 0;
        let xor = 0;
        const a = v as readonly unknown[];
        for (let i = 0; i < a.length; i++) {
          const h = mix(0x2545f491, inner(a[i]));
          sum = (sum + h) | 0;
          xor ^= Math.imul(h, 0x27d4eb2d);
        }
        return mix(sum, xor);
      };
    }
    case 'record': {
      const keys = Object.keys(s.fields);
      const sigs = Object.values(s.fields).map((f) => signatureOf(f));
      return (v) => {
        const o = v as Record<string, unknown>;
        let h = 0x811c9dc5;
        for (let i = 0; i < keys.length; i++) h = mix(h, sigs[i]!(o[keys[i]!]));
        return h;
      };
    }
    case 'union': {
      const byTag = new Map(
        Object.entries(s.variants).map(([name, fields], i) => [name, { i, keys: Object.keys(fields), sigs: Object.values(fields).map((f) => signatureOf(f)) }] as const),
      );
      return (v) => {
        const o = v as Record<string, unknown>;
        const { i, keys, sigs } = byTag.get(o[s.tag] as string)!;
        let h = mix(0x1b873593, i);
        for (let k = 0; k < keys.length; k++) h = mix(h, sigs[k]!(o[keys[k]!]));
        return h;
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Views and labels (the `label` and `inline` hooks)

/** Where a value sits, for its label: the node of the enclosing per-node entry, the position in the enclosing list. */
interface Where {
  readonly node: number | undefined;
  readonly index: number | undefined;
}
const NOWHERE: Where = { node: undefined, index: undefined };
type Viewer = (v: unknown, at: Where) => unknown;

/** The derived views of one compiled cluster: one viewer per schema node, built on first use (also for `at.show`). */
class Views {
  private readonly cache = new WeakMap<AnySchema, Viewer>();

  constructor(
    private readonly name: (id: number) => string,
    private readonly n: number,
    private readonly ids: Ids,
  ) {}

  of(s: AnySchema): Viewer {
    let v = this.cache.get(s);
    if (v === undefined) {
      v = this.build(s);
      this.cache.set(s, v);
    }
    return v;
  }

  /** A value shown as a string: its label, or its view (strings and numbers bare, anything else compact JSON). */
  show(s: AnySchema, v: unknown, at: Where): string {
    return formatValue(this.of(s)(v, at));
  }

  private build(s: AnySchema): Viewer {
    const plain = s.viewAs ? this.mapped(s.viewAs.schema, s.viewAs.map as (v: unknown) => unknown) : this.plain(s);
    const label = s.label as ((v: unknown, at: LabelContext) => string | undefined) | undefined;
    if (label === undefined) return plain;
    const name = this.name;
    return (v, where) => {
      const at: LabelContext = { name, show: (part, x) => this.show(part as AnySchema, x, where), node: where.node, index: where.index };
      const l = label(v, at);
      return l === undefined ? plain(v, where) : l;
    };
  }

  /** The view of `map(v)` by `as` ({@link S.viewAs}). */
  private mapped(as: AnySchema, map: (v: unknown) => unknown): Viewer {
    const view = this.of(as);
    return (v, at) => view(map(v), at);
  }

  private plain(s: AnySchema): Viewer {
    const { name, n, ids } = this;
    switch (s.kind) {
      case 'int':
      case 'bool':
      case 'enum':
        return (v) => v;
      case 'node':
        return (v) => name(v as number);
      case 'nodeSet':
        return (v) => {
          const out: string[] = [];
          for (let i = 0; i < n; i++) if (((v as number) >>> i) & 1) out.push(name(i + 1));
          return out;
        };
      case 'optional': {
        const inner = this.of(s.of);
        return (v, at) => (v === null ? null : inner(v, at));
      }
      case 'list':
      case 'set': {
        const inner = this.of(s.of);
        return (v, at) => (v as readonly unknown[]).map((x, index) => inner(x, { node: at.node, index }));
      }
      case 'perNode': {
        const inner = this.of(s.of);
        const members = ids(s.role);
        return (v, at) => {
          const out: Record<string, unknown> = {};
          (v as readonly unknown[]).forEach((x, i) => {
            out[name(members[i]!)] = inner(x, { node: members[i]!, index: at.index });
          });
          return out;
        };
      }
      case 'record': {
        const fields = this.fields(s.fields);
        return (v, at) => fields(v as Record<string, unknown>, {}, at);
      }
      case 'union': {
        const byTag = new Map(Object.entries(s.variants).map(([t, f]) => [t, this.fields(f)] as const));
        return (v, at) => {
          const o = v as Record<string, unknown>;
          const fields = byTag.get(o[s.tag] as string);
          const out: Record<string, unknown> = { [s.tag]: o[s.tag] };
          return fields ? fields(o, out, at) : out;
        };
      }
    }
  }

  /** The view of a record's (or a variant's) fields, written into `out`; an inlined field's object view is spread into it. */
  private fields(fields: Fields): (o: Record<string, unknown>, out: Record<string, unknown>, at: Where) => Record<string, unknown> {
    const parts = Object.entries(fields).map(([k, f]) => [k, this.of(f), f.inline === true] as const);
    return (o, out, at) => {
      for (const [k, view, inline] of parts) {
        const x = view(o[k], at);
        if (inline && typeof x === 'object' && x !== null && !Array.isArray(x)) Object.assign(out, x);
        else out[k] = x;
      }
      return out;
    };
  }
}

/** The derived view of `s`: plain JSON with node names, labels where the schema declares them. */
function viewOf(s: AnySchema, name: (id: number) => string, n: number, ids: Ids): (v: unknown) => unknown {
  const view = new Views(name, n, ids).of(s);
  return (v) => view(v, NOWHERE);
}

function validatorOf(s: AnySchema, n: number, ids: Ids): (v: unknown, path: string) => SchemaError | null {
  const err = (path: string, v: unknown, expected: string): SchemaError => {
    try {
      fail(path, v, expected);
    } catch (e) {
      return e as SchemaError;
    }
  };
  const fieldsValidator = (fields: Fields, skip: string | null) => {
    const parts = Object.entries(fields).map(([k, f]) => [k, validatorOf(f, n, ids)] as const);
    const allowed = new Set([...Object.keys(fields), ...(skip === null ? [] : [skip])]);
    return (o: Record<string, unknown>, path: string, prefix: string): SchemaError | null => {
      for (const [k, val] of parts) {
        if (!(k in o)) return err(`${prefix}${k}`, undefined, 'a declared field');
        const e = val(o[k], `${prefix}${k}`);
        if (e) return e;
      }
      for (const k of Object.keys(o)) if (!allowed.has(k)) return new SchemaError(`${prefix}${k}`, 'a field the schema does not declare');
      void path;
      return null;
    };
  };
  switch (s.kind) {
    case 'int':
      return (v, p) => (typeof v === 'number' && Number.isInteger(v) && v >= s.min && v <= s.max ? null : err(p, v, `an integer in ${s.min}..${s.max}`));
    case 'bool':
      return (v, p) => (typeof v === 'boolean' ? null : err(p, v, 'a boolean'));
    case 'enum':
      return (v, p) => (typeof v === 'string' && (s.values as readonly string[]).includes(v) ? null : err(p, v, `one of ${s.values.join(', ')}`));
    case 'node': {
      if (s.role === undefined) return (v, p) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= n ? null : err(p, v, `a node id in 1..${n}`));
      const members = new Set(ids(s.role));
      return (v, p) => (typeof v === 'number' && members.has(v) ? null : err(p, v, `a ${s.role} node`));
    }
    case 'nodeSet':
      return (v, p) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** n ? null : err(p, v, `a set of nodes 1..${n}`));
    case 'optional': {
      const inner = validatorOf(s.of, n, ids);
      return (v, p) => (v === null ? null : inner(v, p));
    }
    case 'list':
    case 'set':
    case 'perNode': {
      const inner = validatorOf(s.of, n, ids);
      const k = s.kind === 'perNode' ? ids(s.role).length : 0;
      return (v, p) => {
        if (!Array.isArray(v)) return err(p, v, 'a list');
        if (s.kind !== 'perNode' && v.length > s.max) return err(p, v, `a ${s.kind} of at most ${s.max}`);
        if (s.kind === 'perNode' && v.length !== k) return err(p, v, `one entry per ${s.role ?? 'node'} (${k})`);
        if (s.kind === 'set' && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) return err(p, v, 'distinct elements');
        for (let i = 0; i < v.length; i++) {
          const e = inner(v[i], `${p}[${i}]`);
          if (e) return e;
        }
        return null;
      };
    }
    case 'record': {
      const check = fieldsValidator(s.fields, null);
      return (v, p) => (typeof v !== 'object' || v === null || Array.isArray(v) ? err(p, v, 'a record') : check(v as Record<string, unknown>, p, p === '' ? '' : `${p}.`));
    }
    case 'union': {
      const byTag = new Map(Object.entries(s.variants).map(([t, f]) => [t, fieldsValidator(f, s.tag)] as const));
      return (v, p) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return err(p, v, 'a record');
        const o = v as Record<string, unknown>;
        const check = byTag.get(o[s.tag] as string);
        if (!check) return err(`${p === '' ? '' : `${p}.`}${s.tag}`, o[s.tag], `one of ${[...byTag.keys()].join(', ')}`);
        return check(o, p, p === '' ? '' : `${p}.`);
      };
    }
  }
}

/** The node set `mask` with each id renamed by `perm` (`perm[old] = new`), as a signed 32-bit word. */
export function permuteBits(mask: number, perm: ArrayLike<number>): number {
  let r = 0;
  let m = mask >>> 0;
  while (m !== 0) {
    const low = m & -m;
    r |= 1 << (perm[32 - Math.clz32(low)]! - 1);
    m = (m ^ low) >>> 0;
  }
  return r | 0;
}

/** The largest node count a schema compiles for; a schema with a node set needs at most {@link MAX_NODESET_NODES}. */
export const MAX_SCHEMA_NODES = 64;
/** The largest node count of a schema with `S.nodeSet()` (node sets are 32-bit masks). */
export const MAX_NODESET_NODES = 31;

/**
 * Codecs already derived, by what determines them: the schema's structure, the node count, the
 * names and the members of the roles it names. Machines built again for an equal cluster
 * (random mode builds one for every configuration it draws: the same schema, a different crash
 * budget) then skip the derivation, which was two thirds of building a TwoPC machine. A codec
 * holds no state of its own, so sharing one is safe. Functions in a schema (labels, `viewAs`
 * maps) count by identity. Bounded: emptied past 1,024 entries.
 */
const CODECS = new Map<string, Codec<unknown>>();

/** Functions in schemas (labels, `viewAs` maps) by identity: two schemas are equal only if they hold the same functions. */
const FUNCTION_IDS = new WeakMap<object, number>();
let nextFunctionId = 0;
/** A `JSON.stringify` replacer that writes each function as its identity. */
function functionIds(_key: string, v: unknown): unknown {
  if (typeof v !== 'function') return v;
  let id = FUNCTION_IDS.get(v);
  if (id === undefined) FUNCTION_IDS.set(v, (id = nextFunctionId++));
  return `ƒ${id}`;
}

/** The roles a schema names (`S.node(role)`, `S.perRole`). */
function rolesOf(s: AnySchema, out = new Set<string>()): Set<string> {
  if ((s.kind === 'node' || s.kind === 'perNode') && s.role !== undefined) out.add(s.role);
  for (const c of subSchemas(s)) rolesOf(c, out);
  return out;
}

/** Derive the codec of `schema` for a cluster of `opts.n` nodes (once per equal schema and cluster). */
export function compile<T>(schema: Schema<T>, opts: CompileOptions): Codec<T> {
  const n = opts.n;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SCHEMA_NODES) return derive(schema, opts);
  const name = opts.name ?? ((id: number) => `n${id}`);
  const roles = [...rolesOf(schema as AnySchema)].sort();
  let key: string;
  try {
    key = `${JSON.stringify(schema, functionIds)}|${n}|${Array.from({ length: n }, (_, i) => name(i + 1)).join(',')}|${roles.map((r) => `${r}:${opts.members ? opts.members(r).join(',') : '?'}`).join(';')}`;
  } catch {
    return derive(schema, opts);
  }
  const known = CODECS.get(key);
  if (known !== undefined) return known as Codec<T>;
  const codec = derive(schema, opts);
  if (CODECS.size >= 1024) CODECS.clear();
  CODECS.set(key, codec as Codec<unknown>);
  return codec;
}

function derive<T>(schema: Schema<T>, opts: CompileOptions): Codec<T> {
  const n = opts.n;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SCHEMA_NODES) throw new RangeError(`compile: node count ${n} outside 1..${MAX_SCHEMA_NODES}`);
  if (n > MAX_NODESET_NODES && containsNodeSet(schema as AnySchema)) throw new InputError(`a schema with a node set (S.nodeSet(), a 32-bit mask) needs at most ${MAX_NODESET_NODES} nodes, got ${n}`);
  const name = opts.name ?? ((id: number) => `n${id}`);
  const s = schema as AnySchema;
  const all = Array.from({ length: n }, (_, i) => i + 1);
  const ids: Ids = (role) => {
    if (role === undefined) return all;
    if (!opts.members) throw new RangeError(`compile: the schema names role ${role}, but no role members were given`);
    return opts.members(role);
  };
  const gen = new Generator(n, ids);
  const encBody: string[] = [];
  gen.encode(s, 'v', '', encBody);
  const renBodyEnc: string[] = [];
  gen.renaming = true;
  gen.encode(s, 'v', '', renBodyEnc);
  gen.renaming = false;
  const decBody: string[] = [];
  const result = gen.decode(s, decBody);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const encode = new Function('K', 'F', `"use strict"; return function encode(v, o) {\n${encBody.join('\n')}\n};`)(gen.consts, fail) as (v: T, o: Encoder) => void;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const decode = new Function('K', `"use strict"; return function decode(W, A) {\n${decBody.join('\n')}\nreturn ${result};\n};`)(gen.consts) as (
    w: ArrayLike<number>,
    at: { pos: number },
  ) => T;
  const renBody: string[] = [];
  const renamed = gen.rename(s, 'v', renBody);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const renamer = containsIds(s)
    ? (new Function('K', `"use strict"; return function rename(v, F) {\n${renBody.join('\n')}\nreturn ${renamed};\n};`)(gen.consts) as (v: unknown, f: (id: number) => number) => unknown)
    : null;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const encodeRenamed = containsIds(s)
    ? (new Function('K', 'F', 'B', `"use strict"; return function encodeRenamed(v, P, Q, o) {\n${renBodyEnc.join('\n')}\n};`)(gen.consts, fail, permuteBits) as (
        v: T,
        perm: ArrayLike<number>,
        inv: ArrayLike<number>,
        o: Encoder,
      ) => void)
    : (v: T, _perm: ArrayLike<number>, _inv: ArrayLike<number>, o: Encoder) => encode(v, o);
  const sig = signatureOf(s);
  const nodeSig = nodeSignatureOf(s, n, ids);
  const view = viewOf(s, name, n, ids);
  const validator = validatorOf(s, n, ids);
  return {
    schema,
    hasNodeIds: containsIds(s),
    encode,
    encodeRenamed,
    decode,
    rename: renamer ? (v, f) => renamer(v, f) as T : (v) => v,
    signature: (v) => sig(v) | 0,
    nodeSignatures: (v) => {
      const out = new Array<number>(n).fill(0);
      if (nodeSig) nodeSig(v, out);
      return out;
    },
    view,
    validate: (v) => validator(v, ''),
  };
}
