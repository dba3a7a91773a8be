/**
 * What a correct logical clock guarantees, checked against the true happens-before relation of
 * the ghost record ({@link causality}), never against the clocks themselves.
 *
 * - Lamport (1978), section 2, the Clock Condition: a → b implies L(a) < L(b); section 3: the
 *   order by (L, process id) is a strict total order that extends →.
 * - Vector clocks (Fidge 1988; Mattern 1988, section 4), the strong clock condition: a → b if
 *   and only if V(a) < V(b), and a ∥ b if and only if V(a) and V(b) are incomparable: the
 *   clock's comparison gives exactly the true relation of every pair of events.
 * - Hybrid logical clocks (Kulkarni et al. 2014, section 3.3): Theorem 1, a → b implies
 *   hlc(a) < hlc(b) (lexicographically on (l, c)); Theorem 2, l ≥ pt; Corollary 1, l − pt ≤ ε
 *   where ε bounds the skew of the physical clocks; Corollary 2, the counter is bounded:
 *   c(f) ≤ |{g : g → f ∧ l(g) = l(f)}| (each process's initial state counts as an event with
 *   l = 0, as the algorithm's initialisation l := 0, c := 0 makes it one).
 *
 * Each invariant is a factory over an accessor from a state to its record, and reports the
 * first offending pair (in id order) with both events named (`n1.2`: process n1's second event).
 */
import { assertNever, type Invariant, type Witness } from '../../impl/core/machine.ts';
import { causality, eventName, type Causality, type ClockHistory } from './history.ts';
import type { HlcStamp, VectorCompare } from '../../impl/clocks/history.ts';
import type { VectorOrder } from '../../impl/clocks/algebra.ts';

export type { VectorOrder } from '../../impl/clocks/algebra.ts';
export type { HlcStamp, VectorCompare } from '../../impl/clocks/history.ts';

/** `n1.2 (send to n2)`. */
function what(hb: Causality<unknown>, id: number): string {
  const ev = hb.event(id);
  const name = hb.name(id);
  switch (ev.kind) {
    case 'local':
      return `${name} (local)`;
    case 'send':
      return `${name} (send to n${ev.to})`;
    case 'recv':
      return `${name} (receive ${eventName(ev.from, ev.send)})`;
    default:
      return assertNever(ev);
  }
}

/** Lamport's Clock Condition: a → b implies L(a) < L(b). */
export function lamportClockCondition<S>(history: (s: S) => ClockHistory<number>): Invariant<S> {
  return {
    name: 'lamport-clock-condition',
    doc: 'a → b implies L(a) < L(b) (Lamport 1978, the Clock Condition)',
    check(s) {
      const hb = causality(history(s));
      for (let b = 0; b < hb.size; b++) {
        const lb = hb.event(b).stamp;
        for (let a = 0; a < hb.size; a++) {
          if (!hb.before(a, b)) continue;
          const la = hb.event(a).stamp;
          if (la >= lb) {
            return `${what(hb, a)} → ${what(hb, b)}${hb.explain(a, b)}, but L(${hb.name(a)}) = ${la} is not less than L(${hb.name(b)}) = ${lb}`;
          }
        }
      }
      return true;
    },
  };
}

/**
 * Lamport's total order: ordering events by (L, process id) is a strict total order (no two
 * distinct events share both) that extends happens-before.
 */
export function lamportTotalOrder<S>(history: (s: S) => ClockHistory<number>): Invariant<S> {
  return {
    name: 'lamport-total-order',
    doc: 'ordering by (L, process id) is a strict total order that extends → (Lamport 1978, section 3)',
    check(s) {
      const hb = causality(history(s));
      for (let b = 0; b < hb.size; b++) {
        const lb = hb.event(b).stamp;
        const pb = hb.proc[b]!;
        for (let a = 0; a < hb.size; a++) {
          if (a === b) continue;
          const la = hb.event(a).stamp;
          const pa = hb.proc[a]!;
          const cmp = la !== lb ? la - lb : pa - pb;
          if (cmp === 0) return `${hb.name(a)} and ${hb.name(b)} share the position (L = ${la}, n${pa}) in the total order`;
          if (cmp > 0 && hb.before(a, b)) {
            return `${what(hb, a)} → ${what(hb, b)}${hb.explain(a, b)}, but the total order puts ${hb.name(b)} (L = ${lb}, n${pb}) before ${hb.name(a)} (L = ${la}, n${pa})`;
          }
        }
      }
      return true;
    },
  };
}

