/**
 * What the ABD and Dynamo models share: the quorum protocol bound to the register checks of
 * `specs/quorum.ts` (linearizability and regularity of the client history, witnesses), the
 * quorum-size validation, and the environment parameters the quorum models expose.
 */
import { bool, InputError, int, type Witness } from '../../impl/core/machine.ts';
import { type EnvConfig } from '../../impl/env/config.ts';
import { envParams } from '../../impl/env/params.ts';
import { envMachine } from '../../impl/env/machine.ts';
import type { Protocol } from '../../impl/env/types.ts';
import { quorumScheduling, type QuorumMachine, type QuorumState } from '../../impl/quorum/machine.ts';
import { WordBuffer } from '../../impl/core/encode.ts';
import type { QuorumOptions, QuorumTypes } from '../../impl/quorum/quorum.ts';
import { linearizableInvariant, regularInvariant, registerWitnesses, type LinearizabilityCheckMode, type RegisterEvent } from '../quorum.ts';

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

/** How to build a quorum machine. */
export interface QuorumMachineOptions {
  /** Machine name (the catalogue model's name). */
  readonly name: string;
  readonly options: QuorumOptions;
  /** The protocol (a known-bug variant, or `quorumProtocol(options)`). */
  readonly protocol: Protocol<QuorumTypes>;
  /** The environment; `nodes` is set from the roles (replicas + spares + clients). */
  readonly env: Partial<EnvConfig>;
  /** Check linearizability on every state (shortest traces) or on terminal states only. */
  readonly linCheck?: LinearizabilityCheckMode;
}

/** The quorum register in the environment, with the register checks. */
export function makeQuorumMachine(o: QuorumMachineOptions): QuorumMachine {
  const opts = o.options;
  checkQuorumOptions(opts);
  const replicaIds = Array.from({ length: opts.replicas }, (_, i) => i + 1);
  const spareIds = Array.from({ length: opts.spares }, (_, i) => opts.replicas + i + 1);
  const clientIds = Array.from({ length: opts.clients }, (_, i) => opts.replicas + opts.spares + i + 1);
  let machine: QuorumMachine;
  // A terminal state: nothing left to do but deliver or drop messages that change nothing (stale
  // answers and queries, which a state's identity leaves out). Counting such steps as "something
  // to do" would hide every terminal state behind its identical, already-visited twin.
  const words = new WordBuffer();
  const keyOf = (s: QuorumState): string => {
    words.reset();
    machine.encode(s, words);
    return words.key();
  };
  const terminal = (s: QuorumState): boolean => {
    let k: string | null = null;
    for (const a of machine.actions(s)) {
      if (a.type !== 'deliver' && a.type !== 'drop') return false;
      k ??= keyOf(s);
      if (keyOf(machine.step(s, a)) !== k) return false;
    }
    return true;
  };
  const witnesses: Witness<QuorumState>[] = [...registerWitnesses(eventsOf)];
  if (opts.sloppy) {
    witnesses.push(
      { name: 'hinted-store', symmetric: true, doc: 'a spare holds a hint for a replica', check: (s) => spareIds.some((id) => { const d = s.nodes[id - 1]!.durable; return d.role === 'store' && d.hints.length > 0; }) },
      {
        name: 'handoff-delivered',
        symmetric: true,
        doc: 'a home replica received a hinted handoff (its acknowledgement is in flight)',
        check: (s) => s.net.some((p) => p.msg.type === 'HandoffAck'),
      },
    );
  }
  if ((o.env.crashes ?? 0) > 0) {
    witnesses.push({ name: 'replica-down', symmetric: true, doc: 'a replica is down', check: (s) => replicaIds.some((id) => !s.nodes[id - 1]!.up) });
  }
  const base = envMachine(o.protocol, { ...o.env, nodes: opts.replicas + opts.spares + opts.clients }, {
    name: o.name,
    invariants: [linearizableInvariant(eventsOf, o.linCheck === 'terminal' ? { when: terminal } : {}), regularInvariant(eventsOf)],
    sometimes: witnesses,
    // A proper end: every operation has returned. A state with no action and an operation still
    // pending (its quorum is gone: messages dropped, replicas crashed for good) is a deadlock.
    isTerminal: (s) => clientIds.every((id) => { const v = s.nodes[id - 1]!.volatile; return v === null || v.role !== 'client' || v.pending === null; }),
  });
  machine = quorumScheduling(base, opts.sloppy);
  return machine;
}

/**
 * The environment parameters the quorum models expose, derived from `protocol`'s declaration: no
 * `nodes` (it follows from the roles), no timers, clocks or failure detector (the protocol has
 * none); the request budget and symmetry with the quorum models' own ranges and wording.
 */
export function quorumEnvParams(protocol: Protocol<QuorumTypes>, defaults: { readonly requests: number; readonly crashes: number }) {
  const env = envParams(protocol, defaults);
  return {
    ...env,
    requests: int(defaults.requests, 0, 12, 'client operations in total (each a read or a write, at an idle client)'),
    symmetry: bool(false, 'reduce by permutations of the replicas (spares and clients stay fixed)'),
  };
}
