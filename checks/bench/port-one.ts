/**
 * One side of one row of the port section, in a fresh process:
 * `node --import tsx checks/bench/port-one.ts '{"label":…,"side":"old"|"now","rms":7}'`.
 * Prints one JSON line: the search's milliseconds and its distinct states.
 */
import { explore } from '../exhaustive.ts';
import { portJobs } from './port.ts';

const { label, side, rms } = JSON.parse(process.argv[2] ?? '{}') as { label: string; side: 'old' | 'now'; rms: number };
const job = portJobs(rms).find((j) => j.label === label);
if (job === undefined) throw new Error(`no port row ${label}`);
const m = job[side]();
const t0 = performance.now();
const r = explore(m, { symmetry: job.symmetry ?? false, ...(job.checks ? { checks: [...job.checks] } : {}) });
const ms = performance.now() - t0;
if (r.status !== 'exhausted') throw new Error(`${label} (${side}): ${r.status}`);
process.stdout.write(`${JSON.stringify({ ms, states: r.stats.states })}\n`);
