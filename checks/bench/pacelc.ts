/**
 * PACELC, measured on the replicated store (`impl/store/`): per mode,
 *
 * - **the consistency level reached**, classified by the history checkers themselves: the
 *   store is explored exhaustively, every distinct client history (and, at rest, what every
 *   replica shows) is checked at every level, and the level reached is the strongest one that
 *   no reachable history violates;
 * - **availability during a partition**: for every way to split the replicas in two, seeded
 *   random runs that impose the split first and never heal it, until nothing else can happen
 *   (a timeout fires only when nothing else can: timeouts are long next to the network's
 *   delays); the fraction of the client operations invoked that were answered successfully.
 *   A refusal (cp's `unavailable`) is an answer, but not an available one: both fractions are
 *   reported (`availability`, `responded`);
 * - **round trips per operation with no partition**: seeded random runs without partitions;
 *   for each answered operation, the messages on its critical path (the chain of messages from
 *   the request to the answer), halved, plus the client's own round trip to its replica; and
 *   the replica messages sent per operation (background replication included).
 *
 * These are counts, not timings: the machine's load does not change them.
 */
import { mulberry32 } from './harness.ts';
import { explore } from '../exhaustive.ts';
import type { Invariant, Machine } from '../../impl/core/machine.ts';
import type { NodeId } from '../../impl/env/types.ts';
import { makeStoreMachine as makeAnyStore, STORE_MODES, type StoreChecks, type StoreEvent, type StoreMode, type StoreShape, type StoreState, quiescent, shownAt } from '../../impl/store/store.ts';
import { checkStoreLevel, MODE_LEVEL, STORE_LEVELS, type StoreLevel } from '../../specs/store.ts';

/** An action as these measurements read it (every mode's actions have this shape). */
interface AnyAction {
  readonly type: string;
  readonly from?: NodeId;
  readonly to?: NodeId;
  readonly msg?: unknown;
}

/** The store machine of any mode, seen through the common state type. */
function makeStoreMachine(mode: StoreMode, shape: StoreShape, env: { partitions: number } & StoreClocks, checks: StoreChecks): Machine<StoreState, AnyAction> {
  return makeAnyStore(mode, shape, env, checks) as unknown as Machine<StoreState, AnyAction>;
}

/** The environment's physical clocks for a run (none by default). */
export interface StoreClocks {
  readonly maxClock?: number;
  readonly maxSkew?: number;
}

/** One level's tally over a mode's reachable histories. */
export interface LevelTally {
  readonly level: StoreLevel;
  /** Distinct histories (or, for eventual, distinct resting states) checked. */
  readonly checked: number;
  /** How many violate the level. */
  readonly violated: number;
  /** The first violation found (its one-line reason). */
  readonly example?: string;
}

/** A mode's classification. */
export interface StoreClassification {
  readonly mode: StoreMode;
  readonly shape: StoreShape;
  readonly partitions: number;
  readonly states: number;
  /** Whether the exploration covered every reachable state (false: a bound cut it; no verdict). */
  readonly complete: boolean;
  readonly levels: readonly LevelTally[];
  /** The strongest level no reachable history violates (null: none). */
  readonly strongest: StoreLevel | null;
  /** The level the mode promises. */
  readonly promised: StoreLevel;
}

/** Explore a mode and classify it at every level (see the module comment). */
export function classifyStore(mode: StoreMode, shape: StoreShape, partitions = 1, maxStates = 2_000_000, clocks: StoreClocks = {}): StoreClassification {
  const histories = new Map<string, readonly StoreEvent[]>();
  const rests = new Map<string, { events: readonly StoreEvent[]; probes: number[][] }>();
  const seen = new WeakSet<readonly StoreEvent[]>();
  const recorder: Invariant<StoreState> = {
    name: 'record',
    check(s) {
      const events = s.ghost.events as readonly StoreEvent[];
      if (!seen.has(events)) {
        seen.add(events);
        const key = JSON.stringify(events);
        if (!histories.has(key)) histories.set(key, events);
      }
      if (quiescent(mode, s)) {
        const probes = Array.from({ length: shape.replicas }, (_, i) => [...shownAt(mode, s, i + 1)]);
        const key = `${JSON.stringify(events)}#${JSON.stringify(probes)}`;
        if (!rests.has(key)) rests.set(key, { events, probes });
      }
      return true;
    },
  };
  const m = makeStoreMachine(mode, shape, { partitions, ...clocks }, { invariants: [recorder], sometimes: [] });
  const r = explore(m, { maxStates });
  const levels: LevelTally[] = STORE_LEVELS.map((level) => {
    let checked = 0;
    let violated = 0;
    let example: string | undefined;
    const tally = (v: true | string): void => {
      checked++;
      if (v !== true) {
        violated++;
        example ??= v;
      }
    };
    if (level === 'eventual') for (const { events, probes } of rests.values()) tally(checkStoreLevel(level, events, probes));
    else for (const events of histories.values()) tally(checkStoreLevel(level, events, null));
    return { level, checked, violated, ...(example !== undefined ? { example } : {}) };
  });
  const complete = r.status === 'exhausted';
  const strongest = complete ? (levels.find((l) => l.violated === 0)?.level ?? null) : null;
  return { mode, shape, partitions, states: r.stats.states, complete, levels, strongest, promised: MODE_LEVEL[mode] };
}

