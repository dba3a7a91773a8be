/**
 * BENCH-ONLY BASELINE: a frozen copy of impl/paxos/common.ts as it was before the port onto the schema (issue 13;
 * from commit f91b98e^, imports re-pointed to impl/core, the registry entry left out), with its
 * hand-written encoders, views, renamers and signatures. Only checks/bench/port.ts imports it; do not edit.
 */
/**
 * What single-decree Paxos (`paxos.ts`) and Multi-Paxos (`multipaxos.ts`) share: the node
 * layout (acceptors n1..nA, then proposers), ballot ownership, quorum sizes, bitsets of
 * acceptors, the environment parameters that make sense for Paxos, and parameter validation.
 */
import { InputError } from '../../../../impl/core/machine.ts';
import type { EnvConfig } from '../../../../impl/env/config.ts';
import { nodeName } from '../../../../impl/env/partition.ts';
import { PAXOS_LIMITS, type Ballot, type Value } from './spec.ts';

/** The size of a Paxos system: acceptors are nodes 1..acceptors, proposers the next ones. */
export interface PaxosShape {
  readonly acceptors: number;
  readonly proposers: number;
  /** The largest ballot number. Proposer k (1-based) owns ballots k, k + proposers, … */
  readonly ballots: number;
}

/** Proposer index (1-based) of node `id`. */
export const proposerIndex = (shape: PaxosShape, id: number): number => id - shape.acceptors;
/** The value proposer node `id` proposes as its own: its proposer index (v1, v2, …). */
export const ownValue = (shape: PaxosShape, id: number): Value => id - shape.acceptors;
/** The acceptor ids, 1..acceptors. */
export const acceptorIds = (shape: PaxosShape): readonly number[] => Array.from({ length: shape.acceptors }, (_, i) => i + 1);

/**
 * The next ballot proposer node `id` may start after its last ballot `last` (0: none yet), or 0
 * when its ballots are used up. Ballots of different proposers never collide.
 */
export function nextBallot(shape: PaxosShape, id: number, last: Ballot): Ballot {
  const b = last === 0 ? proposerIndex(shape, id) : last + shape.proposers;
  return b <= shape.ballots ? b : 0;
}

/** A majority of the acceptors. */
export const majority = (acceptors: number): number => Math.floor(acceptors / 2) + 1;

/** Bit a - 1, for acceptor a, in a bitset of acceptors. */
export const bit = (a: number): number => 1 << (a - 1);

/** A bitset of acceptors with every acceptor a renamed to f(a). */
export function renameBits(bits: number, f: (id: number) => number): number {
  let out = 0;
  for (let a = 1; bits !== 0; a++, bits >>>= 1) if (bits & 1) out |= 1 << (f(a) - 1);
  return out;
}

/** Number of set bits. */
export function popcount(x: number): number {
  let c = 0;
  for (; x !== 0; x &= x - 1) c++;
  return c;
}

/** A bitset of acceptors as `n1,n2`. */
export function showSet(bits: number): string {
  const out: string[] = [];
  for (let a = 1; bits !== 0; a++, bits >>>= 1) if (bits & 1) out.push(nodeName(a));
  return out.length === 0 ? '-' : out.join(',');
}

/**
 * Validate the shape; throws {@link InputError} with one line on an impossible combination.
 * `minority` is the minority-quorum variant, which needs at least two acceptors.
 */
export function checkShape(model: string, shape: PaxosShape, minority: boolean): void {
  const { acceptors, proposers, ballots } = shape;
  if (acceptors + proposers > 16) throw new InputError(`${model}: acceptors + proposers must be at most 16 nodes, got ${acceptors} + ${proposers}`);
  if (acceptors > PAXOS_LIMITS.acceptors) throw new InputError(`${model}: at most ${PAXOS_LIMITS.acceptors} acceptors`);
  if (ballots > PAXOS_LIMITS.ballot) throw new InputError(`${model}: ballots must be at most ${PAXOS_LIMITS.ballot}`);
  if (ballots < proposers) {
    throw new InputError(`${model}: ballots (${ballots}) must be at least proposers (${proposers}): proposer k owns ballots k, k+${proposers}, …`);
  }
  if (minority && acceptors < 2) throw new InputError(`${model}: minority-quorum needs at least 2 acceptors (a minority of 1 is empty)`);
}

/** The environment configuration of a Paxos model's parameters. */
export function paxosEnvConfig(p: Partial<EnvConfig>, shape: PaxosShape): Partial<EnvConfig> {
  return {
    ...(p.delivery !== undefined ? { delivery: p.delivery } : {}),
    ...(p.crashes !== undefined ? { crashes: p.crashes } : {}),
    ...(p.maxDown !== undefined ? { maxDown: p.maxDown } : {}),
    ...(p.restarts !== undefined ? { restarts: p.restarts } : {}),
    ...(p.drops !== undefined ? { drops: p.drops } : {}),
    ...(p.duplicates !== undefined ? { duplicates: p.duplicates } : {}),
    ...(p.partitions !== undefined ? { partitions: p.partitions } : {}),
    ...(p.partitionGroups !== undefined ? { partitionGroups: p.partitionGroups } : {}),
    ...(p.oneWay !== undefined ? { oneWay: p.oneWay } : {}),
    ...(p.symmetry !== undefined ? { symmetry: p.symmetry } : {}),
    nodes: shape.acceptors + shape.proposers,
  };
}

