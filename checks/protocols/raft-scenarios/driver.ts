/**
 * A data-driven scenario runner for the Raft machine, after etcd-io/raft's `testdata/*.txt`
 * scripts (cockroachdb/datadriven): a file is a sequence of blocks
 *
 * ```
 * # a comment
 * <command> <args…>
 * ----
 * <expected output>
 * ```
 *
 * separated by blank lines. Each command drives the machine one or more steps through its
 * ordinary actions (the ones a checker would take), and its output is compared with the
 * expected text. Commands:
 *
 * | command                       | what it does                                                        |
 * |-------------------------------|---------------------------------------------------------------------|
 * | `config k=v …`                | start a fresh cluster (`makeRaft` parameters, plus `bug=`)           |
 * | `timeout nX`                  | fire nX's election timer                                            |
 * | `heartbeat nX`                | fire nX's heartbeat timer                                           |
 * | `propose nX`                  | a client request at nX (the leader)                                 |
 * | `deliver nX nY [Type [tN]]`   | deliver the first message in flight from nX to nY (of that type, term) |
 * | `drop nX nY [Type [tN]]`      | drop it instead                                                      |
 * | `stabilize`                   | deliver the first deliverable message until none is left            |
 * | `crash nX`, `restart nX`      | crash or restart a node                                             |
 * | `partition nX nY | nZ`        | impose a partition; `heal` lifts it                                 |
 * | `status`                      | each node: role, term, vote, commitIndex, log                       |
 * | `network`                     | the messages in flight                                              |
 * | `check`                       | every invariant on the current state (`ok` or the broken ones)      |
 *
 * A step's output is its action label, then its events (sends, notes) indented. A command whose
 * action is not enabled prints `error: …` (and takes no step), so scripts can show refusals.
 */
import { InputError } from '../../../impl/core/machine.ts';
import type { TraceEvent } from '../../../impl/core/machine.ts';
import { makeRaft, type RaftBug, type RaftConfig } from '../../../specs/models/raft.ts';
import { formatEntry, type RaftState, type RaftTypes } from '../../../impl/raft/raft.ts';
import type { EnvAction } from '../../../impl/env/types.ts';
import type { EnvMachine } from '../../../impl/env/machine.ts';
import { nodeName } from '../../../impl/env/partition.ts';

/** One block of a script: the command line, and the expected (or actual) output. */
export interface ScenarioBlock {
  /** Comment lines before the command (kept when a file is rewritten). */
  readonly comments: readonly string[];
  readonly command: string;
  readonly expected: string;
}

/** Parse a script file into blocks. */
export function parseScenario(text: string): ScenarioBlock[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const blocks: ScenarioBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const comments: string[] = [];
    while (i < lines.length && (lines[i]!.trim() === '' || lines[i]!.startsWith('#'))) {
      if (lines[i]!.startsWith('#')) comments.push(lines[i]!);
      i++;
    }
    if (i >= lines.length) break;
    const command = lines[i++]!.trim();
    if (lines[i] !== '----') throw new Error(`line ${i + 1}: expected '----' after '${command}'`);
    i++;
    const out: string[] = [];
    while (i < lines.length && lines[i] !== '') out.push(lines[i++]!);
    blocks.push({ comments, command, expected: out.join('\n') });
  }
  return blocks;
}

/** Render blocks back to a script (used to rewrite golden files). */
export function renderScenario(blocks: readonly ScenarioBlock[]): string {
  return `${blocks.map((b) => [...b.comments, b.command, '----', b.expected].join('\n')).join('\n\n')}\n`;
}

type A = EnvAction<RaftTypes>;

/** Parse `n3` as 3. */
function nodeArg(x: string | undefined, n: number): number {
  const m = /^n(\d+)$/.exec(x ?? '');
  const id = m ? Number(m[1]) : NaN;
  if (!(id >= 1 && id <= n)) throw new InputError(`expected a node n1..n${n}, got '${x ?? ''}'`);
  return id;
}

/** A running scenario: the machine, its current state, and the command interpreter. */
export class RaftScenario {
  private m: EnvMachine<RaftTypes> = makeRaft();
  private s: RaftState = this.m.init()[0]!;

