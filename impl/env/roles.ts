/**
 * Roles: which node plays which part, what it is called, whether it may crash, and which nodes
 * are interchangeable. Derived once per machine from the protocol's `roles` declaration.
 */
import { InputError } from '../core/machine.ts';
import type { NodeId, RoleSpec } from './types.ts';

/** The role every node plays when a protocol declares none. */
export const DEFAULT_ROLE = 'node';

/** Where each node sits, by role. */
export interface RoleLayout {
  /** `names[id - 1]`: `n1`, … or `a1`, `p1`, … */
  readonly names: readonly string[];
  /** `roleOf[id - 1]`. */
  readonly roleOf: readonly string[];
  /** The ids of each role, ascending. */
  readonly members: ReadonlyMap<string, readonly NodeId[]>;
  /** Groups of interchangeable ids: one per symmetric role with two or more nodes. */
  readonly classes: readonly (readonly NodeId[])[];
  /** `crashable[id - 1]`: whether the node may crash. */
  readonly crashable: readonly boolean[];
  /** Roles that limit how many of their nodes are down at once: their members and the limit. */
  readonly downLimits: readonly { readonly ids: readonly NodeId[]; readonly maxDown: number }[];
}

/** The node count of a role declaration (`fallback` without roles). */
export function roleNodeCount(roles: Readonly<Record<string, RoleSpec>> | undefined, fallback: number): number {
  return roles === undefined ? fallback : Object.values(roles).reduce((a, r) => a + r.count, 0);
}

/** The layout of `roles` over `n` nodes. Throws {@link InputError} on a bad declaration. */
export function roleLayout(protocol: string, roles: Readonly<Record<string, RoleSpec>> | undefined, n: number): RoleLayout {
  if (roles === undefined) {
    const ids = Array.from({ length: n }, (_, i) => i + 1);
    return {
      names: ids.map((id) => `n${id}`),
      roleOf: ids.map(() => DEFAULT_ROLE),
      members: new Map([[DEFAULT_ROLE, ids]]),
      classes: [ids],
      crashable: ids.map(() => true),
      downLimits: [],
    };
  }
  const prefixes = new Set<string>();
  const names: string[] = [];
  const roleOf: string[] = [];
  const crashable: boolean[] = [];
  const members = new Map<string, NodeId[]>();
  const classes: NodeId[][] = [];
  const downLimits: { ids: NodeId[]; maxDown: number }[] = [];
  for (const [role, spec] of Object.entries(roles)) {
    if (!/^[a-z]+$/.test(spec.prefix) || prefixes.has(spec.prefix)) throw new InputError(`protocol ${protocol}: role ${role} needs its own lowercase prefix, got '${spec.prefix}'`);
    prefixes.add(spec.prefix);
    const k = spec.count;
    if (!Number.isInteger(k) || k < 0) throw new InputError(`protocol ${protocol}: role ${role} needs a node count, got ${k}`);
    const ids: NodeId[] = [];
    for (let j = 1; j <= k; j++) {
      ids.push(names.length + 1);
      names.push(`${spec.prefix}${j}`);
      roleOf.push(role);
      crashable.push(spec.crashes ?? true);
    }
    members.set(role, ids);
    if (spec.maxDown !== undefined) {
      if (!Number.isInteger(spec.maxDown) || spec.maxDown < 0) throw new InputError(`protocol ${protocol}: role ${role}'s maxDown must be a natural number, got ${spec.maxDown}`);
      if (spec.maxDown < k) downLimits.push({ ids, maxDown: spec.maxDown });
    }
    if ((spec.symmetric ?? true) && ids.length >= 2) classes.push(ids);
  }
  if (names.length !== n) throw new InputError(`protocol ${protocol}: its roles count ${names.length} nodes, the configuration ${n}`);
  return { names, roleOf, members, classes, crashable, downLimits };
}
