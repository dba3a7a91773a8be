/**
 * Configurations from the seed: random mode draws each run's configuration within the ranges a
 * model declares, records it in the result, the JSON output and the trace file, and replays it
 * exactly; explicit parameters pin what they name; `--fixed-config` gives the old encoding.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import { bool, defineModel, int, oneOf, resolveParams, type AnyModel, type ParamValue } from '../../impl/core/machine.ts';
import { checkRandom, drawnConfig, replayOptions, type ConfigDraw, type RandomResult } from '../random.ts';
import { checkModelRandom, modelDraw, randomSetup } from './config.ts';
import { CATALOGUE, loadModel } from '../../specs/models/catalogue.ts';

const MODELS = await Promise.all(CATALOGUE.map((e) => loadModel(e.name)));
const findModel = (name: string) => MODELS.find((m) => m.name === name)!;
import { toTraceFile, type TraceFile } from '../../impl/core/trace.ts';
import { randomOrigin } from '../random.ts';
import { tempDir } from './helpers.ts';

let stderr: string[] = [];
beforeEach(() => {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function run(...argv: string[]): Promise<{ code: number; lines: string[]; text: string }> {
  const lines: string[] = [];
  const code = await main(argv, (l) => lines.push(l));
  return { code, lines, text: lines.join('\n') };
}

/** A draw that records every configuration it builds. */
function recording(d: ConfigDraw): { draw: ConfigDraw; built: Record<string, ParamValue>[] } {
  const built: Record<string, ParamValue>[] = [];
  return {
    built,
    draw: {
      ...d,
      build: (p) => {
        built.push({ ...p });
        return d.build(p);
      },
    },
  };
}

/** The trace file of a random result, as the CLI writes it (the failing run's configuration). */
function fileOf(model: AnyModel, r: RandomResult): string {
  const params = resolveParams(model, r.config ?? {});
  return JSON.stringify(toTraceFile(model.build(params), model.name, params, randomOrigin(r), r.violation!.trace, r.violation!));
}

describe('draw ranges in the parameter schema', () => {
  test('every registered model declares ranges, inside its schema, never for bug', () => {
    for (const m of MODELS) {
      expect(m.draw, m.name).toBeDefined();
      for (const [k, values] of Object.entries(m.draw!)) {
        expect(k).not.toBe('bug');
        const spec = m.params[k]!;
        expect(spec, `${m.name}.${k}`).toBeDefined();
        expect(values.length).toBeGreaterThan(0);
        for (const v of values) expect(() => resolveParams(m, { [k]: v }), `${m.name}.${k}=${String(v)}`).not.toThrow();
      }
    }
  });

  test('models with node counts draw even ones too', () => {
    expect(findModel('raft').draw!['nodes']).toEqual([2, 3, 4, 5]);
    expect(findModel('paxos').draw!['acceptors']).toContain(4);
    expect(findModel('abd').draw!['replicas']).toContain(4);
  });

  test('a range outside the schema, on an unknown parameter or on bug is a definition error', () => {
    const def = (draw: Record<string, unknown>) => () =>
      defineModel({
        name: 'x',
        doc: 'x',
        params: { n: int(3, 1, 5, 'n'), b: bool(false, 'b'), e: oneOf(['a', 'b'], 'a', 'e') },
        draw: draw as never,
        build: () => {
          throw new Error('unused');
        },
      });
    expect(def({ n: [0, 3] })).toThrow(/draw range of 'n'/);
    expect(def({ n: [4, 2] })).toThrow(/draw range of 'n'/);
    expect(def({ q: [1, 2] })).toThrow(/draw range of 'q'/);
    expect(def({ e: ['a', 'z'] })).toThrow(/draw range of 'e'/);
    expect(def({ b: [] })).toThrow(/draw range of 'b'/);
    expect(def({ bug: ['none'] })).toThrow(/draw range of 'bug'/);
    expect(def({ n: [2, 4], b: [false, true], e: ['b', 'a'] })().draw).toEqual({ b: [false, true], e: ['b', 'a'], n: [2, 3, 4] });
  });
});

