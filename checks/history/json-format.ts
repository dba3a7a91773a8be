/**
 * dscheck's own JSON history format (see `FORMAT.md` next to this file).
 *
 * ```json
 * {
 *   "format": "dscheck-history",
 *   "version": 1,
 *   "model": "cas-register",
 *   "ops": [
 *     { "process": 0, "call": 0, "return": 3, "f": "write", "value": 1 },
 *     { "process": 1, "call": 1, "return": 5, "f": "read", "output": 1 },
 *     { "process": 2, "call": 2, "return": 6, "f": "cas", "value": [1, 2], "output": true },
 *     { "process": 3, "call": 4, "return": null, "f": "write", "value": 7 }
 *   ]
 * }
 * ```
 *
 * - The file is an object with `ops` (and optional `format`, `version`, `model`), or a bare
 *   array of operations.
 * - `process` (integer or string): the client. A process runs one operation at a time: its
 *   operations must not overlap.
 * - `call` (number): invocation time. `return` (number ≥ `call`): completion time; `null` or
 *   absent when the operation never completed (crashed, timed out, indeterminate: it may have
 *   taken effect at any point after `call`, or never). Only the order of times matters: A
 *   precedes B exactly when `A.return < B.call`; equal times are concurrent.
 * - `f`, `key`, `value`: what was asked; `output`: what was observed, absent when unknown. The
 *   meaning of each is the model's (see `FORMAT.md`): register `read` / `write`; cas-register
 *   also `cas` with `value: [from, to]` and `output: true | false`; kv `get` / `put` / `append`
 *   with `key`; multi-register `txn` with `value: [["read", "x", null], ["write", "y", 2]]` and
 *   `output` the same list with the values read.
 * - An operation that definitely did not take effect (Jepsen's `:fail` in Knossos's sense) is
 *   simply left out.
 */
import { InputError } from '../../impl/core/machine.ts';
import type { ProcessId } from '../../impl/core/history/history.ts';
import type { Plain } from './jepsen.ts';

/** One operation of a JSON history, generic fields checked, model fields left raw. */
export interface JsonOp {
  /** Position in the `ops` array. */
  readonly index: number;
  /** 1-based line of the operation's `{`, when known. */
  readonly line?: number;
  readonly process: ProcessId;
  /** The replica (node) that served it, when given; the eventual-convergence check groups reads by it. */
  readonly node?: ProcessId;
  readonly f: string;
  readonly key?: Plain;
  readonly value?: Plain;
  /** The observed output; `undefined` when absent (unknown). */
  readonly output?: Plain;
  readonly call: number;
  readonly ret: number | null;
}

/** A parsed JSON history file. */
export interface JsonHistory {
  /** The `model` field, when present. */
  readonly model?: string;
  readonly ops: readonly JsonOp[];
}

/** The value of the JSON format's `format` field. */
export const JSON_HISTORY_FORMAT = 'dscheck-history';

const ALLOWED = new Set(['process', 'node', 'call', 'return', 'f', 'key', 'value', 'output', 'note']);

/**
 * Lines of the operation objects, by scanning the text: the `{` of each element of the top-level
 * array, or of the array under the top-level key `ops`.
 */
function opLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let opsDepth = -1; // depth of the ops array once entered
  let topIsArray = false;
  let lastKey: string | undefined;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    else if (c === '"') {
      const start = i + 1;
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        else if (text[i] === '\n') line++;
        i++;
      }
      if (depth === 1 && expectKey) lastKey = text.slice(start, i);
    } else if (c === '{' || c === '[') {
      if (depth === 0) topIsArray = c === '[';
      if (c === '{' && opsDepth === depth) lines.push(line);
      depth++;
      if (c === '[' && ((depth === 1 && topIsArray) || (depth === 2 && lastKey === 'ops'))) opsDepth = depth;
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      if (depth === opsDepth) opsDepth = -2;
      depth--;
    } else if (c === ',') expectKey = depth === 1 && !topIsArray;
    else if (c === ':') expectKey = false;
  }
  return lines;
}

