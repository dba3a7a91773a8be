/**
 * `dscheck list`: the models, their parameters, known-bug variants and checks.
 */
import { match } from 'ts-pattern';
import { InputError, instantiate, type AnyModel, type ParamSpec, type WitnessNeeds } from '../../impl/core/machine.ts';
import { flag, parseArgs } from './args.ts';
import { oneLineError, type ModelSource } from './models.ts';
import { configText } from './variant.ts';

function describeParam(name: string, p: ParamSpec): string {
  return match(p)
    .with({ kind: 'int' }, (x) => `${name}=${x.default} (${x.min}..${x.max}): ${x.doc}`)
    .with({ kind: 'bool' }, (x) => `${name}=${x.default} (true|false): ${x.doc}`)
    .with({ kind: 'enum' }, (x) => `${name}=${x.default} (${x.values.join('|')}): ${x.doc}`)
    .exhaustive();
}

/** A witness's needs as text: "crashes ≥ 1, restarts = true". */
function needsText(needs: WitnessNeeds): string {
  return Object.entries(needs)
    .map(([k, v]) => (typeof v === 'number' ? `${k} ≥ ${v}` : `${k} = ${String(v)}`))
    .join(', ');
}

/** A model's checks and variants, or the one-line reason it could not be built with its defaults. */
function describeModel(model: AnyModel) {
  try {
    const { machine } = instantiate(model);
    return {
      model,
      invariants: (machine.invariants ?? []).map((i) => ({ name: i.name, doc: i.doc ?? '' })),
      properties: (machine.properties ?? []).map((p) => ({ name: p.name, doc: p.doc ?? '' })),
      sometimes: (machine.sometimes ?? []).map((w) => ({ name: w.name, doc: w.doc ?? '', ...(w.needs ? { needs: w.needs } : {}) })),
      // Every variant with the configuration `check -p bug=NAME` runs it with ({} = the defaults).
      bugs: Object.fromEntries(Object.entries(model.bugs).map(([name, b]) => [name, { doc: b.doc, breaks: b.breaks, config: b.config ?? {}, ...(b.random ? { random: b.random } : {}) }])),
    };
  } catch (e) {
    return { name: model.name, error: `building it with its defaults failed: ${oneLineError(e)}` };
  }
}

/**
 * Run `dscheck list [<model> | <module.ts>] [--json]`: every registered model (each loaded in
 * isolation: a broken one is listed with its one-line error), or the models a module exports.
 */
export async function listCommand(argv: readonly string[], out: (line: string) => void, models: ModelSource): Promise<number> {
  const args = parseArgs('list', argv, { json: 'bool' });
  const [ref, ...extra] = args.positionals;
  if (extra.length > 0) throw new InputError(`unexpected argument '${extra[0]}'; usage: dscheck list [<model> | <module.ts>] [--json]`);
  const outcomes = await models.list(ref);
  if (ref !== undefined && outcomes.length === 1 && !outcomes[0]!.ok) throw new InputError(outcomes[0]!.error);
  const described = outcomes.map((o) => (o.ok ? describeModel(o.model) : { name: o.name, error: o.error }));
  if (flag(args, 'json')) {
    out(
      JSON.stringify(
        described.map((r) =>
          'error' in r
            ? { name: r.name, error: r.error }
            : { name: r.model.name, doc: r.model.doc, params: r.model.params, bugs: r.bugs, invariants: r.invariants, properties: r.properties, sometimes: r.sometimes },
        ),
      ),
    );
    return 0;
  }
  for (const r of described) {
    if ('error' in r) {
      out(`${r.name}: ✗ cannot be used: ${r.error}`);
      out('');
      continue;
    }
    out(`${r.model.name}: ${r.model.doc}`);
    out('  parameters:');
    for (const [k, p] of Object.entries(r.model.params)) if (k !== 'bug') out(`    ${describeParam(k, p)}`);
    if (r.invariants.length) out('  invariants:');
    for (const i of r.invariants) out(`    ${i.name}${i.doc ? `: ${i.doc}` : ''}`);
    if (r.properties.length) out('  transition properties:');
    for (const p of r.properties) out(`    ${p.name}${p.doc ? `: ${p.doc}` : ''}`);
    if (r.sometimes.length) out('  sometimes:');
    for (const w of r.sometimes) out(`    ${w.name}${w.doc ? `: ${w.doc}` : ''}${w.needs ? ` (needs ${needsText(w.needs)})` : ''}`);
    const bugs = Object.entries(r.bugs);
    if (bugs.length) out('  known-bug variants (--param bug=NAME runs with the configuration shown; --param values override it):');
    for (const [name, b] of bugs) {
      out(`    ${name}: ${b.doc} (breaks ${b.breaks.join(', ')})`);
      out(`      configuration: ${configText(b.config)}`);
      if (b.random) {
        const bounds = [...(b.random.steps !== undefined ? [`--steps ${b.random.steps}`] : []), ...(b.random.runs !== undefined ? [`--runs ${b.random.runs}`] : [])];
        out(`      random mode: ${configText(b.random.config ?? b.config)}${bounds.length > 0 ? `, ${bounds.join(' ')}` : ''}`);
      }
    }
    out('');
  }
  return 0;
}