describe('the library: each run draws its configuration', () => {
  const raft = findModel('raft');

  test('ranges respected, pinned parameters never drawn, and the draw varies the shape', () => {
    const pinned = { crashes: 1, maxTerm: 3 };
    const d = modelDraw(raft, pinned)!;
    expect(d.axes.map((a) => a.name)).not.toContain('crashes');
    expect(d.axes.map((a) => a.name)).not.toContain('maxTerm');
    const rec = recording(d);
    const r = checkRandom(raft.build(resolveParams(raft, pinned)), { seed: 3, runs: 300, maxSteps: 60, draw: rec.draw });
    expect(r.status).toBe('bounded');
    const ranges = raft.draw!;
    // One build for the swarm kinds (the largest configuration), then one per distinct
    // configuration (again when an evicted one is drawn again: the cache is bounded).
    const distinct = new Set(rec.built.map((c) => JSON.stringify(c))).size;
    expect(distinct === r.stats.configs || distinct === (r.stats.configs ?? 0) + 1).toBe(true);
    expect(r.stats.configs).toBeGreaterThan(50);
    const defaults = resolveParams(raft, pinned);
    let lane = 0;
    for (const c of rec.built) {
      expect(c['crashes']).toBe(1);
      expect(c['maxTerm']).toBe(3);
      // Each drawn parameter is in its range, except in the default lane (all at their defaults).
      const isLane = d.axes.every((a) => c[a.name] === defaults[a.name]);
      if (isLane) lane++;
      else for (const [k, values] of Object.entries(ranges)) if (!(k in pinned)) expect(values, k).toContain(c[k]);
    }
    expect(lane).toBe(1);
    const nodes = new Set(rec.built.map((c) => c['nodes']));
    expect(nodes).toEqual(new Set([2, 3, 4, 5]));
    expect(new Set(rec.built.map((c) => c['delivery']))).toEqual(new Set(['multiset', 'fifo']));
  });

  test('a violation records the failing run configuration, and seed + path replay it exactly', () => {
    const model = findModel('twophase');
    const r = checkModelRandom(model, { bug: 'commit-unprepared' }, { seed: 5, runs: 5000, maxSteps: 60 });
    expect(r.status).toBe('violation');
    expect(r.draw?.map((a) => a.name)).toEqual(['rms']);
    expect(model.draw!['rms']).toContain(r.config!['rms']);
    expect(r.config!['bug']).toBe('commit-unprepared');
    // The trace belongs to the drawn configuration: its states have that many RMs.
    const rms = r.config!['rms'] as number;
    const again = checkModelRandom(model, { bug: 'commit-unprepared' }, { ...replayOptions(r) });
    expect(again.config).toEqual(r.config);
    expect(again.path).toBe(r.path);
    expect(fileOf(model, again)).toBe(fileOf(model, r));
    const file = JSON.parse(fileOf(model, r)) as TraceFile;
    expect(file.params['rms']).toBe(rms);
    expect((file.origin as { draw?: Record<string, unknown> }).draw).toEqual({ rms: model.draw!['rms'] });
  });

  test('the same seed gives the same configurations and the same result', () => {
    const model = findModel('paxos');
    const a = checkModelRandom(model, { bug: 'minority-quorum' }, { seed: 9, runs: 3000, maxSteps: 80 });
    const b = checkModelRandom(model, { bug: 'minority-quorum' }, { seed: 9, runs: 3000, maxSteps: 80 });
    expect(a.status).toBe('violation');
    expect(b.config).toEqual(a.config);
    expect(fileOf(model, b)).toBe(fileOf(model, a));
  });

  test('fixedConfig is exactly the old fixed-configuration run (same path, same trace)', () => {
    const model = findModel('twophase');
    const fixed = checkModelRandom(model, { bug: 'commit-unprepared' }, { seed: 5, runs: 5000, maxSteps: 60, fixedConfig: true });
    const old = checkRandom(model.build(resolveParams(model, { bug: 'commit-unprepared' })), { seed: 5, runs: 5000, maxSteps: 60 });
    expect(fixed.config).toBeUndefined();
    expect(fixed.draw).toBeUndefined();
    expect(fixed.path).toBe(old.path);
    expect(JSON.stringify(fixed.violation!.trace)).toBe(JSON.stringify(old.violation!.trace));
  });

  test('drawnConfig: base values plus one value per axis', () => {
    const s = randomSetup(findModel('twopc'), { participants: 2 });
    expect(s.draw!.axes.map((a) => a.name)).not.toContain('participants');
    const top = drawnConfig(s.draw!, { config: s.draw!.axes.map((a) => a.values.length - 1) });
    expect(top['participants']).toBe(2);
    expect(top['crashes']).toBe(3);
    const bottom = drawnConfig(s.draw!, { config: s.draw!.axes.map(() => 0) });
    expect(bottom['crashes']).toBe(0);
  });
});

describe('the correct protocols hold under drawn configurations', () => {
  // lww-store is a demonstration that breaks by design; Dynamo is regular but, by design, not
  // linearizable (README): it is checked for regularity.
  const demo = new Set(['lww-store']);
  const only: Readonly<Record<string, readonly string[]>> = { dynamo: ['regular'] };
  test.each(MODELS.filter((m) => !demo.has(m.name)).map((m) => [m.name, m] as const))('%s', (_name, m) => {
    const r = checkModelRandom(m, {}, { seed: 11, runs: 300, maxSteps: 150, ...(only[m.name] ? { checks: only[m.name] } : {}) });
    expect(r.violation ? `${r.violation.name}: ${r.violation.message} (${JSON.stringify(r.config)})` : r.status).toBe('bounded');
    expect(r.stats.configs).toBeGreaterThan(1);
  }, 120_000);
});

