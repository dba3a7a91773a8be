/**
 * The machine contract: what a protocol author writes, and what every runner explores.
 *
 * A {@link Machine} is a pure state machine already instantiated with its parameters: `init`,
 * the enabled `actions` in a deterministic order, and a pure `step` reducer. Correctness is
 * carried by named {@link Invariant}s (state predicates), {@link TransitionProperty}s over
 * `(prev, action, next)` and {@link Witness}es (`sometimes`: a state the model must be able to
 * reach, so that a model that does nothing fails loudly).
 *
 * A {@link Model} is the registry entry: a name, a parameter schema with defaults, the known-bug
 * variants, and `build(params)` that returns the machine.
 */
import type { Encoder } from './encode.ts';

/**
 * The outcome of a predicate. `true` means it holds. `false` means it is broken; a string means
 * it is broken and says why in a short sentence ("two leaders in term 2: n1 and n3").
 */
export type Verdict = boolean | string;

/** A named state predicate that must hold in every reachable state (`always`). */
export interface Invariant<S> {
  /** The name a user passes to `--invariant`: kebab-case, unique within the machine. */
  readonly name: string;
  /** One sentence: what must never happen. */
  readonly doc?: string;
  /**
   * The check gives the same verdict on a state and on every renaming of its interchangeable
   * nodes (it names no particular node). Default false, "not known symmetric": a run that
   * evaluates a check without it explores without symmetry reduction (with a notice).
   */
  readonly symmetric?: boolean;
  /** Evaluate the invariant on one state. */
  check(s: S): Verdict;
}

/**
 * A named property of every transition: `check(prev, action, next)`. `checkInit`, when given,
 * is also applied to each initial state (refinement uses it to check the initial mapping).
 */
export interface TransitionProperty<S, A> {
  /** The name a user passes to `--invariant`. */
  readonly name: string;
  /** One sentence: what no step may do. */
  readonly doc?: string;
  /**
   * The check gives the same verdict on a transition and on every renaming of its interchangeable
   * nodes (it names no particular node). Default false, "not known symmetric": a run that
   * evaluates a check without it explores without symmetry reduction (with a notice).
   */
  readonly symmetric?: boolean;
  /**
   * The check holds on every stutter step (see {@link Machine.stutters}: the next state has the
   * previous state's encoding), as any check that compares only what the encoding holds, prev
   * against next, does (TLA+'s `[A]_vars`). Default false: while a run checks a property
   * without it, the runners take every stutter step to show it to the property.
   */
  readonly stutterInvariant?: boolean;

  /** Evaluate the property on one transition. */
  check(prev: S, action: A, next: S): Verdict;
  /** Evaluate it on an initial state, where that means something. */
  checkInit?(s: S): Verdict;
}

/**
 * What a witness needs of the model's parameters to be reachable at all, by parameter name: a
 * number means "at least" (`{ crashes: 1 }`: crashes ≥ 1), a boolean or a string means "equal to"
 * (`{ restarts: true }`). A run whose parameters do not meet them reports the witness as "not
 * reached: needs crashes ≥ 1; this run has crashes=0", not as a sign that the model is wrong.
 */
export type WitnessNeeds = Readonly<Record<string, ParamValue>>;

/** A `sometimes` witness: some reachable state must satisfy it, or the model is suspect. */
export interface Witness<S> {
  /** A short name: "leader-elected". */
  readonly name: string;
  /** One sentence: what being reached shows. */
  readonly doc?: string;
  /**
   * The parameter values without which no state can witness it (see {@link WitnessNeeds}). A
   * witness the model's default configuration cannot reach must declare them.
   */
  readonly needs?: WitnessNeeds;
  /**
   * The check gives the same verdict on a state and on every renaming of its interchangeable
   * nodes (it names no particular node). Default false, "not known symmetric": a run that
   * evaluates a check without it explores without symmetry reduction (with a notice).
   */
  readonly symmetric?: boolean;
  /** Does this state witness it? */
  check(s: S): boolean;
}

/**
 * One event of a step, for message-sequence diagrams. Machines built on the shared environment
 * (`impl/env/`) produce these; hand-written machines may leave `events` out.
 */
