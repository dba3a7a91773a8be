/**
 * Pieces shared by the commit protocols of `impl/commit/`: the environment parameters they
 * expose, the decision values, and small encoding helpers.
 */
import { envParams, type EnvConfig, type EnvParamSchema } from '../env/config.ts';
import type { RMState } from '../../specs/tcommit.ts';

/** A decision, or none yet. */
export type Outcome = 'none' | 'commit' | 'abort';

/** The code of an outcome in encodings. */
export const OUTCOME_CODE: Readonly<Record<Outcome, number>> = { none: 0, commit: 1, abort: 2 };

/** The code of a TCommit RM state in encodings. */
export const RM_CODE: Readonly<Record<RMState, number>> = { working: 0, prepared: 1, committed: 2, aborted: 3 };

/** The environment parameters a commit model exposes (the node count follows from its roles). */
export type CommitEnvSchema = Omit<EnvParamSchema, 'nodes' | 'requests' | 'maxClock' | 'maxSkew'>;

/** The environment part of a commit model's schema, with the model's own defaults. */
export function commitEnvParams(defaults: Partial<EnvConfig>): CommitEnvSchema {
  const { nodes: _n, requests: _r, maxClock: _c, maxSkew: _s, ...rest } = envParams(defaults);
  return rest;
}

/** The environment configuration of a model's parameter object, with its node count. */
export function commitEnvConfig(p: Partial<EnvConfig>, nodes: number): Partial<EnvConfig> {
  return { ...p, nodes, requests: 0, maxClock: 0 };
}

/** Rename the bits of a bitset whose bit `i` stands for node `i + offset`. */
export function renameBits(bits: number, offset: number, f: (id: number) => number): number {
  let out = 0;
  for (let b = bits, i = 0; b !== 0; b >>>= 1, i++) if (b & 1) out |= 1 << (f(i + offset) - offset);
  return out;
}
