/**
 * The client history the quorum registers record as ghost state: one event per invocation and
 * per response, in the real-time order of environment steps. Declared here, with the protocol,
 * so the protocol does not import its specs; `specs/quorum.ts` reads it.
 */
import { S, type Infer } from '../env/schema.ts';

/** The register's value before any write. Writes in the quorum machines write 1, 2, 3, ... */
export const INITIAL_VALUE = 0;

/**
 * The schema of one history event. `client` is the client's number (1 for `c1`), not its node
 * id: clients are never permuted by symmetry, and the history checker names processes by it.
 */
export const registerEventSchema = (clients: number, requests: number) => {
  const client = S.int(1, Math.max(1, clients));
  const value = S.int(0, Math.max(0, requests));
  return S.union('type', {
    'invoke-read': { client },
    'invoke-write': { client, value },
    'return-read': { client, value },
    'return-write': { client },
  });
};

/**
 * One event of a client history, in the real-time order of environment steps; a client has at
 * most one operation pending at a time.
 */
export type RegisterEvent = Infer<ReturnType<typeof registerEventSchema>>;