/** The true relation of two events (ids), named as a vector comparison would name it. */
function truth(hb: Causality<unknown>, a: number, b: number): VectorOrder {
  return a === b ? 'equal' : hb.before(a, b) ? 'before' : hb.before(b, a) ? 'after' : 'concurrent';
}

const showVector = (hb: Causality<readonly number[]>, id: number): string => `V(${hb.name(id)}) = [${hb.event(id).stamp.join(',')}]`;

/**
 * The strong clock condition, happens-before half: for every pair of events, a → b if and only
 * if the clock's comparison says V(a) is before V(b).
 */
export function vectorStrongClock<S>(history: (s: S) => ClockHistory<readonly number[]>, compare: VectorCompare): Invariant<S> {
  return {
    name: 'vc-strong-clock',
    doc: 'a → b if and only if V(a) < V(b) (the strong clock condition)',
    check(s) {
      const hb = causality(history(s));
      for (let a = 0; a < hb.size; a++) {
        for (let b = 0; b < hb.size; b++) {
          const says = compare(hb.event(a).stamp, hb.event(b).stamp);
          const is = truth(hb, a, b);
          if ((is === 'before') === (says === 'before')) continue;
          if (is === 'before') return `${what(hb, a)} → ${what(hb, b)}${hb.explain(a, b)}, but ${showVector(hb, a)} and ${showVector(hb, b)} compare as ${says}`;
          const rel = is === 'after' ? 'ordered the other way' : is === 'equal' ? 'the same event' : 'concurrent';
          return `${showVector(hb, a)} compares before ${showVector(hb, b)}, but ${what(hb, a)} does not happen before ${what(hb, b)}: they are ${rel}`;
        }
      }
      return true;
    },
  };
}

/**
 * Exact concurrency detection: for every pair of events (an event paired with itself too),
 * a ∥ b if and only if the clock's comparison says V(a) and V(b) are concurrent.
 */
export function vectorConcurrency<S>(history: (s: S) => ClockHistory<readonly number[]>, compare: VectorCompare): Invariant<S> {
  return {
    name: 'vc-concurrency',
    doc: 'a ∥ b if and only if V(a) and V(b) are incomparable, for every pair of events (an event with itself included)',
    check(s) {
      const hb = causality(history(s));
      for (let a = 0; a < hb.size; a++) {
        for (let b = 0; b < hb.size; b++) {
          const says = compare(hb.event(a).stamp, hb.event(b).stamp);
          const is = truth(hb, a, b);
          if ((is === 'concurrent') === (says === 'concurrent')) continue;
          const pair = `${showVector(hb, a)} and ${showVector(hb, b)} compare as ${says}`;
          if (a === b) return `${pair}, but they are the same event ${what(hb, a)}`;
          if (is === 'concurrent') return `${pair}, but ${what(hb, a)} and ${what(hb, b)} are concurrent`;
          const [x, y] = is === 'before' ? [a, b] : [b, a];
          return `${pair}, but ${what(hb, x)} → ${what(hb, y)}${hb.explain(x, y)}`;
        }
      }
      return true;
    },
  };
}

const hlcLess = (a: HlcStamp, b: HlcStamp): boolean => a.l < b.l || (a.l === b.l && a.c < b.c);
const showHlc = (t: HlcStamp): string => `(${t.l},${t.c})`;

/** HLC Theorem 1: a → b implies hlc(a) < hlc(b), lexicographically on (l, c). */
export function hlcCausality<S>(history: (s: S) => ClockHistory<HlcStamp>): Invariant<S> {
  return {
    name: 'hlc-causality',
    doc: 'a → b implies (l, c)(a) < (l, c)(b) lexicographically (Kulkarni et al., Theorem 1)',
    check(s) {
      const hb = causality(history(s));
      for (let b = 0; b < hb.size; b++) {
        const tb = hb.event(b).stamp;
        for (let a = 0; a < hb.size; a++) {
          if (!hb.before(a, b)) continue;
          const ta = hb.event(a).stamp;
          if (!hlcLess(ta, tb)) {
            return `${what(hb, a)} → ${what(hb, b)}${hb.explain(a, b)}, but hlc(${hb.name(a)}) = ${showHlc(ta)} is not less than hlc(${hb.name(b)}) = ${showHlc(tb)}`;
          }
        }
      }
      return true;
    },
  };
}

