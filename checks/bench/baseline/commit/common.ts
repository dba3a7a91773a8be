// Bench-only baseline: the code before the commit protocols' issue-13 port (commit b84bd5c), kept to measure the port side by side (`npm run bench -- port`). Not used by any model.
/**
 * Pieces shared by the commit protocols of `impl/commit/`: the environment parameters they
 * expose, the decision values, and small encoding helpers.
 */
import type { EnvConfig } from '../../../../impl/env/config.ts';
import { envParams, type DerivedEnvParams } from '../../../../impl/env/params.ts';
import type { Protocol, ProtocolTypes } from '../../../../impl/env/types.ts';
import type { RMState } from '../../../../specs/tcommit.ts';

/** A decision, or none yet. */
export type Outcome = 'none' | 'commit' | 'abort';

/** The code of an outcome in encodings. */
export const OUTCOME_CODE: Readonly<Record<Outcome, number>> = { none: 0, commit: 1, abort: 2 };

/** The code of a TCommit RM state in encodings. */
export const RM_CODE: Readonly<Record<RMState, number>> = { working: 0, prepared: 1, committed: 2, aborted: 3 };

/**
 * The environment part of a commit model's schema, with the model's own defaults: the
 * parameters its protocol's declaration uses (`envParams`); the node count follows from its roles.
 */
export function commitEnvParams<P extends ProtocolTypes>(protocol: Protocol<P>, defaults: Partial<EnvConfig>): DerivedEnvParams {
  return envParams(protocol, defaults);
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
