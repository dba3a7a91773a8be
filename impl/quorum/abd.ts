/**
 * ABD: Attiya, Bar-Noy & Dolev, "Sharing memory robustly in message-passing systems" (JACM 1995,
 * section 3), in its multi-writer form (Lynch & Shvartsman, FTCS 1997): an atomic (linearizable)
 * read/write register emulated by N replicas, any minority of which may crash.
 *
 * - write(v): query a majority for the highest version (counter, writer); store
 *   (counter + 1, self, v) at a majority; return.
 * - read(): query a majority for the newest (version, value); write it back to a majority; return
 *   the value. The write-back is what makes reads atomic: once a read returns v, every later read
 *   finds a version at least as new.
 *
 * The protocol is the quorum core of `quorum.ts` with R = W = ⌊N/2⌋ + 1, write-back on, read
 * repair and sloppy quorum off. Replicas keep their (version, value) in durable state and may
 * crash and restart; clients do not crash. The model (checks, bugs, parameters) is
 * `specs/models/abd.ts`.
 *
 * Known-bug variants, each one option or one handler:
 * - `no-write-back`: reads return after the query phase (this is the Dynamo read with
 *   R + W > N): still regular, not linearizable;
 * - `minority-quorum`: quorums of ⌊N/2⌋ (R + W ≤ N): a read can miss a completed write;
 * - `local-timestamp`: a write takes its version from the client's own counter instead of
 *   querying (single-writer ABD used with several writers);
 * - `volatile-store`: a restart forgets the replica's register (the `onRestart` override below).
 */
import { InputError } from '../core/machine.ts';
import type { Protocol } from '../env/types.ts';
import { INITIAL_VALUE } from './history.ts';
import { quorumProtocol, type QuorumOptions, type QuorumTypes } from './quorum.ts';

/** ABD's known-bug variants. */
export type AbdBug = 'no-write-back' | 'minority-quorum' | 'local-timestamp' | 'volatile-store' | 'none';

/** ABD's protocol options for `replicas` and `clients`, with a known bug's option changed. */
export function abdOptions(replicas: number, clients: number, bug: AbdBug = 'none'): QuorumOptions {
  const majority = Math.floor(replicas / 2) + 1;
  const q = bug === 'minority-quorum' ? Math.floor(replicas / 2) : majority;
  if (q < 1) throw new InputError('minority-quorum needs at least 2 replicas (a quorum of ⌊N/2⌋ must not be empty)');
  return {
    replicas,
    spares: 0,
    clients,
    r: q,
    w: q,
    writeBack: bug !== 'no-write-back',
    queryBeforeWrite: bug !== 'local-timestamp',
    readRepair: false,
    sloppy: false,
  };
}

/** The `volatile-store` variant: a restart wipes the replica's register (one handler overridden). */
export function volatileStore(p: Protocol<QuorumTypes>): Protocol<QuorumTypes> {
  return {
    ...p,
    onRestart: (ctx, durable) => {
      const r = p.onRestart(ctx, durable);
      return durable.role === 'store' ? { ...r, durable: { role: 'store', ver: 0, value: INITIAL_VALUE, hints: [] } } : r;
    },
  };
}

/** The ABD protocol with a known bug, or none. */
export function abdProtocol(replicas: number, clients: number, bug: AbdBug = 'none'): Protocol<QuorumTypes> {
  const base = quorumProtocol(abdOptions(replicas, clients, bug));
  return bug === 'volatile-store' ? volatileStore(base) : base;
}
