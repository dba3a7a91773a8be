/**
 * The purity guard's cost (issue 14): exhaustive states per second with the guard off, on the
 * first states only (the default) and on every call (`--check-purity`), on the benchmark
 * configurations. Each run is a process of its own: a guard that touched the model's code could
 * slow everything that runs after it in the same process (the guard once froze states, and V8
 * kept the code that had read them slower for the rest of the process: 1.45× on TwoPhase 8 RMs,
 * which an in-process comparison hid by slowing the unguarded runs too). The modes run
 * interleaved, alternating their order each repetition, and the cost is the median of the
 * per-repetition ratios (off ÷ guarded), not a comparison of absolute rates.
 *
 * `npm run bench -- purity`, or `npx tsx checks/bench/purity.ts [reps] [maxStates|0] [model,…]` alone.
 */
import { PURITY_FIRST_STATES } from '../exhaustive.ts';
import type { ParamValue } from '../../impl/core/machine.ts';
import { median, runExhaustive } from './harness.ts';

/** The configurations of the brief: twophase rms=6, paxos, raft and abd (requests=2) defaults. */
export const PURITY_CONFIGS: readonly { readonly model: string; readonly params: Readonly<Record<string, ParamValue>> }[] = [
  { model: 'twophase', params: { rms: 6 } },
  { model: 'paxos', params: {} },
  { model: 'raft', params: {} },
  { model: 'abd', params: { requests: 2 } },
];

const MODES = ['off', 'first', 'full'] as const;
type Mode = (typeof MODES)[number];

/** Run the purity-guard benchmark. */
export async function benchPurity(opts: { readonly reps?: number; readonly maxStates?: number; readonly models?: readonly string[] } = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? 5;
  const rows = [];
  for (const cfg of PURITY_CONFIGS.filter((c) => !opts.models || opts.models.includes(c.model))) {
    const rates: Record<Mode, number[]> = { off: [], first: [], full: [] };
    const ratios: Record<'first' | 'full', number[]> = { first: [], full: [] };
    let states = 0;
    for (let rep = 0; rep < reps; rep++) {
      // Alternate the order, so that neither mode always runs on a warmer (or busier) machine.
      const order = rep % 2 === 0 ? MODES : [...MODES].reverse();
      const rate: Partial<Record<Mode, number>> = {};
      for (const purity of order) {
        const r = runExhaustive({ model: cfg.model, params: cfg.params, purity, ...(opts.maxStates ? { maxStates: opts.maxStates } : {}) });
        states = r.states;
        rate[purity] = r.statesPerSecond;
        rates[purity].push(Math.round(r.statesPerSecond));
      }
      ratios.first.push(rate.off! / rate.first!);
      ratios.full.push(rate.off! / rate.full!);
    }
    rows.push({
      model: cfg.model,
      params: cfg.params,
      states,
      reps,
      statesPerSecond: { off: rates.off, first: rates.first, full: rates.full },
      medianSlowdown: { first: median(ratios.first), full: median(ratios.full) },
    });
  }
  const pct = (x: number): string => `${((x - 1) * 100).toFixed(1)}%`;
  const summary = rows.map(
    (r) =>
      `purity guard, ${`${r.model} ${JSON.stringify(r.params)}`.padEnd(28)} ${r.states.toLocaleString('en-US').padStart(9)} states: ` +
      `first ${PURITY_FIRST_LABEL} states ${pct(r.medianSlowdown.first)}, every state ${pct(r.medianSlowdown.full)} slower (median of ${r.reps} interleaved ratios; off ${median(r.statesPerSecond.off).toLocaleString('en-US')} states/s)`,
  );
  return { summary, rows };
}

const PURITY_FIRST_LABEL = PURITY_FIRST_STATES.toLocaleString('en-US');

if (process.argv[1]?.endsWith('purity.ts')) {
  const reps = Number(process.argv[2] ?? 5);
  const maxStates = process.argv[3] !== undefined && process.argv[3] !== "0" ? Number(process.argv[3]) : undefined;
  const models = process.argv[4]?.split(',');
  const r = await benchPurity({ reps, ...(maxStates ? { maxStates } : {}), ...(models ? { models } : {}) });
  process.stdout.write(`${(r['summary'] as string[]).join('\n')}\n${JSON.stringify(r['rows'])}\n`);
}
