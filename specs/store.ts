/**
 * What the replicated store of `impl/store/` promises in each mode, checked on its client
 * history (the ghost record) by the history checkers of `impl/core/history/` while the model
 * runs:
 *
 * - **linearizable** (Herlihy & Wing 1990): cp's level;
 * - **sequential** (Lamport 1979): one order legal for the register that keeps each session's
 *   order;
 * - **causal** (Bouajjani, Enea, Guerraoui & Hamza, POPL 2017, CC for registers): ap-siblings'
 *   level. A read that returned several siblings is, for this check, that many reads in a row
 *   in the same session, one per sibling (smallest value first): each sibling must be a write
 *   the read's causal past does not overwrite, and all of them are in the causal past of what
 *   the session does next;
 * - **eventual** (convergence): at every quiescent state (nothing in flight, no partition, no
 *   push due, nothing in progress), one probe read per replica, after every client operation,
 *   must agree, and on a value that was written (or the initial value). For single values this
 *   is the eventual checker over the history plus the probes; for sibling sets the probes are
 *   compared as sets.
 *
 * A register spec reads one value, so a history where a read returned two siblings is neither
 * linearizable nor sequential (there is no sequential register that returns two values); the
 * checks say so rather than run.
 *
 * And one property of the AP modes:
 * - **no-lost-update**: at a quiescent state, every acknowledged write is still visible at the
 *   replicas (as their value, or as a sibling) unless a write that causally follows it
 *   (session order plus writes-into-reads, as in the causal check) replaced it. Last writer wins
 *   breaks it by design: two concurrent writes, one is silently dropped.
 *
 * Every level here is prefix-closed on histories except eventual, which is only checked at
 * quiescent states; a bound that cuts a search throws (never a false "holds").
 */
import { assertNever, type Invariant, type Witness } from '../impl/core/machine.ts';
import type { Access } from '../impl/core/history/access.ts';
import { checkCausal, INITIAL } from '../impl/core/history/causal.ts';
import { checkEventual } from '../impl/core/history/eventual.ts';
import { makeHistory, type History, type OperationInit } from '../impl/core/history/history.ts';
import { checkHistory, type HistoryCheckOptions } from '../impl/core/history/search.ts';
import { checkSequential } from '../impl/core/history/sequential.ts';
import type { NodeId } from '../impl/env/types.ts';
import { quiescent, shownAt, type StoreEvent, type StoreMode, type StoreState } from '../impl/store/store.ts';
import { registerSpec, type RegisterInput, type RegisterOutput } from './sequential/register.ts';

/** The consistency levels, strongest first. */
export const STORE_LEVELS = ['linearizable', 'sequential', 'causal', 'eventual'] as const;
/** A level. */
export type StoreLevel = (typeof STORE_LEVELS)[number];

/** The level each mode is checked at (what it promises). */
export const MODE_LEVEL: Readonly<Record<StoreMode, StoreLevel>> = { cp: 'linearizable', 'ap-lww': 'eventual', 'ap-siblings': 'causal' };

/** The register's initial value. */
export const STORE_INITIAL = 0;

/** Bounds of every history search (histories here have a handful of operations). */
export const STORE_HISTORY_BOUNDS: HistoryCheckOptions = { maxSteps: 1_000_000, maxStates: 200_000, timeLimitMs: 60_000 };

/** The error a level check throws when a bound cut its search: no verdict. */
export class InconclusiveStoreHistoryError extends Error {
  override readonly name = 'InconclusiveStoreHistoryError';
}

const SPEC = registerSpec(STORE_INITIAL);

/** One event as text: `c1 write 3`, `c2 read → 1|2`, `c1 write 3 refused (may take effect)`. */
export function showStoreEvent(e: StoreEvent): string {
  switch (e.type) {
    case 'call':
      return `c${e.c} invokes ${e.f === 'write' ? `write ${e.op}` : 'read'}`;
    case 'ret':
      return `c${e.c} ${e.vals.length === 0 ? `write ${e.op} done` : `read → ${e.vals.join('|')}`}`;
    case 'refused':
      return `c${e.c} op ${e.op} unavailable${e.effect === 'unknown' ? ' (may still take effect)' : ''}`;
    default:
      return assertNever(e);
  }
}

