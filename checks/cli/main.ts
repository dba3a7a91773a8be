/**
 * The dscheck command line. Every command takes `--help` (`-h`); `dscheck help <command>` is the
 * same. Exit codes ({@link EXIT_CODES}): 0 holds (or no violation within bounds), 1 violation,
 * 2 usage or input error, or an error in the model's own code (one line on stderr, no stack
 * trace), 3 unknown (history checks cut by their bound), 70 internal error of dscheck, 130
 * interrupted.
 */
import { InputError } from '../../impl/core/machine.ts';
import { fileURLToPath } from 'node:url';
import { userCodeLocation } from '../../impl/core/culprit.ts';
import { HelpRequested } from './args.ts';
import { checkCommand } from './check.ts';
import { listCommand } from './list.ts';
import { historyCommand } from './history.ts';
import { replayCommand } from './replay.ts';
import { shrinkCommand } from './shrink.ts';
import { reportCommand } from './report.ts';
import { ModelSource, type Catalogue } from './models.ts';
import { CATALOGUE } from '../../specs/models/catalogue.ts';
import { mergeCommand } from './merge.ts';

type Command = (argv: readonly string[], out: (line: string) => void, models: ModelSource) => Promise<number>;

/** Every exit code the CLI returns, with its meaning (the help texts and the README list them). */
export const EXIT_CODES: readonly (readonly [number, string])[] = [
  [0, 'holds, or no violation within the bounds (nothing claimed beyond them); replay: the trace no longer fails; history: linearizable'],
  [1, 'violation: a check broke, with a counterexample trace; history: not linearizable'],
  [2, 'usage or input error (one line on stderr, before any search), or an error in the model\'s own code (an exception in an invariant, property, witness, actions, step or handler: named, with file:line and the trace that led there)'],
  [3, 'unknown: a history check was cut by its bound'],
  [70, 'internal error of dscheck itself (set DSCHECK_DEBUG=1 for the stack trace)'],
  [130, 'interrupted (Ctrl-C): what was explored is reported, nothing is claimed beyond it'],
];

/** The exit codes block of a help text; `codes` selects the ones a command can return. */
function exitCodes(codes: readonly number[]): string[] {
  return ['exit codes:', ...EXIT_CODES.filter(([c]) => codes.includes(c)).map(([c, what]) => `  ${String(c).padStart(3)}  ${what}`)];
}

/** One option line: `  --flag VALUE   what it does`. */
function opt(flag: string, what: string): string {
  return `  ${flag.padEnd(28)} ${what}`;
}

const HELP_OPT = opt('-h, --help', 'print this help and exit 0');

/** A command: how to run it, its one-line usage (for `dscheck --help`) and its full help. */
interface CommandEntry {
  readonly run: Command;
  readonly usage: string;
  readonly help: readonly string[];
}

