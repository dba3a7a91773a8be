/**
 * Message-sequence diagrams: the data model (events per step, deliveries paired with their
 * sends, down lanes) and the text rendering, against golden output.
 */
import { describe, expect, it } from 'vitest';
import { makeEcho } from '../../specs/models/echo.ts';
import { makeTwoPhase } from '../../specs/models/twophase.ts';
import { buildDiagram, formatDiagram, renderDiagram, type Diagram } from '../diagram.ts';
import { InputError } from '../../impl/core/machine.ts';
import { explore } from '../exhaustive.ts';
import { traceOf } from './helpers.ts';

const m = makeEcho({ nodes: 3, requests: 2, crashes: 1, drops: 1, duplicates: 1, partitions: 1, maxClock: 1 }, { retry: true });
const trace = traceOf(m, [
  'request n1 ping n2',
  'duplicate n1→n2 Ping(seq=1)',
  'partition {n1} | {n2,n3}',
  'timer n1 retry',
  'heal',
  'deliver n1→n2 Ping(seq=1)',
  'deliver n2→n1 Pong(seq=1)',
  'drop n1→n2 Ping(seq=1)',
  'crash n2',
  'tick n3',
  'request n3 ping n2',
  'restart n2',
  'deliver n3→n2 Ping(seq=1)',
]);

describe('buildDiagram', () => {
  it('lists each step with its events, pairs deliveries with sends, tracks down lanes', () => {
    const d = buildDiagram(m, trace);
    expect(d.lanes).toEqual(['n1', 'n2', 'n3']);
    expect(d.rows.map((r) => r.action)).toEqual(['initial state', ...trace.steps.map((s) => m.formatAction(s.action))]);
    expect(d.rows.map((r) => r.events.map((e) => e.event.kind))).toEqual([
      [],
      ['local', 'send'],
      ['duplicate'],
      ['partition'],
      ['timer', 'send'],
      ['heal'],
      ['deliver', 'send'],
      ['deliver', 'local'],
      ['drop'],
      ['crash'],
      ['tick'],
      ['local', 'send'],
      ['restart'],
      ['deliver', 'send'],
    ]);
    // The earliest copy is paired first: Ping(1) was sent at 1 (and duplicated) and again at 4.
    expect(d.rows[6]!.events[0]!.sentAt).toBe(1);
    expect(d.rows[7]!.events[0]!.sentAt).toBe(6);
    expect(d.rows[8]!.events[0]!.sentAt).toBe(1);
    expect(d.rows[13]!.events[0]!.sentAt).toBe(11);
    expect(d.rows.map((r) => r.down.join(','))).toEqual(['', '', '', '', '', '', '', '', '', 'n2', 'n2', 'n2', '', '']);
    expect(d.rows[3]!.events[0]!.event).toEqual({ kind: 'partition', groups: [['n1'], ['n2', 'n3']] });
  });

  it('needs a machine with nodes() and events()', () => {
    const tp = makeTwoPhase(2);
    expect(() => buildDiagram(tp, { initIndex: 0, init: tp.init()[0]!, steps: [] })).toThrow(InputError);
  });
});

describe('renderDiagram', () => {
  it('draws every kind of event (golden)', () => {
    expect(formatDiagram(m, trace)).toBe(
      [
        'step  n1   n2   n3',
        '   0  │    │    │  initial state',
        '   1  ◆    │    │  n1: request ping n2',
        '      ●────▷    │  send n1→n2 Ping(seq=1)',
        '   2  ○╌╌╌╌»    │  duplicate n1→n2 Ping(seq=1) (sent at 1)',
        '   3  A    B    B  partition {n1} | {n2,n3}',
        '   4  ◷    │    │  timer n1 retry',
        '      ●────▷    │  send n1→n2 Ping(seq=1)',
        '   5  │    │    │  heal',
        '   6  ○╌╌╌╌▶    │  deliver n1→n2 Ping(seq=1) (sent at 1)',
        '      ◁────●    │  send n2→n1 Pong(seq=1)',
        '   7  ◀╌╌╌╌○    │  deliver n2→n1 Pong(seq=1) (sent at 6)',
        '      ◆    │    │  n1: got Pong(1)',
        '   8  ○╌╌╌╌×    │  drop n1→n2 Ping(seq=1) (sent at 1)',
        '   9  │    ✖    │  crash n2',
        '  10  │    ┆    ◔  tick n3 → 1',
        '  11  │    ┆    ◆  n3: request ping n2',
        '      │    ◁────●  send n3→n2 Ping(seq=1)',
        '  12  │    ↻    │  restart n2',
        '  13  │    ◀╌╌╌╌○  deliver n3→n2 Ping(seq=1) (sent at 11)',
        '      │    ●────▷  send n2→n3 Pong(seq=1)',
      ].join('\n'),
    );
  });

  it('draws a counterexample found by the checker (golden)', () => {
    const bug = makeEcho({ nodes: 2, requests: 2, crashes: 1, delivery: 'fifo' }, { bug: 'volatile-seq' });
    const r = explore(bug);
    expect(formatDiagram(bug, r.violation!.trace)).toBe(
      [
        'step  n1   n2',
        '   0  │    │  initial state',
        '   1  ◆    │  n1: request ping n2',
        '      ●────▷  send n1→n2 Ping(seq=1)',
        '   2  ✖    │  crash n1',
        '   3  ↻    │  restart n1',
        '   4  ◆    │  n1: request ping n2',
        '      ●────▷  send n1→n2 Ping(seq=1)',
      ].join('\n'),
    );
  });

  it('renders a hand-built diagram: wide lanes, one-way partitions, steps without events', () => {
    const d: Diagram = {
      lanes: ['alpha', 'b'],
      rows: [
        { step: 0, action: 'initial state', events: [], down: [] },
        { step: 1, action: 'partition', events: [{ event: { kind: 'partition', groups: [['b'], ['alpha']], oneWay: true } }], down: [] },
        { step: 2, action: 'stutter', events: [], down: [] },
        { step: 3, action: 'x', events: [{ event: { kind: 'send', from: 'b', to: 'b', label: 'Self', msgId: 1 } }], down: [] },
      ],
    };
    expect(renderDiagram(d)).toBe(
      [
        'step  alpha   b',
        '   0  │       │  initial state',
        '   1  B       A  partition {b} ↛ {alpha}',
        '   2  │       │  stutter',
        '   3  │       ●  send b→b Self',
      ].join('\n'),
    );
  });
});
