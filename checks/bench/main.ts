/**
 * `npm run bench [-- section …]`: runs the benchmarks, prints a summary and writes
 * `reports/bench/<section>.json`, then rewrites the HTML report `reports/bench/index.html` from
 * every section JSON present. Speed targets are checked here, never in unit tests.
 */
import { join } from 'node:path';
import { REPORTS_DIR, writeFileAtomic } from '../output.ts';
import { benchTwoPhase } from './twophase.ts';
import { benchRandom } from './random.ts';
import { benchHistoryCorpus } from './history.ts';
import { benchClocks } from './clocks.ts';
import { benchReports } from './reports.ts';
import { benchQuorum } from './quorum.ts';
import { benchPaxos } from './paxos.ts';
import { benchCommit } from './commit.ts';
import { benchRaft } from './raft.ts';
import { benchLease } from './lease.ts';
import { benchParallel } from './parallel.ts';
import { benchPurity } from './purity.ts';
import { benchSchema } from './schema.ts';
import { benchPacelc } from './pacelc.ts';
import { benchFailover } from './failover.ts';
import { benchPort } from './port.ts';
import { benchSymmetry } from './symmetry.ts';
import { benchAntientropy, benchErasure, benchGossip } from './gossip.ts';
import { writeBenchIndex } from '../report/bench.ts';

/** Options every section may take (`--reps N`: repetitions, where a section repeats its timings). */
interface SectionOptions {
  readonly reps?: number;
}

type Section = (o: SectionOptions) => Promise<Record<string, unknown>>;

const SECTIONS: Readonly<Record<string, Section>> = {
  twophase: () => benchTwoPhase(),
  random: () => benchRandom(),
  history: () => benchHistoryCorpus(),
  clocks: () => benchClocks(),
  reports: () => benchReports(),
  quorum: () => benchQuorum(),
  paxos: () => benchPaxos(),
  commit: () => benchCommit(),
  raft: () => benchRaft(),
  lease: () => benchLease(),
  parallel: (o) => benchParallel(o),
  purity: () => benchPurity(),
  schema: () => benchSchema(),
  pacelc: () => benchPacelc(),
  failover: () => benchFailover(),
  port: (o) => benchPort(o),
  symmetry: (o) => benchSymmetry(o),
  gossip: () => benchGossip(),
  antientropy: () => benchAntientropy(),
  erasure: () => benchErasure(),
};

async function runBench(): Promise<number> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--reps');
  let opts: SectionOptions = {};
  if (at >= 0) {
    const reps = Number(args[at + 1]);
    if (!Number.isSafeInteger(reps) || reps < 1) {
      process.stderr.write(`bench: --reps takes an integer ≥ 1, got '${args[at + 1] ?? ''}'\n`);
      return 2;
    }
    opts = { reps };
    args.splice(at, 2);
  }
  const wanted = args;
  for (const w of wanted) {
    if (!(w in SECTIONS)) {
      process.stderr.write(`bench: unknown section '${w}'; valid: ${Object.keys(SECTIONS).join(', ')}\n`);
      return 2;
    }
  }
  const names = wanted.length > 0 ? wanted : Object.keys(SECTIONS);
  const meta = { date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length };
  for (const name of names) {
    process.stdout.write(`== ${name}\n`);
    const started = performance.now();
    const result = await SECTIONS[name]!(opts);
    const file = join(REPORTS_DIR, 'bench', `${name}.json`);
    writeFileAtomic(file, `${JSON.stringify({ ...meta, section: name, wallMs: performance.now() - started, ...result }, null, 2)}\n`);
    const summary = Array.isArray(result['summary']) ? (result['summary'] as unknown[]).map(String) : [JSON.stringify(result).slice(0, 2000)];
    process.stdout.write(`${summary.join('\n')}\n→ ${file}\n`);
    process.stdout.write(`→ ${writeBenchIndex()}\n`);
  }
  return 0;
}

process.exitCode = await runBench();
