/**
 * Benchmarks of issue 18: gossip rounds to converge against log N, Merkle-repair hash
 * comparisons against the key count, and Reed-Solomon throughput. Each returns its JSON through
 * the bench runner; the plots are drawn from that JSON in `reports/bench/index.html`
 * (`checks/report/bench.ts`).
 *
 * Gossip rounds are measured two ways:
 * - **random mode** (the primary series): the `gossip` model itself (`specs/models/gossip.ts`,
 *   peers chosen at random, one client increment, no crashes, joins or suspicions) run by the
 *   random mode's schedule runner (`checks/random/observe.ts`), every check evaluated on every
 *   step. Rounds are counted by gossip initiations: after the update is applied, node i's count
 *   c_i is the number of exchanges it has started (a `gossip` local step). At the first state
 *   where every live replica holds the same data (counter, OR-set, register, membership) with
 *   the update in it, the run's *rounds* are sum_i c_i / N (one round = N initiations: the
 *   asynchronous model in which every node gossips at rate 1), and its *slowest-node rounds*
 *   are 1 + min_i c_i (round r lasts until every live node has started r exchanges; the random
 *   scheduler lets busy nodes start many exchanges while one node waits, so this one grows
 *   slowly). With `drops`, the network may lose up to N messages and the retry timer fires
 *   without bound (a lost exchange is abandoned and a new one started).
 * - **synchronous simulation** (a cross-check): a seeded simulation of synchronous push-pull
 *   rounds that uses the model's own merge (`impl/gossip/crdt.ts`): every round, each node
 *   picks a peer uniformly at random and both merge. It measures what "rounds" means in Demers
 *   et al.'s analysis (push-pull spreads in log3 N + O(log log N) rounds).
 */
import { mulberry32 } from './harness.ts';
import { gcIncrement, gcMerge, gcValue, type GCounter } from '../../impl/gossip/crdt.ts';
import { dataOf, type GossipTypes } from '../../impl/gossip/gossip.ts';
import type { EnvAction, EnvState } from '../../impl/env/types.ts';
import { depthOf, repairCost, type Entry, type TreeShape } from '../../impl/antientropy/merkle.ts';
import { decode, encode } from '../../impl/erasure/rs.ts';
import { makeGossip } from '../../specs/models/gossip.ts';
import { observeRandom } from '../random/observe.ts';
import { libEncode, libReconstruct, rsLibrary, RS_LIBRARY } from '../protocols/erasure-lib.ts';

/** How the random-mode gossip rounds are defined (written into the bench JSON). */
export const ROUND_DEFINITION =
  'random mode: rounds are counted by gossip initiations after the update is applied, at the first state where every live replica holds the same data with the update in it. rounds = exchanges started by all live nodes / live nodes (one round = N initiations, as in the asynchronous model where every node gossips at rate 1); slowest-node rounds = 1 + the fewest exchanges any one live node has started (round r lasts until every live node has started r exchanges)';

/** One random-mode measurement: per run, the rounds to converge (Infinity: not within the steps). */
export interface RandomRounds {
  readonly n: number;
  readonly drops: number;
  /** Per run: exchanges started since the update, divided by the live nodes (Infinity: no convergence). */
  readonly rounds: readonly number[];
  /** Per run: 1 + the fewest exchanges any live node started since the update (the slowest node's round). */
  readonly slowestRounds: readonly number[];
  readonly steps: readonly number[];
}

/**
 * Rounds to converge for `runs` random-mode runs of the gossip model at `n` nodes (see the
 * module comment), from fast-check seed `seed`. `drops`: messages the network may lose.
 */
