// Bench-only baseline: the code before issue 13 (commit 3429dc0), kept to measure the port side by side (`npm run bench -- port`). Not used by any model.
/**
 * The quorum register as a checker machine: the protocol of `quorum.ts` in the shared
 * environment, with the client history checked for linearizability and regularity
 * (`specs/quorum.ts`), role names (`r1`, `s1`, `c1`) in traces and diagrams, and two scheduling
 * rules the environment does not express by itself (see {@link makeQuorumMachine}).
 */
import { InputError, type Witness } from '../../../impl/core/machine.ts';
import type { TraceEvent } from '../../../impl/core/machine.ts';
import { envMachine, type EnvMachine, type EnvView } from '../../../impl/env/machine.ts';
import type { EnvConfig } from '../../../impl/env/config.ts';
import { blocks } from '../../../impl/env/partition.ts';
import type { EnvAction, EnvState, NodeId, Packet, Protocol } from '../../../impl/env/types.ts';
import {
  linearizableInvariant,
  regularInvariant,
  registerWitnesses,
  type LinearizabilityCheckMode,
  type RegisterEvent,
} from '../../../specs/quorum.ts';
import {
  layout,
  quorumProtocol,
  type ClientVolatile,
  type Layout,
  type Pending,
  type QuorumMsg,
  type QuorumOptions,
  type QuorumTypes,
  type StoreDurable,
} from './quorum-quorum.ts';

/** A quorum machine's state. */
export type QuorumState = EnvState<QuorumTypes>;
/** A quorum machine's action. */
export type QuorumAction = EnvAction<QuorumTypes>;
/** A quorum machine. */
export type QuorumMachine = EnvMachine<QuorumTypes>;

/** How to build a quorum machine. */
export interface QuorumMachineOptions {
  /** Machine name (the registry model's name). */
  readonly name: string;
  readonly protocol: QuorumOptions;
  /** The environment; `nodes` is set from the layout (replicas + spares + clients). */
  readonly env: Partial<EnvConfig>;
  /** Check linearizability on every state (shortest traces) or on terminal states only. */
  readonly linCheck?: LinearizabilityCheckMode;
  /** A known-bug variant: a change of one handler of the correct protocol. */
  readonly variant?: (p: Protocol<QuorumTypes>) => Protocol<QuorumTypes>;
}

/** The client history of a state. */
export const eventsOf = (s: QuorumState): readonly RegisterEvent[] => s.ghost.events;

/** Validate quorum sizes against the replica count: one-line {@link InputError}s. */
export function checkQuorumOptions(o: QuorumOptions): void {
  if (o.r < 1 || o.r > o.replicas) throw new InputError(`read quorum r=${o.r} must be between 1 and the ${o.replicas} replicas`);
  if (o.w < 1 || o.w > o.replicas) throw new InputError(`write quorum w=${o.w} must be between 1 and the ${o.replicas} replicas`);
  if (o.sloppy && o.spares < 1) throw new InputError('a sloppy quorum needs at least one spare node (spares ≥ 1)');
  if (!o.sloppy && o.spares > 0) throw new InputError(`spares are only used by a sloppy quorum; set sloppy=true or spares=0`);
  if (o.replicas + o.spares + o.clients > 16) {
    throw new InputError(`replicas + spares + clients = ${o.replicas + o.spares + o.clients} nodes; the environment has at most 16`);
  }
}

/** Rename `n<id>` node names inside a label to role names. */
function renamer(l: Layout): (text: string) => string {
  return (text) => text.replace(/\bn(\d+)\b/g, (m, id: string) => (Number(id) >= 1 && Number(id) <= l.nodes ? l.name(Number(id)) : m));
}

/**
 * The machine. On top of the environment:
 * - **clients do not crash**: crash (and restart) actions are offered for replicas and spares
 *   only ("replicas that may crash"; a crashed client would leave an operation pending forever,
 *   which the history checker handles, but it is not what these models are about);
 * - **a perfect failure detector** for the sloppy quorum: a client may suspect a replica (and
 *   turn to a spare) only while that replica is down or cut off from it by a partition. The
 *   protocol never reads the network or the partition; the environment decides when the
 *   suspicion is offered, as it decides when a timer fires;
 * - **ignored messages are discarded**: a message whose delivery would change nothing (an answer
 *   to an operation or phase the client has finished, a second answer from the same node, a
 *   query for a phase that is over) leaves the network in the step that made it ignorable. This
 *   removes only steps that change nothing but the network (and the drops and duplicates of such
 *   messages, which only spend budget), and no check reads those messages, so every violation
 *   is still reachable, by a trace no longer than before. Without it, each phase's leftover
 *   messages double the state space, once per phase.
 */
