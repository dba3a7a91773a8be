/**
 * The Echo model: the protocol (`impl/echo/echo.ts`), its specs (`specs/echo.ts`) and its
 * known-bug variants, bound for the catalogue.
 */
import { bool, defineModel } from '../../impl/core/machine.ts';
import { envMachine } from '../../impl/env/machine.ts';
import { type EnvConfig } from '../../impl/env/config.ts';
import { envParams } from '../../impl/env/params.ts';
import { buggyEcho, echoProtocol, type EchoBug, type EchoMachine } from '../../impl/echo/echo.ts';
import { echoInvariants, echoWitnesses } from '../echo.ts';

/** The known-bug variants. */
export const ECHO_BUGS = {
  'volatile-seq': {
    doc: 'the ping counter is not persisted: a restarted node numbers its pings from 1 again',
    breaks: ['fresh-seq'],
  },
  'double-send': {
    doc: 'a node sends each ping twice',
    breaks: ['no-double-delivery', 'fifo-order'],
  },
} as const satisfies Record<EchoBug, unknown>;

/** The Echo machine in an environment configuration, optionally with a known bug. */
export function makeEcho(config: Partial<EnvConfig> = {}, opts: { readonly retry?: boolean; readonly bug?: EchoBug | 'none' } = {}): EchoMachine {
  return envMachine(buggyEcho(opts.bug ?? 'none', opts), config, {
    invariants: echoInvariants,
    sometimes: echoWitnesses,
  });
}

/** The Echo registry entry. */
export const echoModel = defineModel({
  name: 'echo',
  doc: 'ping/pong on the shared environment: shows its delivery, crash, partition and timer semantics',
  params: {
    // The parameters echo's declaration uses (with retry, its timer: `timeouts`); no clocks, no detector.
    ...envParams(echoProtocol({ retry: true }), { nodes: 2, delivery: 'fifo', crashes: 1, requests: 2 }),
    retry: bool(false, 'resend an unanswered ping once when its retry timer fires'),
  },
  bugs: ECHO_BUGS,
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { nodes: [2, 4], crashes: [0, 2], restarts: [true, false], drops: [0, 2], requests: [1, 3] },
  build: (p) => makeEcho(p, { retry: p.retry, bug: p.bug }),
});
