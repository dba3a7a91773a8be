/**
 * Executing schedules: one run of a {@link Schedule} on one machine, every check after every
 * state and step, and the trace of a failing run.
 */
import { InputError, type Machine } from '../../impl/core/machine.ts';
import { selectChecks, type WitnessResult } from '../../impl/core/result.ts';
import { traceFromIndices, type Violation, type ViolationKind } from '../../impl/core/trace.ts';
import { defaultActionKind, type KindedMachine } from '../engine/shrink.ts';
import { brokenInitProperty, brokenInvariant, brokenProperty, errorMessage, WitnessTracker, type Broken } from '../engine/checking.ts';
import type { Schedule, SwarmMix } from './types.ts';

/** What the property needs of a schedule executor (one machine, or one per drawn configuration). */
export interface Runner<S, A> {
  readonly steps: number;
  readonly states: number;
  readonly len: number;
  /** The machine of the last run. */
  readonly m: Machine<S, A>;
  /** An error of the model (a write into a state) that ends the search. */
  readonly fatal: InputError | undefined;
  run(sch: Schedule): boolean;
  witnesses(): WitnessResult[];
  mix(sch: Schedule): SwarmMix;
  violation(): Violation<S, A>;
}

interface Failure {
  kind: ViolationKind;
  name: string;
  message: string;
  /** For `error` in `step`: the index of the action that threw. */
  failedIndex: number;
}

/**
 * Executes schedules. The loop allocates nothing per step beyond what the machine does: the
 * chosen indices go to a preallocated array, and a failing run's trace is rebuilt from them.
 */
export class ScheduleRunner<S, A> implements Runner<S, A> {
  private readonly inits: readonly S[];
  private readonly invariants: NonNullable<Machine<S, A>['invariants']>;
  private readonly properties: NonNullable<Machine<S, A>['properties']>;
  private readonly initProperties: NonNullable<Machine<S, A>['properties']>;
  private readonly indices: Int32Array;
  private readonly ex: string[];
  /** Per enabled action of the current step: 1 when the run's mix allows its kind. */
  private flags = new Uint8Array(64);
  private readonly kindOf: (a: A) => string;
  private readonly witnessed: WitnessTracker<S>;
  /** Steps and states of all runs so far. */
  steps = 0;
  states = 0;
  /** The last run. */
  len = 0;
  initIndex = 0;
  failure: Failure | undefined;
  /** A model error (such as a write into a state) met by a run: it ends the search and is thrown. */
  fatal: InputError | undefined;
  /**
   * Optional observer (see `observe.ts`): called on every state of a run, in order, with its step
   * number (0 for the initial state) and the action that led to it. The first state for which it
   * returns true ends the run (as a pass) and is kept in {@link matched}.
   */
  until: ((s: S, step: number, a: A | undefined) => boolean) | undefined;
  /** The last run's first state where {@link until} held, if any. */
  matched: { readonly step: number; readonly state: S } | undefined;

  constructor(
    readonly m: Machine<S, A>,
    private readonly kinds: readonly string[],
    checks: readonly string[] | undefined,
    private readonly deadlock: boolean,
    maxSteps: number,
    /** The purity guard's comparison of what the run's calls were given (see `checks/engine/purity.ts`), run after every run. */
    private readonly flushGuard?: () => void,
  ) {
    const sel = selectChecks(m, checks);
    this.invariants = sel.invariants;
    this.properties = sel.properties;
    this.initProperties = sel.properties.filter((p) => p.checkInit !== undefined);
    this.inits = m.init();
    if (this.inits.length === 0) throw new InputError(`model ${m.name} has no initial state with these parameters`);
    this.indices = new Int32Array(Math.max(1, maxSteps));
    this.ex = new Array<string>(kinds.length).fill('');
    const km = m as KindedMachine<S, A>;
    this.kindOf = km.actionKind ? (a) => km.actionKind!(a) : defaultActionKind;
    this.witnessed = new WitnessTracker<S>(m);
  }

  /** Witness results so far. */
  witnesses(): WitnessResult[] {
    return this.witnessed.results();
  }

  /** The mix of a schedule, as kind names. */
  mix(sch: Schedule): SwarmMix {
    return { kinds: this.kinds, excluded: this.kinds.filter((_, i) => sch.excluded[i] === true) };
  }

  /** Run one schedule; true when every check held. The last run's details stay on the runner. */
  run(sch: Schedule): boolean {
    const ok = this.runOnce(sch);
    if (this.flushGuard !== undefined && this.fatal === undefined) {
      // A write into a state by the run's last calls (it may be what made a failure) is a model error.
      try {
        this.flushGuard();
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        this.fatal = e;
        return false;
      }
    }
    return ok;
  }