  /** Run one command line; return its output. */
  run(command: string): string {
    const [cmd, ...args] = command.split(/\s+/);
    const n = this.m.config.nodes;
    switch (cmd) {
      case 'config':
        return this.configure(args);
      case 'timeout':
      case 'heartbeat': {
        const node = nodeArg(args[0], n);
        const timer = cmd === 'timeout' ? 'election' : 'heartbeat';
        return this.take((a) => a.type === 'timer' && a.node === node && a.timer === timer, `${nodeName(node)} has no ${timer} timer armed`);
      }
      case 'propose': {
        const node = nodeArg(args[0], n);
        return this.take((a) => a.type === 'request' && a.node === node, `${nodeName(node)} takes no client request (not the leader, or the budget is spent)`);
      }
      case 'deliver':
      case 'drop': {
        const from = nodeArg(args[0], n);
        const to = nodeArg(args[1], n);
        const type = args[2];
        const term = args[3] === undefined ? undefined : Number(args[3].replace(/^t/, ''));
        return this.take(
          (a) =>
            a.type === cmd && a.from === from && a.to === to && (type === undefined || a.msg.type === type) && (term === undefined || a.msg.term === term),
          `no ${type ?? 'message'}${term === undefined ? '' : ` of t${term}`} from ${nodeName(from)} to ${nodeName(to)} can be ${cmd === 'deliver' ? 'delivered' : 'dropped'}`,
        );
      }
      case 'stabilize': {
        const out: string[] = [];
        for (let k = 0; k < 1000; k++) {
          const a = this.m.actions(this.s).find((x) => x.type === 'deliver');
          if (!a) return out.length === 0 ? '(nothing to deliver)' : out.join('\n');
          out.push(this.apply(a));
        }
        throw new Error('stabilize: more than 1000 deliveries');
      }
      case 'crash':
      case 'restart': {
        const node = nodeArg(args[0], n);
        return this.take((a) => a.type === cmd && a.node === node, `${nodeName(node)} cannot ${cmd} now`);
      }
      case 'partition': {
        const groups: number[][] = [[]];
        for (const x of args) {
          if (x === '|') groups.push([]);
          else groups[groups.length - 1]!.push(nodeArg(x, n));
        }
        const key = JSON.stringify(groups.map((g) => [...g].sort((a, b) => a - b)).sort((a, b) => a[0]! - b[0]!));
        return this.take((a) => a.type === 'partition' && JSON.stringify(a.groups) === key, `partition ${args.join(' ')} is not enabled`);
      }
      case 'heal':
        return this.take((a) => a.type === 'heal', 'no partition to heal');
      case 'status':
        return this.status();
      case 'network':
        return this.m.view(this.s).network.join('\n') || '(empty)';
      case 'check':
        return this.check();
      default:
        throw new InputError(`unknown command '${cmd ?? ''}'`);
    }
  }

  private configure(args: readonly string[]): string {
    const cfg: Record<string, number | boolean | string> = {};
    let bug: RaftBug = 'none';
    for (const kv of args) {
      const [k, v] = kv.split('=');
      if (k === undefined || v === undefined) throw new InputError(`config: expected k=v, got '${kv}'`);
      if (k === 'bug') bug = v as RaftBug;
      else cfg[k] = /^-?\d+$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v;
    }
    this.m = makeRaft(cfg as RaftConfig, bug);
    this.s = this.m.init()[0]!;
    const c = this.m.config;
    return `${c.nodes} nodes, ${c.delivery} network${bug === 'none' ? '' : `, bug ${bug}`}`;
  }

  /** Take the first enabled action that matches, or report why not. */
  private take(match: (a: A) => boolean, why: string): string {
    const a = this.m.actions(this.s).find(match);
    if (!a) return `error: ${why}`;
    return this.apply(a);
  }

  private apply(a: A): string {
    const events = this.m.events(this.s, a, this.s);
    this.s = this.m.step(this.s, a);
    const lines = [this.m.formatAction(a)];
    for (const e of events) {
      if (a.type === 'request' && e.kind === 'local') continue; // the label already says it
      const t = describe(e);
      if (t !== null) lines.push(`  ${t}`);
    }
    return lines.join('\n');
  }

  private status(): string {
    return this.s.nodes
      .map((slot, i) => {
        const d = slot.durable;
        const head = `${nodeName(i + 1)}: ${slot.up ? slot.volatile!.role.padEnd(9) : 'down'.padEnd(9)} term=${d.term} vote=${d.votedFor === null ? '-' : nodeName(d.votedFor)}`;
        const commit = slot.up ? ` commit=${slot.volatile!.commitIndex}` : '';
        return `${head}${commit} log=[${d.log.map(formatEntry).join(' ')}]`;
      })
      .join('\n');
  }

  private check(): string {
    const broken: string[] = [];
    for (const inv of this.m.invariants ?? []) {
      const v = inv.check(this.s);
      if (v !== true) broken.push(`${inv.name}: ${typeof v === 'string' ? v : 'violated'}`);
    }
    return broken.length === 0 ? 'ok' : broken.join('\n');
  }
}

/** One event as a line; deliveries and timer fires are the step's own label, so they are left out. */
function describe(e: TraceEvent): string | null {
  switch (e.kind) {
    case 'send':
      return `send ${e.from}→${e.to} ${e.label}`;
    case 'local':
      return `${e.node}: ${e.label}`;
    case 'deliver':
    case 'drop':
    case 'duplicate':
    case 'crash':
    case 'restart':
    case 'partition':
    case 'heal':
    case 'timer':
    case 'tick':
      return null;
  }
}

/** Run a whole script; returns the blocks with their actual outputs. */
export function runScenario(text: string): ScenarioBlock[] {
  const sc = new RaftScenario();
  return parseScenario(text).map((b) => ({ ...b, expected: sc.run(b.command) }));
}