export type TraceEvent =
  | { readonly kind: 'send'; readonly from: string; readonly to: string; readonly label: string; readonly msgId: number }
  | { readonly kind: 'deliver'; readonly from: string; readonly to: string; readonly label: string; readonly msgId: number; readonly duplicate?: boolean }
  | { readonly kind: 'drop'; readonly from: string; readonly to: string; readonly label: string; readonly msgId: number }
  | { readonly kind: 'duplicate'; readonly from: string; readonly to: string; readonly label: string; readonly msgId: number }
  | { readonly kind: 'crash'; readonly node: string }
  | { readonly kind: 'restart'; readonly node: string }
  | { readonly kind: 'partition'; readonly groups: readonly (readonly string[])[]; readonly oneWay?: boolean }
  | { readonly kind: 'heal' }
  | { readonly kind: 'timer'; readonly node: string; readonly timer: string }
  | { readonly kind: 'tick'; readonly node: string; readonly clock: number }
  | { readonly kind: 'local'; readonly node: string; readonly label: string };

/**
 * Writes a state's canonical key under symmetry directly (see {@link Machine.symmetryKey}):
 * the same words as `encode(symmetry(s), out)`, for the `symmetry` and `encode` named here.
 */
export interface SymmetryKey<S> {
  /** The canonicalizer this key agrees with (compared by identity with the machine's). */
  symmetry(s: S): S;
  /** The encoder this key agrees with (absent: the generic `Encoder.value`). */
  encode?(s: S, out: Encoder): void;
  /** Write `encode(symmetry(s))` into `out`. */
  write(s: S, out: Encoder): void;
}

/**
 * A protocol as a pure state machine, instantiated with its parameters.
 *
 * Contract:
 * - `actions(s)` returns the enabled actions in a deterministic order (traces store indices);
 * - `step(s, a)` is pure: no clock, no randomness, no I/O, and it never mutates `s`;
 * - actions are JSON data (objects with a tag field), so traces serialize and replay.
 *
 * Members are declared with method syntax on purpose: a `Machine<S, A>` is then usable wherever a
 * `Machine<unknown, unknown>` is expected (the registry and the CLI are generic).
 */
export interface Machine<S, A> {
  /** Model name, as listed by `dscheck list`. */
  readonly name: string;
  /** The initial states, in a deterministic order. */
  init(): readonly S[];
  /** The enabled actions of `s`, in a deterministic order. */
  actions(s: S): readonly A[];
  /** The pure reducer. */
  step(s: S, a: A): S;
  /**
   * True only when `step(s, a)` is a stutter: it reaches a state with `s`'s encoding (so one
   * already visited), and whatever `step` checks on the way was already checked on `s`. The
   * exhaustive runners then count the transition without taking it, except in runs that check
   * a transition property not declared {@link TransitionProperty.stutterInvariant}. Optional:
   * the environment machines declare it for deliveries of messages declared ignored, where the
   * reduction of ignored messages applies.
   */
  stutters?(s: S, a: A): boolean;
  /**
   * For runs that key no states (random mode): a `step` without the work that only protects a
   * reduction of what makes two states the same (the environment's check of `ignores`
   * declarations, which a run that keys no states cannot be misled by). Runners use `unchecked`
   * in place of `step` only while `step` is still `checked`: a machine built by spreading this
   * one and replacing `step` keeps its own (see {@link forRandomRuns}).
   */
  readonly randomStep?: { checked(s: S, a: A): S; unchecked(s: S, a: A): S };
  /** State invariants (`always`). */
  readonly invariants?: readonly Invariant<S>[];
  /** Transition properties over `(prev, action, next)`. */
  readonly properties?: readonly TransitionProperty<S, A>[];
  /** `sometimes` witnesses. */
  readonly sometimes?: readonly Witness<S>[];
  /**
   * Canonical encoding of a state, for fingerprints and exact keys. Two states that should be
   * the same must write the same words. Default: {@link Encoder.value} on the whole state, which
   * handles plain objects (sorted keys), arrays, Map/Set (sorted) and immutable collections.
   */
  encode?(s: S, out: Encoder): void;
  /**
   * The inverse of {@link Machine.encode}: the state whose encoding is `words`. Optional; with it,
   * breadth-first search holds the states waiting to be expanded as their encodings (a few words
   * each) instead of objects. The state returned must behave exactly as the state encoded (same
   * actions, successors, checks and view); the runner checks, on the first states it queues, that
   * it is the same value.
   */
  decode?(words: Int32Array): S;
  /**
   * The whole state's encoding and its inverse, for a machine whose {@link Machine.encode} leaves
   * part of a state out of its identity (the environment leaves out the messages declared
   * ignored), so that `encode` cannot be decoded. With it, breadth-first search holds the states
   * waiting to be expanded in this encoding instead of as objects; without it, `encode` and
   * `decode` serve when the machine has both (see {@link frontierCodecOf}). The same contract as
   * `decode`: the state decoded behaves exactly as the state encoded, and the runners check it
   * on the first states they queue.
   */
  readonly frontier?: FrontierCodec<S>;
  /**
   * Canonical representative of `s` under permutations of interchangeable nodes. The runners
   * use it only when every selected invariant and property, and every witness, is declared
   * `symmetric: true`; otherwise the run explores without it (see `checks/symmetric.ts`).
   */
  symmetry?(s: S): S;
  /**
   * A fast way to write `encode(symmetry(s))`: {@link SymmetryKey.write} writes exactly those
   * words without building the representative. Runners use it only while `symmetry` and
   * `encode` are still the functions it was made for (a machine built by spreading this one and
   * replacing either falls back to `encode(symmetry(s))`).
   */
  readonly symmetryKey?: SymmetryKey<S>;
  /** A short human label for an action: "RMPrepare(r2)". Default: compact JSON. */
  formatAction?(a: A): string;
  /** A JSON view of a state for traces and diffs. Default: the state converted to plain JSON. */
  view?(s: S): unknown;
  /** States with no enabled action that are proper ends, not deadlocks. */
  isTerminal?(s: S): boolean;
  /**
   * An action's kind, for swarm testing, coverage and payload shrinking. Default: the action's
   * `type` (else `kind`) string field.
   */
  actionKind?(a: A): string;
  /** Every action kind the machine has, so runners need not discover them by exploring. */
  actionKinds?(): readonly string[];
  /** The lanes of a message-sequence diagram (node names), where the machine has nodes. */
  nodes?(): readonly string[];
  /** What a step did, as diagram events. */
  events?(prev: S, a: A, next: S): readonly TraceEvent[];
}