const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  list: {
    run: listCommand,
    usage: 'list [<model> | <module.ts>] [--json]   the models (registered, or exported by your module), their parameters, bugs and checks',
    help: [
      'usage: dscheck list [<model> | <module.ts>] [--json]',
      'Every registered model (or the models a TypeScript module exports) with its parameters (defaults and ranges), invariants, transition properties, sometimes witnesses and known-bug variants. A model that fails to load is listed with a one-line error.',
      'options:',
      opt('--json', 'one machine-readable object'),
      HELP_OPT,
      ...exitCodes([0, 2, 70]),
    ],
  },
  check: {
    run: checkCommand,
    usage: 'check <model | ./module.ts[#name]> [--param k=v …] [--invariant name …] [--mode bfs|dfs|random] [bounds] [outputs] [--json]',
    help: [
      'usage: dscheck check <model | ./module.ts[#name]> [options]',
      'Explore a registered model, or one exported by your TypeScript module: exhaustively (bfs: shortest counterexample; dfs: less memory) or with random schedules (random: fast-check, shrunk, replayable from --seed and --path).',
      'Every output path is checked writable before the search starts.',
      'options:',
      opt('-p, --param k=v', 'set a model parameter (repeatable, each key once); known-bug variants are -p bug=NAME'),
      opt('-i, --invariant NAME', 'check only the named invariants and transition properties (repeatable)'),
      opt('--mode bfs|dfs|random|portfolio', 'the search (default bfs)'),
      opt('--time-limit S', 'stop after S seconds (default 600 for bfs/dfs, 120 for random)'),
      opt('--deadlock', 'report a state with no enabled action that the model does not call terminal'),
      opt('--out FILE', 'where a counterexample trace (JSON) is written (default reports/traces/…)'),
      opt('--report', 'also write a self-contained HTML report (default reports/….html)'),
      opt('--report-out FILE', 'write the HTML report to FILE (implies --report)'),
      opt('--out-itf FILE', 'write the counterexample as an ITF trace (Apalache/Quint)'),
      opt('--out-otlp FILE', 'write the counterexample as an OpenTelemetry trace (OTLP/JSON)'),
      opt('--coverage', 'a second pass that counts how often each action kind and branch ran'),
      opt('--quiet', 'no live progress line'),
      opt('--json', 'one machine-readable object instead of text'),
      'options of --mode bfs and dfs:',
      opt('--max-depth N', 'do not expand states at depth N (default 10,000)'),
      opt('--max-states N', 'stop after N distinct states (default 20,000,000)'),
      opt('--exact', 'deduplicate on full canonical keys instead of 64-bit fingerprints'),
      opt('--no-symmetry', 'do not reduce by node symmetry'),
      opt('--frontier KIND', 'bfs: hold waiting states encoded (decoded when expanded) or as objects (default auto: encoded when the model can decode)'),
      opt('--frontier-memory MB', 'bfs: encoded frontier held in memory before it spills to disk (default 512)'),
      opt('--spill-dir DIR', 'bfs: folder for spill files of the frontier and trace links (default: the OS temp folder)'),
      opt('--check-purity', 'guard every state against handlers and checks that mutate their input (default: the first states of every run)'),
      opt('--workers N', 'threads for bfs (default: the number of cores; the result does not depend on N); with random: runs spread over N threads'),
      'options of --mode random:',
      opt('--runs N', 'number of random runs (default 1,000)'),
      opt('--steps M', 'steps per run, at most (default 200); part of the schedule encoding'),
      opt('--seed S', 'the seed (default: a fresh one, printed first)'),
      opt('--path P', 'with --seed and --steps: replay exactly the failing run P (from a replay line)'),
      opt('--no-swarm', 'do not draw a mix of action kinds per run'),
      opt('--fixed-config', 'use the parameters as given instead of drawing each run\'s configuration from the seed'),
      opt('--shard k/n', 'run only shard k of n (disjoint blocks of runs); combine the shard files with dscheck merge'),
      opt('--shard-out FILE', 'where the shard file is written (default reports/shards/…)'),
      'options of --mode portfolio (bfs and random side by side, needs --workers ≥ 2): --workers, and the bounds of both',
      HELP_OPT,
      ...exitCodes([0, 1, 2, 70, 130]),
    ],
  },
  replay: {
    run: replayCommand,
    usage: 'replay <trace.json> [--json]             re-run a trace file: exit 1 if it still fails, 0 if not',
    help: [
      'usage: dscheck replay <trace.json> [--json]',
      'Re-run a trace file against the current model and say whether the same check still breaks, and at which step.',
      'options:',
      opt('--json', 'one machine-readable object'),
      HELP_OPT,
      ...exitCodes([0, 1, 2, 70]),
    ],
  },
  history: {
    run: historyCommand,
    usage: 'history <file> [--model register|cas-register|kv|multi-register] [--format edn|etcd|kv|json] [--level linearizable|sequential|causal|eventual | --strongest] [--time-limit S] [--json]   consistency of a recorded history: exit 0 yes, 1 no, 3 unknown',
    help: [
      'usage: dscheck history <file> [options]',
      'Check a recorded history (Jepsen EDN, etcd, kv or JSON) for linearizability, or for another consistency level.',
      'options:',
      opt('--level L', 'linearizable (default), sequential, causal or eventual'),
      opt('--strongest', 'report the strongest level the history satisfies, with a witness, and why not the next one up'),
      opt('--quiet-period T', 'eventual level: reads this long after the last update must agree (history time units, default 0)'),
      opt('--model NAME', 'register, cas-register, kv or multi-register (default: inferred)'),
      opt('--format F', 'edn, etcd, kv or json (default: detected)'),
      opt('--time-limit S', 'stop after S seconds (the verdict is then unknown)'),
      opt('--max-steps N', 'stop after N search steps (the verdict is then unknown)'),
      opt('--initial V', 'the initial register value (nil for none)'),
      opt('--all-partitions', 'check every partition, not only up to the first failure'),
      opt('--timeline failure|all|none', 'which text timeline to print (default failure)'),
      opt('--report', 'also write an HTML report (default reports/history-….html)'),
      opt('--report-out FILE', 'write the HTML report to FILE (implies --report)'),
      opt('--quiet', 'no live progress line'),
      opt('--json', 'one machine-readable object'),
      HELP_OPT,
      ...exitCodes([0, 1, 2, 3, 70]),
    ],
  },
  shrink: {
    run: shrinkCommand,
    usage: 'shrink <trace.json> [--out file] [--time-limit S] [--json]   write a 1-minimal trace (<input>.min.json)',
    help: [
      'usage: dscheck shrink <trace.json> [options]',
      'Minimise a failing trace (delta debugging over its steps, then simpler payloads) into a 1-minimal one.',
      'options:',
      opt('--out FILE', 'where the minimal trace is written (default <input>.min.json)'),
      opt('--time-limit S', 'shrinking budget in seconds (default 60)'),
      opt('--json', 'one machine-readable object'),
      HELP_OPT,
      ...exitCodes([0, 1, 2, 70]),
    ],
  },
  merge: {
    run: mergeCommand,
    usage: 'merge <shard.json …> [--out file] [--json]   combine the shard files of a sharded random run: exit 1 on a violation',
    help: [
      'usage: dscheck merge <shard.json …> [--out file] [--json]',
      'Combine the shard files of one sharded random run (see check, random mode, shards): runs, witnesses, and each distinct violation with its seed and replay line. Shards of different models, seeds, parameters or bounds, a repeated or missing shard, are input errors.',
      'options:',
      opt('--out FILE', 'also write the merged result as JSON'),
      opt('--json', 'one machine-readable object'),
      HELP_OPT,
      ...exitCodes([0, 1, 2, 70]),
    ],
  },
  report: {
    run: reportCommand,
    usage: 'report <trace.json> [--out file.html] [--out-itf file.itf.json] [--out-otlp file.json] [--json] | report --index [--dir D]   a self-contained HTML report (and ITF, OTLP traces) of a trace file; the index of a reports folder',
    help: [
      'usage: dscheck report <trace.json> [--out file.html] [--out-itf file.itf.json] [--out-otlp file.json] [--json]',
      '       dscheck report --index [--dir D] [--json]',
      'A self-contained HTML report (and an ITF trace) of a trace file, or the index page of a reports folder.',
      'options:',
      opt('--out FILE', 'where the HTML report is written (default reports/<trace>.html)'),
      opt('--out-itf FILE', 'also write the trace as ITF'),
      opt('--out-otlp FILE', 'also write the trace as an OpenTelemetry trace (OTLP/JSON)'),
      opt('--index', 'write <dir>/index.html listing the reports of a folder'),
      opt('--dir D', 'the folder of --index (default reports/)'),
      opt('--json', 'one machine-readable object'),
      HELP_OPT,
      ...exitCodes([0, 2, 70]),
    ],
  },
};

