/**
 * Two environment assumptions the commit protocols need and `impl/env` does not (yet) offer,
 * as filters on an environment machine's enabled actions:
 *
 * - **which nodes may crash** (`crashable`): Paxos Commit tolerates the crash of its coordinator
 *   and of a minority of acceptors; the environment's crash budget applies to any node.
 * - **accurate timeouts** (`timerGuard`): Three-Phase Commit assumes a synchronous system, where
 *   a timeout means the awaited node really is down (or, with a partition, unreachable: which is
 *   why a partition breaks it). The environment fires an armed timer at any point, so a timer
 *   guarded here is enabled only when the guard, which reads the global state, says the node
 *   it waits for is down or cut off. This is the model's failure detector, not protocol logic:
 *   handlers still never see other nodes.
 *
 * The filtered machine is the same object with `actions` narrowed; `step` is unchanged, so every
 * trace of the filtered machine is a trace of the unfiltered one.
 */
import type { EnvMachine } from '../env/machine.ts';
import { blocks } from '../env/partition.ts';
import type { EnvAction, EnvState, NodeId, ProtocolTypes, TimerOf } from '../env/types.ts';

/** Which actions an environment machine offers, beyond what its configuration allows. */
export interface ActionFilter<P extends ProtocolTypes> {
  /** Whether node `node` may crash now (default: every node, always). */
  crashable?(s: EnvState<P>, node: NodeId): boolean;
  /** A timer of a running node fires only when this holds (default: always). */
  timerGuard?(s: EnvState<P>, node: NodeId, timer: TimerOf<P>): boolean;
}

/** `m` with its enabled actions narrowed by `filter`. */
export function filterActions<P extends ProtocolTypes>(m: EnvMachine<P>, filter: ActionFilter<P>): EnvMachine<P> {
  const crashable = filter.crashable?.bind(filter);
  const guard = filter.timerGuard?.bind(filter);
  if (!crashable && !guard) return m;
  const allowed = (s: EnvState<P>, a: EnvAction<P>): boolean => {
    switch (a.type) {
      case 'crash':
        return !crashable || crashable(s, a.node);
      case 'timer':
        return !guard || guard(s, a.node, a.timer);
      default:
        return true;
    }
  };
  return {
    ...m,
    actions(s) {
      const all = m.actions(s);
      for (let i = 0; i < all.length; i++) {
        if (!allowed(s, all[i]!)) return all.filter((a) => allowed(s, a));
      }
      return all;
    },
  };
}

/**
 * The failure detector of a synchronous system: node `watcher` suspects node `watched` exactly
 * when `watched` is down, or a partition stops `watched`'s messages from reaching `watcher`.
 */
export function suspects<P extends ProtocolTypes>(s: EnvState<P>, watcher: NodeId, watched: NodeId): boolean {
  if (watched === watcher) return false;
  const slot = s.nodes[watched - 1];
  return slot === undefined || !slot.up || blocks(s.partition, watched, watcher);
}

/**
 * Dead letters: with crash-stop failures (no restarts), a message to a crashed node can never
 * be delivered, so two states that differ only in such messages behave alike (dropping or
 * duplicating one only spends a budget). `m` with a canonical-representative function that
 * leaves them out (composed with the machine's own symmetry reduction, if any), so the checker
 * counts such states once; the states themselves, and traces, keep the messages. The checker
 * applies it wherever it applies symmetry (`symmetry: false` turns both off). Only applied when
 * the configuration has no restarts.
 */
export function ignoreDeadLetters<P extends ProtocolTypes>(m: EnvMachine<P>): EnvMachine<P> {
  if (m.config.restarts) return m;
  const sym = m.symmetry?.bind(m);
  const strip = (s: EnvState<P>): EnvState<P> => {
    for (const p of s.net) {
      if (!s.nodes[p.to - 1]!.up) return { nodes: s.nodes, net: s.net.filter((q) => s.nodes[q.to - 1]!.up), partition: s.partition, used: s.used, ghost: s.ghost };
    }
    return s;
  };
  return { ...m, symmetry: sym ? (s) => sym(strip(s)) : strip };
}