/**
 * The process an indeterminate operation of client `c` runs as: it leaves its session, as
 * Jepsen retires the process of an `:info` operation (the client goes on, and the refused write
 * may take effect after the client's later operations, so session order does not bind it).
 */
export const indeterminateProcess = (c: number, op: number): number => 100 * op + c;

interface Op {
  readonly c: number;
  /** The history process: `c`, or {@link indeterminateProcess} once refused with an unknown effect. */
  proc: number;
  readonly op: number;
  readonly f: 'read' | 'write';
  readonly call: number;
  ret: number | null;
  vals: readonly number[];
  /** Refused with no effect: left out of the history (a failed operation). */
  failed: boolean;
}

/**
 * The first answer (a return or a refusal) to an operation that is not waiting for one: answered
 * or refused already (its client hears twice: `unavailable`, then the value), or never invoked.
 * Null when every answer matches an open call.
 */
export function unmatchedAnswer(events: readonly StoreEvent[]): string | null {
  const open = new Set<number>();
  const closed = new Map<number, string>();
  for (const e of events) {
    if (e.type === 'call') {
      open.add(e.op);
      continue;
    }
    const what = e.type === 'refused' ? 'refused' : 'answered';
    if (!open.delete(e.op)) {
      const before = closed.get(e.op);
      return before === undefined
        ? `op ${e.op} of c${e.c} was ${what} but never invoked`
        : `op ${e.op} of c${e.c} was ${what} after it was ${before}: its client heard twice`;
    }
    closed.set(e.op, what);
  }
  return null;
}

/**
 * The operations of an event list (times: event indices). A refusal with no effect (a read)
 * drops the operation, as a failed one; a refusal with an unknown effect (a write sent onward)
 * leaves it pending forever, in a process of its own: the history engine's incomplete
 * operation, which may or may not have taken effect. Never recorded as failed.
 */
function opsOf(events: readonly StoreEvent[]): Op[] {
  const ops: Op[] = [];
  const open = new Map<number, Op>();
  events.forEach((e, t) => {
    if (e.type === 'call') {
      const o: Op = { c: e.c, proc: e.c, op: e.op, f: e.f, call: t, ret: null, vals: [], failed: false };
      ops.push(o);
      open.set(e.op, o);
    } else if (e.type === 'refused') {
      const o = open.get(e.op);
      if (o === undefined) throw new Error(`store history: op ${e.op} refused but never invoked`);
      if (e.effect === 'none') o.failed = true;
      else o.proc = indeterminateProcess(o.c, o.op);
      open.delete(e.op);
    } else {
      const o = open.get(e.op);
      if (o === undefined) throw new Error(`store history: op ${e.op} answered but never invoked`);
      o.ret = t;
      o.vals = e.vals;
      open.delete(e.op);
    }
  });
  return ops.filter((o) => !o.failed);
}

/** The register history, each read returning one value (`null` if a read returned several siblings). */
export function registerHistoryOf(events: readonly StoreEvent[]): History<RegisterInput, RegisterOutput> | { readonly siblings: string } {
  const init: OperationInit<RegisterInput, RegisterOutput>[] = [];
  for (const o of opsOf(events)) {
    if (o.f === 'write') init.push({ process: o.proc, input: { f: 'write', value: o.op }, call: o.call, ret: o.ret });
    else if (o.ret === null) init.push({ process: o.proc, input: { f: 'read' }, call: o.call, ret: null });
    else if (o.vals.length !== 1) return { siblings: `c${o.c} read the siblings ${o.vals.join('|')}: a register returns one value, so no order of register operations explains it` };
    else init.push({ process: o.proc, input: { f: 'read' }, output: o.vals[0]!, call: o.call, ret: o.ret });
  }
  return makeHistory(init, 'store history');
}

/**
 * The history for the causal and eventual checks, with its accesses: a read of k siblings is k
 * reads in a row of its session (times scaled so they fit between the read's call and return).
 * `probes`: one final read per replica, by its own process `r1`, `r2`, … after everything.
 */
