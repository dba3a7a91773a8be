/**
 * Every model of the catalogue offers exactly the environment parameters its protocol's
 * declaration makes meaningful (issue 13, item 2): timers → `timeouts`, clocks → `maxClock` and
 * `maxSkew`, a failure detector → `detector` and `falseSuspicions`, requests → `requests`, a
 * symmetry declaration → `symmetry`, crashable roles → the crash parameters, no roles → `nodes`.
 * A parameter that does not apply is not listed, so the CLI rejects it (exit 2, one line).
 *
 * The declaration is read from the protocols the model actually builds: with the defaults, and
 * with each value of each enumerated model parameter, and with each known-bug variant's
 * configuration (a model whose modes run different protocols, such as `store`'s, offers the union).
 */
import { describe, expect, it } from 'vitest';
import { InputError, resolveParams, type AnyModel } from '../../impl/core/machine.ts';
import { allEnvParams, applicableEnvParams } from '../../impl/env/params.ts';
import type { Protocol, ProtocolTypes } from '../../impl/env/types.ts';
import { CATALOGUE } from '../../specs/models/catalogue.ts';
import { runCli } from '../cli/testing.ts';

const ENV_KEYS = new Set(Object.keys(allEnvParams()));

/**
 * Parameters that apply to a model's protocol but that the model deliberately does not offer,
 * with the reason. Exact: an entry that is no longer missing fails the test too.
 */
const NOT_OFFERED: Readonly<Record<string, readonly string[]>> = {
  // The clock models study reordering, drops and duplicates of timestamped messages; their
  // request budget is offered as `events` (processes) or `writes` (stores).
  lamport: ['crashes', 'maxDown', 'restarts', 'initiallyDown', 'partitions', 'partitionGroups', 'oneWay', 'requests'],
  'vector-clock': ['crashes', 'maxDown', 'restarts', 'initiallyDown', 'partitions', 'partitionGroups', 'oneWay', 'requests'],
  hlc: ['crashes', 'maxDown', 'restarts', 'initiallyDown', 'partitions', 'partitionGroups', 'oneWay', 'requests'],
  'lww-store': ['crashes', 'maxDown', 'restarts', 'initiallyDown', 'partitions', 'partitionGroups', 'oneWay', 'requests'],
  'vc-store': ['crashes', 'maxDown', 'restarts', 'initiallyDown', 'partitions', 'partitionGroups', 'oneWay', 'requests'],
  // The store studies partitions only; its client operations are `ops`.
  store: ['crashes', 'maxDown', 'restarts', 'initiallyDown', 'drops', 'duplicates', 'partitionGroups', 'oneWay', 'requests'],
  // One saga: the request budget is fixed at 1.
  saga: ['requests'],
};

interface Declared {
  readonly protocols: number;
  /** Union of the applicable parameters of every protocol built. */
  readonly applicable: ReadonlySet<string>;
  readonly roles: boolean;
}

/** The environment parameters that apply to the protocols `model` builds (defaults, and each variant's configuration). */
function declared(model: AnyModel): Declared {
  const applicable = new Set<string>();
  let protocols = 0;
  let roles = false;
  // The defaults; each value of each enumerated model parameter (a mode may pick another
  // protocol); each known-bug variant with its configuration.
  const modes = Object.entries(model.params).flatMap(([k, spec]) => (spec.kind === 'enum' && !ENV_KEYS.has(k) ? spec.values.map((v) => ({ [k]: v })) : []));
  const variants = Object.entries(model.bugs ?? {}).map(([bug, spec]) => ({ ...((spec as { config?: object }).config ?? {}), bug }));
  const configs: Record<string, unknown>[] = [{}, ...modes, ...variants];
  for (const given of configs) {
    let built: unknown;
    try {
      built = model.build(resolveParams(model, given as never));
    } catch (e) {
      if (e instanceof InputError) continue; // a variant that needs other parameters than the defaults
      throw e;
    }
    const protocol = (built as { protocol?: Protocol<ProtocolTypes> }).protocol;
    if (protocol === undefined) continue;
    protocols++;
    if ((protocol as { roles?: unknown }).roles !== undefined) roles = true;
    for (const k of applicableEnvParams(protocol)) applicable.add(k);
  }
  return { protocols, applicable, roles };
}

describe('environment parameters derived from the declaration', () => {
  it('every environment model of the catalogue lists exactly the parameters its protocol declares', async () => {
    let envModels = 0;
    const problems: string[] = [];
    for (const entry of CATALOGUE) {
      const model = await entry.load();
      const d = declared(model);
      if (d.protocols === 0) {
        expect(NOT_OFFERED[model.name], `${model.name} is not an environment model`).toBeUndefined();
        continue;
      }
      envModels++;
      // A role-based protocol's node count follows from its roles; such a model may still name
      // its own size parameter `nodes` (raft's servers, the election's nodes).
      const listed = Object.keys(model.params).filter((k) => ENV_KEYS.has(k) && !(k === 'nodes' && d.roles));
      const extra = listed.filter((k) => !d.applicable.has(k));
      const missing = [...d.applicable].filter((k) => !listed.includes(k));
      if (extra.length > 0) problems.push(`${model.name} lists ${extra.join(', ')}, which its protocol does not declare`);
      const notOffered = NOT_OFFERED[model.name] ?? [];
      if (missing.sort().join() !== [...notOffered].sort().join()) problems.push(`${model.name} does not list ${missing.join(', ') || 'nothing'}; expected not offered: ${notOffered.join(', ') || 'nothing'}`);
    }
    expect(problems).toEqual([]);
    expect(envModels).toBeGreaterThanOrEqual(25);
  }, 120_000);

  it('the test can fail: a model listing a clock parameter its protocol lacks is reported', async () => {
    const paxos = await CATALOGUE.find((e) => e.name === 'paxos')!.load();
    const d = declared(paxos);
    expect(d.protocols).toBeGreaterThan(0);
    expect(d.applicable.has('maxSkew')).toBe(false);
    expect(d.applicable.has('timeouts')).toBe(false);
    const hlc = declared(await CATALOGUE.find((e) => e.name === 'hlc')!.load());
    expect(hlc.applicable.has('maxSkew')).toBe(true);
  });

  it.each([
    ['lamport', 'maxSkew=1'],
    ['raft', 'maxSkew=1'],
    ['paxos', 'timeouts=1'],
  ])("the CLI rejects a parameter that does not apply: 'dscheck check %s -p %s' → one line, exit 2", async (model, param) => {
    const r = await runCli('check', model, '-p', param);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(new RegExp(`unknown parameter '${param.split('=')[0]}'`));
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("a clock model accepts its clock parameters: 'dscheck check hlc -p maxSkew=0' runs", async () => {
    const r = await runCli('check', 'hlc', '-p', 'maxSkew=0', '-p', 'events=1', '-p', 'nodes=2');
    expect(r.code).toBe(0);
  });
});
