/**
 * The quorum registers (`impl/quorum/`): ABD is linearizable; a Dynamo-style register with
 * R + W > N and no write-back is regular but not linearizable; R + W ≤ N and a sloppy quorum
 * give stale reads. Pinned state counts (exact mode = fingerprints), shortest BFS traces of every
 * known bug and configuration that breaks a check, and random runs (fixed seeds) that find the
 * same violations or none.
 *
 * Bounds are small on purpose (two or three client operations): the history ghost makes every
 * interleaving of invocations and responses a distinct state. Larger configurations are in the
 * benchmark (`checks/bench/quorum.ts`).
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { checkRandom } from '../random.ts';
import { formatTrace, lastState, toTraceFile, type Trace, type TraceFile } from '../../impl/core/trace.ts';
import { runActions } from '../engine/replay.ts';
import { formatDiagram } from '../diagram.ts';
import { instantiate, InputError, type AnyMachine } from '../../impl/core/machine.ts';
import { ABD_BUGS, abdModel, makeAbd, type AbdBug, type AbdConfig } from '../../specs/models/abd.ts';
import { dynamoModel, makeDynamo, type DynamoConfig } from '../../specs/models/dynamo.ts';
import { isStaleQuery, type QuorumMachine, type QuorumState } from '../../impl/quorum/machine.ts';
import {
  historyOf,
  historyTimeline,
  InconclusiveHistoryError,
  linearizableInvariant,
  regularVerdict,
  type RegisterEvent,
} from '../../specs/quorum.ts';

const events = (s: QuorumState): readonly RegisterEvent[] => s.ghost.events;
const reads = (s: QuorumState): number[] => events(s).flatMap((e) => (e.type === 'return-read' ? [e.value] : []));

/** BFS over `m` with only `check`, expecting a violation of it: returns the result. */
function shortest(m: QuorumMachine, check: string) {
  const r = explore(m, { checks: [check] });
  expect(r.status, `${m.name} must break ${check}`).toBe('violation');
  expect(r.violation?.kind).toBe('invariant');
  expect(r.violation?.name).toBe(check);
  return r;
}

describe('ABD (3 replicas, majority quorums)', () => {
  it('2 clients, 2 operations: 29,433 states, every check holds, exact = fingerprints, witnesses reached', () => {
    const exact = explore(makeAbd({ requests: 2 }), { exact: true });
    const fp = explore(makeAbd({ requests: 2 }));
    expect(exact.status).toBe('exhausted');
    expect(exact.stats.states).toBe(29_433);
    // 124,264 before issue 13: stale answers and queries were deleted from the network inside
    // `step`, so their deliveries (and drops) were not actions. Now traces keep every message
    // and a state's identity leaves them out (`ignores` in impl/quorum/quorum.ts, stale queries included):
    // the same 29,433 states, plus 39,724 transitions that deliver a message that changes
    // nothing and lead back to an already-visited state.
    expect(exact.stats.transitions).toBe(163_988);
    expect(exact.stats.diameter).toBe(20);
    expect(fp.status).toBe('exhausted');
    expect(fp.stats.states).toBe(exact.stats.states);
    expect(fp.stats.transitions).toBe(exact.stats.transitions);
    expect(fp.witnesses).toEqual([
      { name: 'write-completes', reached: true, depth: 9 },
      { name: 'read-returns-written', reached: true, depth: 15 },
      { name: 'read-overlaps-write', reached: true, depth: 10 },
    ]);
  });

  it('linearizability checked on terminal states only: the same 29,433 states, exhausted', () => {
    const r = explore(makeAbd({ requests: 2, linCheck: 'terminal' }));
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(29_433);
  });

  it('symmetry over the replicas: 6,505 representatives, exhausted', () => {
    const r = explore(makeAbd({ requests: 2, symmetry: true }));
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(6_505);
    expect(r.witnesses.every((w) => w.reached)).toBe(true);
  });

  it('one replica crashes for good (crash-stop): 114,342 states, linearizable, and every operation completes (no deadlock)', () => {
    const r = explore(makeAbd({ requests: 2, crashes: 1, restarts: false }), { deadlock: true });
    expect(r.status).toBe('exhausted');
    // 114,342 (117,732 before issue 13): with crash-stop failures the environment removes the
    // messages to a node that is down for good (dead letters); the old machine with dead letters
    // stripped after every step gives exactly 114,342.
    expect(r.stats.states).toBe(114_342);
    expect(r.witnesses.find((w) => w.name === 'replica-down')?.reached).toBe(true);
  });

  it('random runs: 3 clients, 6 operations, a crash-recovery and a partition, 5 replicas with 2 crashes: no violation', () => {
    for (const [cfg, runs] of [
      [{ clients: 3, requests: 6, crashes: 1, partitions: 1 }, 300],
      [{ replicas: 5, clients: 2, requests: 5, crashes: 2, maxDown: 2, duplicates: 1 }, 150],
    ] as const) {
      const r = checkRandom(makeAbd(cfg), { seed: 7, runs, maxSteps: 120 });
      expect(r.status, JSON.stringify(cfg)).toBe('bounded');
      expect(r.witnesses.every((w) => w.reached)).toBe(true);
    }
  });
});