/** A mode's measured costs. */
export interface StoreCosts {
  readonly mode: StoreMode;
  /** Operations answered successfully / invoked, while a partition holds (never healed). A refusal (`unavailable`) is an answer, but not available. */
  readonly availability: number;
  /** Operations answered at all (successfully, or refused as `unavailable`) / invoked, while a partition holds. */
  readonly responded: number;
  readonly partitionOps: { readonly invoked: number; readonly answered: number; readonly refused: number };
  /** Mean round trips per answered operation with no partition, the client's own included. */
  readonly roundTrips: number;
  /** The largest seen. */
  readonly maxRoundTrips: number;
  /** Replica-to-replica messages sent per operation, with no partition (replication included). */
  readonly messagesPerOp: number;
  readonly runs: number;
}

const packetKey = (from: number, to: number, msg: unknown): string => JSON.stringify([from, to, msg]);

/**
 * The next action of a measured run: a timer fires only when nothing else can happen (the
 * timeout is long next to the network's delays), otherwise a seeded uniform choice.
 */
function pick<A extends AnyAction>(acts: readonly A[], next: () => number): A {
  const busy = acts.filter((a) => a.type !== 'timer');
  const from = busy.length > 0 ? busy : acts;
  return from[Math.floor(next() * from.length)]!;
}

/** Measure availability under partition and round trips without one (see the module comment). */
export function measureStore(mode: StoreMode, shape: StoreShape, runs = 200, seed = 1, clocks: StoreClocks = {}): StoreCosts {
  const none = { invariants: [], sometimes: [] };
  // Availability: impose each split first, never heal.
  const mp = makeStoreMachine(mode, shape, { partitions: 1, ...clocks }, none);
  let invoked = 0;
  let answered = 0;
  let refused = 0;
  const next = mulberry32(seed);
  const s0 = mp.init()[0]!;
  const splits = (mp.actions(s0)).filter((a) => a.type === 'partition');
  for (const split of splits) {
    for (let k = 0; k < runs; k++) {
      let s = mp.step(s0, split);
      for (;;) {
        const acts = (mp.actions(s)).filter((a) => a.type !== 'heal' && a.type !== 'partition');
        if (acts.length === 0) break;
        s = mp.step(s, pick(acts, next));
      }
      for (const e of s.ghost.events as readonly StoreEvent[]) {
        if (e.type === 'call') invoked++;
        else if (e.type === 'ret') answered++;
        else refused++;
      }
    }
  }
  // Round trips: no partition; the depth of each message on its operation's chain.
  const m = makeStoreMachine(mode, shape, { partitions: 0, ...clocks }, none);
  let trips = 0;
  let maxTrips = 0;
  let done = 0;
  let sent = 0;
  let ops = 0;
  for (let k = 0; k < runs; k++) {
    let s = m.init()[0]!;
    const depth = new Map<string, number>();
    for (;;) {
      const acts = m.actions(s);
      if (acts.length === 0) break;
      const a = pick(acts, next);
      const before = new Map(s.net.map((p) => [packetKey(p.from, p.to, p.msg), p.count]));
      const d = a.type === 'deliver' ? (depth.get(packetKey(a.from!, a.to!, a.msg)) ?? 0) : 0;
      const rets = (s.ghost.events as readonly StoreEvent[]).filter((e) => e.type === 'ret').length;
      s = m.step(s, a);
      for (const p of s.net) {
        const key = packetKey(p.from, p.to, p.msg);
        const added = p.count - (before.get(key) ?? 0);
        if (added > 0) {
          sent += added;
          depth.set(key, d + 1);
        }
      }
      const nowRets = (s.ghost.events as readonly StoreEvent[]).filter((e) => e.type === 'ret').length;
      if (nowRets > rets) {
        // The answer came with this step: its chain is the delivered message's depth.
        const rt = 1 + d / 2;
        trips += rt * (nowRets - rets);
        maxTrips = Math.max(maxTrips, rt);
        done += nowRets - rets;
      }
    }
    ops += (s.ghost.events as readonly StoreEvent[]).filter((e) => e.type === 'call').length;
  }
  return {
    mode,
    availability: invoked === 0 ? 1 : answered / invoked,
    responded: invoked === 0 ? 1 : (answered + refused) / invoked,
    partitionOps: { invoked, answered, refused },
    roundTrips: done === 0 ? 0 : trips / done,
    maxRoundTrips: maxTrips,
    messagesPerOp: ops === 0 ? 0 : sent / ops,
    runs,
  };
}

