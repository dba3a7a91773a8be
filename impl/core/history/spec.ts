/**
 * Sequential specifications: what a single-copy, one-operation-at-a-time object does. The
 * linearizability checker (`checks/history/`) asks whether a concurrent history can be ordered
 * so that this sequential object explains every observed result.
 *
 * A spec is a tiny, pure, deterministic interface:
 *
 * ```ts
 * const counter: SequentialSpec<number, { f: 'inc' } | { f: 'get' }, number | null> = {
 *   name: 'counter',
 *   init: () => 0,
 *   step: (s, input, output) =>
 *     input.f === 'inc' ? accept(s + 1) : output === undefined || output === s ? accept(s) : REJECT,
 *   key: (s) => String(s),
 *   describe: (input, output) => (input.f === 'inc' ? 'inc' : `get ${output ?? '?'}`),
 * };
 * ```
 *
 * An `output` of `undefined` means the result was never observed (the operation crashed, timed
 * out, or is indeterminate): the spec must then accept whatever the operation could have returned
 * and return the state it leaves. `null` is an ordinary value (an empty register, an
 * acknowledgement without a payload).
 */

/** The outcome of one sequential step: legal (with the next state) or not. */
export type StepResult<S> = { readonly ok: true; readonly next: S } | { readonly ok: false };

/** The step is illegal: this operation cannot have produced this output in this state. */
export const REJECT: StepResult<never> = Object.freeze({ ok: false });

/** The step is legal and leads to `next`. */
export function accept<S>(next: S): StepResult<S> {
  return { ok: true, next };
}

/**
 * A sequential specification of an object, for linearizability checking.
 *
 * Contract:
 * - `step` is pure and deterministic: same state, input and output give the same result, and it
 *   never mutates `state`;
 * - `key` is canonical: two states are interchangeable exactly when their keys are equal (it is
 *   the memoisation key of the search);
 * - `partitionKey`, when given, must make the object P-compositional: operations with different
 *   keys never interact (a key-value store checked key by key). The checker then checks each
 *   partition separately, which is exponentially cheaper.
 *
 * Members use method syntax so that a `SequentialSpec<S, I, O>` is usable where a
 * `SequentialSpec<unknown, unknown, unknown>` is expected (registries are generic).
 */
export interface SequentialSpec<S, I, O> {
  /** Short name: "cas-register". */
  readonly name: string;
  /** One sentence: what object this is and its initial state. */
  readonly doc?: string;
  /** The initial state. */
  init(): S;
  /**
   * Apply `input` to `state`, given the observed `output` (`undefined`: unknown). Return
   * {@link REJECT} when the observation is impossible in this state.
   */
  step(state: S, input: I, output: O | undefined): StepResult<S>;
  /** Canonical key of a state (memoisation). */
  key(state: S): string;
  /** A short readable label of an operation: "write 3", "read 4", "cas 1->2". */
  describe(input: I, output: O | undefined): string;
  /** A readable rendering of a state, for explanations. Default: {@link SequentialSpec.key}. */
  describeState?(state: S): string;
  /** P-compositionality: the partition an operation belongs to (for example its key). */
  partitionKey?(input: I): string;
  /**
   * True when the operation never changes the state, in any state where it is legal (a read, a
   * failed cas). The sequential-consistency search places such an operation as soon as it is
   * legal, without branching, which is sound only under this contract. Default: false.
   */
  readOnly?(input: I, output: O | undefined): boolean;
}

/** A sequential spec with its types erased, as registries hold it. */
export type AnySequentialSpec = SequentialSpec<unknown, unknown, unknown>;

/** A scalar register value: a number, a string, or `null` for "empty / never written". */
export type RegisterValue = number | string | null;

/** A register value as text: `nil` for null, strings quoted, numbers as is. */
export function showValue(v: RegisterValue | undefined): string {
  if (v === undefined) return '?';
  if (v === null) return 'nil';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** A canonical key of a register value that keeps `1` and `"1"` apart. */
export function valueKey(v: RegisterValue): string {
  if (v === null) return 'n';
  return typeof v === 'string' ? `s${v}` : `i${v}`;
}