/** HLC Theorem 2: every event's l is at least the physical clock when it happened. */
export function hlcLAtLeastPt<S>(history: (s: S) => ClockHistory<HlcStamp>): Invariant<S> {
  return {
    name: 'hlc-l-ge-pt',
    doc: 'l ≥ pt at every event (Kulkarni et al., Theorem 2)',
    check(s) {
      const h = history(s);
      for (let p = 0; p < h.procs.length; p++) {
        const evs = h.procs[p]!;
        for (let i = 0; i < evs.length; i++) {
          const e = evs[i]!;
          if (e.stamp.l < e.pt) return `${eventName(p + 1, i)} has l = ${e.stamp.l} below its physical clock pt = ${e.pt}`;
        }
      }
      return true;
    },
  };
}

/** HLC Corollary 1: l stays within ε of the physical clock. */
export function hlcLWithinEpsilon<S>(history: (s: S) => ClockHistory<HlcStamp>, epsilon: number): Invariant<S> {
  return {
    name: 'hlc-l-within-eps',
    doc: `l − pt ≤ ε (= ${epsilon}, the largest clock skew) at every event (Kulkarni et al., Corollary 1)`,
    check(s) {
      const h = history(s);
      for (let p = 0; p < h.procs.length; p++) {
        const evs = h.procs[p]!;
        for (let i = 0; i < evs.length; i++) {
          const e = evs[i]!;
          const d = e.stamp.l - e.pt;
          if (d > epsilon) return `${eventName(p + 1, i)} has l = ${e.stamp.l}, ${d} ahead of its physical clock pt = ${e.pt}; the skew bound ε is ${epsilon}`;
        }
      }
      return true;
    },
  };
}

/**
 * HLC Corollary 2: c(f) ≤ |{g : g → f ∧ l(g) = l(f)}|: the counter only counts a chain of
 * earlier events that share f's l. A process's initial state (l = 0, c = 0) counts as such an
 * event; it happens before f when f is on that process or f has an event of it in its past.
 */
