/**
 * Symmetry is sound or off: a run reduces by node permutations only when every selected check
 * (and every witness) is declared symmetric, and the declarations of the registered models are
 * tested on sampled states and renamings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { explore } from '../exhaustive.ts';
import { defineModel, instantiate, type AnyModel, type Invariant } from '../../impl/core/machine.ts';
import { CATALOGUE, loadModel } from '../../specs/models/catalogue.ts';
import { EXTRA_MODELS } from '../cli/testing.ts';

const MODELS = await Promise.all(CATALOGUE.map((e) => loadModel(e.name)));
import { sampleSymmetry, symmetryPlan, type RenamingMachine } from '../symmetric.ts';
import { runCli } from '../cli/testing.ts';
import { makeRaft } from '../../specs/models/raft.ts';
import type { RaftState } from '../../impl/raft/raft.ts';

/** The example: an invariant that names a node. */
const n3NeverLeads: Invariant<RaftState> = {
  name: 'n3-never-leads',
  doc: 'n3 never becomes leader (names a node: not symmetric)',
  check: (s) => {
    const n3 = s.nodes[2]!;
    return !(n3.up && n3.volatile?.role === 'leader') || 'n3 leads';
  },
};
const raftWith = (inv: Invariant<RaftState>) => {
  const m = makeRaft({ symmetry: true });
  return { ...m, invariants: [...(m.invariants ?? []), inv] };
};

describe('a check that names a node switches symmetry off', () => {
  it('gets the shortest trace, the one --no-symmetry gives, with a notice', () => {
    const m = raftWith(n3NeverLeads);
    const r = explore(m, { checks: ['n3-never-leads'] });
    const plain = explore(m, { checks: ['n3-never-leads'], symmetry: false });
    expect(r.status).toBe('violation');
    expect(r.stats.symmetry).toBe(false);
    expect(r.stats.symmetryNotice).toMatch(/^symmetry off for this run: n3-never-leads is not declared symmetric/);
    expect(r.violation?.trace.steps.length).toBe(plain.violation?.trace.steps.length);
    expect(r.violation?.trace.steps.length).toBe(3);
  });

  it('declaring it symmetric (wrongly) brings back the long trace: the declaration is what decides', () => {
    const m = raftWith({ ...n3NeverLeads, symmetric: true });
    const r = explore(m, { checks: ['n3-never-leads'] });
    expect(r.stats.symmetry).toBe(true);
    expect(r.stats.symmetryNotice).toBeUndefined();
    expect(r.status).toBe('violation');
    expect(r.violation!.trace.steps.length).toBeGreaterThan(3);
  });

  it('a witness that is not declared symmetric also switches it off; --no-symmetry gives no notice', () => {
    const m = makeRaft({ symmetry: true });
    const withWitness = { ...m, sometimes: [...(m.sometimes ?? []), { name: 'n1-votes', check: (s: RaftState) => s.nodes[0]!.durable.votedFor !== null }] };
    const plan = symmetryPlan(withWitness, ['election-safety']);
    expect(plan).toMatchObject({ on: false, asymmetric: ['n1-votes'] });
    expect(symmetryPlan(withWitness, ['election-safety'], false)).toEqual({ on: false, asymmetric: [] });
  });
});

/** Every registered model whose machine has symmetry, built with it on and small parameters. */
function symmetricModels(): { name: string; machine: RenamingMachine<unknown, unknown> }[] {
  const small: Readonly<Record<string, Readonly<Record<string, number | boolean>>>> = {
    paxoscommit: { rms: 2 },
  };
  const out: { name: string; machine: RenamingMachine<unknown, unknown> }[] = [];
  for (const model of MODELS) {
    if (!('symmetry' in model.params)) continue;
    let machine;
    try {
      machine = instantiate(model, { ...small[model.name], symmetry: true }).machine;
    } catch {
      continue; // the protocol declares no symmetry (threepc)
    }
    if (machine.symmetry === undefined || !('rename' in machine)) continue;
    out.push({ name: model.name, machine: machine as RenamingMachine<unknown, unknown> });
  }
  return out;
}

