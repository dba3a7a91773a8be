/**
 * `dscheck list`: the models, their parameters, known-bug variants and checks.
 */
import { instantiate, type ParamSpec, type WitnessNeeds } from '../machine.ts';
import { MODELS } from '../registry.ts';
import { flag, parseArgs } from './args.ts';

function describeParam(name: string, p: ParamSpec): string {
  switch (p.kind) {
    case 'int':
      return `${name}=${p.default} (${p.min}..${p.max}): ${p.doc}`;
    case 'bool':
      return `${name}=${p.default} (true|false): ${p.doc}`;
    case 'enum':
      return `${name}=${p.default} (${p.values.join('|')}): ${p.doc}`;
  }
}

/** A witness's needs as text: "crashes ≥ 1, restarts = true". */
function needsText(needs: WitnessNeeds): string {
  return Object.entries(needs)
    .map(([k, v]) => (typeof v === 'number' ? `${k} ≥ ${v}` : `${k} = ${String(v)}`))
    .join(', ');
}

/** Run `dscheck list`. */
export async function listCommand(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs('list', argv, { json: 'bool' });
  const rows = MODELS.map((model) => {
    const { machine } = instantiate(model);
    return {
      model,
      invariants: (machine.invariants ?? []).map((i) => ({ name: i.name, doc: i.doc ?? '' })),
      properties: (machine.properties ?? []).map((p) => ({ name: p.name, doc: p.doc ?? '' })),
      sometimes: (machine.sometimes ?? []).map((w) => ({ name: w.name, doc: w.doc ?? '', ...(w.needs ? { needs: w.needs } : {}) })),
      // Every variant with the configuration `check -p bug=NAME` runs it with ({} = the defaults).
      bugs: Object.fromEntries(Object.entries(model.bugs).map(([name, b]) => [name, { doc: b.doc, breaks: b.breaks, config: b.config ?? {} }])),
    };
  });
  if (flag(args, 'json')) {
    out(JSON.stringify(rows.map((r) => ({ name: r.model.name, doc: r.model.doc, params: r.model.params, bugs: r.bugs, invariants: r.invariants, properties: r.properties, sometimes: r.sometimes }))));
    return 0;
  }
  for (const r of rows) {
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
      const config = Object.entries(b.config);
      out(`      configuration: ${config.length > 0 ? config.map(([k, v]) => `${k}=${String(v)}`).join(', ') : 'the defaults'}`);
    }
    out('');
  }
  return 0;
}