function lineOf(text: string, pos: number): { line: number; col: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, col: pos - last };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse a JSON history. Throws {@link InputError} with the file, line and field on any error. */
export function parseJsonHistory(text: string, source = '<json>'): JsonHistory {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    const at = pos !== null ? lineOf(text, Number(pos[1])) : undefined;
    const short = msg.replace(/\s*in JSON at position \d+.*$/, '').replace(/, "[\s\S]*" is not valid JSON$/, '');
    throw new InputError(`${source}${at !== undefined ? `:${at.line}:${at.col}` : ''}: malformed JSON: ${short}`);
  }
  let rawOps: unknown;
  let model: string | undefined;
  if (Array.isArray(doc)) rawOps = doc;
  else if (isRecord(doc)) {
    if (doc['format'] !== undefined && doc['format'] !== JSON_HISTORY_FORMAT) {
      throw new InputError(`${source}: "format" must be "${JSON_HISTORY_FORMAT}", got ${JSON.stringify(doc['format'])}`);
    }
    if (doc['version'] !== undefined && doc['version'] !== 1) throw new InputError(`${source}: unsupported "version" ${JSON.stringify(doc['version'])}; this reader knows version 1`);
    if (doc['model'] !== undefined) {
      if (typeof doc['model'] !== 'string') throw new InputError(`${source}: "model" must be a string`);
      model = doc['model'];
    }
    rawOps = doc['ops'];
    if (!Array.isArray(rawOps)) throw new InputError(`${source}: a JSON history needs an "ops" array (or must be an array of operations)`);
  } else throw new InputError(`${source}: a JSON history is an object with "ops" or an array of operations, got ${JSON.stringify(doc)}`);

  const lines = opLines(text);
  const lineAt = (i: number): number | undefined => (lines.length === (rawOps as unknown[]).length ? lines[i] : undefined);
  const ops: JsonOp[] = (rawOps as unknown[]).map((o, index) => {
    const line = lineAt(index);
    const where = `${source}${line !== undefined ? `:${line}` : ''}: ops[${index}]`;
    if (!isRecord(o)) throw new InputError(`${where}: an operation must be an object, got ${JSON.stringify(o)}`);
    for (const k of Object.keys(o)) {
      if (!ALLOWED.has(k)) throw new InputError(`${where}: unknown field "${k}"; fields: ${[...ALLOWED].join(', ')}`);
    }
    const p = o['process'];
    if (!((typeof p === 'number' && Number.isInteger(p)) || (typeof p === 'string' && p !== ''))) {
      throw new InputError(`${where}: "process" must be an integer or a non-empty string, got ${JSON.stringify(p)}`);
    }
    const node = o['node'];
    if (node !== undefined && !((typeof node === 'number' && Number.isInteger(node)) || (typeof node === 'string' && node !== ''))) {
      throw new InputError(`${where}: "node" must be an integer or a non-empty string, got ${JSON.stringify(node)}`);
    }
    const call = o['call'];
    if (typeof call !== 'number' || !Number.isFinite(call)) throw new InputError(`${where}: "call" must be a number, got ${JSON.stringify(call)}`);
    const r = o['return'];
    if (r !== undefined && r !== null && (typeof r !== 'number' || !Number.isFinite(r))) {
      throw new InputError(`${where}: "return" must be a number, or null for an operation that never completed; got ${JSON.stringify(r)}`);
    }
    if (typeof r === 'number' && r < call) throw new InputError(`${where}: "return" (${r}) is before "call" (${call})`);
    const f = o['f'];
    if (typeof f !== 'string' || f === '') throw new InputError(`${where}: "f" must be the operation's name, such as "read"; got ${JSON.stringify(f)}`);
    return {
      index,
      ...(line !== undefined ? { line } : {}),
      process: p,
      ...(node !== undefined ? { node: node as ProcessId } : {}),
      f,
      ...('key' in o ? { key: o['key'] as Plain } : {}),
      ...('value' in o ? { value: o['value'] as Plain } : {}),
      ...('output' in o ? { output: o['output'] as Plain } : {}),
      call,
      ret: typeof r === 'number' ? r : null,
    };
  });

  // A process runs one operation at a time.
  const byProcess = new Map<ProcessId, JsonOp[]>();
  for (const op of ops) {
    const l = byProcess.get(op.process) ?? [];
    l.push(op);
    byProcess.set(op.process, l);
  }
  for (const [p, l] of byProcess) {
    l.sort((a, b) => a.call - b.call || a.index - b.index);
    for (let i = 1; i < l.length; i++) {
      const a = l[i - 1]!;
      const b = l[i]!;
      if (a.ret === null || a.ret >= b.call) {
        const at = (x: JsonOp): string => `ops[${x.index}]${x.line !== undefined ? ` (line ${x.line})` : ''}`;
        throw new InputError(
          `${source}: process ${JSON.stringify(p)} has overlapping operations ${at(a)} and ${at(b)}: a process runs one operation at a time` +
            (a.ret === null ? ' (the first never completed; give the next operation a new process id)' : ''),
        );
      }
    }
  }
  return { ...(model !== undefined ? { model } : {}), ops };
}
