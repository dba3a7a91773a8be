/**
 * What the GitHub model must guarantee (`impl/failover/github.ts`):
 *
 * - `no-divergent-writes` (always): the logs of every two databases are prefix-ordered: one
 *   holds every write of the other, in the same order, so a lagging one can catch up and nothing
 *   acknowledged is lost. Two primaries that each accepted a write the other lacks break it:
 *   their replicas cannot be merged without loss.
 * - `failover` (sometimes): a replica is promoted.
 * - `write-replicated` (sometimes): a replica holds a write.
 */
import type { Invariant, Witness } from '../../impl/core/machine.ts';
import type { EnvState } from '../../impl/env/types.ts';
import type { GithubTypes } from '../../impl/failover/github.ts';

type St = EnvState<GithubTypes>;

/** The databases' logs, by id (null for orchestrator nodes). */
const logs = (s: St): { readonly id: number; readonly log: readonly number[]; readonly primary: boolean }[] =>
  s.nodes.flatMap((slot, i) => (slot.durable.role === 'db' ? [{ id: i + 1, log: slot.durable.log, primary: slot.durable.primary }] : []));

const isPrefix = (a: readonly number[], b: readonly number[]) => a.length <= b.length && a.every((w, i) => b[i] === w);
const show = (log: readonly number[]) => `[${log.map((w) => `w${w}`).join(', ')}]`;

/** `no-divergent-writes`. */
export function noDivergentWrites(name: (id: number) => string): Invariant<St> {
  return {
    name: 'no-divergent-writes',
    doc: 'every two databases’ logs are prefix-ordered: none holds a write the other lacks at a position the other filled differently',
    check(s) {
      const all = logs(s);
      for (let i = 0; i < all.length; i++) {
        for (let j = i + 1; j < all.length; j++) {
          const a = all[i]!;
          const b = all[j]!;
          if (!isPrefix(a.log, b.log) && !isPrefix(b.log, a.log)) {
            const role = (x: typeof a) => (x.primary ? ' (primary)' : '');
            return `${name(a.id)}${role(a)} has ${show(a.log)} and ${name(b.id)}${role(b)} has ${show(b.log)}: neither holds the other's writes`;
          }
        }
      }
      return true;
    },
  };
}

/** The witnesses. */
export const GITHUB_WITNESSES: readonly Witness<St>[] = [
  { name: 'failover', doc: 'the orchestrator promoted a replica', check: (s) => s.ghost.promoted !== null },
  { name: 'write-replicated', doc: 'a replica holds a write', needs: { requests: 1 }, check: (s) => logs(s).some((d) => !d.primary && d.log.length > 0) },
];
