/**
 * The history models: a sequential spec plus the adapters that turn parsed operations (Jepsen
 * events, JSON operations) into the spec's inputs and outputs.
 *
 * | model | spec | operations |
 * |---|---|---|
 * | `register` | {@link registerSpec} | read, write |
 * | `cas-register` | {@link casRegisterSpec} | read, write, cas |
 * | `kv` | {@link kvSpec}, checked key by key | get, put, append (with a key) |
 * | `multi-register` | {@link multiRegisterSpec} | txn of `[read k v]` / `[write k v]` micro-ops |
 *
 * Outputs: a completed write, put or append has output `null` (an acknowledgement), so an
 * `undefined` output always means unknown.
 *
 * Jepsen values: a `:read`'s result is its completion's `:value` (nil: the register is empty,
 * except in `multi-register`, where nil is an unknown read, as in Knossos); a `:write` writes
 * its `:value`; a `:cas` has `:value [from to]`, and `:ok` means it swapped. A completion `:fail`
 * reaches an adapter only in Porcupine's etcd logs, where a failed `:cas` found another value
 * (output `false`), a failed `:read` timed out (unknown output), and a failed write did not
 * happen (dropped).
 */
import { casRegisterSpec, registerSpec, type CasRegisterInput, type CasRegisterOutput, type RegisterInput } from '../../specs/sequential/register.ts';
import { kvSpec, type KvInput, type KvOutput } from '../../specs/sequential/kv.ts';
import { multiRegisterSpec, type MicroOp, type MultiRegisterInput, type MultiRegisterOutput } from '../../specs/sequential/multi-register.ts';
import type { RegisterValue, SequentialSpec } from '../../impl/core/history/spec.ts';
import { InputError } from '../../impl/core/machine.ts';
import { showPlain, type JepsenOp, type Plain } from './jepsen.ts';
import type { JsonOp } from './json-format.ts';

/** A converted operation: the spec's input and, when observed, its output. */
export interface OpIO<I, O> {
  readonly input: I;
  readonly output?: O;
}

/** A model for history checking: a spec and its input adapters. */
export interface HistoryModel<S, I, O> {
  /** `register`, `cas-register`, `kv` or `multi-register`. */
  readonly name: HistoryModelName;
  /** One line: what it checks. */
  readonly doc: string;
  /** The sequential spec. */
  readonly spec: SequentialSpec<S, I, O>;
  /**
   * The value every register (every key) starts with: what a read of a never-written register
   * returns. The causal and eventual checks read it.
   */
  readonly registerInitial: RegisterValue;
  /**
   * Convert a Jepsen operation (`where` prefixes error messages). `null`: it imposes no
   * constraint and is left out. Operations that never completed get no output.
   */
  fromJepsen(op: JepsenOp, where: string): OpIO<I, O> | null;
  /** Convert a JSON operation. */
  fromJson(op: JsonOp, where: string): OpIO<I, O>;
}

/** A history model with its types erased. */
export type AnyHistoryModel = HistoryModel<unknown, unknown, unknown>;

/** The model names. */
export const HISTORY_MODEL_NAMES = ['register', 'cas-register', 'kv', 'multi-register'] as const;
/** A model name. */
export type HistoryModelName = (typeof HISTORY_MODEL_NAMES)[number];

/** Options of the models. */
export interface HistoryModelOptions {
  /**
   * Initial register value: `register` and `cas-register` (default `null`, empty), and every
   * register of `multi-register` (default 0). Ignored by `kv`.
   */
  readonly initial?: RegisterValue;
}