/**
 * `m` as a run that keys no states (random mode) uses it: with {@link Machine.randomStep}'s
 * `unchecked` step when `m.step` is still its `checked` one, else `m` itself. Everything else is
 * `m`'s own (its actions, checks and views, a wrapper's included).
 */
export function forRandomRuns<S, A>(m: Machine<S, A>): Machine<S, A> {
  const r = m.randomStep;
  if (r === undefined || m.step !== r.checked) return m;
  return Object.assign(Object.create(Object.getPrototypeOf(m) as object) as Machine<S, A>, m, { step: r.unchecked });
}

/** A machine with its types erased, as the registry and the CLI hold it. */
export type AnyMachine = Machine<unknown, unknown>;

/** A whole-state encoding and its inverse (see {@link Machine.frontier}). */
export interface FrontierCodec<S> {
  encode(s: S, out: Encoder): void;
  decode(words: Int32Array): S;
  /**
   * Whether `decoded` (decoded from `encoded`'s words) is the state encoded: the first
   * difference, or null. Default: the two are the same value ({@link canonicalKey}); a codec
   * whose declared data holds sets (order is not part of the value) says what "the same" is.
   */
  check?(encoded: S, decoded: S): string | null;
}

/**
 * How breadth-first search may hold a machine's states encoded: its {@link Machine.frontier}, or
 * else its `encode` and `decode` when it has both (`own`: the words `encode` wrote for the
 * visited set are the frontier's too), or undefined (the frontier holds objects).
 */
export function frontierCodecOf<S, A>(m: Machine<S, A>): (FrontierCodec<S> & { readonly own: boolean }) | undefined {
  if (m.frontier) return { ...m.frontier, own: false };
  const { encode, decode } = m;
  if (encode === undefined || decode === undefined) return undefined;
  return { encode: (s, out) => encode.call(m, s, out), decode: (w) => decode.call(m, w), own: true };
}

// ---------------------------------------------------------------------------------------------
// Parameters and models

/** An integer parameter with inclusive bounds. */
export interface IntParam {
  readonly kind: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly doc: string;
}
/** A boolean parameter. */
export interface BoolParam {
  readonly kind: 'bool';
  readonly default: boolean;
  readonly doc: string;
}
/** A parameter with a fixed set of string values. */
export interface EnumParam<V extends string = string> {
  readonly kind: 'enum';
  readonly default: V;
  readonly values: readonly V[];
  readonly doc: string;
}
/** One parameter's specification. */
export type ParamSpec = IntParam | BoolParam | EnumParam;
/** A model's parameter schema. */
export type ParamSchema = Readonly<Record<string, ParamSpec>>;
/** The value of one parameter. */
export type ParamValue = number | boolean | string;