export function hlcCounterBound<S>(history: (s: S) => ClockHistory<HlcStamp>): Invariant<S> {
  return {
    name: 'hlc-counter-bound',
    doc: 'c(f) ≤ |{g : g → f, l(g) = l(f)}| (Kulkarni et al., Corollary 2): the counter stays bounded',
    check(s) {
      const hb = causality(history(s));
      for (let f = 0; f < hb.size; f++) {
        const { l, c } = hb.event(f).stamp;
        if (c === 0) continue;
        let bound = 0;
        let procsBefore = 1 << hb.proc[f]!;
        for (let g = 0; g < hb.size; g++) {
          if (!hb.before(g, f)) continue;
          procsBefore |= 1 << hb.proc[g]!;
          if (hb.event(g).stamp.l === l) bound++;
        }
        if (l === 0) for (; procsBefore !== 0; procsBefore &= procsBefore - 1) bound++;
        if (c > bound) {
          return `${what(hb, f)} has counter c = ${c}, but only ${bound} event${bound === 1 ? '' : 's'} with l = ${l} (initial states included) happen before it`;
        }
      }
      return true;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// `sometimes` witnesses: the record shows what the invariants are about.

/** Some message is received: there is a cross-process edge in happens-before. */
export function someReceive<S>(history: (s: S) => ClockHistory<unknown>): Witness<S> {
  return {
    name: 'message-received',
    doc: 'some process receives a message',
    check: (s) => history(s).procs.some((evs) => evs.some((e) => e.kind === 'recv')),
  };
}

/** Two events are concurrent: the relation is a partial order, not a chain. */
export function someConcurrentPair<S>(history: (s: S) => ClockHistory<unknown>): Witness<S> {
  return {
    name: 'concurrent-events',
    doc: 'two events are concurrent',
    check(s) {
      const hb = causality(history(s));
      for (let a = 0; a < hb.size; a++) for (let b = a + 1; b < hb.size; b++) if (hb.concurrent(a, b)) return true;
      return false;
    },
  };
}

/** An event on one process happens before an event on another through at least two messages. */
export function someRelayedCausality<S>(history: (s: S) => ClockHistory<unknown>): Witness<S> {
  return {
    name: 'relayed-causality',
    doc: 'an event happens before another through a chain of two messages (transitivity is exercised)',
    check(s) {
      const h = history(s);
      // A receive whose message was sent after the sender had itself received one.
      return h.procs.some((evs) =>
        evs.some((e) => e.kind === 'recv' && h.procs[e.from - 1]!.slice(0, e.send).some((x) => x.kind === 'recv')),
      );
    },
  };
}

/** Lamport: two concurrent events with L(a) < L(b): the converse of the Clock Condition fails. */
export function lamportConverseFails<S>(history: (s: S) => ClockHistory<number>): Witness<S> {
  return {
    name: 'lamport-converse-fails',
    doc: 'two concurrent events a ∥ b with L(a) < L(b): Lamport clocks do not detect concurrency',
    check(s) {
      const hb = causality(history(s));
      for (let a = 0; a < hb.size; a++) for (let b = 0; b < hb.size; b++) if (hb.event(a).stamp < hb.event(b).stamp && hb.concurrent(a, b)) return true;
      return false;
    },
  };
}

/** Lamport: two events on different processes share L, so the total order needs the tie-break. */
export function lamportTie<S>(history: (s: S) => ClockHistory<number>): Witness<S> {
  return {
    name: 'lamport-tie',
    doc: 'two events on different processes have the same L (the process id breaks the tie)',
    check(s) {
      const hb = causality(history(s));
      for (let a = 0; a < hb.size; a++) for (let b = 0; b < hb.size; b++) if (hb.proc[a]! < hb.proc[b]! && hb.event(a).stamp === hb.event(b).stamp) return true;
      return false;
    },
  };
}

/** Vector clocks: the clock detects two concurrent events as concurrent. */
export function vectorDetectsConcurrency<S>(history: (s: S) => ClockHistory<readonly number[]>, compare: VectorCompare): Witness<S> {
  return {
    name: 'vc-concurrency-detected',
    doc: 'two events on different processes compare as concurrent',
    check(s) {
      const hb = causality(history(s));
      for (let a = 0; a < hb.size; a++) {
        for (let b = 0; b < hb.size; b++) if (hb.proc[a]! < hb.proc[b]! && compare(hb.event(a).stamp, hb.event(b).stamp) === 'concurrent') return true;
      }
      return false;
    },
  };
}

/** HLC: some event's l is ahead of its physical clock (it learned a faster clock). */
export function hlcAhead<S>(history: (s: S) => ClockHistory<HlcStamp>): Witness<S> {
  return {
    name: 'hlc-l-ahead',
    doc: 'some event has l > pt: it carries a faster clock it heard of',
    check: (s) => history(s).procs.some((evs) => evs.some((e) => e.stamp.l > e.pt)),
  };
}

/** HLC: some event's l is exactly ε ahead of its physical clock (the bound is tight). */
export function hlcAtEpsilon<S>(history: (s: S) => ClockHistory<HlcStamp>, epsilon: number): Witness<S> {
  return {
    name: 'hlc-l-at-eps',
    doc: 'some event has l − pt = ε: the skew bound is reached',
    check: (s) => history(s).procs.some((evs) => evs.some((e) => e.stamp.l - e.pt === epsilon)),
  };
}

/** HLC: some event has a positive counter (physical clocks tied, the counter ordered them). */
export function hlcCounterUsed<S>(history: (s: S) => ClockHistory<HlcStamp>): Witness<S> {
  return {
    name: 'hlc-counter-used',
    doc: 'some event has c > 0 after a receive: the counter orders events whose physical times tie',
    check: (s) => history(s).procs.some((evs) => evs.some((e) => e.kind === 'recv' && e.stamp.c > 0)),
  };
}

/** HLC: some event's counter restarted at 0 after a physical tick moved l forward. */
export function hlcCounterReset<S>(history: (s: S) => ClockHistory<HlcStamp>): Witness<S> {
  return {
    name: 'hlc-counter-reset',
    doc: 'some event has l = pt > 0 and c = 0: the physical clock moved l forward and the counter restarted',
    check: (s) => history(s).procs.some((evs) => evs.some((e) => e.pt > 0 && e.stamp.l === e.pt && e.stamp.c === 0)),
  };
}
