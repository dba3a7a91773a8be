/**
 * Benchmarks of issue 18: gossip rounds to converge against log N, Merkle-repair hash
 * comparisons against the key count, and Reed-Solomon throughput. Each writes its JSON through
 * the bench runner and an HTML page with its plot under `reports/bench/`.
 *
 * The gossip rounds are measured by a seeded simulation of synchronous push-pull rounds that
 * uses the model's own merge (`impl/gossip/crdt.ts`): every round, each node picks a peer
 * uniformly at random and both merge. It is not the checker's random mode (whose schedules
 * interleave single deliveries and have no notion of a round); it measures what "rounds" means
 * in Demers et al.'s analysis (push-pull spreads in log3 N + O(log log N) rounds).
 */
import { mulberry32 } from './harness.ts';
import { join } from 'node:path';
import { REPORTS_DIR, writeFileAtomic } from '../output.ts';
import { gcIncrement, gcMerge, gcValue, type GCounter } from '../../impl/gossip/crdt.ts';
import { depthOf, repairCost, type Entry, type TreeShape } from '../../impl/antientropy/merkle.ts';
import { decode, encode } from '../../impl/erasure/rs.ts';
import { chartPage, htmlTable, lineChartSvg } from '../report/chart.ts';

/** Rounds until every node's counter has node 1's increment, with message loss `loss`. */
export function gossipRounds(n: number, seed: number, loss = 0): number {
  const rnd = mulberry32(seed);
  let s: GCounter[] = Array.from({ length: n }, () => Array.from({ length: n }, () => 0));
  s[0] = gcIncrement(s[0]!, 1);
  for (let round = 1; round <= 1000; round++) {
    const next = s.slice();
    for (let i = 0; i < n; i++) {
      let j = Math.floor(rnd() * (n - 1));
      if (j >= i) j++;
      if (rnd() >= loss) next[j] = gcMerge(next[j]!, s[i]!); // push
      if (rnd() >= loss) next[i] = gcMerge(next[i]!, s[j]!); // pull
    }
    s = next;
    if (s.every((c) => gcValue(c) === 1)) return round;
  }
  return Infinity;
}

/** Section `gossip`. */
export async function benchGossip(seeds = 200): Promise<Record<string, unknown>> {
  const ns = [4, 8, 16, 32, 64];
  const rows = ns.map((n) => {
    const perLoss = [0, 0.1].map((loss) => {
      const r = Array.from({ length: seeds }, (_, s) => gossipRounds(n, 1000 * n + s, loss)).sort((a, b) => a - b);
      return { mean: r.reduce((a, b) => a + b, 0) / r.length, p99: r[Math.floor(0.99 * (r.length - 1))]!, max: r.at(-1)! };
    });
    return { n, log2: Math.log2(n), log3: Math.log(n) / Math.log(3), lossless: perLoss[0]!, lossy10: perLoss[1]! };
  });
  const svg = lineChartSvg(
    [
      { label: 'mean rounds', points: rows.map((r) => [r.n, r.lossless.mean]) },
      { label: 'p99 rounds', points: rows.map((r) => [r.n, r.lossless.p99]) },
      { label: 'mean, 10% loss', points: rows.map((r) => [r.n, r.lossy10.mean]) },
      { label: 'log2 N', points: rows.map((r) => [r.n, r.log2]), dashed: true },
      { label: 'log3 N', points: rows.map((r) => [r.n, r.log3]), dashed: true },
    ],
    { title: 'push-pull gossip: rounds until every node has an update', xLabel: 'nodes N (log scale)', yLabel: 'rounds', logX: true },
  );
  const table = htmlTable([['N', 'log2 N', 'log3 N', 'mean', 'p99', 'max', 'mean (10% loss)'], ...rows.map((r) => [r.n, r.log2.toFixed(2), r.log3.toFixed(2), r.lossless.mean.toFixed(2), r.lossless.p99, r.lossless.max, r.lossy10.mean.toFixed(2)])]);
  writeFileAtomic(join(REPORTS_DIR, 'bench', 'gossip.html'), chartPage('Gossip convergence (issue 18)', [svg, table, `<p>${seeds} seeds per N; synchronous push-pull rounds with the model's G-counter merge.</p>`]));
  return { seeds, rows, summary: rows.map((r) => `N=${r.n}: mean ${r.lossless.mean.toFixed(2)} rounds (p99 ${r.lossless.p99}), log2 N = ${r.log2.toFixed(2)}, 10% loss: ${r.lossy10.mean.toFixed(2)}`) };
}

