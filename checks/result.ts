/**
 * The one result type every runner returns, and the bounds every runner must have.
 */
import type { AnyMachine, Machine } from './machine.ts';
import { InputError } from './machine.ts';
import { describeViolation, formatTrace, type Violation } from './trace.ts';

/** Which bound cut a search short. */
export type BoundKind = 'depth' | 'states' | 'time' | 'runs' | 'steps' | 'interrupted';

/** A bound that cut the search: what and at which value. */
export interface BoundHit {
  readonly kind: BoundKind;
  readonly limit: number;
}

/** Whether a `sometimes` witness was reached, and how soon. */
export interface WitnessResult {
  readonly name: string;
  readonly reached: boolean;
  /** Depth (exhaustive) or step (random) of the first state that witnessed it. */
  readonly depth?: number;
}

/** Counters common to all runners; each runner adds its own. */
export interface RunStats {
  /** Distinct states (exhaustive) or states visited (random). */
  readonly states: number;
  /** Transitions generated. */
  readonly transitions: number;
  readonly elapsedMs: number;
  [extra: string]: unknown;
}

/**
 * What a runner found:
 * - `violation`: a check broke; `violation` holds the trace;
 * - `exhausted`: every reachable state was explored and every check held;
 * - `bounded`: no violation within the bounds; `bound` says which bound cut the search.
 */
export interface CheckResult<S = unknown, A = unknown, St extends RunStats = RunStats> {
  readonly status: 'violation' | 'exhausted' | 'bounded';
  readonly violation?: Violation<S, A>;
  readonly bound?: BoundHit;
  readonly stats: St;
  readonly witnesses: readonly WitnessResult[];
}

/** The checks a run evaluates: invariants and transition properties, possibly a named subset. */
export interface SelectedChecks<S, A> {
  readonly invariants: NonNullable<Machine<S, A>['invariants']>;
  readonly properties: NonNullable<Machine<S, A>['properties']>;
}

/** Every check name a machine has. */
export function checkNames(m: AnyMachine): string[] {
  return [...(m.invariants ?? []).map((i) => i.name), ...(m.properties ?? []).map((p) => p.name)];
}

/**
 * Select invariants and properties by name (all when `names` is empty or absent). Unknown names
 * throw an {@link InputError} that lists the valid ones.
 */
export function selectChecks<S, A>(m: Machine<S, A>, names?: readonly string[]): SelectedChecks<S, A> {
  const invariants = m.invariants ?? [];
  const properties = m.properties ?? [];
  if (!names || names.length === 0) return { invariants, properties };
  const valid = new Set(checkNames(m as AnyMachine));
  for (const n of names) {
    if (!valid.has(n)) throw new InputError(`unknown invariant '${n}' for model ${m.name}; valid: ${[...valid].join(', ') || '(none)'}`);
  }
  return {
    invariants: invariants.filter((i) => names.includes(i.name)),
    properties: properties.filter((p) => names.includes(p.name)),
  };
}

/**
 * The error `assert()` throws: its message holds the readable trace (and, for random runs, the
 * seed and path to replay it).
 */
export class PropertyViolationError extends Error {
  override readonly name = 'PropertyViolationError';
  constructor(
    message: string,
    readonly result: CheckResult,
  ) {
    super(message);
  }
}

/** Turn a result into an exception when it is a violation, with the trace in the message. */
export function throwIfViolation<S, A>(m: Machine<S, A>, result: CheckResult<S, A>, header = ''): void {
  const v = result.violation;
  if (result.status !== 'violation' || !v) return;
  const msg = `${header}${describeViolation(v)}\n${formatTrace(m, v.trace, v)}`;
  throw new PropertyViolationError(msg, result as CheckResult);
}