/** The parameter object a schema describes. */
export type ParamsOf<Sch extends ParamSchema> = {
  readonly [K in keyof Sch]: NonNullable<Sch[K]> extends IntParam
    ? number
    : NonNullable<Sch[K]> extends BoolParam
      ? boolean
      : NonNullable<Sch[K]> extends EnumParam<infer V>
        ? V
        : never;
};

/** An integer parameter. */
export function int(def: number, min: number, max: number, doc: string): IntParam {
  return { kind: 'int', default: def, min, max, doc };
}
/** A boolean parameter. */
export function bool(def: boolean, doc: string): BoolParam {
  return { kind: 'bool', default: def, doc };
}
/** A parameter with a fixed set of string values. */
export function oneOf<const V extends string>(values: readonly V[], def: V, doc: string): EnumParam<V> {
  return { kind: 'enum', default: def, values, doc };
}

/**
 * A known-bug variant: what it changes, which properties it must break, and the parameter values
 * that show it.
 */
export interface BugSpec {
  /** One sentence: what the variant does wrong. */
  readonly doc: string;
  /** The invariants or properties the checker must find broken. */
  readonly breaks: readonly string[];
  /**
   * The parameter values (beyond the model's defaults) under which a breadth-first search with
   * every check finds one of `breaks` broken, quickly. `dscheck check MODEL -p bug=NAME` runs with
   * them; explicit `-p` values override them one by one. Absent: the defaults show the bug.
   */
  readonly config?: Readonly<Record<string, ParamValue>>;
  /**
   * Random mode's counterpart of `config`: the parameter values (beyond the model's defaults)
   * under which random runs find one of `breaks` broken, and the steps per run and the runs they
   * need (random mode's defaults when absent). `dscheck check MODEL -p bug=NAME --mode random`
   * runs with them instead of `config`; explicit `-p`, `--steps` and `--runs` win. A
   * breadth-first configuration is as small as the bug allows (figure8: four timeouts in all),
   * which starves random runs: each spends its few elections in the first steps. Absent: random
   * mode uses `config` and its default bounds.
   */
  readonly random?: RandomBugSpec;
}

/** How random mode shows a known-bug variant (see {@link BugSpec.random}). */
export interface RandomBugSpec {
  readonly config?: Readonly<Record<string, ParamValue>>;
  readonly steps?: number;
  readonly runs?: number;
}

/** The parameters a model's `build` receives: its schema's values, plus `bug`. */
export type ModelParams<Sch extends ParamSchema, B extends string> = ParamsOf<Sch> & { readonly bug: B | 'none' };

/**
 * The ranges random mode draws a model's configuration from, per parameter, as the model
 * declares them next to its schema: `[min, max]` (inclusive) for an integer, a list of values
 * for a boolean or an enum. A parameter without a range is never drawn. Ranges stay within what
 * the protocol claims to tolerate, except fault budgets meant to be explored.
 */
export type DrawRanges<Sch extends ParamSchema> = {
  readonly [K in keyof Sch]?: NonNullable<Sch[K]> extends IntParam
    ? readonly [number, number]
    : NonNullable<Sch[K]> extends BoolParam
      ? readonly boolean[]
      : NonNullable<Sch[K]> extends EnumParam<infer V>
        ? readonly V[]
        : never;
};

/** A model's draw ranges with integer ranges expanded: the values of each drawn parameter, in order. */
export type DrawValues = Readonly<Record<string, readonly ParamValue[]>>;

/** A registry entry: a named, parameterised family of machines with known-bug variants. */
export interface Model<P = Readonly<Record<string, ParamValue>>> {
  /** Name used on the command line: lowercase, kebab-case. */
  readonly name: string;
  /** One line: what it models and where it comes from. */
  readonly doc: string;
  /** Parameter schema, including the `bug` enum (values `none` and each bug's name). */
  readonly params: ParamSchema;
  /** Known-bug variants by name (the values of the `bug` parameter). */
  readonly bugs: Readonly<Record<string, BugSpec>>;
  /**
   * What random mode draws from the seed (see {@link DrawRanges}): each drawn parameter's values,
   * smallest first (the shrinker moves towards the first). Absent or empty: nothing is drawn.
   */
  readonly draw?: DrawValues;
  /** Instantiate the machine. `p` has every parameter, validated against the schema. */
  build(p: P): AnyMachine;
}

