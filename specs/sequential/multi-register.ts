/**
 * Several named registers read and written together by atomic transactions (Knossos's
 * `multi-register`): a transaction is a list of micro-operations applied in order, each a read
 * or a write of one register.
 *
 * Registers start at `initial[k]`, or at `missing` (default 0) when not listed. A read whose
 * output is unknown (`undefined`) is a wildcard, as in Knossos, where a read of nil is unknown.
 */
import { accept, REJECT, showValue, valueKey, type RegisterValue, type SequentialSpec } from '../../impl/core/history/spec.ts';

/** One micro-operation of a transaction. */
export type MicroOp =
  | { readonly f: 'read'; readonly key: string }
  | { readonly f: 'write'; readonly key: string; readonly value: RegisterValue };

/** A transaction's input: its micro-operations, in order. */
export interface MultiRegisterInput {
  readonly ops: readonly MicroOp[];
}

/**
 * A transaction's output, aligned with its micro-operations: the value each read returned
 * (`undefined`: unknown); entries of writes are ignored.
 */
export type MultiRegisterOutput = readonly (RegisterValue | undefined)[];

/** The registers' values by name (names not present hold the spec's `missing` value). */
export type MultiRegisterState = Readonly<Record<string, RegisterValue>>;

/** The multi-register spec. */
export function multiRegisterSpec(
  initial: Readonly<Record<string, RegisterValue>> = {},
  missing: RegisterValue = 0,
): SequentialSpec<MultiRegisterState, MultiRegisterInput, MultiRegisterOutput> {
  const init: MultiRegisterState = Object.freeze(Object.assign(Object.create(null) as Record<string, RegisterValue>, initial));
  const get = (s: MultiRegisterState, k: string): RegisterValue => (k in s ? s[k]! : missing);
  return {
    name: 'multi-register',
    doc: `registers read and written by atomic transactions; unlisted registers start at ${showValue(missing)}`,
    readOnly: (input) => input.ops.every((m) => m.f === 'read'),
    init: () => init,
    step(state, input, output) {
      let s = state;
      let copied = false;
      for (let i = 0; i < input.ops.length; i++) {
        const m = input.ops[i]!;
        switch (m.f) {
          case 'read': {
            const seen = output?.[i];
            if (seen !== undefined && seen !== get(s, m.key)) return REJECT;
            break;
          }
          case 'write': {
            if (!copied) {
              s = Object.assign(Object.create(null) as Record<string, RegisterValue>, s);
              copied = true;
            }
            (s as Record<string, RegisterValue>)[m.key] = m.value;
            break;
          }
        }
      }
      return accept(s);
    },
    key: (s) =>
      Object.keys(s)
        .filter((k) => s[k] !== missing)
        .sort()
        .map((k) => `${k}=${valueKey(s[k]!)}`)
        .join(','),
    describe: (input, output) =>
      input.ops.map((m, i) => (m.f === 'read' ? `r ${m.key}=${showValue(output?.[i])}` : `w ${m.key}=${showValue(m.value)}`)).join(', '),
    describeState(s) {
      const keys = Object.keys(s).sort();
      return keys.length === 0 ? `(all ${showValue(missing)})` : keys.map((k) => `${k}=${showValue(s[k]!)}`).join(' ');
    },
  };
}