/** The names of the commands. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

/** Usage text: every command in one line, and the exit codes. */
export function usage(): string {
  return [
    'usage: dscheck <command> …   (dscheck <command> --help for its options)',
    ...Object.values(COMMANDS).map((c) => `  dscheck ${c.usage}`),
    ...exitCodes(EXIT_CODES.map(([c]) => c)),
  ].join('\n');
}

/** The full help of one command. */
export function commandHelp(name: string): string {
  const c = COMMANDS[name];
  if (!c) throw new InputError(`unknown command '${name}'; valid: ${COMMAND_NAMES.join(', ')}`);
  return c.help.join('\n');
}

/**
 * Run the CLI with `argv` (without node and script). Returns the exit code. `catalogue` is the
 * set of registered models (tests pass their own).
 */
export async function main(
  argv: readonly string[],
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  catalogue: Catalogue = CATALOGUE,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    out(usage());
    return name === undefined ? 2 : 0;
  }
  try {
    if (name === 'help') {
      if (rest.length > 1) throw new InputError('usage: dscheck help [<command>]');
      out(rest[0] === undefined ? usage() : commandHelp(rest[0]));
      return 0;
    }
    const cmd = COMMANDS[name];
    if (!cmd) throw new InputError(`unknown command '${name}'; valid: ${COMMAND_NAMES.join(', ')}`);
    return await cmd.run(rest, out, new ModelSource(catalogue));
  } catch (e) {
    if (e instanceof HelpRequested) {
      out(commandHelp(name));
      return 0;
    }
    if (e instanceof InputError) {
      process.stderr.write(`dscheck: ${e.message}\n`);
      return 2;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    const at = userCodeLocation(err, fileURLToPath(import.meta.url));
    if (at !== undefined) {
      // Thrown in the model's own code (building it, formatting an action, …): an error of the model.
      process.stderr.write(`dscheck: error in the model: ${err.name === 'Error' ? '' : `${err.name}: `}${err.message.split('\n')[0]} at ${at}\n`);
      if (process.env['DSCHECK_DEBUG']) process.stderr.write(`${err.stack ?? ''}\n`);
      return 2;
    }
    process.stderr.write(`dscheck: internal error: ${err.message.split('\n')[0]}\n`);
    if (process.env['DSCHECK_DEBUG']) process.stderr.write(`${err.stack ?? ''}\n`);
    return 70;
  }
}