  private runOnce(sch: Schedule): boolean {
    const m = this.m;
    const inits = this.inits;
    const invariants = this.invariants;
    const properties = this.properties;
    const witnessed = this.witnessed;
    const indices = this.indices;
    const ex = this.ex;
    let exCount = 0;
    const exFlags = sch.excluded;
    for (let k = 0; k < this.kinds.length; k++) if (exFlags[k] === true) ex[exCount++] = this.kinds[k]!;
    const initIndex = sch.init % inits.length;
    this.initIndex = initIndex;
    this.len = 0;
    this.failure = undefined;
    this.matched = undefined;
    const until = this.until;
    let phase: 'invariant' | 'property' | 'actions' | 'step' = 'invariant';
    let failedIndex = -1;
    let s: S = inits[initIndex]!;
    this.states++;
    try {
      if (witnessed.pending > 0) witnessed.observe(s, 0);
      const badInv = brokenInvariant(invariants, s);
      if (badInv) return this.fail('invariant', badInv);
      phase = 'property';
      const badInit = brokenInitProperty(this.initProperties, s);
      if (badInit) return this.fail('property', badInit);
      if (until !== undefined && until(s, 0, undefined)) {
        this.matched = { step: 0, state: s };
        return true;
      }
      const choices = sch.choices;
      const L = choices.length;
      for (let i = 0; i < L; i++) {
        phase = 'actions';
        const acts = m.actions(s);
        const n = acts.length;
        if (n === 0) {
          if (this.deadlock && !(m.isTerminal?.(s) ?? false)) return this.fail('deadlock', { name: 'deadlock', message: '' });
          break;
        }
        const c = choices[L - 1 - i]!;
        let idx: number;
        if (exCount === 0) {
          idx = c % n;
        } else {
          let flags = this.flags;
          if (flags.length < n) flags = this.flags = new Uint8Array(Math.max(n, 2 * flags.length));
          let allowed = 0;
          for (let j = 0; j < n; j++) {
            const ok = this.isExcluded(acts[j]!, exCount) ? 0 : 1;
            flags[j] = ok;
            allowed += ok;
          }
          if (allowed === 0 || allowed === n) {
            idx = c % n;
          } else {
            let pick = c % allowed;
            idx = 0;
            for (let j = 0; j < n; j++) {
              if (flags[j] === 0) continue;
              if (pick === 0) {
                idx = j;
                break;
              }
              pick--;
            }
          }
        }
        const a = acts[idx]!;
        phase = 'step';
        failedIndex = idx;
        const t = m.step(s, a);
        indices[i] = idx;
        this.len = i + 1;
        this.steps++;
        this.states++;
        // Witnesses first: a state that breaks a check was reached all the same.
        phase = 'invariant';
        if (witnessed.pending > 0) witnessed.observe(t, i + 1);
        phase = 'property';
        const badProp = brokenProperty(properties, s, a, t);
        if (badProp) return this.fail('property', badProp);
        phase = 'invariant';
        const bad = brokenInvariant(invariants, t);
        if (bad) return this.fail('invariant', bad);
        s = t;
        if (until !== undefined && until(t, i + 1, a)) {
          this.matched = { step: i + 1, state: t };
          return true;
        }
      }
    } catch (e) {
      if (e instanceof InputError) {
        this.fatal ??= e;
        return false;
      }
      this.failure = {
        kind: 'error',
        name: phase,
        message: errorMessage(e),
        failedIndex: phase === 'step' ? failedIndex : -1,
      };
      return false;
    }
    return true;
  }

  private isExcluded(a: A, exCount: number): boolean {
    const k = this.kindOf(a);
    const ex = this.ex;
    for (let j = 0; j < exCount; j++) if (ex[j] === k) return true;
    return false;
  }

  private fail(kind: ViolationKind, broken: Broken): false {
    this.failure = { kind, name: broken.name, message: broken.message, failedIndex: -1 };
    return false;
  }

  /** The last run's trace and violation (after a failing `run`). */
  violation(): Violation<S, A> {
    const f = this.failure;
    if (!f) throw new Error('no failing run to report');
    const trace = traceFromIndices(this.m, this.initIndex, Array.from(this.indices.subarray(0, this.len)));
    let failedAction: { action: A; actionIndex: number } | undefined;
    if (f.failedIndex >= 0) {
      const acts = this.m.actions(trace.steps.length === 0 ? trace.init : trace.steps[trace.steps.length - 1]!.state);
      failedAction = { action: acts[f.failedIndex]!, actionIndex: f.failedIndex };
    }
    return { kind: f.kind, name: f.name, message: f.message, trace, ...(failedAction ? { failedAction } : {}) };
  }
}