export function accessHistoryOf(events: readonly StoreEvent[], probes: readonly (readonly number[])[] = []): { history: History<RegisterInput, RegisterOutput>; accesses: Access[][] } {
  const init: OperationInit<RegisterInput, RegisterOutput>[] = [];
  const K = 64; // sub-steps per event (siblings ≤ ops < 64)
  for (const o of opsOf(events)) {
    const call = o.call * K;
    const ret = o.ret === null ? null : o.ret * K;
    if (o.f === 'write') init.push({ process: o.proc, input: { f: 'write', value: o.op }, call, ret });
    else if (ret === null) init.push({ process: o.proc, input: { f: 'read' }, call, ret: null });
    else o.vals.forEach((v, i) => init.push({ process: o.proc, input: { f: 'read' }, output: v, call: call + 2 * i, ret: Math.min(ret, call + 2 * i + 1) }));
  }
  const end = (events.length + 1) * K;
  probes.forEach((vals, r) => vals.forEach((v, i) => init.push({ process: `r${r + 1}`, node: `r${r + 1}`, input: { f: 'read' }, output: v, call: end + 2 * i, ret: end + 2 * i + 1 })));
  const history = makeHistory(init, 'store history');
  const accesses = history.ops.map((op): Access[] => {
    if (op.input.f === 'write') return [{ kind: 'write', key: '', value: op.input.value }];
    return op.output === undefined ? [{ kind: 'read-unknown', key: '' }] : [{ kind: 'read', key: '', value: op.output }];
  });
  return { history, accesses };
}

const inconclusive = (level: string, bound: { kind: string; limit: number } | undefined): never => {
  throw new InconclusiveStoreHistoryError(`${level} check inconclusive: the ${bound?.kind ?? '?'} bound (${bound?.limit ?? '?'}) cut the search`);
};

/**
 * Check one level of a client history: `true`, or why not. `probes` (eventual only): what each
 * replica shows at a quiescent state; without them the eventual level is not checked (`true`).
 */
export function checkStoreLevel(level: StoreLevel, events: readonly StoreEvent[], probes: readonly (readonly number[])[] | null, bounds: HistoryCheckOptions = STORE_HISTORY_BOUNDS): true | string {
  // A client answered twice, or for an operation it never invoked, is a protocol bug at any level.
  const twice = unmatchedAnswer(events);
  if (twice !== null) return `not ${level === 'sequential' ? 'sequentially consistent' : level}: ${twice}`;
  switch (level) {
    case 'linearizable': {
      const h = registerHistoryOf(events);
      if ('siblings' in h) return `not linearizable: ${h.siblings}`;
      const r = checkHistory(SPEC, h, bounds);
      if (r.verdict === 'unknown') return inconclusive(level, r.bound);
      return r.verdict === 'linearizable' || `not linearizable: ${explain(events)}`;
    }
    case 'sequential': {
      const h = registerHistoryOf(events);
      if ('siblings' in h) return `not sequentially consistent: ${h.siblings}`;
      const r = checkSequential(SPEC, h, bounds);
      if (r.verdict === 'unknown') return inconclusive(level, r.bound);
      return r.verdict === 'sequential' || `not sequentially consistent: no order keeps each session's order and is legal for the register (${explain(events)})`;
    }
    case 'causal': {
      const { history, accesses } = accessHistoryOf(events);
      const r = checkCausal(history, accesses, STORE_INITIAL, bounds);
      if (r.verdict === 'unknown') return inconclusive(level, r.bound);
      if (r.verdict === 'causal') return true;
      const v = r.violation!;
      const op = (id: number): string => {
        const o = history.ops[id]!;
        return o.input.f === 'write' ? `c${String(o.process)} write ${String(o.input.value)}` : `c${String(o.process)} read ${String(o.output)}`;
      };
      switch (v.kind) {
        case 'thin-air':
          return `not causal: ${op(v.read)} returns a value nobody wrote`;
        case 'cycle':
          return `not causal: the causal order has a cycle through ${v.cycle.map((s) => op(s.op)).join(', ')}`;
        case 'overwritten':
          return `not causal (${v.guarantee} broken): ${op(v.read)} reads ${v.source === INITIAL ? 'the initial value' : op(v.source)}, but ${op(v.overwriter)} overwrote it in its causal past`;
        default:
          return assertNever(v);
      }
    }
    case 'eventual': {
      if (probes === null) return true;
      const sets = probes.map((p) => [...p].sort((a, b) => a - b).join('|'));
      const written = new Set(opsOf(events).filter((o) => o.f === 'write').map((o) => o.op));
      if (probes.every((p) => p.length === 1)) {
        const { history, accesses } = accessHistoryOf(events, probes);
        // The quiet period ends just before the probes: the clients' reads made while the
        // replicas were still converging are not in the window.
        const lastWrite = history.ops.reduce((t, op) => (op.input.f === 'write' ? Math.max(t, op.ret ?? op.call) : t), 0);
        const firstProbe = history.ops.reduce((t, op) => (typeof op.process === 'string' ? Math.min(t, op.call) : t), Infinity);
        const r = checkEventual(history, accesses, STORE_INITIAL, { quiet: Math.max(0, firstProbe - 1 - lastWrite) });
        if (r.verdict === 'eventual') return true;
        const v = r.violation!;
        return v.kind === 'diverged'
          ? `not eventually consistent: at rest the replicas disagree (${sets.map((s, i) => `r${i + 1}: ${s}`).join(', ')})`
          : `not eventually consistent: the replicas agree on ${String(v.value)}, which nobody wrote`;
      }
      if (new Set(sets).size > 1) return `not eventually consistent: at rest the replicas disagree (${sets.map((s, i) => `r${i + 1}: ${s}`).join(', ')})`;
      const bad = probes[0]!.find((v) => v !== STORE_INITIAL && !written.has(v));
      return bad === undefined || `not eventually consistent: the replicas show ${bad}, which nobody wrote`;
    }
    default:
      return assertNever(level);
  }
}

