/**
 * `dscheck report`: HTML reports and ITF traces from saved trace files, and the index page.
 *
 * ```text
 * dscheck report <trace.json> [--out file.html] [--out-itf file.itf.json] [--out-otlp file.json] [--json]
 * dscheck report --index [--dir D] [--json]
 * ```
 *
 * A trace file whose model is registered here is replayed on the model (so the report has the
 * message-sequence diagram and the checks' explanations); a trace of a model that is not
 * registered, or that no longer replays, is rendered from the file's own states, with a note
 * saying why there is no diagram. A file that is not a dscheck trace is an input error (exit 2).
 * Exit code 0 when the files were written.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultParams, InputError, type AnyMachine } from '../../impl/core/machine.ts';
import { TRACE_FORMAT, TRACE_VERSION, compact, labelOf, type Trace, type TraceFile, type TraceStep } from '../../impl/core/trace.ts';
import { reportFromTraceFile, type TraceFileReportInput } from '../report/data.ts';
import { listReports, renderIndex } from '../report/folder.ts';
import { traceFileToItf, traceToItf } from '../report/itf.ts';
import { reportPathForTrace, writeItf, writeOtlp, writeReport } from '../report/outputs.ts';
import { flag, parseArgs, str } from './args.ts';
import { REPORTS_DIR, assertWritable, writeFileAtomic } from '../output.ts';
import { parseTraceFileWith, type ModelSource } from './models.ts';
import { readTraceText } from '../engine/replay.ts';

/** Flags of `dscheck report`. */
export const REPORT_FLAGS = { out: 'string', 'out-itf': 'string', 'out-otlp': 'string', json: 'bool', index: 'bool', dir: 'string' } as const;

/** The usage line. */
export const REPORT_USAGE = 'usage: dscheck report <trace.json> [--out file.html] [--out-itf file.itf.json] [--out-otlp file.json] [--json] | dscheck report --index [--dir D] [--json]';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Read a trace file's JSON and check its shape (format, version, steps); one-line errors. */
export function readTraceJson(path: string): TraceFile {
  const text = readTraceText(path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ')})`);
  }
  if (!isRecord(json) || json['format'] !== TRACE_FORMAT) throw new InputError(`${path}: not a dscheck trace file (expected "format": "${TRACE_FORMAT}")`);
  if (json['version'] !== TRACE_VERSION) throw new InputError(`${path}: trace format version ${compact(json['version'])} is not supported (this dscheck reads version ${TRACE_VERSION})`);
  if (typeof json['model'] !== 'string') throw new InputError(`${path}: "model" must be a string`);
  if (!isRecord(json['params'] ?? {})) throw new InputError(`${path}: "params" must be an object`);
  const steps = json['steps'];
  if (!Array.isArray(steps)) throw new InputError(`${path}: "steps" must be an array`);
  steps.forEach((st: unknown, i) => {
    if (!isRecord(st) || !('action' in st) || !('state' in st)) throw new InputError(`${path}: step ${i + 1} needs "action" and "state"`);
  });
  return { ...(json as unknown as TraceFile), params: (json['params'] ?? {}) as TraceFile['params'], initIndex: typeof json['initIndex'] === 'number' ? json['initIndex'] : 0 };
}

/** The machine and the replayed trace of a trace file, or why there are none. */
export async function replayForReport(path: string, file: TraceFile, models: ModelSource): Promise<Pick<TraceFileReportInput, 'replayed' | 'unavailable' | 'paramDefaults'>> {
  let loaded;
  try {
    loaded = await parseTraceFileWith(readFileSync(path, 'utf8'), path, models);
  } catch (e) {
    if (e instanceof InputError) return { unavailable: `no message-sequence diagram: ${e.message.replace(`${path}: `, '')}; the trace is shown from the file` };
    throw e;
  }
  const m: AnyMachine = loaded.machine;
  const init = m.init()[loaded.initIndex];
  const steps: TraceStep<unknown, unknown>[] = [];
  let s = init;
  for (let i = 0; i < file.steps.length; i++) {
    const a = loaded.actions[i];
    const acts = m.actions(s);
    const idx = acts.indexOf(a);
    try {
      s = m.step(s, a);
    } catch (e) {
      return { unavailable: `no message-sequence diagram: step ${i + 1} throws when replayed (${e instanceof Error ? e.message : String(e)}); the trace is shown from the file` };
    }
    steps.push({ action: a, actionIndex: idx, state: s });
  }
  const trace: Trace<unknown, unknown> = { initIndex: loaded.initIndex, init, steps };
  const failed = loaded.actions.length > file.steps.length ? loaded.actions[file.steps.length] : undefined;
  return { replayed: { machine: m, trace, ...(failed !== undefined ? { failedAction: { action: failed } } : {}) }, paramDefaults: defaultParams(loaded.model) };
}