function scalar(v: Plain | undefined, what: string, where: string): RegisterValue {
  if (v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return v;
  throw new InputError(`${where}: ${what} must be a number, a string or nil, got ${showPlain(v)}`);
}

function pair(v: Plain | undefined, where: string): readonly [RegisterValue, RegisterValue] {
  if (!Array.isArray(v) || v.length !== 2) throw new InputError(`${where}: a cas needs the value [from to], got ${showPlain(v)}`);
  const a = v as readonly Plain[];
  return [scalar(a[0], 'cas from', where), scalar(a[1], 'cas to', where)];
}

function unknownF(model: string, f: string, valid: string, where: string): never {
  throw new InputError(`${where}: operation '${f}' is not part of the ${model} model (${valid})`);
}

const completedValue = (op: JepsenOp): Plain | undefined => (op.completion.kind === 'ok' ? op.completion.value : undefined);

function registerFromJepsen(op: JepsenOp, where: string, withCas: boolean): OpIO<CasRegisterInput, CasRegisterOutput> | null {
  const c = op.completion;
  switch (op.f) {
    case 'read':
      // ok: the completion's value is what was read; Porcupine's failed read timed out: unknown.
      return c.kind === 'ok' ? { input: { f: 'read' }, output: scalar(c.value, 'a read result', where) } : { input: { f: 'read' } };
    case 'write': {
      if (c.kind === 'fail') return null;
      const input: CasRegisterInput = { f: 'write', value: scalar(completedValue(op) ?? op.invoke, 'a written value', where) };
      return c.kind === 'ok' ? { input, output: null } : { input };
    }
    case 'cas': {
      if (!withCas) return unknownF('register', op.f, 'read, write', where);
      const [from, to] = pair(completedValue(op) ?? op.invoke, where);
      const input: CasRegisterInput = { f: 'cas', from, to };
      return c.kind === 'ok' ? { input, output: true } : c.kind === 'fail' ? { input, output: false } : { input };
    }
    default:
      return unknownF(withCas ? 'cas-register' : 'register', op.f, withCas ? 'read, write, cas' : 'read, write', where);
  }
}

function registerFromJson(op: JsonOp, where: string, withCas: boolean): OpIO<CasRegisterInput, CasRegisterOutput> {
  const has = op.output !== undefined;
  switch (op.f) {
    case 'read':
      return has ? { input: { f: 'read' }, output: scalar(op.output, 'a read "output"', where) } : { input: { f: 'read' } };
    case 'write':
      // A write returns nothing: its output is the acknowledgement (null).
      return { input: { f: 'write', value: scalar(op.value, 'a write "value"', where) }, output: null };
    case 'cas': {
      if (!withCas) return unknownF('register', op.f, 'read, write', where);
      const [from, to] = pair(op.value, where);
      if (has && typeof op.output !== 'boolean') throw new InputError(`${where}: a cas "output" must be true (swapped) or false (compare failed), got ${showPlain(op.output)}`);
      return has ? { input: { f: 'cas', from, to }, output: op.output as boolean } : { input: { f: 'cas', from, to } };
    }
    default:
      return unknownF(withCas ? 'cas-register' : 'register', op.f, withCas ? 'read, write, cas' : 'read, write', where);
  }
}

function str(v: Plain | undefined, what: string, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new InputError(`${where}: ${what} must be a string, got ${showPlain(v)}`);
}

function kvInput(f: string, key: Plain | undefined, value: Plain | undefined, where: string): KvInput {
  const k = str(key, 'the key', where);
  switch (f) {
    case 'get':
      return { f: 'get', key: k };
    case 'put':
      return { f: 'put', key: k, value: str(value, 'a put value', where) };
    case 'append':
      return { f: 'append', key: k, value: str(value, 'an append value', where) };
    default:
      return unknownF('kv', f, 'get, put, append', where);
  }
}

function microOps(v: Plain | undefined, where: string): { ops: MicroOp[]; reads: (RegisterValue | undefined)[] } {
  if (!Array.isArray(v)) throw new InputError(`${where}: a txn value must be a list of [f k v] micro-ops, got ${showPlain(v)}`);
  const ops: MicroOp[] = [];
  const reads: (RegisterValue | undefined)[] = [];
  for (const m of v as readonly Plain[]) {
    if (!Array.isArray(m) || m.length !== 3) throw new InputError(`${where}: a micro-op must be [f k v], got ${showPlain(m)}`);
    const [f, k, x] = m as readonly Plain[];
    const key = str(k, 'a micro-op register', where);
    if (f === 'read' || f === 'r') {
      ops.push({ f: 'read', key });
      const val = scalar(x, 'a micro-op read value', where);
      reads.push(val === null ? undefined : val);
    } else if (f === 'write' || f === 'w') {
      ops.push({ f: 'write', key, value: scalar(x, 'a micro-op written value', where) });
      reads.push(undefined);
    } else throw new InputError(`${where}: micro-op function must be read or write, got ${showPlain(f)}`);
  }
  return { ops, reads };
}

function sameShape(a: readonly MicroOp[], b: readonly MicroOp[]): boolean {
  return a.length === b.length && a.every((m, i) => m.f === b[i]!.f && m.key === b[i]!.key);
}

function registerModel(name: 'register' | 'cas-register', initial: RegisterValue): AnyHistoryModel {
  const withCas = name === 'cas-register';
  const spec = withCas ? casRegisterSpec(initial) : (registerSpec(initial) as SequentialSpec<RegisterValue, RegisterInput, CasRegisterOutput>);
  const model: HistoryModel<RegisterValue, CasRegisterInput, CasRegisterOutput> = {
    name,
    registerInitial: initial,
    doc: withCas
      ? 'compare-and-set register (read, write, cas), initially nil unless --initial; a nil read means empty'
      : 'read/write register, initially nil unless --initial; a nil read means empty',
    spec: spec as SequentialSpec<RegisterValue, CasRegisterInput, CasRegisterOutput>,
    fromJepsen: (op, where) => registerFromJepsen(op, where, withCas),
    fromJson: (op, where) => registerFromJson(op, where, withCas),
  };
  return model as AnyHistoryModel;
}

function kvModel(): AnyHistoryModel {
  const model: HistoryModel<unknown, KvInput, KvOutput> = {
    name: 'kv',
    registerInitial: '',
    doc: 'key-value store of strings (get, put, append), every key initially ""; checked key by key',
    spec: kvSpec() as SequentialSpec<unknown, KvInput, KvOutput>,
    fromJepsen(op, where) {
      const input = kvInput(op.f, op.key, completedValue(op) ?? op.invoke, where);
      if (op.completion.kind === 'fail') return input.f === 'get' ? { input } : null;
      if (op.completion.kind !== 'ok') return { input };
      if (input.f !== 'get') return { input, output: null };
      const v = op.completion.value;
      return { input, output: v === null ? '' : str(v, 'a get result', where) };
    },
    fromJson(op, where) {
      const input = kvInput(op.f, op.key, op.value, where);
      if (input.f !== 'get') return { input, output: null };
      return op.output === undefined ? { input } : { input, output: op.output === null ? '' : str(op.output, 'a get "output"', where) };
    },
  };
  return model as AnyHistoryModel;
}

function multiRegisterModel(initial: RegisterValue): AnyHistoryModel {
  const model: HistoryModel<unknown, MultiRegisterInput, MultiRegisterOutput> = {
    name: 'multi-register',
    registerInitial: initial,
    doc: `registers read and written by atomic transactions (txn of [read k v] / [write k v]), every register initially ${initial === null ? 'nil' : String(initial)}; a nil read is unknown`,
    spec: multiRegisterSpec({}, initial) as SequentialSpec<unknown, MultiRegisterInput, MultiRegisterOutput>,
    fromJepsen(op, where) {
      if (op.f !== 'txn') return unknownF('multi-register', op.f, 'txn', where);
      if (op.completion.kind === 'fail') return null;
      const inv = microOps(op.invoke, where);
      if (op.completion.kind !== 'ok') return { input: { ops: inv.ops } };
      const done = microOps(op.completion.value, where);
      if (!sameShape(inv.ops, done.ops)) throw new InputError(`${where}: the completed txn's micro-ops differ from the invoked ones`);
      return { input: { ops: done.ops }, output: done.reads };
    },
    fromJson(op, where) {
      if (op.f !== 'txn') return unknownF('multi-register', op.f, 'txn', where);
      const inv = microOps(op.value, where);
      if (op.output === undefined) return { input: { ops: inv.ops } };
      const done = microOps(op.output, where);
      if (!sameShape(inv.ops, done.ops)) throw new InputError(`${where}: "output" must list the same micro-ops as "value", with the values read`);
      return { input: { ops: inv.ops }, output: done.reads };
    },
  };
  return model as AnyHistoryModel;
}

/** Is this a model name? */
export function isHistoryModelName(s: string): s is HistoryModelName {
  return (HISTORY_MODEL_NAMES as readonly string[]).includes(s);
}

/** Build a history model by name. Throws {@link InputError} with the valid names. */
export function historyModel(name: string, options: HistoryModelOptions = {}): AnyHistoryModel {
  if (!isHistoryModelName(name)) throw new InputError(`unknown history model '${name}'; valid: ${HISTORY_MODEL_NAMES.join(', ')}`);
  switch (name) {
    case 'register':
    case 'cas-register':
      return registerModel(name, options.initial ?? null);
    case 'kv':
      if (options.initial !== undefined) throw new InputError('the kv model takes no initial value (every key starts as "")');
      return kvModel();
    case 'multi-register':
      return multiRegisterModel(options.initial === undefined ? 0 : options.initial);
  }
}