export function randomGossipRounds(n: number, runs: number, seed: number, drops = 0, maxSteps = 400 * n): RandomRounds {
  const m = makeGossip({ nodes: n, requests: 1, ops: 'counter', beats: 0, suspects: 0, joiners: 0, peers: 'random', maxClock: 0, drops, timeouts: drops > 0 ? -1 : 0 });
  type S = EnvState<GossipTypes>;
  type A = EnvAction<GossipTypes>;
  const started = new Int32Array(n);
  let updated = false;
  /** Per run (appended at its step 0): the rounds at convergence, Infinity until then. */
  const perRun: { avg: number; slowest: number }[] = [];
  const roundOf = (s: S): { avg: number; slowest: number } => {
    let min = Infinity;
    let total = 0;
    let live = 0;
    for (let i = 0; i < n; i++) {
      if (!s.nodes[i]!.up) continue;
      live++;
      total += started[i]!;
      if (started[i]! < min) min = started[i]!;
    }
    return { avg: total / live, slowest: 1 + min };
  };
  const converged = (s: S): boolean => {
    const live = s.nodes.filter((x) => x.up);
    if (live.some((x) => gcValue(x.durable.counter) !== 1)) return false;
    const first = JSON.stringify(dataOf(live[0]!.durable));
    return live.every((x) => JSON.stringify(dataOf(x.durable)) === first);
  };
  const until = (s: S, step: number, a: A | undefined): boolean => {
    if (step === 0) {
      started.fill(0);
      updated = false;
      perRun.push({ avg: Infinity, slowest: Infinity });
    }
    if (a?.type === 'request') updated = true;
    else if (updated && a?.type === 'local' && a.action.type === 'gossip') started[a.node - 1]!++;
    if (!updated || !converged(s)) return false;
    perRun[perRun.length - 1] = roundOf(s);
    return true;
  };
  const observed = observeRandom(m, until, { runs, seed, maxSteps });
  const bad = observed.find((r) => r.violation !== undefined);
  if (bad) throw new Error(`bench: gossip n=${n} broke ${bad.violation!.name}: ${bad.violation!.message}`);
  if (perRun.length !== observed.length) throw new Error(`bench: gossip n=${n}: ${perRun.length} runs observed from step 0, ${observed.length} run`);
  perRun.forEach((r, i) => {
    if (Number.isFinite(r.avg) !== (observed[i]!.first !== undefined)) throw new Error(`bench: gossip n=${n}: run ${i} round and match disagree`);
  });
  return { n, drops, rounds: perRun.map((r) => r.avg), slowestRounds: perRun.map((r) => r.slowest), steps: observed.map((r) => r.first?.step ?? r.steps) };
}

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

/** Mean, p99 and max of a sample (Infinity counts: a run that did not converge). */
export function stats(xs: readonly number[]): { readonly runs: number; readonly converged: number; readonly mean: number; readonly p99: number; readonly max: number } {
  const r = [...xs].sort((x, y) => x - y);
  const fin = r.filter(Number.isFinite);
  return {
    runs: r.length,
    converged: fin.length,
    mean: fin.length === r.length ? r.reduce((x, y) => x + y, 0) / r.length : Infinity,
    p99: r[Math.ceil(0.99 * r.length) - 1]!,
    max: r.at(-1)!,
  };
}