export function makeQuorumMachine(o: QuorumMachineOptions): QuorumMachine {
  checkQuorumOptions(o.protocol);
  const l = layout(o.protocol.replicas, o.protocol.spares, o.protocol.clients);
  const base0 = quorumProtocol(o.protocol);
  const protocol = o.variant ? o.variant(base0) : base0;
  const rn = renamer(l);
  const isClient = (id: NodeId) => l.role(id) === 'client';

  const reachable = (s: QuorumState, a: NodeId, b: NodeId): boolean => s.nodes[b - 1]!.up && !blocks(s.partition, a, b) && !blocks(s.partition, b, a);
  const offered = (s: QuorumState, a: QuorumAction): boolean => {
    switch (a.type) {
      case 'crash':
      case 'restart':
        return !isClient(a.node);
      case 'local':
        return a.action.type !== 'suspect' || !reachable(s, a.node, a.action.replica);
      default:
        return true;
    }
  };

  let machine: QuorumMachine;
  const terminal = (s: QuorumState): boolean => machine.actions(s).length === 0;
  const witnesses: Witness<QuorumState>[] = [...registerWitnesses(eventsOf)];
  if (o.protocol.sloppy) {
    witnesses.push(
      { name: 'hinted-store', symmetric: true, doc: 'a spare holds a hint for a replica', check: (s) => l.spareIds.some((id) => (s.nodes[id - 1]!.durable as StoreDurable).hints.length > 0) },
      {
        name: 'handoff-delivered',
        symmetric: true,
        doc: 'a home replica received a hinted handoff (its acknowledgement is in flight)',
        check: (s) => s.net.some((p) => p.msg.type === 'HandoffAck'),
      },
    );
  }
  if ((o.env.crashes ?? 0) > 0) {
    witnesses.push({ name: 'replica-down', symmetric: true, doc: 'a replica is down', check: (s) => l.replicaIds.some((id) => !s.nodes[id - 1]!.up) });
  }
  const base = envMachine(protocol, { ...o.env, nodes: l.nodes }, {
    name: o.name,
    invariants: [
      linearizableInvariant(eventsOf, o.linCheck === 'terminal' ? { when: terminal } : {}),
      regularInvariant(eventsOf),
    ],
    sometimes: witnesses,
    // A proper end: every operation has returned. A state with no action and an operation still
    // pending (its quorum is gone: messages dropped, replicas crashed for good) is a deadlock.
    isTerminal: (s) => l.clientIds.every((id) => (s.nodes[id - 1]!.volatile as ClientVolatile | null)?.pending === null),
  });

  const filter = (o.env.crashes ?? 0) > 0 || o.protocol.sloppy;
  const clientPending = (s: QuorumState, id: NodeId): Pending | null => (s.nodes[id - 1]!.volatile as ClientVolatile | null)?.pending ?? null;
  /**
   * A message whose delivery would change nothing, now or later: an answer to an operation or
   * phase the client has finished, or a second answer from the same node; a query for a phase
   * that is over (the replica's answer would be ignored). Client operation numbers and phases
   * only move forward, so once ignorable, a message stays ignorable.
   */
  const ignorable = (s: QuorumState, p: Packet<QuorumMsg>): boolean => {
    const m = p.msg;
    switch (m.type) {
      case 'QueryReply':
      case 'StoreAck': {
        const q = clientPending(s, p.to);
        return q === null || q.op !== m.op || q.phase !== (m.type === 'QueryReply' ? 'query' : 'store') || (q.answered & (1 << (p.from - 1))) !== 0;
      }
      case 'Query': {
        const q = clientPending(s, p.from);
        return q === null || q.op !== m.op || q.phase !== 'query';
      }
      default:
        return false;
    }
  };
  /** The state without the messages that became ignorable (see {@link makeQuorumMachine}). */
  const discardIgnored = (s: QuorumState): QuorumState => {
    let out: Packet<QuorumMsg>[] | null = null;
    const net = s.net;
    for (let i = 0; i < net.length; i++) {
      const p = net[i]!;
      if (ignorable(s, p)) out ??= net.slice(0, i);
      else if (out !== null) out.push(p);
    }
    return out === null ? s : { nodes: s.nodes, net: out, partition: s.partition, used: s.used, ghost: s.ghost };
  };
  const renameEvent = (e: TraceEvent): TraceEvent => {
    switch (e.kind) {
      case 'send':
      case 'deliver':
      case 'drop':
      case 'duplicate':
        return { ...e, from: rn(e.from), to: rn(e.to) };
      case 'crash':
      case 'restart':
      case 'timer':
      case 'tick':
      case 'local':
        return { ...e, node: rn(e.node) };
      case 'partition':
        return { ...e, groups: e.groups.map((g) => g.map(rn)) };
      case 'heal':
        return e;
    }
  };
  const names = base.nodes().map(rn);
  machine = {
    ...base,
    actions: filter ? (s) => base.actions(s).filter((a) => offered(s, a)) : base.actions,
    step: (s, a) => discardIgnored(base.step(s, a)),
    formatAction: (a) => rn(base.formatAction(a)),
    nodes: () => names,
    events: (prev, a, next) => base.events(prev, a, next).map(renameEvent),
    view: (s): EnvView => {
      const v = base.view(s);
      const nodes: Record<string, EnvView['nodes'][string]> = {};
      for (const [k, x] of Object.entries(v.nodes)) nodes[rn(k)] = x;
      return { ...v, nodes, network: v.network.map(rn), partition: v.partition === null ? null : rn(v.partition) };
    },
  };
  return machine;
}