/** A model with its parameter type erased. */
export type AnyModel = Model;

/**
 * Define a model with a typed parameter object. The `bug` parameter is added from `bugs`.
 *
 * ```ts
 * export const twoPhase = defineModel({
 *   name: 'twophase', doc: '...',
 *   params: { rms: int(3, 1, 12, 'resource managers') },
 *   bugs: { 'commit-unprepared': { doc: '...', breaks: ['tc-consistent'] } },
 *   build: (p) => makeTwoPhase(p.rms, p.bug),
 * });
 * ```
 */
export function defineModel<const Sch extends ParamSchema, const B extends string = never>(def: {
  readonly name: string;
  readonly doc: string;
  readonly params: Sch;
  readonly bugs?: Readonly<Record<B, BugSpec>>;
  /** The configuration ranges random mode draws from (see {@link DrawRanges}). */
  readonly draw?: DrawRanges<Sch>;
  build(p: ModelParams<Sch, B>): AnyMachine;
}): Model<ModelParams<Sch, B>> {
  const bugs = (def.bugs ?? {}) as Readonly<Record<string, BugSpec>>;
  if ('bug' in def.params) throw new Error(`model ${def.name}: 'bug' is reserved; declare variants in 'bugs'`);
  const params: ParamSchema = {
    ...def.params,
    bug: oneOf(['none', ...Object.keys(bugs)], 'none', 'known-bug variant to run (none = the correct protocol)'),
  };
  const draw = drawValues(def.name, params, (def.draw ?? {}) as Readonly<Record<string, unknown>>);
  const model: Model<ModelParams<Sch, B>> = { name: def.name, doc: def.doc, params, bugs, ...(Object.keys(draw).length > 0 ? { draw } : {}), build: def.build };
  // A variant's configuration must be valid parameters of the model (caught when the module loads).
  for (const [bug, spec] of Object.entries(bugs)) {
    for (const [what, config] of [['config', spec.config], ['random config', spec.random?.config]] as const) {
      if (config === undefined) continue;
      if ('bug' in config) throw new Error(`model ${def.name}: variant ${bug}'s ${what} must not set 'bug'`);
      try {
        resolveParams(model as AnyModel, config);
      } catch (e) {
        throw new Error(`model ${def.name}: variant ${bug}'s ${what} is invalid: ${(e as Error).message}`);
      }
    }
    for (const k of ['steps', 'runs'] as const) {
      const v = spec.random?.[k];
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw new Error(`model ${def.name}: variant ${bug}'s random ${k} must be a positive integer, got ${v}`);
    }
  }
  return model;
}

/**
 * The parameters of a run as the user asked for it: when `explicit` selects a known-bug variant,
 * the variant's {@link BugSpec.config} (in random mode its `random.config`, when it has one)
 * first, then every explicit value on top. Returns the
 * overrides to pass to {@link instantiate} and the names of the parameters whose value came from
 * the variant (the ones the user did not set).
 */
export function variantOverrides(
  model: AnyModel,
  explicit: Readonly<Record<string, ParamValue>>,
  mode: 'exhaustive' | 'random' = 'exhaustive',
): { readonly overrides: Record<string, ParamValue>; readonly fromVariant: readonly string[] } {
  const config = variantConfig(model, explicit.bug, mode);
  const fromVariant = Object.keys(config).filter((k) => !Object.hasOwn(explicit, k));
  return { overrides: { ...config, ...explicit }, fromVariant };
}

/** The known-bug variant `bug` names in `model`, if any. */
export function bugSpec(model: AnyModel, bug: ParamValue | undefined): BugSpec | undefined {
  return typeof bug === 'string' && bug !== 'none' && Object.hasOwn(model.bugs, bug) ? model.bugs[bug] : undefined;
}

/** The parameter values a variant sets in a mode: its `random.config` in random mode when it has one, else its `config`. */
export function variantConfig(model: AnyModel, bug: ParamValue | undefined, mode: 'exhaustive' | 'random' = 'exhaustive'): Readonly<Record<string, ParamValue>> {
  const spec = bugSpec(model, bug);
  return (mode === 'random' ? spec?.random?.config : undefined) ?? spec?.config ?? {};
}

