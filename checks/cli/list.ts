/**
 * `dscheck list`: the models, their parameters, known-bug variants and checks.
 */
import { instantiate, type ParamSpec } from '../machine.ts';
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

/** Run `dscheck list`. */
export async function listCommand(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs('list', argv, { json: 'bool' });
  const rows = MODELS.map((model) => {
    const { machine } = instantiate(model);
    return {
      model,
      invariants: (machine.invariants ?? []).map((i) => ({ name: i.name, doc: i.doc ?? '' })),
      properties: (machine.properties ?? []).map((p) => ({ name: p.name, doc: p.doc ?? '' })),
      sometimes: (machine.sometimes ?? []).map((w) => ({ name: w.name, doc: w.doc ?? '' })),
    };
  });
  if (flag(args, 'json')) {
    out(JSON.stringify(rows.map((r) => ({ name: r.model.name, doc: r.model.doc, params: r.model.params, bugs: r.model.bugs, invariants: r.invariants, properties: r.properties, sometimes: r.sometimes }))));
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
    for (const w of r.sometimes) out(`    ${w.name}${w.doc ? `: ${w.doc}` : ''}`);
    const bugs = Object.entries(r.model.bugs);
    if (bugs.length) out('  known-bug variants (--param bug=NAME):');
    for (const [name, b] of bugs) out(`    ${name}: ${b.doc} (breaks ${b.breaks.join(', ')})`);
    out('');
  }
  return 0;
}