describe('ABD known bugs: the checker finds each, with its shortest trace', () => {
  // [bug, config, check, shortest BFS trace length]
  const CASES: readonly (readonly [AbdBug, AbdConfig, string, number])[] = [
    ['no-write-back', { requests: 3 }, 'linearizable', 16],
    ['minority-quorum', { requests: 2 }, 'linearizable', 10],
    ['minority-quorum', { requests: 2 }, 'regular', 10],
    ['local-timestamp', { requests: 3, replicas: 2 }, 'linearizable', 19],
    ['local-timestamp', { requests: 3, replicas: 2 }, 'regular', 19],
    // The variant's declared configuration: one client suffices (the write completes on
    // {r1, r2}, r1 restarts empty, a read meets {r1, r3}).
    ['volatile-store', ABD_BUGS['volatile-store'].config, 'regular', 20],
  ];
  for (const [bug, cfg, check, length] of CASES) {
    it(`${bug} (${JSON.stringify(cfg)}) breaks ${check} in ${length} steps`, () => {
      const r = shortest(makeAbd({ ...cfg, bug }), check);
      expect(r.violation!.trace.steps).toHaveLength(length);
      const last = lastState(r.violation!.trace);
      // A history that is not regular is not linearizable either.
      if (check === 'regular') expect(linearizableInvariant(events).check(last)).toMatch(/^not linearizable/);
      if (bug === 'no-write-back') {
        // The Dynamo read: a new value is read, then the old one, while the write is in progress;
        // each read alone is explained (regular).
        expect(reads(last)).toEqual([1, 0]);
        expect(events(last).some((e) => e.type === 'return-write')).toBe(false);
        expect(regularVerdict(events(last))).toBe(true);
        expect(r.violation!.message).toMatch(/read 1 .*read 0 must take effect next but cannot/);
      }
    });
  }

  it('every registered bug is found above for every check it claims to break', () => {
    for (const [bug, spec] of Object.entries(abdModel.bugs)) {
      for (const check of spec.breaks) {
        const covered = CASES.some(([b, , c]) => b === bug && (c === check || (c === 'regular' && check === 'linearizable')));
        expect(covered, `${bug} / ${check}`).toBe(true);
      }
    }
  });

  it('random runs find every bug (fixed seeds) and shrink it to the BFS length', () => {
    // [config, seed, maxSteps, length after shrinking]
    const CASES_RANDOM: readonly (readonly [AbdConfig, number, number, number])[] = [
      [{ requests: 4, bug: 'no-write-back' }, 1, 60, 16],
      [{ requests: 2, bug: 'minority-quorum' }, 1, 60, 10],
      [{ requests: 3, replicas: 2, bug: 'local-timestamp' }, 1, 60, 19],
      [{ requests: 3, clients: 1, crashes: 2, bug: 'volatile-store' }, 1, 80, 20],
    ];
    for (const [cfg, seed, maxSteps, length] of CASES_RANDOM) {
      const r = checkRandom(makeAbd(cfg), { seed, runs: 5000, maxSteps });
      expect(r.status, JSON.stringify(cfg)).toBe('violation');
      expect(['linearizable', 'regular']).toContain(r.violation?.name);
      expect(r.violation!.trace.steps.length, JSON.stringify(cfg)).toBe(length);
    }
  });
});

