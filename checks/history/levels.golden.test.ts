/**
 * Golden tests of the consistency levels on textbook histories: each history has a known
 * strongest level, and the explanation of the next level up names the right operations.
 */
import { describe, expect, it } from 'vitest';
import { checkLevel, checkStrongest, violationLines, witnessLines, type ConsistencyLevel, type LevelCheckOptions } from './levels.ts';
import { parseHistory, type LoadedHistory } from './load.ts';
import { checkSequential, verifySequentialOrder } from '../../impl/core/history/sequential.ts';

type Op = { process: number | string; call: number; return: number | null; f: string; value?: unknown; output?: unknown; key?: string; node?: number | string };

function load(model: string, ops: Op[]): LoadedHistory {
  return parseHistory(JSON.stringify({ format: 'dscheck-history', version: 1, model, ops }), { format: 'json', source: 'golden.json' });
}

function statuses(h: LoadedHistory, options: LevelCheckOptions = {}): Record<ConsistencyLevel, string> {
  const out = {} as Record<ConsistencyLevel, string>;
  for (const level of ['linearizable', 'sequential', 'causal', 'eventual'] as const) out[level] = checkLevel(h.model, h.history, level, options).status;
  return out;
}

const w = (process: number, call: number, ret: number | null, value: unknown, key?: string): Op => ({ process, call, return: ret, f: key === undefined ? 'write' : 'put', value, ...(key !== undefined ? { key } : {}) });
const r = (process: number, call: number, ret: number, output: unknown, key?: string): Op => ({ process, call, return: ret, f: key === undefined ? 'read' : 'get', output, ...(key !== undefined ? { key } : {}) });