describe('the declarations of the registered models', () => {
  const models = symmetricModels();

  it('cover the models that have symmetry', () => {
    expect(models.map((m) => m.name).sort()).toEqual(['abd', 'dynamo', 'echo', 'leader-lease', 'multipaxos', 'paxos', 'paxoscommit', 'raft', 'twopc', 'twophase']);
  });

  for (const { name, machine } of models) {
    it(`${name}: every check is declared symmetric, so its default runs keep symmetry`, () => {
      expect(symmetryPlan(machine, undefined).asymmetric).toEqual([]);
    });
    it(`${name}: the declared-symmetric checks agree on sampled states and renamings`, () => {
      expect(sampleSymmetry(machine, { states: 600, seed: 7 })).toEqual([]);
    });
  }

  it('every check of every one-parameter variant (bugs, crashes, sloppy quorums, …) is declared symmetric too', () => {
    const undeclared: string[] = [];
    for (const model of MODELS) {
      if (!('symmetry' in model.params)) continue;
      const variants: Record<string, number | boolean | string>[] = [{}];
      for (const [k, spec] of Object.entries(model.params)) {
        if (k === 'symmetry') continue;
        if (spec.kind === 'enum') for (const v of spec.values) variants.push({ [k]: v });
        if (spec.kind === 'bool') variants.push({ [k]: !spec.default });
        if (spec.kind === 'int' && spec.max > spec.default) variants.push({ [k]: spec.default + 1 });
      }
      for (const v of variants) {
        let machine;
        try {
          machine = instantiate(model, { ...v, symmetry: true }).machine;
        } catch {
          continue; // a combination the model refuses
        }
        for (const name of symmetryPlan(machine, undefined).asymmetric) undeclared.push(`${model.name} ${JSON.stringify(v)}: ${name}`);
      }
    }
    expect(undeclared).toEqual([]);
  });

  it('dynamo with sloppy quorums and a crash: the declarations hold on samples', () => {
    const m = instantiate(MODELS.find((x) => x.name === 'dynamo')!, { sloppy: true, crashes: 1, symmetry: true }).machine as RenamingMachine<unknown, unknown>;
    expect(symmetryPlan(m, undefined).on).toBe(true);
    expect(sampleSymmetry(m, { states: 600, seed: 3 })).toEqual([]);
  });

  it('the sampler catches a check that names a node', () => {
    const m = raftWith({ ...n3NeverLeads, symmetric: true }) as RenamingMachine<RaftState, unknown>;
    const breaks = sampleSymmetry(m, { states: 600, seed: 7 });
    expect(breaks.map((b) => b.check)).toEqual(['n3-never-leads']);
  });
});

describe('dscheck check prints the notice', () => {
  const model: AnyModel = defineModel({
    name: 'test-raft-n3',
    doc: 'raft with an invariant that names n3 (test only)',
    params: {},
    build: () => raftWith(n3NeverLeads),
  });
  const models = EXTRA_MODELS;
  afterEach(() => {
    const i = models.indexOf(model);
    if (i >= 0) models.splice(i, 1);
  });

  it('in text and in JSON', async () => {
    models.push(model);
    const text = await runCli('check', 'test-raft-n3', '-i', 'n3-never-leads');
    expect(text.code).toBe(1);
    const notices = text.lines.filter((l) => l.includes('symmetry off for this run'));
    expect(notices).toHaveLength(1);
    expect(text.out).toContain('violation of n3-never-leads after 3 steps');
    const json = await runCli('check', 'test-raft-n3', '-i', 'n3-never-leads', '--json');
    const o = JSON.parse(json.out) as { notices: string[]; stats: { symmetry: boolean }; violation: { steps: number } };
    expect(o.notices).toEqual([expect.stringMatching(/^symmetry off for this run: n3-never-leads/)]);
    expect(o.stats.symmetry).toBe(false);
    expect(o.violation.steps).toBe(3);
  });
});
