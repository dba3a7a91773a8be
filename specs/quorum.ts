/**
 * What a replicated read/write register must do, read from the client history a quorum machine
 * records as ghost state (`impl/quorum/`).
 *
 * - **Linearizability** (Herlihy & Wing, "Linearizability: a correctness condition for concurrent
 *   objects", TOPLAS 1990, section 3): every operation appears to take effect at one instant
 *   between its invocation and its response. Checked with the history checker
 *   (`checks/history/`, Wing–Gong/Lowe search) against the sequential register of
 *   `specs/sequential/register.ts`, starting at {@link INITIAL_VALUE}.
 * - **Regularity**, multi-writer (Lamport, "On interprocess communication", Part II, 1986,
 *   section 5 for one writer; the multi-writer form is Shao, Pierce & Welch's MWR-weak,
 *   "Multiwriter consistency conditions for shared memory registers", SIAM J. Comput. 2011): a
 *   read returns the value of a write that is concurrent with it, or of a write that precedes it
 *   and was not overwritten before it began. Unlike linearizability, two reads need not agree on
 *   an order: a read may return a new value and a later read an older one, as long as each read
 *   alone is explained. This is what the textbook rule R + W > N buys.
 *
 * Both are prefix-closed properties of the history: if a history violates them, every extension
 * of it does too (see `linearizableInvariant` for the argument). That is what makes it sound to
 * check them on every state (the shortest counterexample) or only on terminal states.
 */
import { assertNever, type Invariant, type Witness } from '../impl/core/machine.ts';
import { checkHistory, type HistoryCheckOptions, type HistoryCheckResult } from '../impl/core/history/search.ts';
import { makeHistory, type History, type OperationInit } from '../impl/core/history/history.ts';
import { buildTimeline, renderTimeline } from '../impl/core/history/timeline.ts';
import { registerSpec, type RegisterInput, type RegisterOutput } from './sequential/register.ts';
import type { SequentialSpec } from '../impl/core/history/spec.ts';
import { INITIAL_VALUE, type RegisterEvent } from '../impl/quorum/history.ts';

export { INITIAL_VALUE, type RegisterEvent };

/** The sequential register the histories are checked against (initially {@link INITIAL_VALUE}). */
export const REGISTER_SPEC: SequentialSpec<RegisterOutput, RegisterInput, RegisterOutput> = registerSpec(INITIAL_VALUE);

/**
 * The history checker's bounds for one client history. Histories here have a handful of
 * operations (the search takes microseconds), so these bounds are never reached in practice; if
 * one is, the verdict is `unknown` and the invariant throws rather than passing.
 */
export const QUORUM_HISTORY_BOUNDS: HistoryCheckOptions = { maxSteps: 1_000_000, maxStates: 200_000, timeLimitMs: 60_000 };

/** One event as text: `c1 invokes write 1`, `c2 read → 1`. */
export function showEvent(e: RegisterEvent): string {
  switch (e.type) {
    case 'invoke-read':
      return `c${e.client} invokes read`;
    case 'invoke-write':
      return `c${e.client} invokes write ${e.value}`;
    case 'return-read':
      return `c${e.client} read → ${e.value}`;
    case 'return-write':
      return `c${e.client} write done`;
    default:
      return assertNever(e);
  }
}

/**
 * The history of an event list, for the history checker: one operation per invocation, with the
 * event indices as times (so an operation precedes another exactly when its response event comes
 * before the other's invocation event). An operation still pending has `ret: null`: it may or may
 * not have taken effect. Processes are client numbers (`p1` is `c1`).
 */
export function historyOf(events: readonly RegisterEvent[]): History<RegisterInput, RegisterOutput> {
  const ops: OperationInit<RegisterInput, RegisterOutput>[] = [];
  const pending = new Map<number, number>();
  const open = (client: number, input: RegisterInput, t: number): void => {
    if (pending.has(client)) throw new Error(`history: c${client} invoked an operation while another was pending`);
    pending.set(client, ops.length);
    ops.push({ process: client, input, call: t, ret: null });
  };
  const close = (client: number, f: 'read' | 'write', t: number, output?: number): void => {
    const i = pending.get(client);
    const op = i === undefined ? undefined : ops[i];
    if (i === undefined || op === undefined || op.input.f !== f) throw new Error(`history: c${client} returned from a ${f} it did not invoke`);
    pending.delete(client);
    ops[i] = output === undefined ? { ...op, ret: t } : { ...op, ret: t, output };
  };
  events.forEach((e, t) => {
    switch (e.type) {
      case 'invoke-read':
        return open(e.client, { f: 'read' }, t);
      case 'invoke-write':
        return open(e.client, { f: 'write', value: e.value }, t);
      case 'return-read':
        return close(e.client, 'read', t, e.value);
      case 'return-write':
        return close(e.client, 'write', t);
      default:
        return assertNever(e);
    }
  });
  return makeHistory(ops, 'quorum history');
}

/** Check a client history for linearizability (bounded; see {@link QUORUM_HISTORY_BOUNDS}). */
export function checkLinearizable(events: readonly RegisterEvent[], bounds: HistoryCheckOptions = QUORUM_HISTORY_BOUNDS): HistoryCheckResult {
  return checkHistory(REGISTER_SPEC, historyOf(events), bounds);
}