describe('Dynamo-style register: R + W > N is regular, not linearizable', () => {
  it('N = 3, R = W = 2, 3 operations: not linearizable in 16 steps, a new value read and then the old one', () => {
    const m = makeDynamo({ requests: 3 });
    const r = shortest(m, 'linearizable');
    expect(r.violation!.trace.steps).toHaveLength(16);
    expect(r.stats.states).toBe(81_176);
    const last = lastState(r.violation!.trace);
    expect(reads(last)).toEqual([1, 0]);
    // The same history is regular: each read alone is explained by the write in progress.
    expect(regularVerdict(events(last))).toBe(true);
    // A readable trace: numbered steps, the history, a message-sequence chart, a timeline.
    const text = formatTrace(m, r.violation!.trace, r.violation);
    expect(text).toContain('16. deliver r3→c2 QueryReply(#2, 0@0)');
    // The history as its schema declares it (the view is derived; it was "c2 read → 0" when
    // hand-written); the timeline below is the readable form.
    expect(text).toContain('ghost.events: + {"type":"return-read","client":2,"value":0}');
    expect(text).toContain('✗ invariant linearizable violated: not linearizable: after c1 write 1 (pending), c2 read 1 the register holds 1');
    const chart = formatDiagram(m, r.violation!.trace);
    expect(chart.split('\n')[0]).toMatch(/^step +r1 +r2 +r3 +c1 +c2$/);
    expect(historyTimeline(events(last)).join('\n')).toContain('read 0 !');
    // The trace file's actions (JSON) replay on a fresh machine to the same violation.
    const file = JSON.parse(JSON.stringify(toTraceFile(m as AnyMachine, 'dynamo', { requests: 3 }, { runner: 'bfs' }, r.violation!.trace as Trace<unknown, unknown>, r.violation!))) as TraceFile;
    const replay = runActions(makeDynamo({ requests: 3 }), file.initIndex, file.steps.map((st) => st.action));
    expect(replay.violation?.name).toBe('linearizable');
    expect(replay.trace.steps).toHaveLength(16);
  });

  it('read repair does not help: still not linearizable in 16 steps', () => {
    const r = shortest(makeDynamo({ requests: 3, readRepair: true }), 'linearizable');
    expect(r.violation!.trace.steps).toHaveLength(16);
    expect(reads(lastState(r.violation!.trace))).toEqual([1, 0]);
  });

  it('but it is regular: N = 2, R = 1, W = 2, 3 operations: regularity holds on all 16,025 states, linearizability breaks in 10 steps', () => {
    const reg = explore(makeDynamo({ requests: 3, replicas: 2, r: 1, w: 2 }), { checks: ['regular'] });
    expect(reg.status).toBe('exhausted');
    expect(reg.stats.states).toBe(16_025);
    expect(reg.witnesses.every((w) => w.reached)).toBe(true);
    const lin = shortest(makeDynamo({ requests: 3, replicas: 2, r: 1, w: 2 }), 'linearizable');
    expect(lin.violation!.trace.steps).toHaveLength(10);
    expect(reads(lastState(lin.violation!.trace))).toEqual([1, 0]);
  });

  it('N = 3, R = W = 2: random runs keep regularity (3 clients, 6 operations, crashes) and find the linearizability violation', () => {
    const reg = checkRandom(makeDynamo({ clients: 3, requests: 6, crashes: 1, readRepair: true }), { seed: 3, runs: 300, maxSteps: 120, checks: ['regular'] });
    expect(reg.status).toBe('bounded');
    const lin = checkRandom(makeDynamo({ requests: 4 }), { seed: 1, runs: 5000, maxSteps: 60 });
    expect(lin.status).toBe('violation');
    expect(lin.violation?.name).toBe('linearizable');
    expect(lin.violation!.trace.steps).toHaveLength(16);
  });

  it('terminal-state checking finds the violation too, with a longer trace (it runs on to a terminal state)', () => {
    const r = shortest(makeDynamo({ requests: 3, replicas: 2, r: 1, w: 2, linCheck: 'terminal' }), 'linearizable');
    expect(r.violation!.trace.steps).toHaveLength(13);
    // Terminal: what is left in flight changes nothing (here: queries whose phase is over, which
    // traces keep; before issue 13 they were deleted inside step, and the network was empty).
    const end = r.violation!.trace.steps.at(-1)!.state;
    expect(end.net.length).toBeGreaterThan(0);
    expect(end.net.every((p) => isStaleQuery(end, p))).toBe(true);
  });
});