/** Section `gossip`: `runs` random-mode runs per N and series, `seeds` synchronous simulations. */
export async function benchGossip(runs = 100, seeds = 200): Promise<Record<string, unknown>> {
  const ns = [4, 8, 16, 32, 64];
  const rows = ns.map((n) => {
    const lossless = randomGossipRounds(n, runs, 18_000 + n);
    const lossy = randomGossipRounds(n, runs, 18_100 + n, n);
    const sync = [0, 0.1].map((loss) => stats(Array.from({ length: seeds }, (_, s) => gossipRounds(n, 1000 * n + s, loss))));
    return {
      n,
      log2: Math.log2(n),
      log3: Math.log(n) / Math.log(3),
      random: { ...stats(lossless.rounds), slowest: stats(lossless.slowestRounds), maxSteps: Math.max(...lossless.steps) },
      randomDrops: { drops: n, ...stats(lossy.rounds), slowest: stats(lossy.slowestRounds), maxSteps: Math.max(...lossy.steps) },
      sync: sync[0]!,
      syncLoss10: sync[1]!,
    };
  });
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'not converged');
  return {
    roundDefinition: ROUND_DEFINITION,
    syncDefinition: `synchronous simulation (cross-check): ${seeds} seeds per N; every round each node pushes to and pulls from one peer chosen uniformly at random, with the model's G-counter merge; 10% loss drops each half-exchange with probability 0.1`,
    runs,
    seeds,
    rows,
    summary: rows.map(
      (r) =>
        `N=${r.n}: random mode ${f(r.random.mean)} rounds (p99 ${f(r.random.p99)}, ${r.random.converged}/${r.random.runs} converged; slowest-node ${f(r.random.slowest.mean)}), up to ${r.n} drops ${f(r.randomDrops.mean)}; synchronous ${f(r.sync.mean)} (p99 ${r.sync.p99}); log2 N = ${r.log2.toFixed(2)}, log3 N = ${r.log3.toFixed(2)}`,
    ),
  };
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
  return { seeds, rows, summary: rows.map((r) => `keys=${r.keys} diffs=${r.diffs}: ${r.compared.toFixed(1)} hash pairs compared (bound ${r.bound})`) };
}

/**
 * Section `erasure`: encode and decode (m data shards lost) throughput, MB/s, median of `reps`,
 * ours and the npm library's (`checks/protocols/erasure-lib.ts`) on the same payload and shapes.
 * The library gets a fresh WebAssembly instance per call (a reused one corrupts its heap),
 * created outside the timed region; its times include copying the shards into and out of the
 * WebAssembly memory, which its API requires.
 */
export async function benchErasure(mib = 4, reps = 3): Promise<Record<string, unknown>> {
  const data = Uint8Array.from({ length: mib * 1024 * 1024 }, (_, i) => (i * 2654435761) >>> 24);
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
  const rows = ([[4, 2], [6, 3], [10, 4]] as const).map(([k, m]) => {
    const enc: number[] = [];
    const dec: number[] = [];
    const libEnc: number[] = [];
    const libDec: number[] = [];
    for (let r = 0; r < reps; r++) {
      let t = performance.now();
      const e = encode(data, k, m);
      enc.push(mib / ((performance.now() - t) / 1000));
      const kept = e.shards.map((s) => (s.index < m ? null : s));
      t = performance.now();
      const back = decode(e, kept);
      dec.push(mib / ((performance.now() - t) / 1000));
      if (!same(back, data)) throw new Error('bench: decode mismatch');

      const dataShards = e.shards.slice(0, k).map((s) => s.bytes);
      let rs = rsLibrary();
      t = performance.now();
      const parity = libEncode(dataShards, m, rs);
      libEnc.push(mib / ((performance.now() - t) / 1000));
      if (!parity.every((p, i) => same(p, e.shards[k + i]!.bytes))) throw new Error(`bench: ${RS_LIBRARY} parity differs from ours`);
      rs = rsLibrary();
      t = performance.now();
      const rebuilt = libReconstruct([...dataShards, ...parity].map((b, i) => (i < m ? null : b)), k, m, dataShards[0]!.length, rs);
      libDec.push(mib / ((performance.now() - t) / 1000));
      if (!rebuilt.every((b, i) => same(b, dataShards[i]!))) throw new Error(`bench: ${RS_LIBRARY} decode mismatch`);
    }
    return { k, m, encodeMBps: med(enc), decodeMBps: med(dec), library: { encodeMBps: med(libEnc), decodeMBps: med(libDec) } };
  });
  return {
    mib,
    reps,
    library: RS_LIBRARY,
    rows,
    summary: rows.map(
      (r) =>
        `RS(${r.k},${r.m}): ours encode ${r.encodeMBps.toFixed(1)} MB/s, decode with ${r.m} data shards lost ${r.decodeMBps.toFixed(1)} MB/s; ${RS_LIBRARY}: encode ${r.library.encodeMBps.toFixed(1)} MB/s, decode ${r.library.decodeMBps.toFixed(1)} MB/s`,
    ),
  };
}
