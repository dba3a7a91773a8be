/**
 * Traces diffed by identity, in one style in the text trace, the JSON trace (`changes`) and the
 * HTML report: messages in flight as a multiset (`+` sent, `−` delivered or dropped, one entry
 * per copy), timers and other lists of names as sets, nodes by name, tables of numbers or
 * records position by position. Golden files: a Raft election with a duplicate and a drop.
 *
 * Rewrite the goldens after an intended change with
 * `TRACE_GOLDEN=update npx vitest run checks/core/trace-diff.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffViews, formatChange, formatTrace, toTraceFile } from '../../impl/core/trace.ts';
import { stepsOf } from '../report/data.ts';
import { makeRaft } from '../../specs/models/raft.ts';
import { traceOf } from '../env/helpers.ts';
import type { AnyMachine } from '../../impl/core/machine.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'goldens');
const UPDATE = process.env['TRACE_GOLDEN'] === 'update';

function golden(file: string, actual: string): void {
  const path = join(DIR, file);
  if (UPDATE) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

const lines = (before: unknown, after: unknown): string[] => diffViews(before, after).map(formatChange);

describe('diffs by identity', () => {
  it('messages in flight: sent +, delivered −, whatever their positions', () => {
    const before = { network: ['n1→n2 RequestVote(t1)', 'n1→n3 RequestVote(t1)'] };
    const after = { network: ['n1→n3 RequestVote(t1)', 'n2→n1 RequestVoteResp(t1, granted)'] };
    // The old style said "network[0]: n1→n2 RequestVote → n1→n3 RequestVote".
    expect(lines(before, after)).toEqual(['network: + "n2→n1 RequestVoteResp(t1, granted)", − "n1→n2 RequestVote(t1)"']);
  });

  it('copies count: a duplicate is one more, a delivery of one copy one less', () => {
    expect(lines({ network: ['a'] }, { network: ['a', 'a'] })).toEqual(['network: + "a"']);
    expect(lines({ network: ['a', 'a', 'b'] }, { network: ['a', 'b'] })).toEqual(['network: − "a"']);
  });

  it('many changes at once stay + and −, never a whole-list before → after', () => {
    expect(lines({ network: ['a', 'b'] }, { network: ['c', 'd', 'e'] })).toEqual(['network: + "c", + "d", + "e", − "a", − "b"']);
  });

  it('timers as a set, nodes by name', () => {
    const before = { nodes: { n1: { timers: ['election'] }, n2: { timers: ['election', 'heartbeat'] } } };
    const after = { nodes: { n1: { timers: ['heartbeat'] }, n2: { timers: ['election', 'heartbeat'] } } };
    expect(lines(before, after)).toEqual(['nodes.n1.timers: + "heartbeat", − "election"']);
  });

  it('tables of numbers or records of the same length stay positional', () => {
    expect(lines({ clock: [1, 0, 2] }, { clock: [1, 1, 2] })).toEqual(['clock[1]: 0 → 1']);
    expect(lines({ slots: [{ b: 1 }, { b: 2 }] }, { slots: [{ b: 1 }, { b: 3 }] })).toEqual(['slots[1].b: 2 → 3']);
  });

  it('the same names in another order (a reordered FIFO link) show both lists', () => {
    expect(lines({ network: ['a', 'b'] }, { network: ['b', 'a'] })).toEqual(['network: ["a","b"] → ["b","a"]']);
  });
});

describe('a Raft election, golden', () => {
  const m = makeRaft({ nodes: 3, maxTerm: 2, requests: 1, duplicates: 1, drops: 1 });
  const trace = traceOf(m, [
    'timer n1 election',
    'duplicate n1→n2 RequestVote(t1, last=0/t0)',
    'deliver n1→n2 RequestVote(t1, last=0/t0)',
    'drop n1→n3 RequestVote(t1, last=0/t0)',
    'deliver n2→n1 RequestVoteResp(t1, granted)',
    'deliver n1→n2 RequestVote(t1, last=0/t0)',
    'request n1 put v1',
    'deliver n1→n3 AppendEntries(t1, prev=0/t0, [], commit=0)',
  ]);

  it('text trace', () => {
    const text = formatTrace(m, trace);
    expect(text).not.toMatch(/network\[\d+\]/);
    golden('raft-election.trace.txt', `${text}\n`);
  });

  it('JSON trace changes', () => {
    const file = toTraceFile(m as unknown as AnyMachine, 'raft', {}, { runner: 'bfs' }, trace as never, null);
    golden('raft-election.changes.json', `${JSON.stringify(file.steps.map((s) => ({ label: s.label, changes: s.changes.map(({ path, added, removed, before, after }) => (added || removed ? { path, ...(added?.length ? { added } : {}), ...(removed?.length ? { removed } : {}) } : { path, before, after })) })), null, 2)}\n`);
  });

  it('one style: the HTML report, the JSON changes and the text trace say the same', () => {
    const text = formatTrace(m, trace);
    const file = toTraceFile(m as unknown as AnyMachine, 'raft', {}, { runner: 'bfs' }, trace as never, null);
    const report = stepsOf(m, trace);
    file.steps.forEach((st, i) => {
      const fromFile = st.changes.map(formatChange);
      expect(report[i + 1]!.changes).toEqual(fromFile);
      for (const c of fromFile) expect(text).toContain(`       ${c}`);
    });
  });
});