/** The history, as one line (for violation messages). */
function explain(events: readonly StoreEvent[]): string {
  return `history ${events.map(showStoreEvent).join('; ')}`;
}

/**
 * The writes that causally precede each write: its session's past when it was invoked, where a
 * session's past grows with the writes it makes and the writes it reads (with their pasts). The
 * sets are closed under transitivity as they are built.
 */
export function causalPastOfWrites(events: readonly StoreEvent[]): Map<number, ReadonlySet<number>> {
  const session = new Map<number, Set<number>>();
  const past = new Map<number, ReadonlySet<number>>();
  const pending = new Map<number, 'read' | 'write'>();
  for (const e of events) {
    const s = session.get(e.c) ?? new Set<number>();
    session.set(e.c, s);
    if (e.type === 'call') {
      pending.set(e.op, e.f);
      if (e.f === 'write') past.set(e.op, new Set(s));
      continue;
    }
    if (e.type === 'refused') {
      // Refused: nothing joins the session (an indeterminate write leaves it, see opsOf).
      pending.delete(e.op);
      continue;
    }
    if (pending.get(e.op) === 'write') s.add(e.op);
    for (const v of e.vals) {
      if (v === STORE_INITIAL) continue;
      s.add(v);
      for (const w of past.get(v) ?? []) s.add(w);
    }
    pending.delete(e.op);
  }
  return past;
}

/** How the store checks read a state. */
export interface StoreObserver {
  readonly mode: StoreMode;
  readonly replicas: number;
}

const probesOf = (o: StoreObserver, s: StoreState): number[][] => Array.from({ length: o.replicas }, (_, i) => [...shownAt(o.mode, s, (i + 1) as NodeId)]);

/**
 * The invariant of one level over the client history. Verdicts are cached per history (and per
 * probes, for eventual), so each distinct history is searched once.
 */