/** The error a linearizability invariant throws when a bound cut the search: no verdict. */
export class InconclusiveHistoryError extends Error {
  override readonly name = 'InconclusiveHistoryError';
}

/** An operation of a history as text: `c2 read 1`, `c1 write 1 (pending)`. */
function showOp(h: History<RegisterInput, RegisterOutput>, id: number): string {
  const op = h.ops[id]!;
  return `c${String(op.process)} ${REGISTER_SPEC.describe(op.input, op.output)}${op.ret === null ? ' (pending)' : ''}`;
}

/** The one-line reason a checked history is not linearizable. */
function failureMessage(h: History<RegisterInput, RegisterOutput>, r: HistoryCheckResult): string {
  const ex = r.explanation;
  if (ex === undefined) return 'not linearizable';
  const prefix = ex.prefix.length === 0 ? 'nothing' : ex.prefix.map((id) => showOp(h, id)).join(', ');
  const others = ex.unplaced.filter((id) => id !== ex.blocking).map((id) => showOp(h, id));
  return (
    `not linearizable: after ${prefix} the register holds ${ex.stateAfterPrefix}, and ${showOp(h, ex.blocking)} ` +
    `must take effect next but cannot${others.length > 0 ? ` (nor can ${others.join(', ')})` : ''}`
  );
}

/** How a linearizability invariant chooses the states it checks. */
export type LinearizabilityCheckMode = 'every-state' | 'terminal';

/**
 * The `linearizable` invariant over the history `events(s)` of a state.
 *
 * Verdicts are cached by the history's content, so each distinct history is searched once,
 * however many states share it. A search cut by its bound throws {@link InconclusiveHistoryError}
 * (the runner reports it as an error): `unknown` is never taken for "holds".
 *
 * `when(s)` restricts the states checked (the others pass). Soundness of checking only the
 * terminal states (no enabled action) of a finite, acyclic-by-budget state graph:
 * 1. linearizability is prefix-closed: if H is linearizable with witness order L, and H' is H cut
 *    after some event, then the operations of L up to the first one invoked after the cut are a
 *    witness for H' (every operation completed in H' precedes, in real time, every operation
 *    invoked after the cut, so it comes before all of them in L; operations pending in H' have
 *    an unknown output, so any place in L is legal for them). Contrapositive: a non-linearizable
 *    history stays non-linearizable in every extension;
 * 2. the ghost history only grows along a path;
 * 3. every execution of the quorum machines is finite (every action spends a budget or a message,
 *    and handlers send a bounded number of messages per operation phase), so every reachable
 *    state lies on a path to a terminal state.
 * Hence a reachable non-linearizable history is caught at some terminal state. The trace is then
 * longer (it runs on to the end), and the search must be complete: a depth or state bound that
 * cuts paths before their terminal state hides violations in the cut part.
 */
export function linearizableInvariant<S>(
  events: (s: S) => readonly RegisterEvent[],
  opts: { readonly when?: (s: S) => boolean; readonly bounds?: HistoryCheckOptions } = {},
): Invariant<S> {
  const bounds = opts.bounds ?? QUORUM_HISTORY_BOUNDS;
  const byObject = new WeakMap<readonly RegisterEvent[], true | string>();
  const byKey = new Map<string, true | string>();
  const verdictOf = (evs: readonly RegisterEvent[]): true | string => {
    let v = byObject.get(evs);
    if (v !== undefined) return v;
    const key = historyKey(evs);
    v = byKey.get(key);
    if (v === undefined) {
      const h = historyOf(evs);
      const r = checkHistory(REGISTER_SPEC, h, bounds);
      switch (r.verdict) {
        case 'linearizable':
          v = true;
          break;
        case 'not-linearizable':
          v = failureMessage(h, r);
          break;
        case 'unknown':
          throw new InconclusiveHistoryError(
            `linearizability check inconclusive: the ${r.bound?.kind ?? '?'} bound (${r.bound?.limit ?? '?'}) cut the search of ${h.ops.length} operations`,
          );
      }
      byKey.set(key, v);
    }
    byObject.set(evs, v);
    return v;
  };
  const when = opts.when;
  return {
    name: 'linearizable',
    symmetric: true,
    doc: 'the client history is linearizable: every operation takes effect at one instant between its invocation and its response',
    check: (s) => (when !== undefined && !when(s) ? true : verdictOf(events(s))),
  };
}

/** A canonical text key of an event list. */
export function historyKey(events: readonly RegisterEvent[]): string {
  let k = '';
  for (const e of events) {
    switch (e.type) {
      case 'invoke-read':
        k += `r${e.client};`;
        break;
      case 'invoke-write':
        k += `w${e.client}:${e.value};`;
        break;
      case 'return-read':
        k += `R${e.client}:${e.value};`;
        break;
      case 'return-write':
        k += `W${e.client};`;
        break;
      default:
        assertNever(e);
    }
  }
  return k;
}

