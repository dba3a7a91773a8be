/**
 * `S.viewAs`: a value viewed as another schema's value (its view, labels and node names), while
 * the encoding, decoding, renaming, signature and validation stay the viewed schema's. And the
 * views derived with it: TwoPhase's `msgs` as TwoPhase.tla's set of message records, and
 * Consensus's one-slot `chosen` as one set.
 */
import { describe, expect, it } from 'vitest';
import { WordBuffer } from '../../impl/core/encode.ts';
import { nodesIn } from '../../impl/env/nodeset.ts';
import { compile, S } from '../../impl/env/schema.ts';
import { twoPhaseMachine } from '../../impl/twophase/twophase.ts';
import { makeConsensus, type ConsensusState } from '../../specs/consensus.ts';
import { makeTCommit } from '../../specs/tcommit.ts';

const Packed = S.record({ prepared: S.nodeSet(), commit: S.bool() });
const Message = S.union('type', { Prepared: { rm: S.node() }, Commit: {} });
const Msgs = S.viewAs(Packed, S.list(Message), (m) => [...nodesIn(m.prepared).map((rm) => ({ type: 'Prepared' as const, rm })), ...(m.commit ? [{ type: 'Commit' as const }] : [])]);

const words = (encode: (v: never, o: WordBuffer) => void, v: unknown): number[] => {
  const b = new WordBuffer();
  (encode as (v: unknown, o: WordBuffer) => void)(v, b);
  return Array.from(b.raw.slice(0, b.len));
};

describe('S.viewAs', () => {
  const names = (id: number) => `r${id}`;

  it('views the value as the mapped value of the other schema, with its node names', () => {
    const c = compile(S.record({ msgs: Msgs, round: S.int(0, 3) }), { n: 3, name: names });
    expect(c.view({ msgs: { prepared: 0b101, commit: true }, round: 2 })).toEqual({ msgs: [{ type: 'Prepared', rm: 'r1' }, { type: 'Prepared', rm: 'r3' }, { type: 'Commit' }], round: 2 });
    expect(c.view({ msgs: { prepared: 0, commit: false }, round: 0 })).toEqual({ msgs: [], round: 0 });
  });

  it('changes only the view: encoding, decoding, signature and validation are the viewed schema', () => {
    const plain = compile(Packed, { n: 3 });
    const viewed = compile(Msgs, { n: 3 });
    for (const v of [{ prepared: 0, commit: false }, { prepared: 0b110, commit: true }, { prepared: 0b001, commit: false }]) {
      const w = words(viewed.encode, v);
      expect(w.length).toBeGreaterThan(0);
      expect(w).toEqual(words(plain.encode, v));
      expect(viewed.decode(Int32Array.from(w), { pos: 0 })).toEqual(v);
      expect(viewed.signature(v)).toBe(plain.signature(v));
    }
    expect(viewed.validate({ prepared: 0b1000, commit: false })).not.toBeNull();
    expect(viewed.validate({ prepared: 0b1000, commit: false })?.message).toBe(plain.validate({ prepared: 0b1000, commit: false })?.message);
  });

  it('a renamed value views with the renamed names', () => {
    const c = compile(Msgs, { n: 3 });
    // n1 → n2, n2 → n3, n3 → n1.
    const perm = [0, 2, 3, 1];
    const r = c.rename({ prepared: 0b001, commit: false }, (id) => perm[id]!);
    expect(c.view(r)).toEqual([{ type: 'Prepared', rm: 'n2' }]);
  });

  it('labels of the other schema show in the view, and a label on the viewAs schema itself wins', () => {
    const Labelled = S.viewAs(Packed, S.list(S.labelled(Message, (m, at) => (m.type === 'Prepared' ? `Prepared(${at.name(m.rm)})` : undefined))), (m) =>
      nodesIn(m.prepared).map((rm) => ({ type: 'Prepared' as const, rm })),
    );
    expect(compile(Labelled, { n: 2 }).view({ prepared: 0b11, commit: true })).toEqual(['Prepared(n1)', 'Prepared(n2)']);
    const Short = S.labelled(Labelled, (m) => (m.commit ? 'committed' : undefined));
    const c = compile(Short, { n: 2 });
    expect(c.view({ prepared: 0b01, commit: true })).toBe('committed');
    expect(c.view({ prepared: 0b01, commit: false })).toEqual(['Prepared(n1)']);
  });
});

describe('views derived with S.viewAs', () => {
  it("TwoPhase shows msgs as TwoPhase.tla's set of message records, RMs by name", () => {
    const m = twoPhaseMachine(3);
    const s = { rmState: ['prepared', 'working', 'prepared'] as const, tmState: 'committed' as const, tmPrepared: 0b101, msgs: { prepared: 0b101, commit: true, abort: false } };
    expect(m.view!({ ...s, rmState: [...s.rmState] })).toEqual({
      rmState: { r1: 'prepared', r2: 'working', r3: 'prepared' },
      tmState: 'committed',
      tmPrepared: ['r1', 'r3'],
      msgs: [{ type: 'Prepared', rm: 'r1' }, { type: 'Prepared', rm: 'r3' }, { type: 'Commit' }],
    });
    expect((m.view!(m.init()[0]!) as { msgs: unknown }).msgs).toEqual([]);
  });

  it('TCommit views rmState by RM name', () => {
    expect(makeTCommit(2).view!({ rmState: ['working', 'aborted'] })).toEqual({ rmState: { r1: 'working', r2: 'aborted' } });
  });

  it('Consensus shows one slot as one set, several slots as a list of sets; values by name, 0 as nil', () => {
    expect(makeConsensus([1, 2]).view!({ chosen: [[1]] })).toEqual({ chosen: ['v1'] });
    expect(makeConsensus([1, 2]).view!({ chosen: [[]] })).toEqual({ chosen: [] });
    expect(makeConsensus([1, 2], 2).view!({ chosen: [[1, 2], []] })).toEqual({ chosen: [['v1', 'v2'], []] });
    expect(makeConsensus([1, 2]).view!({ chosen: [[0]] })).toEqual({ chosen: ['nil'] });
  });

  it('Consensus encodes the states a refinement mapping can produce (nil, two values, any order) apart', () => {
    const m = makeConsensus([1, 2], 2);
    const states: ConsensusState[] = [{ chosen: [[], []] }, { chosen: [[1], []] }, { chosen: [[], [1]] }, { chosen: [[0], []] }, { chosen: [[1, 2], []] }, { chosen: [[2, 1], []] }, { chosen: [[2], [1]] }];
    const keys = states.map((s) => words(m.encode! as (v: never, o: WordBuffer) => void, s).join(','));
    expect(new Set(keys).size).toBe(states.length);
  });
});