describe('dscheck check --mode random draws the configuration by default', () => {
  const BUG = ['--param', 'bug=commit-unprepared'];

  test('text and JSON show the drawn configuration; --seed/--path replays the same trace file, byte for byte', async () => {
    const dir = tempDir();
    const a = await run('check', 'twophase', ...BUG, '--mode', 'random', '--seed', '5', '--steps', '60', '--runs', '5000', '--out', join(dir, 'a.json'));
    expect(a.code).toBe(1);
    expect(a.text).toContain('configuration drawn from the seed for each run: rms 2..6');
    const m = /configuration of the failing run \(drawn from the seed\): rms=(\d+)/.exec(a.text);
    expect(m).not.toBeNull();
    const file = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as TraceFile;
    expect(file.params['rms']).toBe(Number(m![1]));
    const path = (file.origin as { path: string }).path;
    // The printed replay command pins only what the user pinned.
    expect(a.text).toContain(`replay: dscheck check twophase --param bug=commit-unprepared --mode random --seed 5 --path ${path} --steps 60`);
    const c = await run('check', 'twophase', ...BUG, '--mode', 'random', '--seed', '5', '--path', path, '--steps', '60', '--out', join(dir, 'c.json'));
    expect(c.code).toBe(1);
    expect(readFileSync(join(dir, 'c.json'), 'utf8')).toBe(readFileSync(join(dir, 'a.json'), 'utf8'));
    // replay and shrink of the file use the recorded (drawn) configuration.
    const rp = await run('replay', join(dir, 'a.json'), '--json');
    expect(rp.code).toBe(1);
    const rj = JSON.parse(rp.lines[0]!) as { status: string; params: Record<string, unknown> };
    expect(rj.status).toBe('reproduced');
    expect(rj.params['rms']).toBe(Number(m![1]));
    const sh = await run('shrink', join(dir, 'a.json'), '--out', join(dir, 's.json'));
    expect(sh.code).toBe(1);
    expect((JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as TraceFile).params['rms']).toBe(Number(m![1]));

    const j = await run('check', 'twophase', ...BUG, '--mode', 'random', '--seed', '5', '--steps', '60', '--runs', '5000', '--json', '--out', join(dir, 'j.json'));
    const out = JSON.parse(j.lines[0]!) as { params: Record<string, unknown>; config: { drawn: boolean; ranges: Record<string, unknown>; pinned: Record<string, unknown>; run: Record<string, unknown> } };
    expect(out.config.drawn).toBe(true);
    expect(out.config.ranges).toEqual({ rms: [2, 3, 4, 5, 6] });
    expect(out.config.pinned).toEqual({ bug: 'commit-unprepared' });
    expect(out.config.run).toEqual({ rms: Number(m![1]) });
    expect(out.params['rms']).toBe(Number(m![1]));
  });

  test('an explicit -p pins that parameter; --fixed-config draws nothing', async () => {
    const p = await run('check', 'twophase', ...BUG, '--param', 'rms=4', '--mode', 'random', '--seed', '5', '--steps', '60', '--runs', '5000', '--json');
    const pj = JSON.parse(p.lines[0]!) as { params: Record<string, unknown>; config: { drawn: boolean } };
    // rms was the only drawn parameter: pinning it leaves nothing to draw.
    expect(pj.config.drawn).toBe(false);
    expect(pj.params['rms']).toBe(4);
    const r = await run('check', 'raft', '--param', 'nodes=4', '--mode', 'random', '--seed', '2', '--steps', '40', '--runs', '50', '--json');
    expect(r.code).toBe(0);
    const rj = JSON.parse(r.lines[0]!) as { params: Record<string, unknown>; config: { drawn: boolean; ranges: Record<string, unknown>; pinned: Record<string, unknown> } };
    expect(rj.config.drawn).toBe(true);
    expect(Object.keys(rj.config.ranges)).not.toContain('nodes');
    expect(Object.keys(rj.config.ranges)).toContain('crashes');
    expect(rj.config.pinned).toEqual({ nodes: 4 });
    const f = await run('check', 'raft', '--mode', 'random', '--seed', '2', '--steps', '40', '--runs', '50', '--fixed-config', '--json');
    expect((JSON.parse(f.lines[0]!) as { config: { drawn: boolean } }).config.drawn).toBe(false);
    expect((await run('check', 'raft', '--fixed-config')).code).toBe(2);
  });
});
