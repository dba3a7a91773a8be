/**
 * Reading history files: format detection, parsing, and conversion to a {@link History} of a
 * model's inputs and outputs.
 *
 * What `:fail` means depends on where the log comes from:
 * - `edn` and `kv` (Jepsen / Knossos): `:fail` means the operation definitely did not happen
 *   (errors such as `:conn-lost` also produce it), so the operation is left out;
 * - `etcd` (Porcupine's Jepsen etcd logs): a failed `:cas` found another value, a failed `:read`
 *   timed out (unknown output); see {@link HistoryModel.fromJepsen}.
 *
 * `:info`, or no completion at all, means indeterminate: the operation may take effect at any
 * point after its invocation, or never.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { InputError } from '../../impl/core/machine.ts';
import { makeHistory, type History, type OperationInit } from '../../impl/core/history/history.ts';
import { jepsenEventsFromEdn, jepsenEventsFromEtcd, jepsenEventsFromKvLog, pairJepsenEvents, type JepsenOp } from './jepsen.ts';
import { parseJsonHistory } from './json-format.ts';
import { historyModel, isHistoryModelName, type AnyHistoryModel, type HistoryModelName, type HistoryModelOptions } from './models.ts';

/** The history file formats. */
export const HISTORY_FORMATS = ['edn', 'etcd', 'kv', 'json'] as const;
/** A history file format. */
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

/** Is this a format name? */
export function isHistoryFormat(s: string): s is HistoryFormat {
  return (HISTORY_FORMATS as readonly string[]).includes(s);
}

/**
 * Guess a file's format from its content (first significant characters), then its extension:
 * `INFO  jepsen.util` → etcd; `{:` → kv if every line is one map with a `:key`, else edn;
 * `[`/`(`/`{:`/`;` → edn; `{"` or `[{"` → json.
 */
export function detectFormat(fileName: string, text: string): HistoryFormat {
  const body = text.replace(/^\uFEFF/, '');
  const first = body.replace(/^(\s|,|;[^\n]*\n?)*/, '');
  if (/^INFO\s+jepsen\.util\s+-/.test(first)) return 'etcd';
  if (/^(\[\s*)?\{\s*"/.test(first) || /^\[\s*\]\s*$/.test(first.trim())) return extname(fileName) === '.edn' ? 'edn' : 'json';
  if (first.startsWith('{:') && body.split('\n').every((l) => l.trim() === '' || /^\{:.*:key\b.*\}\s*$/.test(l))) return 'kv';
  if (/^[[({;#]/.test(first) || first.startsWith('{:')) return 'edn';
  switch (extname(fileName).toLowerCase()) {
    case '.edn':
      return 'edn';
    case '.json':
      return 'json';
    case '.log':
      return 'etcd';
    default:
      throw new InputError(`${basename(fileName)}: cannot tell the history format; pass --format ${HISTORY_FORMATS.join('|')}`);
  }
}

/** A history read from a file, with how it was read. */
export interface LoadedHistory {
  readonly format: HistoryFormat;
  readonly model: AnyHistoryModel;
  /** Whether the model was given or inferred from the content. */
  readonly modelInferred: boolean;
  readonly history: History<unknown, unknown>;
  /** Operations left out because they definitely did not happen (`:fail` in EDN / kv). */
  readonly droppedFailed: number;
}

/** Options of {@link parseHistory}. */
export interface ParseHistoryOptions extends HistoryModelOptions {
  /** The format; detected when absent. */
  readonly format?: HistoryFormat;
  /** The model; inferred from the content when absent. */
  readonly model?: string;
  /** The file name, for messages and format detection. */
  readonly source?: string;
}

function inferJepsenModel(ops: readonly JepsenOp[], format: HistoryFormat): HistoryModelName {
  if (format === 'kv' || ops.some((o) => o.key !== undefined || o.f === 'get' || o.f === 'put' || o.f === 'append')) return 'kv';
  if (ops.some((o) => o.f === 'txn')) return 'multi-register';
  return 'cas-register';
}

function convertJepsen(ops: readonly JepsenOp[], model: AnyHistoryModel, format: HistoryFormat, source: string): { history: History<unknown, unknown>; dropped: number } {
  const failMeansNotApplied = format !== 'etcd';
  const out: OperationInit<unknown, unknown>[] = [];
  let dropped = 0;
  for (const op of ops) {
    if (op.completion.kind === 'fail' && failMeansNotApplied) {
      dropped++;
      continue;
    }
    const where = `${source}:${op.callLine}`;
    const io = model.fromJepsen(op, where);
    if (io === null) {
      dropped++;
      continue;
    }
    const completed = op.ret !== null;
    out.push({
      process: op.process,
      input: io.input,
      ...(completed && io.output !== undefined ? { output: io.output } : {}),
      call: op.call,
      ret: op.ret,
      source: { callLine: op.callLine, ...(op.retLine !== undefined ? { retLine: op.retLine } : {}) },
    });
  }
  return { history: makeHistory(out, source), dropped };
}

/** Parse a history text in a format for a model. Throws {@link InputError} on malformed input. */
export function parseHistory(text: string, options: ParseHistoryOptions = {}): LoadedHistory {
  const source = options.source ?? '<history>';
  const format = options.format ?? detectFormat(source, text);
  if (options.model !== undefined && !isHistoryModelName(options.model)) historyModel(options.model); // throws the valid names
  if (format === 'json') {
    const doc = parseJsonHistory(text, source);
    const name = options.model ?? doc.model;
    if (name === undefined) throw new InputError(`${source}: the JSON history names no "model"; pass --model`);
    const model = historyModel(name, options);
    const ops: OperationInit<unknown, unknown>[] = doc.ops.map((op) => {
      const io = model.fromJson(op, `${source}${op.line !== undefined ? `:${op.line}` : ''}: ops[${op.index}]`);
      return {
        process: op.process,
        ...(op.node !== undefined ? { node: op.node } : {}),
        input: io.input,
        ...(op.ret !== null && io.output !== undefined ? { output: io.output } : {}),
        call: op.call,
        ret: op.ret,
        ...(op.line !== undefined ? { source: { callLine: op.line } } : {}),
      };
    });
    return { format, model, modelInferred: options.model === undefined, history: makeHistory(ops, source), droppedFailed: 0 };
  }
  const events = format === 'etcd' ? jepsenEventsFromEtcd(text, source) : format === 'kv' ? jepsenEventsFromKvLog(text, source) : jepsenEventsFromEdn(text, source);
  const jops = pairJepsenEvents(events, source);
  const name = options.model ?? inferJepsenModel(jops, format);
  const model = historyModel(name, options);
  const { history, dropped } = convertJepsen(jops, model, format, source);
  return { format, model, modelInferred: options.model === undefined, history, droppedFailed: dropped };
}

/** Read and parse a history file. Throws {@link InputError} when it cannot be read or parsed. */
export async function loadHistoryFile(path: string, options: Omit<ParseHistoryOptions, 'source'> = {}): Promise<LoadedHistory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read history file ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : e instanceof Error ? e.message : String(e)}`);
  }
  return parseHistory(text, { ...options, source: path });
}