/** Section `antientropy`: hash pairs compared against keys, for 1, 4 and 16 differing keys. */
export async function benchAntientropy(seeds = 20): Promise<Record<string, unknown>> {
  const sizes = [64, 256, 1024, 4096, 16384];
  const diffs = [1, 4, 16];
  const rows = sizes.flatMap((keys) =>
    diffs.map((d) => {
      const t: TreeShape = { keys, leaves: keys };
      let compared = 0;
      for (let s = 0; s < seeds; s++) {
        const rnd = mulberry32(keys * 31 + d * 7 + s);
        const a: Entry[] = Array.from({ length: keys }, (_, key) => ({ key, ver: 1 }));
        const b = a.slice();
        const picked = new Set<number>();
        while (picked.size < d) picked.add(Math.floor(rnd() * keys));
        for (const k of picked) b[k] = { key: k, ver: 2 };
        compared += repairCost(t, a, b).compared;
      }
      return { keys, depth: depthOf({ keys, leaves: keys }), diffs: d, compared: compared / seeds, bound: 1 + 2 * Math.log2(keys) * d };
    }),
  );
  const svg = lineChartSvg(
    diffs.map((d) => ({ label: `${d} differing key${d > 1 ? 's' : ''}`, points: rows.filter((r) => r.diffs === d).map((r) => [r.keys, r.compared] as const) })),
    { title: 'Merkle repair: hash pairs compared (one key per leaf)', xLabel: 'keys (log scale)', yLabel: 'hash pairs compared', logX: true },
  );
  const table = htmlTable([['keys', 'depth', 'differing', 'compared (mean)', '1 + 2·depth·diffs', 'keys'], ...rows.map((r) => [r.keys, r.depth, r.diffs, r.compared.toFixed(1), r.bound, r.keys])]);
  writeFileAtomic(join(REPORTS_DIR, 'bench', 'antientropy.html'), chartPage('Merkle anti-entropy cost (issue 18)', [svg, table]));
  return { seeds, rows, summary: rows.map((r) => `keys=${r.keys} diffs=${r.diffs}: ${r.compared.toFixed(1)} hash pairs compared (bound ${r.bound})`) };
}

/** Section `erasure`: encode and decode (m data shards lost) throughput, MB/s, median of `reps`. */
export async function benchErasure(mib = 4, reps = 3): Promise<Record<string, unknown>> {
  const data = Uint8Array.from({ length: mib * 1024 * 1024 }, (_, i) => (i * 2654435761) >>> 24);
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rows = ([[4, 2], [6, 3], [10, 4]] as const).map(([k, m]) => {
    const enc: number[] = [];
    const dec: number[] = [];
    for (let r = 0; r < reps; r++) {
      let t = performance.now();
      const e = encode(data, k, m);
      enc.push(mib / ((performance.now() - t) / 1000));
      const kept = e.shards.map((s) => (s.index < m ? null : s));
      t = performance.now();
      const back = decode(e, kept);
      dec.push(mib / ((performance.now() - t) / 1000));
      if (back.length !== data.length || back[back.length - 1] !== data[data.length - 1]) throw new Error('bench: decode mismatch');
    }
    return { k, m, encodeMBps: med(enc), decodeMBps: med(dec) };
  });
  return { mib, reps, rows, summary: rows.map((r) => `RS(${r.k},${r.m}): encode ${r.encodeMBps.toFixed(1)} MB/s, decode with ${r.m} data shards lost ${r.decodeMBps.toFixed(1)} MB/s`) };
}
