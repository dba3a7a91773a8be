/**
 * The vocabulary shared by the commit protocols of `impl/commit/`: decision values, TCommit's
 * resource-manager states, the ghost record of a transaction's history (declared as a schema, so
 * its renaming under node permutations is derived), and the environment configuration.
 * `specs/tcommit.ts` and `specs/commit/properties.ts` read this vocabulary; nothing here reads
 * `specs/`.
 */
import type { EnvConfig } from '../env/config.ts';
import { S, type Infer } from '../env/schema.ts';
import type { NodeId } from '../env/types.ts';

/** A decision, or none yet (schema). */
export const OUTCOME = S.enum('none', 'commit', 'abort');
/** A decision, or none yet. */
export type Outcome = Infer<typeof OUTCOME>;

/** The state of one resource manager in TCommit (schema, in TCommit's encoding order). */
export const RM_STATE = S.enum('working', 'prepared', 'committed', 'aborted');
/** The state of one resource manager in TCommit. */
export type RMState = Infer<typeof RM_STATE>;

/**
 * The history of one transaction, as node sets (bit `id - 1` for node `id`): which participants
 * ever voted yes, ever committed, ever aborted. A ghost record: the machines write it with ghost
 * effects and never read it; atomicity and validity (`specs/commit/properties.ts`) read it.
 */
export const COMMIT_HISTORY = S.record({ yes: S.nodeSet(), commits: S.nodeSet(), aborts: S.nodeSet() });
/** The history of one transaction (see {@link COMMIT_HISTORY}). */
export type CommitHistory = Infer<typeof COMMIT_HISTORY>;

/** The empty history. */
export const NO_HISTORY: CommitHistory = { yes: 0, commits: 0, aborts: 0 };

/** The history with bit `i - 1` (node `i`, or participant `i` for bitsets over participants) recorded in `field`. */
export function recordHistory(h: CommitHistory, field: keyof CommitHistory, i: NodeId): CommitHistory {
  const bit = 1 << (i - 1);
  if ((h[field] & bit) !== 0) return h;
  switch (field) {
    case 'yes':
      return { yes: h.yes | bit, commits: h.commits, aborts: h.aborts };
    case 'commits':
      return { yes: h.yes, commits: h.commits | bit, aborts: h.aborts };
    case 'aborts':
      return { yes: h.yes, commits: h.commits, aborts: h.aborts | bit };
  }
}

/** The environment configuration of a model's parameter object, with its node count. */
export function commitEnvConfig(p: Partial<EnvConfig>, nodes: number): Partial<EnvConfig> {
  return { ...p, nodes, requests: 0, maxClock: 0 };
}