describe('textbook histories', () => {
  it('linearizable: a read after a write sees it; every level holds', () => {
    const h = load('register', [w(0, 0, 1, 1), r(1, 2, 3, 1), r(0, 4, 5, 1)]);
    expect(statuses(h)).toEqual({ linearizable: 'holds', sequential: 'holds', causal: 'holds', eventual: 'holds' });
    const s = checkStrongest(h.model, h.history);
    expect(s).toMatchObject({ strongest: 'linearizable', decided: true });
    expect(s.levels).toHaveLength(1);
    expect(s.convergence).toBeUndefined();
  });

  it('sequential but not linearizable: a stale read after the write completed (and so not eventual)', () => {
    // p1 reads the initial value after p0's write completed: fine if p1's read comes first.
    const h = load('register', [w(0, 0, 1, 1), r(1, 2, 3, null)]);
    expect(statuses(h)).toEqual({ linearizable: 'violated', sequential: 'holds', causal: 'holds', eventual: 'violated' });
    const s = checkStrongest(h.model, h.history);
    expect(s).toMatchObject({ strongest: 'sequential', decided: true, convergence: { level: 'eventual', status: 'violated' } });
    const seq = s.levels[1]!;
    expect(seq.status === 'holds' && seq.detail.level === 'sequential' ? seq.detail.result.order : undefined).toEqual([1, 0]);
    expect(witnessLines(h.model, h.history, seq).join('\n')).toMatch(/1\. p1 read nil[\s\S]*2\. p0 write 1/);
    expect(violationLines(h.model, h.history, s.levels[0]!).join('\n')).toContain('! p1 read nil');
    const ev = checkLevel(h.model, h.history, 'eventual');
    expect(violationLines(h.model, h.history, ev).join('\n')).toMatch(/agree on nil, which no write wrote/);
  });

  it('causal but not sequential: two readers see two concurrent writes in opposite orders', () => {
    const h = load('register', [w(0, 0, 1, 1), w(1, 0, 1, 2), r(2, 2, 3, 1), r(2, 4, 5, 2), r(3, 2, 3, 2), r(3, 4, 5, 1)]);
    expect(statuses(h)).toMatchObject({ linearizable: 'violated', sequential: 'violated', causal: 'holds' });
    const s = checkStrongest(h.model, h.history);
    expect(s).toMatchObject({ strongest: 'causal', decided: true, convergence: { level: 'eventual', status: 'violated' } });
    const why = violationLines(h.model, h.history, s.levels[1]!).join('\n');
    expect(why).toContain('every process\'s next operation is illegal there');
    expect(witnessLines(h.model, h.history, s.levels[2]!).join('\n')).toContain('p2 read 1 (line 1) <- p0 write 1 (line 1)');
  });

  it('eventual but not causal: monotonic reads broken, then every replica converges after the quiet period', () => {
    const h = load('register', [w(0, 0, 1, 1), w(0, 2, 3, 2), r(1, 4, 5, 2), r(1, 6, 7, 1), r(2, 10, 11, 2), r(1, 12, 13, 2)]);
    expect(statuses(h, { quiet: 5 })).toEqual({ linearizable: 'violated', sequential: 'violated', causal: 'violated', eventual: 'holds' });
    const s = checkStrongest(h.model, h.history, { quiet: 5 });
    expect(s).toMatchObject({ strongest: 'eventual', decided: true });
    const why = violationLines(h.model, h.history, s.levels[2]!).join('\n');
    expect(why).toContain('p1 read 1 (line');
    expect(why).toContain('monotonic reads broken');
    expect(why).toMatch(/p0 write 1 .*--session--> p0 write 2/);
    expect(witnessLines(h.model, h.history, s.levels[3]!)).toEqual(['the register: 2 reads after t=8 on 2 nodes all return 2']);
    // With no quiet period the flip-flop itself is in the window.
    expect(checkLevel(h.model, h.history, 'eventual').status).toBe('violated');
  });

  it('eventual but not causal across keys: writes follow reads', () => {
    const h = load('kv', [
      w(0, 0, 1, 'a', 'x'),
      r(1, 2, 3, 'a', 'x'),
      w(1, 4, 5, 'b', 'y'),
      r(2, 6, 7, 'b', 'y'),
      r(2, 8, 9, '', 'x'),
      r(3, 20, 21, 'a', 'x'),
      r(3, 22, 23, 'b', 'y'),
    ]);
    const s = checkStrongest(h.model, h.history, { quiet: 10 });
    expect(s).toMatchObject({ strongest: 'eventual', decided: true });
    const why = violationLines(h.model, h.history, s.levels[2]!).join('\n');
    expect(why).toContain('p2 get x "" (line 1) reads the initial value');
    expect(why).toContain('reads the initial value');
    expect(why).toContain('writes follow reads broken');
  });

  it('nothing: a causal cycle and replicas that never converge', () => {
    // Load buffering: each process reads the value the other writes after its read.
    const h = load('kv', [r(0, 0, 1, '1', 'x'), w(0, 2, 3, '1', 'y'), r(1, 0, 1, '1', 'y'), w(1, 2, 3, '1', 'x'), r(2, 10, 11, '1', 'x'), r(3, 10, 11, '', 'x')]);
    const s = checkStrongest(h.model, h.history);
    expect(s).toMatchObject({ strongest: null, decided: true });
    expect(s.levels.map((l) => l.status)).toEqual(['violated', 'violated', 'violated', 'violated']);
    expect(violationLines(h.model, h.history, s.levels[2]!).join('\n')).toMatch(/has a cycle:\n.*--read by-->.*--session-->.*--read by-->.*--session-->/);
    expect(violationLines(h.model, h.history, s.levels[3]!).join('\n')).toMatch(/key "x": reads after t=3 .* disagree/);
  });

  it('causal names the session guarantee: monotonic writes, read your writes', () => {
    // p1 sees p0's second write but then the initial value of the first key.
    const mw = load('kv', [w(0, 0, 1, 'a', 'x'), w(0, 2, 3, 'b', 'y'), r(1, 4, 5, 'b', 'y'), r(1, 6, 7, '', 'x')]);
    const c1 = checkLevel(mw.model, mw.history, 'causal');
    expect(violationLines(mw.model, mw.history, c1).join('\n')).toContain('(monotonic writes broken)');
    const ryw = load('register', [w(0, 0, 1, 1), r(0, 2, 3, null)]);
    const c2 = checkLevel(ryw.model, ryw.history, 'causal');
    expect(violationLines(ryw.model, ryw.history, c2).join('\n')).toMatch(/p0 read nil \(line \d\) reads the initial value, .*\(read your writes broken\):\n.*\n\s+p0 write 1 \(line \d\) --session--> p0 read nil/);
  });

  it('a read of a value nobody wrote is thin air for causal', () => {
    const h = load('register', [w(0, 0, 1, 1), r(1, 2, 3, 7)]);
    const c = checkLevel(h.model, h.history, 'causal');
    expect(c.status).toBe('violated');
    expect(violationLines(h.model, h.history, c).join('\n')).toContain('p1 read 7 (line');
  });

  it('eventual groups reads by node when the history names replicas', () => {
    const h = load('register', [w(0, 0, 1, 1), { ...r(1, 5, 6, 1), node: 'n1' }, { ...r(2, 5, 6, 2), node: 'n2' }, w(3, 0, 1, 2)]);
    const e = checkLevel(h.model, h.history, 'eventual');
    expect(e.status).toBe('violated');
    expect(violationLines(h.model, h.history, e).join('\n')).toContain('on node n2');
  });
});

