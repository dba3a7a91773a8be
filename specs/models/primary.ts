/**
 * The `primary` model: a primary/standby failover over a heartbeat detector, guarded by fencing
 * tokens (`guard=fencing`) or by STONITH (`guard=stonith`), from `impl/failover/primary.ts`,
 * checked against `specs/failover/primary.ts`.
 */
import { defineModel, int, oneOf } from '../../impl/core/machine.ts';
import { envParam, envParams } from '../../impl/env/params.ts';
import { envMachine, type EnvMachine } from '../../impl/env/machine.ts';
import { INACCURATE_SWITCH, NO_TOKEN_CHECK, SERVE_ON_SILENT_SWITCH, CORRECT_PRIMARY_RULES, primaryProtocol, type PrimaryGuard, type PrimaryTypes } from '../../impl/failover/primary.ts';
import { primaryInvariants, primaryWitnesses } from '../failover/primary.ts';

/** The known-bug variants. */
export const PRIMARY_BUGS = {
  'no-token-check': {
    doc: 'the storage accepts every write, whatever its fencing token: the deposed primary, only slow, writes after the new one (a lost update)',
    breaks: ['fenced-writes'],
    config: { guard: 'fencing' },
  },
  'stonith-unreachable': {
    doc: 'STONITH whose standby serves when the power switch does not answer in time (unreachable in a partition): the old primary was never powered off, and both serve',
    breaks: ['fenced-writes'],
    config: { guard: 'stonith', partitions: 1 },
  },
  'inaccurate-switch': {
    doc: 'STONITH through a switch that confirms a power-off when it takes the command, not when the outlet is dead: the standby serves while the old primary still runs',
    breaks: ['fenced-writes'],
    config: { guard: 'stonith' },
  },
} as const;

/** The machine. */
export function makePrimary(p: { readonly k: number; readonly guard: PrimaryGuard; readonly requests: number; readonly partitions?: number; readonly drops?: number; readonly timeouts?: number }, bug: keyof typeof PRIMARY_BUGS | 'none' = 'none'): EnvMachine<PrimaryTypes> {
  const rules = bug === 'no-token-check' ? NO_TOKEN_CHECK : bug === 'stonith-unreachable' ? SERVE_ON_SILENT_SWITCH : bug === 'inaccurate-switch' ? INACCURATE_SWITCH : CORRECT_PRIMARY_RULES;
  const m: EnvMachine<PrimaryTypes> = envMachine(primaryProtocol(p, rules), p, {
    name: 'primary',
    invariants: primaryInvariants((id) => m.nodes()[id - 1]!),
    sometimes: primaryWitnesses(p.guard),
  });
  return m;
}

/** The registry entry. */
export const primaryModel = defineModel({
  name: 'primary',
  doc: 'primary/standby failover on a heartbeat detector, guarded by fencing tokens or STONITH (db1, db2, storage st1, power switch sw1)',
  params: {
    guard: oneOf(['fencing', 'stonith'], 'fencing', 'what stops the deposed primary: fencing tokens at the storage, or STONITH through the power switch'),
    k: int(1, 1, 3, 'missed heartbeat periods before the standby takes over'),
    // The parameters the declaration uses: roles fix the nodes and none of them crashes (the switch and the fencing do the failing); no clocks or detector.
    ...envParams(primaryProtocol({ k: 1, requests: 2, guard: 'fencing' }), { requests: 2, partitions: 1, timeouts: 6 }),
    requests: envParam('requests', { requests: 2 }),
  },
  draw: { guard: ['fencing', 'stonith'], partitions: [0, 1], drops: [0, 1] },
  bugs: PRIMARY_BUGS,
  build: (p) => makePrimary(p, p.bug),
});
