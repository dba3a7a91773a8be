/**
 * What single-decree Paxos (`paxos.ts`) and Multi-Paxos (`multipaxos.ts`) share: the node
 * layout (acceptors first, then proposers), ballot ownership, quorum sizes, the environment
 * parameters that make sense for Paxos, and parameter validation.
 */
import { InputError } from '../core/machine.ts';
import { type EnvConfig } from '../env/config.ts';
import { PAXOS_LIMITS, type Ballot, type Value } from './history.ts';

/** The size of a Paxos system: acceptors are nodes 1..acceptors, proposers the next ones. */
export interface PaxosShape {
  readonly acceptors: number;
  readonly proposers: number;
  /** The largest ballot number. Proposer k (1-based) owns ballots k, k + proposers, … */
  readonly ballots: number;
}

/** The value proposer node `id` proposes as its own: its proposer index, 1-based (v1, v2, …). */
export const ownValue = (shape: PaxosShape, id: number): Value => id - shape.acceptors;

/**
 * The next ballot proposer node `id` may start after its last ballot `last` (0: none yet), or 0
 * when its ballots are used up. Ballots of different proposers never collide.
 */
export function nextBallot(shape: PaxosShape, id: number, last: Ballot): Ballot {
  const b = last === 0 ? ownValue(shape, id) : last + shape.proposers;
  return b <= shape.ballots ? b : 0;
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
  if (ballots < proposers) throw new InputError(`${model}: ballots (${ballots}) must be at least proposers (${proposers}): proposer k owns ballots k, k+${proposers}, …`);
  if (minority && acceptors < 2) throw new InputError(`${model}: minority-quorum needs at least 2 acceptors (a minority of 1 is empty)`);
}

/** The environment configuration of a Paxos model's parameters (other keys are not the environment's: `envConfig` ignores them). */
export const paxosEnvConfig = (p: Partial<EnvConfig>, shape: PaxosShape): Partial<EnvConfig> => ({ ...p, nodes: shape.acceptors + shape.proposers });