/** Run `dscheck report`. Returns the exit code. */
export async function reportCommand(argv: readonly string[], out: (line: string) => void, models: ModelSource): Promise<number> {
  const args = parseArgs('report', argv, REPORT_FLAGS);
  const json = flag(args, 'json');
  if (flag(args, 'index')) {
    if (args.positionals.length > 0) throw new InputError(`--index takes no trace file; ${REPORT_USAGE}`);
    for (const f of ['out', 'out-itf', 'out-otlp'] as const) if (args.flags.has(f)) throw new InputError(`--${f} does not apply to --index (the index is <dir>/index.html)`);
    const dir = str(args, 'dir') ?? REPORTS_DIR;
    let entries;
    try {
      entries = listReports(dir);
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new InputError(`cannot read the folder ${dir}${code ? ` (${code})` : ''}`);
    }
    const path = join(dir, 'index.html');
    assertWritable('the index', path);
    writeFileAtomic(path, renderIndex(entries));
    if (json) out(JSON.stringify({ index: path, reports: entries.map((e) => ({ file: e.file, status: e.summary.status, title: e.summary.title })) }));
    else out(`index of ${entries.length} report${entries.length === 1 ? '' : 's'} written to ${path}`);
    return 0;
  }
  if (args.flags.has('dir')) throw new InputError('--dir applies to --index only');
  if (args.positionals.length !== 1) throw new InputError(`${args.positionals.length === 0 ? 'no trace file given' : 'give exactly one trace file'}; ${REPORT_USAGE}`);
  const source = args.positionals[0]!;
  const outPath = str(args, 'out') ?? reportPathForTrace(source);
  assertWritable(args.flags.has('out') ? '--out' : 'the default report (give --out to write elsewhere)', outPath);
  const itfOut = str(args, 'out-itf');
  if (itfOut !== undefined) assertWritable('--out-itf', itfOut);
  const otlpOut = str(args, 'out-otlp');
  if (otlpOut !== undefined) assertWritable('--out-otlp', otlpOut);
  const file = readTraceJson(source);
  const replay = await replayForReport(source, file, models);
  const command = `dscheck report ${argv.join(' ')}`;
  const data = reportFromTraceFile({ file, source, ...replay, command });
  const reportPath = writeReport(outPath, data);
  let itfPath: string | undefined;
  if (itfOut !== undefined) {
    const itf = replay.replayed
      ? traceToItf(replay.replayed.machine, replay.replayed.trace, {
          model: file.model,
          params: file.params,
          ...(file.origin ? { origin: file.origin } : {}),
          violation: file.violation,
          ...(replay.replayed.failedAction ? { failedAction: labelOf(replay.replayed.machine, replay.replayed.failedAction.action) } : {}),
        })
      : traceFileToItf(file);
    itfPath = writeItf(itfOut, itf);
  }
  const otlpPath = otlpOut !== undefined ? writeOtlp(otlpOut, data) : undefined;
  if (json) {
    out(JSON.stringify({
      file: source,
      model: file.model,
      params: file.params,
      status: data.status,
      steps: file.steps.length,
      violation: file.violation ? { kind: file.violation.kind, name: file.violation.name, message: file.violation.message } : null,
      diagram: data.diagram !== undefined,
      report: reportPath,
      itf: itfPath ?? null,
      ...(otlpPath ? { otlp: otlpPath } : {}),
    }));
  } else {
    out(`${data.headline} · ${file.model} · ${file.steps.length} step${file.steps.length === 1 ? '' : 's'}`);
    if (replay.unavailable) out(`  note: ${replay.unavailable}`);
    out(`  report written to ${reportPath}`);
    if (itfPath) out(`  ITF trace written to ${itfPath}`);
    if (otlpPath) out(`  OpenTelemetry trace (OTLP/JSON) written to ${otlpPath}`);
    out(`  index: dscheck report --index${dirname(reportPath) === REPORTS_DIR ? '' : ` --dir ${dirname(reportPath)}`}`);
  }
  return 0;
}
