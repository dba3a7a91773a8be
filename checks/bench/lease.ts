/**
 * The user's stack, priced: the lease lock service written with immutable Records/Maps and a
 * ts-pattern reducer (`impl/lease/lease.ts`, registered as `lease`) against the same protocol
 * with plain objects and `switch` (`impl/lease/lease-plain.ts`), BFS over the same state space
 * (the counts must match), each in fresh processes, medians of `reps` runs. Then the dispatch
 * alone: a ts-pattern `match` over the seven message types against a `switch`, on plain
 * objects, so the README can say which part of the cost is ts-pattern and which is immutable.
 */
import { match } from 'ts-pattern';
import { assertNever } from '../../impl/core/machine.ts';
import { median, repeatExhaustive } from './harness.ts';

/** The configurations compared (the model's defaults are 2 clients, 1 acquire, 1 write). */
export const LEASE_BENCH_CONFIGS: readonly Readonly<Record<string, number>>[] = [{ clients: 3 }, { clients: 2, writes: 2 }];

type Msg =
  | { readonly type: 'Acquire'; readonly client: number }
  | { readonly type: 'Grant'; readonly client: number; readonly token: number }
  | { readonly type: 'Busy'; readonly client: number }
  | { readonly type: 'Release'; readonly client: number; readonly token: number }
  | { readonly type: 'Write'; readonly client: number; readonly token: number }
  | { readonly type: 'WriteOk'; readonly client: number; readonly token: number }
  | { readonly type: 'WriteRejected'; readonly client: number; readonly token: number };

function viaSwitch(m: Msg): number {
  switch (m.type) {
    case 'Acquire':
      return m.client;
    case 'Grant':
      return m.token + 1;
    case 'Busy':
      return m.client + 2;
    case 'Release':
      return m.token + 3;
    case 'Write':
      return m.token + 4;
    case 'WriteOk':
      return m.token + 5;
    case 'WriteRejected':
      return m.token + 6;
    default:
      return assertNever(m);
  }
}

function viaMatch(m: Msg): number {
  return match(m)
    .with({ type: 'Acquire' }, (x) => x.client)
    .with({ type: 'Grant' }, (x) => x.token + 1)
    .with({ type: 'Busy' }, (x) => x.client + 2)
    .with({ type: 'Release' }, (x) => x.token + 3)
    .with({ type: 'Write' }, (x) => x.token + 4)
    .with({ type: 'WriteOk' }, (x) => x.token + 5)
    .with({ type: 'WriteRejected' }, (x) => x.token + 6)
    .exhaustive();
}

/** Nanoseconds per dispatch of `f` over a mix of all seven message types (median of `reps`). */
function dispatchNs(f: (m: Msg) => number, reps: number, n: number): number {
  const types = ['Acquire', 'Grant', 'Busy', 'Release', 'Write', 'WriteOk', 'WriteRejected'] as const;
  const msgs: Msg[] = Array.from({ length: 1024 }, (_, i) => ({ type: types[i % types.length]!, client: i & 3, token: i & 7 }) as Msg);
  let sink = 0;
  for (let i = 0; i < n / 10; i++) sink += f(msgs[i & 1023]!);
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink += f(msgs[i & 1023]!);
    times.push(((performance.now() - t0) * 1e6) / n);
  }
  if (sink === -1) process.stdout.write('');
  return median(times);
}

/** Run the lease benchmark. */
export async function benchLease(opts: { readonly reps?: number } = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? 3;
  const rows = [];
  const summary: string[] = [];
  for (const params of LEASE_BENCH_CONFIGS) {
    const imm = repeatExhaustive({ model: 'lease', params }, reps);
    const plain = repeatExhaustive({ model: 'plainLeaseModel', module: 'specs/models/lease.ts', params }, reps);
    if (imm.states !== plain.states || imm.transitions !== plain.transitions) {
      throw new Error(`lease ${JSON.stringify(params)}: the two versions differ (${imm.states}/${imm.transitions} vs ${plain.states}/${plain.transitions})`);
    }
    const ratio = imm.elapsedMs / plain.elapsedMs;
    rows.push({ params, states: imm.states, transitions: imm.transitions, immutableTsPattern: imm, plainSwitch: plain, ratio });
    const p = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(', ');
    summary.push(
      `lease (${p}) ${imm.states.toLocaleString('en-US')} states (same in both): immutable+ts-pattern ${(imm.elapsedMs / 1000).toFixed(2)} s (${Math.round(imm.statesPerSecond).toLocaleString('en-US')} states/s) vs plain+switch ${(plain.elapsedMs / 1000).toFixed(2)} s (${Math.round(plain.statesPerSecond).toLocaleString('en-US')} states/s): ${ratio.toFixed(1)}× the time`,
    );
  }
  const n = 2_000_000;
  const switchNs = dispatchNs(viaSwitch, 5, n);
  const matchNs = dispatchNs(viaMatch, 5, n);
  summary.push(`dispatch over 7 message types, plain objects: ts-pattern match ${matchNs.toFixed(1)} ns vs switch ${switchNs.toFixed(1)} ns per message (${(matchNs / switchNs).toFixed(0)}×)`);
  return { summary, rows, dispatch: { messages: n, switchNs, matchNs, ratio: matchNs / switchNs } };
}
