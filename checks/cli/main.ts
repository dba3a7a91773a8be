/**
 * The dscheck command line. Exit codes: 0 holds (or no violation within bounds), 1 violation,
 * 2 usage or input error (one line on stderr, no stack trace), 3 unknown (history checks cut by
 * their bound), 130 interrupted.
 */
import { InputError } from '../machine.ts';
import { checkCommand } from './check.ts';
import { listCommand } from './list.ts';
import { historyCommand } from './history.ts';
import { replayCommand } from './replay.ts';
import { shrinkCommand } from './shrink.ts';
import { reportCommand } from './report.ts';

type Command = (argv: readonly string[], out: (line: string) => void) => Promise<number>;

const COMMANDS: Readonly<Record<string, { readonly run: Command; readonly usage: string }>> = {
  list: { run: listCommand, usage: 'list [--json]                         the models, their parameters, bugs and checks' },
  check: {
    run: checkCommand,
    usage: 'check <model> [--param k=v …] [--invariant name …] [--mode bfs|dfs|random] [--max-depth N] [--max-states N] [--time-limit S] [--exact] [--no-symmetry] [--deadlock] [--runs N] [--steps M] [--seed S] [--path P] [--no-swarm] [--fixed-config] [--out file] [--report] [--report-out file] [--out-itf file] [--coverage] [--json]',
  },
  replay: { run: replayCommand, usage: 'replay <trace.json> [--json]             re-run a trace file: exit 1 if it still fails, 0 if not' },
  history: {
    run: historyCommand,
    usage: 'history <file> [--model register|cas-register|kv|multi-register] [--format edn|etcd|kv|json] [--time-limit S] [--json]   linearizability of a recorded history: exit 0 yes, 1 no, 3 unknown',
  },
  shrink: { run: shrinkCommand, usage: 'shrink <trace.json> [--out file] [--time-limit S] [--json]   write a 1-minimal trace (<input>.min.json)' },
  report: {
    run: reportCommand,
    usage: 'report <trace.json> [--out file.html] [--out-itf file.itf.json] [--json] | report --index [--dir D]   a self-contained HTML report (and ITF trace) of a trace file; the index of a reports folder',
  },
};

/** Usage text. */
export function usage(): string {
  return ['usage: dscheck <command> …', ...Object.values(COMMANDS).map((c) => `  dscheck ${c.usage}`)].join('\n');
}

/** Run the CLI with `argv` (without node and script). Returns the exit code. */
export async function main(argv: readonly string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(usage());
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name];
  try {
    if (!cmd) throw new InputError(`unknown command '${name}'; valid: ${Object.keys(COMMANDS).join(', ')}`);
    return await cmd.run(rest, out);
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`dscheck: ${e.message}\n`);
      return 2;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(`dscheck: internal error: ${err.message}\n`);
    if (process.env['DSCHECK_DEBUG']) process.stderr.write(`${err.stack ?? ''}\n`);
    return 70;
  }
}