/** One row of the PACELC table. */
export interface PacelcRow extends StoreCosts {
  /** The row's label: the mode, and the sessions when they roam, the stamps when physical. */
  readonly label: string;
  /** The level the checker classifies the mode at, with one partition allowed. */
  readonly level: StoreLevel | null;
  /** The same, with no partition. */
  readonly levelNoPartition: StoreLevel | null;
  readonly promised: StoreLevel;
  readonly states: number;
  readonly levels: readonly LevelTally[];
  /** The configuration measured (most rows: {@link PACELC_SHAPE}). */
  readonly shape: StoreShape;
  /** The operations of the classification, when fewer than the measurement's (cp: see {@link PACELC_VARIANTS}). */
  readonly classifiedOps?: number;
  /** The physical clocks, when the row has them. */
  readonly clocks?: StoreClocks;
}

/** The configuration the bench uses. */
export const PACELC_SHAPE: StoreShape = { replicas: 3, clients: 2, ops: 3 };

/** One row's configuration. */
export interface PacelcVariant {
  readonly mode: StoreMode;
  readonly roaming: boolean;
  readonly label?: string;
  /** Overrides of {@link PACELC_SHAPE} (stamps, a smaller or larger shape). */
  readonly shape?: Partial<StoreShape>;
  readonly clocks?: StoreClocks;
  /** Classify over this many operations instead of the shape's (the measurement keeps the shape's). */
  readonly classifyOps?: number;
}

/**
 * The rows: each mode with sticky sessions, then LWW on skewed physical clocks, then the AP
 * modes with roaming sessions. The physical-clock row needs a fourth operation (a client reads
 * another's write, writes, and reads again: the skew loss takes four) and is measured on two
 * replicas, which is enough for the loss and keeps the exploration small (3 replicas and 4
 * operations: 3.4 million states). cp is classified over 2 operations: with its refusals (a
 * refused client goes on, a refused write may still complete) 3 operations reach 6,382,896
 * states, too many to keep every history in memory; its costs are measured with 3.
 */
export const PACELC_VARIANTS: readonly PacelcVariant[] = [
  ...STORE_MODES.map((mode): PacelcVariant => (mode === 'cp' ? { mode, roaming: false, label: 'cp (levels over 2 ops)', classifyOps: 2 } : { mode, roaming: false })),
  { mode: 'ap-lww', roaming: false, label: 'ap-lww, physical clocks (skew ≤ 1; 2 replicas, 4 ops)', shape: { stamps: 'physical', replicas: 2, ops: 4 }, clocks: { maxClock: 1, maxSkew: 1 } },
  { mode: 'ap-lww', roaming: true },
  { mode: 'ap-siblings', roaming: true },
];

/** Classify and measure every mode. */
export function pacelcRows(base: StoreShape = PACELC_SHAPE, runs = 200): PacelcRow[] {
  return PACELC_VARIANTS.map(({ mode, roaming, label, shape: over, clocks = {}, classifyOps }) => {
    const shape: StoreShape = { ...base, ...over, roaming };
    const classified: StoreShape = classifyOps === undefined ? shape : { ...shape, ops: classifyOps };
    const c = classifyStore(mode, classified, 1, 2_000_000, clocks);
    const c0 = classifyStore(mode, classified, 0, 2_000_000, clocks);
    return {
      ...measureStore(mode, shape, runs, 1, clocks),
      label: label ?? (roaming ? `${mode} (roaming sessions)` : mode),
      level: c.strongest,
      levelNoPartition: c0.strongest,
      promised: c.promised,
      states: c.states,
      levels: c.levels,
      shape,
      ...(classifyOps !== undefined ? { classifiedOps: classifyOps } : {}),
      ...(clocks.maxClock !== undefined ? { clocks } : {}),
    };
  });
}

/** The table, as Markdown. */
export function pacelcTable(rows: readonly PacelcRow[]): string {
  const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
  return [
    '| mode | consistency reached, one partition (checker) | without partitions | promised | available during a partition (answered successfully) | answered at all (refusals included) | round trips per op, no partition (mean / max) | replica messages per op |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.level ?? 'none'} | ${r.levelNoPartition ?? 'none'} | ${r.promised} | ${pct(r.availability)} (${r.partitionOps.answered}/${r.partitionOps.invoked}) | ${pct(r.responded)} | ${r.roundTrips.toFixed(2)} / ${r.maxRoundTrips} | ${r.messagesPerOp.toFixed(2)} |`,
    ),
  ].join('\n');
}

/** `npm run bench -- pacelc`. */
export async function benchPacelc(): Promise<Record<string, unknown>> {
  const rows = pacelcRows();
  const { writePacelcPage } = await import('../report/pacelc.ts');
  const page = writePacelcPage(rows, PACELC_SHAPE);
  return { shape: PACELC_SHAPE, rows, page, summary: [pacelcTable(rows), `chart: ${page}`] };
}
