/**
 * The one result type every runner returns, and the bounds every runner must have.
 */
import type { AnyMachine, Machine, ParamValue, WitnessNeeds } from './machine.ts';
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
  /**
   * What the witness needs of the parameters, as the witness declares it ("crashes ≥ 1"); set by
   * {@link witnessesInContext}.
   */
  readonly needs?: readonly string[];
  /**
   * The needs this run's parameters do not meet, with the run's values: "needs crashes ≥ 1; this
   * run has crashes=0". Absent when every need is met (or none is declared).
   */
  readonly unmet?: string;
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

/** One need as text: "crashes ≥ 1" for a number, "restarts = true" otherwise. */
function needText(key: string, want: ParamValue): string {
  return typeof want === 'number' ? `${key} ≥ ${want}` : `${key} = ${String(want)}`;
}

/** Does `have` meet the need `want` (at least a number, equal otherwise)? */
function needMet(want: ParamValue, have: ParamValue): boolean {
  return typeof want === 'number' ? typeof have === 'number' && have >= want : have === want;
}

/**
 * The needs of a witness that `params` does not meet, as one sentence ("needs crashes ≥ 1; this
 * run has crashes=0"), or undefined when all are met. A need on a parameter the run does not
 * have is not judged.
 */
export function unmetNeeds(needs: WitnessNeeds | undefined, params: Readonly<Record<string, ParamValue>>): string | undefined {
  if (!needs) return undefined;
  const unmet = Object.entries(needs).filter(([k, want]) => Object.hasOwn(params, k) && !needMet(want, params[k]!));
  if (unmet.length === 0) return undefined;
  return `needs ${unmet.map(([k, w]) => needText(k, w)).join(' and ')}; this run has ${unmet.map(([k]) => `${k}=${String(params[k])}`).join(', ')}`;
}

/**
 * A run's witness results with what each witness needs of the parameters and, where the run's
 * parameters do not meet it, why it could not be reached.
 */
export function witnessesInContext(m: AnyMachine, params: Readonly<Record<string, ParamValue>>, results: readonly WitnessResult[]): WitnessResult[] {
  return results.map((w) => {
    const needs = m.sometimes?.find((x) => x.name === w.name)?.needs;
    if (!needs) return w;
    const unmet = w.reached ? undefined : unmetNeeds(needs, params);
    return { ...w, needs: Object.entries(needs).map(([k, v]) => needText(k, v)), ...(unmet ? { unmet } : {}) };
  });
}

/**
 * Why a witness was not reached, as the rest of the sentence "sometimes X: not reached…":
 * its unmet needs; or, when the whole reachable space was explored with its needs met, a sign
 * that the model may be wrong; or that the run stopped early.
 */
export function notReachedText(w: WitnessResult, status: CheckResult['status']): string {
  if (w.unmet) return `not reached: ${w.unmet}`;
  if (status === 'exhausted') return 'NOT reached in the whole reachable space: the model may be wrong';
  if (status === 'violation') return 'NOT reached before the violation stopped the run';
  return 'NOT reached within the bounds';
}

/** Witnesses that an exhaustive run proved unreachable although their needs are met: the model may be wrong. */
export function suspectWitnesses(result: Pick<CheckResult, 'status' | 'witnesses'>): WitnessResult[] {
  return result.status === 'exhausted' ? result.witnesses.filter((w) => !w.reached && !w.unmet) : [];
}