describe('Dynamo-style register: stale reads', () => {
  const CASES: readonly (readonly [string, DynamoConfig, number])[] = [
    ['R + W ≤ N (N = 3, R = W = 1)', { requests: 2, r: 1, w: 1 }, 8],
    ['R + W = N (N = 3, R = 1, W = 2)', { requests: 2, r: 1, w: 2 }, 10],
    ['a sloppy quorum after a partition (N = 2, R = 1, W = 2, one spare)', { requests: 2, replicas: 2, r: 1, w: 2, sloppy: true, partitions: 1 }, 12],
  ];
  for (const [what, cfg, length] of CASES) {
    it(`${what}: a read misses a completed write (not regular) in ${length} steps`, () => {
      const r = shortest(makeDynamo(cfg), 'regular');
      expect(r.violation!.trace.steps).toHaveLength(length);
      expect(r.violation!.message).toMatch(/read 0 \(the initial value\), but c\d write 1 had completed before the read began/);
      if (cfg.sloppy) {
        // Through a partition and a spare standing in for a replica; the spare's hint and its
        // handoff are reachable (witnesses met before the violation).
        expect(r.violation!.trace.steps.some((s) => s.action.type === 'partition')).toBe(true);
        expect(r.violation!.trace.steps.some((s) => s.action.type === 'local' && s.action.action.type === 'suspect')).toBe(true);
        expect(r.witnesses.filter((w) => w.name === 'hinted-store' || w.name === 'handoff-delivered').map((w) => w.reached)).toEqual([true, true]);
      }
    });
  }

  it('scenario: a write on the minority side completes through a hinted spare; a read on the other side returns the old value', () => {
    // r1 = 1, r2 = 2, s1 = 3, c1 = 4, c2 = 5; version 1.c1 is (1 << 5) | 4.
    const m = makeDynamo({ requests: 2, replicas: 2, r: 1, w: 2, sloppy: true, partitions: 1 });
    const v = (1 << 5) | 4;
    const deliver = (from: number, to: number, msg: Record<string, unknown>) => ({ type: 'deliver', from, to, msg });
    const run = runActions(m, 0, [
      { type: 'partition', groups: [[1, 3, 4], [2, 5]], oneWay: false },
      { type: 'request', node: 4, request: { f: 'write', value: 1 } },
      deliver(4, 1, { type: 'Query', op: 1, hint: null }),
      deliver(1, 4, { type: 'QueryReply', op: 1, ver: 0, value: 0 }),
      deliver(4, 1, { type: 'Store', op: 1, ver: v, value: 1, hint: null }),
      deliver(1, 4, { type: 'StoreAck', op: 1 }),
      { type: 'local', node: 4, action: { type: 'suspect', replica: 2 } },
      deliver(4, 3, { type: 'Store', op: 1, ver: v, value: 1, hint: 2 }),
      deliver(3, 4, { type: 'StoreAck', op: 1 }),
      { type: 'request', node: 5, request: { f: 'read' } },
      deliver(5, 2, { type: 'Query', op: 1, hint: null }),
      deliver(2, 5, { type: 'QueryReply', op: 1, ver: 0, value: 0 }),
    ]);
    expect(run.notEnabled).toBeUndefined();
    expect(run.violation?.name).toBe('linearizable');
    expect(run.trace.steps).toHaveLength(12);
    const last = lastState(run.trace);
    expect(regularVerdict(events(last))).toMatch(/c2 read 0 \(the initial value\), but c1 write 1 had completed/);
    // The spare holds the hint for r2; c1's Store to r2 waits behind the partition.
    expect(m.view(last).nodes['s1']?.durable).toEqual({ role: 'store', ver: 0, value: 0, hints: [{ home: 'r2', ver: v, value: 1, sent: false }] });
    expect(m.view(last).network).toContain('c1→r2 Store(#1, 1@1.c1)');
  });

  it('the same N = 2, R = 1, W = 2 with a strict quorum and a partition: 12,501 states, every check holds', () => {
    const r = explore(makeDynamo({ requests: 2, replicas: 2, r: 1, w: 2, partitions: 1 }));
    expect(r.status).toBe('exhausted');
    expect(r.stats.states).toBe(12_501);
  });

  it('random runs find the stale reads (fixed seeds), also with the sloppy quorum at N = 3, R = W = 2 (too deep for BFS here)', () => {
    for (const cfg of CASES.map(([, c]) => c)) {
      // maxSteps 80 (60 before issue 13): walks now also deliver the stale answers and queries
      // that stay in flight (they were deleted inside step), so a run needs more steps.
      const r = checkRandom(makeDynamo(cfg), { seed: 1, runs: 5000, maxSteps: 80, checks: ['regular'] });
      expect(r.status, JSON.stringify(cfg)).toBe('violation');
    }
    const r = checkRandom(makeDynamo({ requests: 3, sloppy: true, partitions: 1 }), { seed: 1, runs: 5000, maxSteps: 80, checks: ['regular'] });
    expect(r.status).toBe('violation');
    expect(r.violation!.trace.steps).toHaveLength(17);
    expect(r.violation!.trace.steps.some((s) => s.action.type === 'partition')).toBe(true);
  });
});

