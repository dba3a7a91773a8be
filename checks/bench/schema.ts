/**
 * Derived against hand-written: the encoders the environment compiles from a schema
 * (`impl/env/schema.ts`) against Raft's hand-written ones (`impl/raft/types.ts`), on the same
 * reachable states, in one process, alternating, medians. Raft keeps its hand-written encoders
 * until it is ported; this section is the measurement that port must keep within 10%.
 */
import { WordBuffer } from '../../impl/core/encode.ts';
import { explore } from '../exhaustive.ts';
import type { AnyMachine } from '../../impl/core/machine.ts';
import { envMachine } from '../../impl/env/machine.ts';
import { S } from '../../impl/env/schema.ts';
import type { Protocol } from '../../impl/env/types.ts';
import { raftProtocol } from './baseline/raft/raft.ts';
import type { RaftTypes } from './baseline/raft/types.ts';
import { raftChecks } from './baseline/raft/spec.ts';
import { median } from './harness.ts';

/** Raft's data as a schema (what the port will declare). */
function raftSchema(n: number, maxTerm: number, heartbeats: number) {
  const T = S.int(0, maxTerm);
  const V = S.int(0, 255);
  const I = S.int(0, 255);
  const Entry = S.record({ term: T, value: V });
  return {
    durable: S.record({ term: T, votedFor: S.int(0, n), log: S.list(Entry) }),
    volatile: S.record({
      role: S.enum('follower', 'candidate', 'leader'),
      commitIndex: I,
      votes: S.nodeSet(),
      beats: S.int(0, heartbeats),
      nextIndex: S.list(I, n),
      matchIndex: S.list(I, n),
    }),
    msg: S.union('type', {
      RequestVote: { term: T, lastLogIndex: I, lastLogTerm: T },
      RequestVoteResp: { term: T, granted: S.bool() },
      AppendEntries: { term: T, prevIndex: I, prevTerm: T, commit: I, entries: S.list(Entry) },
      AppendEntriesResp: { term: T, success: S.bool(), index: I },
    }),
    ghost: S.record({ overwritten: S.bool(), leaders: S.list(S.nodeSet()), committed: S.list(S.record({ term: T, value: V, in: T })) }),
  };
}

/** Raft with its hand-written encoders, and the same protocol with them replaced by the schema. */
function machines(n: number, maxTerm: number, heartbeats: number): { readonly hand: AnyMachine; readonly derived: AnyMachine } {
  const hand = raftProtocol({ maxTerm, heartbeats });
  const { encodeDurable: _d, encodeVolatile: _v, encodeMessage: _m, encodeGhost: _g, ...rest } = hand as Protocol<RaftTypes> & Record<string, unknown>;
  const derived = { ...rest, schema: raftSchema(n, maxTerm, heartbeats) } as unknown as Protocol<RaftTypes>;
  const cfg = { nodes: n, requests: 1, crashes: 1 };
  return {
    hand: envMachine(hand, cfg, { name: 'raft', ...raftChecks(n) }) as unknown as AnyMachine,
    derived: envMachine(derived, cfg, { name: 'raft', ...raftChecks(n) }) as unknown as AnyMachine,
  };
}

/** The `schema` bench section. */
export async function benchSchema(opts: { readonly reps?: number; readonly states?: number } = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? 7;
  const limit = opts.states ?? 60_000;
  const { hand, derived } = machines(3, 2, 1);
  // The same states for both: collected from the hand-written machine (the data is the same).
  const states: unknown[] = [];
  explore({ ...hand, invariants: [{ name: 'collect', check: (s: unknown) => (states.push(s), true) }], properties: [], sometimes: [] }, { maxStates: limit, symmetry: false });
  const w = new WordBuffer();
  const encodeAll = (m: AnyMachine): number => {
    const t0 = performance.now();
    for (const s of states) {
      w.reset();
      m.encode!(s, w);
    }
    return performance.now() - t0;
  };
  const enc = { hand: [] as number[], derived: [] as number[] };
  const bfs = { hand: [] as number[], derived: [] as number[] };
  let counts: number[] = [];
  for (let r = 0; r < reps; r++) {
    enc.hand.push(encodeAll(hand));
    enc.derived.push(encodeAll(derived));
    let t0 = performance.now();
    const a = explore(hand, { maxStates: limit, symmetry: false });
    bfs.hand.push(performance.now() - t0);
    t0 = performance.now();
    const b = explore(derived, { maxStates: limit, symmetry: false });
    bfs.derived.push(performance.now() - t0);
    counts = [a.stats.states, b.stats.states];
  }
  if (counts[0] !== counts[1]) throw new Error(`schema bench: the derived encoding explored ${counts[1]} states, the hand-written ${counts[0]}`);
  const encRatio = median(enc.derived) / median(enc.hand);
  const bfsRatio = median(bfs.derived) / median(bfs.hand);
  const summary = [
    `raft (3 nodes, 1 crash, ${states.length.toLocaleString('en-US')} states): encoding, derived / hand-written time ${encRatio.toFixed(2)}× (medians of ${reps}: ${median(enc.derived).toFixed(0)} vs ${median(enc.hand).toFixed(0)} ms)`,
    `raft BFS to ${counts[0]!.toLocaleString('en-US')} states: derived / hand-written time ${bfsRatio.toFixed(2)}× (${median(bfs.derived).toFixed(0)} vs ${median(bfs.hand).toFixed(0)} ms)`,
  ];
  return { summary, encode: enc, bfs, encodeRatio: encRatio, bfsRatio, states: counts[0] };
}
