/**
 * The register view of an operation, shared by the checks that reason about reads and writes
 * rather than a sequential spec (causal consistency, eventual convergence): each operation is
 * the register accesses it made, per key. The adapters from history models to accesses live in
 * `checks/history/accesses.ts`; a model (`specs/store.ts`) may build accesses itself.
 */
import type { RegisterValue } from './spec.ts';

/** One register access of an operation. */
export type Access =
  /** A read whose value was observed. */
  | { readonly kind: 'read'; readonly key: string; readonly value: RegisterValue }
  /** A read whose value is unknown (timed out, crashed): it constrains nothing. */
  | { readonly kind: 'read-unknown'; readonly key: string }
  /** A blind write. */
  | { readonly kind: 'write'; readonly key: string; readonly value: RegisterValue }
  /** A compare-and-set: `swapped` is `undefined` when unknown. */
  | { readonly kind: 'cas'; readonly key: string; readonly from: RegisterValue; readonly to: RegisterValue; readonly swapped: boolean | undefined }
  /** An append of a string (kv). */
  | { readonly kind: 'append'; readonly key: string; readonly value: string };
