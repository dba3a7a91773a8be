/**
 * Registers: a read/write register, and a compare-and-set register (Porcupine's `etcdModel`,
 * Knossos's `cas-register`).
 *
 * Both start at `initial` (default `null`: empty, never written). A read that returns `null`
 * therefore claims the register is still empty; a read with an unknown output (`undefined`)
 * constrains nothing. A CAS's output is `true` when it swapped and `false` when the compare
 * failed (the register did not hold `from`); an unknown CAS swaps exactly when the register holds
 * `from`.
 */
import { accept, REJECT, showValue, valueKey, type RegisterValue, type SequentialSpec, type StepResult } from '../../impl/core/history/spec.ts';

/** A register operation's input. */
export type RegisterInput = { readonly f: 'read' } | { readonly f: 'write'; readonly value: RegisterValue };

/** A register operation's output: the value a read returned (a write's output is ignored). */
export type RegisterOutput = RegisterValue;

/** A compare-and-set register operation's input. */
export type CasRegisterInput =
  | RegisterInput
  | { readonly f: 'cas'; readonly from: RegisterValue; readonly to: RegisterValue };

/**
 * A CAS register operation's output: the value a read returned; `true` / `false` for a CAS that
 * swapped / found another value; a write's output is ignored.
 */
export type CasRegisterOutput = RegisterValue | boolean;

function readStep(state: RegisterValue, output: RegisterValue | boolean | undefined): StepResult<RegisterValue> {
  return output === undefined || output === state ? accept(state) : REJECT;
}

/** A read/write register starting at `initial` (default `null`, empty). */
export function registerSpec(initial: RegisterValue = null): SequentialSpec<RegisterValue, RegisterInput, RegisterOutput> {
  return {
    name: 'register',
    doc: `a read/write register, initially ${showValue(initial)}`,
    init: () => initial,
    step(state, input, output) {
      switch (input.f) {
        case 'read':
          return readStep(state, output);
        case 'write':
          return accept(input.value);
      }
    },
    key: valueKey,
    describe: (input, output) => (input.f === 'read' ? `read ${showValue(output)}` : `write ${showValue(input.value)}`),
    describeState: (s) => showValue(s),
    readOnly: (input) => input.f === 'read',
  };
}

/** A compare-and-set register starting at `initial` (default `null`, empty). */
export function casRegisterSpec(
  initial: RegisterValue = null,
): SequentialSpec<RegisterValue, CasRegisterInput, CasRegisterOutput> {
  return {
    name: 'cas-register',
    doc: `a compare-and-set register, initially ${showValue(initial)}`,
    init: () => initial,
    step(state, input, output) {
      switch (input.f) {
        case 'read':
          return readStep(state, output);
        case 'write':
          return accept(input.value);
        case 'cas': {
          const matches = state === input.from;
          if (output === undefined) return accept(matches ? input.to : state);
          if (output === true) return matches ? accept(input.to) : REJECT;
          if (output === false) return matches ? REJECT : accept(state);
          return REJECT;
        }
      }
    },
    key: valueKey,
    describe(input, output) {
      switch (input.f) {
        case 'read':
          return `read ${typeof output === 'boolean' ? String(output) : showValue(output)}`;
        case 'write':
          return `write ${showValue(input.value)}`;
        case 'cas': {
          const base = `cas ${showValue(input.from)}->${showValue(input.to)}`;
          return output === undefined ? `${base} ?` : output === false ? `${base} fail` : base;
        }
      }
    },
    describeState: (s) => showValue(s),
    readOnly: (input, output) => input.f === 'read' || (input.f === 'cas' && (output === false || input.from === input.to)),
  };
}
