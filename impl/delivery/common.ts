/**
 * What the delivery models share: the environment parameters they expose, and "settled", the
 * state in which every delivery guarantee is judged.
 */
import { int } from '../core/machine.ts';
import { type EnvConfig } from '../env/config.ts';
import { envParams } from '../env/params.ts';
import type { EnvState, Protocol, ProtocolTypes } from '../env/types.ts';

/**
 * The environment parameters of the delivery models, derived from `protocol`'s declaration: no
 * `nodes` (the roles fix it), no clocks, no failure detector, no symmetry (every role has one
 * node, or nodes that play different steps), and a bounded retry budget (`timeouts` ≥ 0: every
 * retry is a timer fire, and the bound keeps the state space finite).
 */
export function deliveryEnvParams<P extends ProtocolTypes>(protocol: Protocol<P>, defaults: Partial<EnvConfig> & { readonly timeouts: number; readonly requests: number }) {
  const env = envParams(protocol, defaults);
  return {
    ...env,
    requests: int(defaults.requests, 0, 4, 'client requests (payments, transactions, sagas) in total'),
    timeouts: int(defaults.timeouts, 0, 8, 'retries in total: timer fires that resend an unacknowledged message'),
  };
}

/**
 * A state is settled when nothing more can happen without a new request or a new fault: every
 * node is up, no message is in flight, no retry timer is armed, and no node has work in hand
 * (`busy`). A retry budget that ran out leaves a timer armed, so such a state is never settled:
 * the liveness half of a delivery guarantee is judged only where the protocol had its chance.
 */
export function settled<P extends ProtocolTypes>(s: EnvState<P>, busy: (s: EnvState<P>) => boolean = () => false): boolean {
  return s.net.length === 0 && s.nodes.every((n) => n.up && n.timers === 0) && !busy(s);
}