/** Expand and validate draw ranges against the schema (a model definition error throws). */
function drawValues(model: string, params: ParamSchema, ranges: Readonly<Record<string, unknown>>): DrawValues {
  const out: Record<string, readonly ParamValue[]> = {};
  for (const key of Object.keys(ranges).sort()) {
    const spec = params[key];
    const range = ranges[key];
    const bad = (why: string): never => {
      throw new Error(`model ${model}: draw range of '${key}' ${why}`);
    };
    if (spec === undefined || key === 'bug') bad('names no drawable parameter');
    if (!Array.isArray(range) || range.length === 0) bad('must be a non-empty list');
    const r = range as readonly unknown[];
    if (spec!.kind === 'int') {
      const [lo, hi] = r as readonly number[];
      if (r.length !== 2 || !Number.isInteger(lo) || !Number.isInteger(hi) || lo! > hi! || lo! < spec!.min || hi! > spec!.max) {
        bad(`must be [min, max] within ${spec!.min}..${spec!.max}`);
      }
      out[key] = Array.from({ length: hi! - lo! + 1 }, (_, i) => lo! + i);
    } else {
      const ok = (v: unknown) => (spec!.kind === 'bool' ? typeof v === 'boolean' : typeof v === 'string' && spec!.values.includes(v));
      if (!r.every(ok) || new Set(r).size !== r.length) bad('holds a value the parameter does not take, or a repeated one');
      out[key] = r as readonly ParamValue[];
    }
  }
  return out;
}

/** The default value of every parameter of a model. */
export function defaultParams(model: AnyModel): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, spec] of Object.entries(model.params)) out[k] = spec.default;
  return out;
}

/** An input error: bad model name, parameter, value or file. The CLI prints it on one line, exit 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** Parse one parameter value given as text (`k=v` on the command line). */
export function parseParamValue(model: AnyModel, key: string, text: string): ParamValue {
  const spec = model.params[key];
  if (spec === undefined) {
    throw new InputError(
      `unknown parameter '${key}' for model ${model.name}; valid: ${Object.keys(model.params).join(', ')}`,
    );
  }
  switch (spec.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(text)) throw new InputError(`parameter ${key} must be an integer in ${spec.min}..${spec.max}, got '${text}'`);
      return Number(text);
    }
    case 'bool': {
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      throw new InputError(`parameter ${key} must be true or false, got '${text}'`);
    }
    case 'enum':
      return text;
  }
}

/**
 * Validate parameter overrides against a model's schema and fill in defaults. Throws
 * {@link InputError} with the valid choices on any unknown name or out-of-range value.
 */
export function resolveParams(model: AnyModel, overrides: Readonly<Record<string, ParamValue>> = {}): Record<string, ParamValue> {
  const out = defaultParams(model);
  for (const [key, value] of Object.entries(overrides)) {
    const spec = model.params[key];
    if (spec === undefined) {
      throw new InputError(
        `unknown parameter '${key}' for model ${model.name}; valid: ${Object.keys(model.params).join(', ')}`,
      );
    }
    switch (spec.kind) {
      case 'int':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < spec.min || value > spec.max) {
          throw new InputError(`parameter ${key} must be an integer in ${spec.min}..${spec.max}, got ${JSON.stringify(value)}`);
        }
        break;
      case 'bool':
        if (typeof value !== 'boolean') throw new InputError(`parameter ${key} must be true or false, got ${JSON.stringify(value)}`);
        break;
      case 'enum':
        if (typeof value !== 'string' || !spec.values.includes(value)) {
          throw new InputError(`parameter ${key} must be one of ${spec.values.join(', ')}; got ${JSON.stringify(value)}`);
        }
        break;
    }
    out[key] = value;
  }
  return out;
}

/** Build a model's machine from parameter overrides (validated, defaults filled in). */
export function instantiate(model: AnyModel, overrides: Readonly<Record<string, ParamValue>> = {}): {
  readonly params: Record<string, ParamValue>;
  readonly machine: AnyMachine;
} {
  const params = resolveParams(model, overrides);
  return { params, machine: model.build(params) };
}

/** Throw in an exhaustive `switch` when a case was missed. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}

/** One registered model: its name (known without loading it) and how to load it. */
export interface CatalogueEntry {
  /** The name used on the command line; must equal the loaded model's `name`. */
  readonly name: string;
  /** Load the model's module and return the model. Called only when the model is needed. */
  load(): Promise<AnyModel>;
}

/** The registered models, in listing order. */
export type Catalogue = readonly CatalogueEntry[];