describe('the history invariants', () => {
  const w = (client: number, value: number): RegisterEvent => ({ type: 'invoke-write', client, value });
  const wd = (client: number): RegisterEvent => ({ type: 'return-write', client });
  const r = (client: number): RegisterEvent => ({ type: 'invoke-read', client });
  const rd = (client: number, value: number): RegisterEvent => ({ type: 'return-read', client, value });

  it('historyOf: event indices are times; a pending operation has no completion', () => {
    const h = historyOf([w(1, 1), r(2), rd(2, 1), r(2)]);
    expect(h.ops.map((o) => [o.process, o.input.f, o.call, o.ret, o.output])).toEqual([
      [1, 'write', 0, null, undefined],
      [2, 'read', 1, 2, 1],
      [2, 'read', 3, null, undefined],
    ]);
    expect(() => historyOf([rd(1, 0)])).toThrow(/did not invoke/);
  });

  it('regularity: new-then-old under a pending write is regular; a read of an overwritten or never-written value is not', () => {
    expect(regularVerdict([w(1, 1), r(2), rd(2, 1), r(2), rd(2, 0)])).toBe(true);
    expect(regularVerdict([w(1, 1), wd(1), r(2), rd(2, 0)])).toMatch(/initial value/);
    expect(regularVerdict([w(1, 1), wd(1), w(1, 2), wd(1), r(2), rd(2, 1)])).toMatch(/overwritten by c1 write 2/);
    expect(regularVerdict([r(2), rd(2, 5)])).toMatch(/no client wrote/);
  });

  it('an inconclusive history search (bound cut) throws; it is never taken for "holds"', () => {
    const inv = linearizableInvariant<readonly RegisterEvent[]>((s) => s, { bounds: { maxSteps: 1 } });
    expect(() => inv.check([w(1, 1), r(2), rd(2, 1), wd(1), r(2), rd(2, 1)])).toThrow(InconclusiveHistoryError);
    const ok = linearizableInvariant<readonly RegisterEvent[]>((s) => s);
    expect(ok.check([w(1, 1), r(2), rd(2, 1), wd(1), r(2), rd(2, 1)])).toBe(true);
  });
});

describe('parameters', () => {
  it('impossible quorums and node counts are one-line input errors', () => {
    expect(() => instantiate(dynamoModel, { r: 4 })).toThrow(InputError);
    expect(() => instantiate(dynamoModel, { r: 4 })).toThrow(/^read quorum r=4 must be between 1 and the 3 replicas$/);
    expect(() => instantiate(dynamoModel, { w: 5, replicas: 4 })).toThrow(/write quorum w=5/);
    expect(() => instantiate(abdModel, { replicas: 1, bug: 'minority-quorum' })).toThrow(/at least 2 replicas/);
    expect(() => makeDynamo({ sloppy: true, spares: 0 })).toThrow(/at least one spare/);
  });

  it('the registry entries build with their defaults and list their bugs', () => {
    expect(instantiate(abdModel).machine.name).toBe('abd');
    expect(instantiate(dynamoModel).machine.name).toBe('dynamo');
    expect(Object.keys(abdModel.bugs)).toEqual(['no-write-back', 'minority-quorum', 'local-timestamp', 'volatile-store']);
    expect(instantiate(dynamoModel, { sloppy: true }).machine.nodes?.()).toEqual(['r1', 'r2', 'r3', 's1', 'c1', 'c2']);
  });
});