/** An operation with its event times, for the regularity check. */
interface TimedOp {
  readonly client: number;
  readonly f: 'read' | 'write';
  /** Written value (write) or returned value (completed read). */
  readonly value: number | undefined;
  readonly call: number;
  readonly ret: number | null;
}

function timedOps(events: readonly RegisterEvent[]): TimedOp[] {
  const ops: TimedOp[] = [];
  const pending = new Map<number, number>();
  events.forEach((e, t) => {
    switch (e.type) {
      case 'invoke-read':
      case 'invoke-write':
        pending.set(e.client, ops.length);
        ops.push({ client: e.client, f: e.type === 'invoke-read' ? 'read' : 'write', value: e.type === 'invoke-write' ? e.value : undefined, call: t, ret: null });
        return;
      case 'return-read':
      case 'return-write': {
        const i = pending.get(e.client);
        if (i === undefined) throw new Error(`history: c${e.client} returned with nothing pending`);
        pending.delete(e.client);
        const op = ops[i]!;
        ops[i] = { ...op, ret: t, value: e.type === 'return-read' ? e.value : op.value };
        return;
      }
      default:
        return assertNever(e);
    }
  });
  return ops;
}

const showWrite = (w: TimedOp): string => `c${w.client} write ${w.value ?? '?'}`;

/**
 * Why a history is not regular (multi-writer, MWR-weak), or `true`. For every completed read r
 * returning v:
 * - v = {@link INITIAL_VALUE}: no write completed before r was invoked;
 * - otherwise v was written by a write w invoked before r completed, and no write w' was both
 *   invoked after w completed and completed before r was invoked (w was not overwritten before r
 *   began).
 * Written values are unique (the machines write 1, 2, 3, ...), so a value names its write.
 */
export function regularVerdict(events: readonly RegisterEvent[]): true | string {
  const ops = timedOps(events);
  const writes = ops.filter((o) => o.f === 'write');
  for (const r of ops) {
    if (r.f !== 'read' || r.ret === null) continue;
    const who = `c${r.client} read ${r.value ?? '?'}`;
    if (r.value === INITIAL_VALUE) {
      const done = writes.find((w) => w.ret !== null && w.ret < r.call);
      if (done) return `${who} (the initial value), but ${showWrite(done)} had completed before the read began`;
      continue;
    }
    const w = writes.find((x) => x.value === r.value);
    if (!w) return `${who}, a value no client wrote`;
    if (w.call > r.ret) return `${who} before ${showWrite(w)} was invoked`;
    if (w.ret === null) continue;
    const over = writes.find((x) => x !== w && x.call > w.ret! && x.ret !== null && x.ret < r.call);
    if (over) return `${who}, but ${showWrite(w)} was overwritten by ${showWrite(over)}, which completed before the read began`;
  }
  return true;
}

/**
 * The `regular` invariant (see {@link regularVerdict}), cached by history content like
 * {@link linearizableInvariant}. It is prefix-closed too (a bad read stays bad), so checking it
 * on every state is sound and gives the shortest counterexample.
 */
export function regularInvariant<S>(events: (s: S) => readonly RegisterEvent[]): Invariant<S> {
  const byObject = new WeakMap<readonly RegisterEvent[], true | string>();
  return {
    name: 'regular',
    symmetric: true,
    doc: 'every read returns the value of a concurrent write, or of a preceding write not overwritten before the read began (multi-writer regularity)',
    check(s) {
      const evs = events(s);
      let v = byObject.get(evs);
      if (v === undefined) {
        v = regularVerdict(evs);
        byObject.set(evs, v);
      }
      return v;
    },
  };
}

/** The `sometimes` witnesses of a register history. */
export function registerWitnesses<S>(events: (s: S) => readonly RegisterEvent[]): Witness<S>[] {
  return [
    {
      name: 'write-completes',
      symmetric: true,
      doc: 'some write completes',
      check: (s) => events(s).some((e) => e.type === 'return-write'),
    },
    {
      name: 'read-returns-written',
      symmetric: true,
      doc: 'some read returns a written (not the initial) value',
      check: (s) => events(s).some((e) => e.type === 'return-read' && e.value !== INITIAL_VALUE),
    },
    {
      name: 'read-overlaps-write',
      symmetric: true,
      doc: 'a read completes while a write is pending (the concurrency linearizability is about)',
      // A client has one operation at a time: a read beside a pending write takes two of each.
      needs: { clients: 2, requests: 2 },
      check: (s) => {
        const pending = new Set<number>();
        for (const e of events(s)) {
          if (e.type === 'invoke-write') pending.add(e.client);
          else if (e.type === 'return-write') pending.delete(e.client);
          else if (e.type === 'return-read' && pending.size > 0) return true;
        }
        return false;
      },
    },
  ];
}

/**
 * The timeline of a history as text lines (one row per client, operation bars), with the
 * operations the linearizability check could not place marked `!`.
 */
export function historyTimeline(events: readonly RegisterEvent[]): string[] {
  const h = historyOf(events);
  const r = checkHistory(REGISTER_SPEC, h, QUORUM_HISTORY_BOUNDS);
  return renderTimeline(buildTimeline(REGISTER_SPEC, h, r, { window: 'all' }));
}