describe('operations that never completed', () => {
  it('sequential: an unobserved pending write may never have happened', () => {
    const h = load('register', [w(0, 0, null, 1), r(1, 2, 3, null), r(1, 4, 5, null)]);
    expect(checkLevel(h.model, h.history, 'sequential').status).toBe('holds');
  });

  it('sequential: a pending write that was observed took effect, once', () => {
    const ok = load('register', [w(0, 0, null, 1), r(1, 2, 3, null), r(1, 4, 5, 1)]);
    const o = checkLevel(ok.model, ok.history, 'sequential');
    expect(o.status).toBe('holds');
    expect(o.status === 'holds' && o.detail.level === 'sequential' ? verifySequentialOrder(ok.model.spec, ok.history, o.detail.result.order!) : 'x').toBeNull();
    const bad = load('register', [w(0, 0, null, 1), r(1, 2, 3, 1), r(1, 4, 5, null)]);
    expect(checkLevel(bad.model, bad.history, 'sequential').status).toBe('violated');
  });

  it('causal: a pending write can be read from', () => {
    const h = load('register', [w(0, 0, null, 1), r(1, 2, 3, 1)]);
    expect(checkLevel(h.model, h.history, 'causal').status).toBe('holds');
  });
});

describe('the sequential search', () => {
  it('still orders a write of the current value later when it must (it is not read-only)', () => {
    // Only order: p0 write 1, p0 write 2, p1 write 1, p0 read 1 (ids 0, 2, 1, 3).
    const h = load('register', [w(0, 0, 1, 1), w(0, 2, 3, 2), r(0, 4, 5, 1), w(1, 0, 10, 1)]);
    // The search itself, not the linearizability shortcut (the history is linearizable too).
    expect(checkSequential(h.model.spec, h.history, { tryLinearizability: false }).order).toEqual([0, 2, 1, 3]);
    expect(checkSequential(h.model.spec, h.history).order).toEqual([0, 2, 1, 3]);
  });
});

describe('levels a model cannot support', () => {
  it('causal consistency of a cas is unsupported, and --strongest says so', () => {
    const h = load('cas-register', [w(0, 0, 1, 1), { process: 1, call: 2, return: 3, f: 'cas', value: [1, 2], output: true }, r(2, 4, 5, 3)]);
    expect(checkLevel(h.model, h.history, 'causal')).toMatchObject({ status: 'unsupported' });
    const s = checkStrongest(h.model, h.history);
    expect(s.levels.map((l) => l.status)).toEqual(['violated', 'violated', 'unsupported', 'violated']);
    expect(s).toMatchObject({ strongest: null, decided: false });
  });

  it('a cas-register history without cas is a register for causal', () => {
    const h = load('cas-register', [w(0, 0, 1, 1), r(1, 2, 3, 1)]);
    expect(checkLevel(h.model, h.history, 'causal').status).toBe('holds');
  });
});

describe('bounds', () => {
  it('a cut sequential search is unknown, and makes --strongest undecided', () => {
    const h = load('register', [w(0, 0, 1, 1), w(1, 0, 1, 2), r(2, 2, 3, 1), r(2, 4, 5, 2), r(3, 2, 3, 2), r(3, 4, 5, 1)]);
    const o = checkLevel(h.model, h.history, 'sequential', { maxSteps: 2 });
    expect(o).toMatchObject({ status: 'unknown', bound: { kind: 'steps', limit: 2 } });
    const s = checkStrongest(h.model, h.history, { maxSteps: 2 });
    expect(s.levels.map((l) => l.status)).toEqual(['unknown', 'unknown', 'holds']);
    expect(s).toMatchObject({ strongest: 'causal', decided: false });
  });
});