export function levelInvariant(o: StoreObserver, level: StoreLevel): Invariant<StoreState> {
  const byEvents = new WeakMap<readonly StoreEvent[], true | string>();
  const byKey = new Map<string, true | string>();
  return {
    name: level,
    doc:
      level === 'eventual'
        ? 'at rest (nothing in flight, no partition, nothing due), every replica answers a read with the same value, and it was written'
        : `the client history is ${level === 'causal' ? 'causally consistent' : level === 'sequential' ? 'sequentially consistent' : 'linearizable'}`,
    check(s) {
      const events = s.ghost.events as readonly StoreEvent[];
      if (level === 'eventual') {
        if (!quiescent(o.mode, s)) return true;
        const probes = probesOf(o, s);
        const key = `${JSON.stringify(events)}#${JSON.stringify(probes)}`;
        let v = byKey.get(key);
        if (v === undefined) byKey.set(key, (v = checkStoreLevel(level, events, probes)));
        return v;
      }
      let v = byEvents.get(events);
      if (v !== undefined) return v;
      const key = JSON.stringify(events);
      v = byKey.get(key);
      if (v === undefined) byKey.set(key, (v = checkStoreLevel(level, events, null)));
      byEvents.set(events, v);
      return v;
    },
  };
}

/** `no-lost-update` (AP modes): at rest, every acknowledged write is shown, or a causally later write replaced it. */
export function noLostUpdate(o: StoreObserver): Invariant<StoreState> {
  return {
    name: 'no-lost-update',
    doc: 'at rest, every acknowledged write is still shown by the replicas (value or sibling) unless a write that causally follows it replaced it',
    check(s) {
      if (!quiescent(o.mode, s)) return true;
      const events = s.ghost.events as readonly StoreEvent[];
      const acked = events.filter((e) => e.type === 'ret' && e.vals.length === 0).map((e) => e.op);
      if (acked.length === 0) return true;
      const past = causalPastOfWrites(events);
      const shown = new Set(probesOf(o, s).flat());
      for (const w of acked) {
        if (shown.has(w)) continue;
        const replacedBy = [...past.entries()].find(([, p]) => p.has(w));
        if (replacedBy === undefined) {
          const call = events.find((e) => e.type === 'call' && e.op === w)!;
          return `lost update: c${call.c}'s write ${w} was acknowledged, but at rest the replicas show ${[...shown].sort((a, b) => a - b).join('|')} and no write that causally follows it replaced it`;
        }
      }
      return true;
    },
  };
}

/** Witnesses: operations are answered, a read sees another session's write, and (AP) siblings meet. */
export function storeWitnesses(o: StoreObserver): Witness<StoreState>[] {
  const ws: Witness<StoreState>[] = [
    {
      name: 'write-answered',
      doc: 'a client write is acknowledged',
      check: (s) => (s.ghost.events as readonly StoreEvent[]).some((e) => e.type === 'ret' && e.vals.length === 0),
    },
    {
      name: 'read-other-write',
      doc: "a client reads another session's write",
      check: (s) => {
        const ev = s.ghost.events as readonly StoreEvent[];
        const writer = new Map<number, number>();
        for (const e of ev) if (e.type === 'call' && e.f === 'write') writer.set(e.op, e.c);
        return ev.some((e) => e.type === 'ret' && e.vals.some((v) => writer.has(v) && writer.get(v) !== e.c));
      },
    },
  ];
  if (o.mode === 'cp') {
    ws.push(
      { name: 'refused', doc: 'a client operation is answered unavailable (its replica timed out)', check: (s) => (s.ghost.events as readonly StoreEvent[]).some((e) => e.type === 'refused') },
      {
        name: 'refused-write-read',
        doc: 'a write refused as unavailable takes effect anyway: a client reads its value (why a refused write is indeterminate, not failed)',
        check: (s) => {
          const ev = s.ghost.events as readonly StoreEvent[];
          const unknown = new Set(ev.flatMap((e) => (e.type === 'refused' && e.effect === 'unknown' ? [e.op] : [])));
          return ev.some((e) => e.type === 'ret' && e.vals.some((v) => unknown.has(v)));
        },
      },
    );
  }
  if (o.mode === 'ap-siblings') ws.push({ name: 'siblings-read', doc: 'a read returns two concurrent writes as siblings', check: (s) => (s.ghost.events as readonly StoreEvent[]).some((e) => e.type === 'ret' && e.vals.length >= 2) });
  return ws;
}
